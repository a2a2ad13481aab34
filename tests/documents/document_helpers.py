"""What the document tests share: the demo documents by short name, what each demo account may
read, and small PDF and DOCX files made on the spot (a module of its own, so that test modules
import it by a name no other test folder uses)."""

from __future__ import annotations

import io

import docx

# Short names for the demo documents (liaison.demo.DOCUMENTS), by title.
TITLES = {
    "press": "Press summary: Japan and NATO sign the ITPP (12 July 2023)",
    "glossary": "Partnership glossary",
    "ap4": "AP4 consultation agenda",
    "korea": "Korea: ITPP implementation note",
    "eop": "Australia: Enhanced Opportunities Partner review agenda",
    "minutes": "Japan staff talks: minutes",
    "observer": "Cyber exercise observer note (Australia, Japan)",
    "allied": "Allied positions on partner cooperation: draft summary",
    "visitors": "Office administration: visitor procedures",
    "tokyo": "Assessment: a NATO liaison office in Tokyo",
    "threat": "Cyber threat brief: Indo-Pacific",
    "aus_cyber": "Australia cyber cooperation: points of contact",
    "atomal": "ATOMAL handling: test record",
}
ALL = frozenset(TITLES)
PUBLIC = frozenset({"press", "glossary"})

# What each demo account may read, worked out by hand from the policy (DESIGN.md).
VISIBLE: dict[str | None, frozenset[str]] = {
    None: PUBLIC,  # anonymous
    # Korea: no security agreement, so NATO UNCLASSIFIED releasable to KOR or IP4 at most.
    "korea": PUBLIC | {"ap4", "korea"},
    # Japan: agreement up to NATO SECRET; REL JPN or IP4; never NATO-only.
    "japan": PUBLIC | {"ap4", "minutes", "observer"},
    # Australia: agreement up to NATO SECRET, cyber community.
    "australia": PUBLIC | {"ap4", "eop", "observer", "aus_cyber"},
    # An ally's national cleared NATO RESTRICTED, no community.
    "analyst": PUBLIC | {"ap4", "korea", "eop", "minutes", "observer", "allied", "visitors"},
    # NATO SECRET with the cyber community; no ATOMAL access.
    "officer": ALL - {"atomal"},
    # COSMIC TOP SECRET, no community, no ATOMAL access.
    "admin": ALL - {"threat", "aus_cyber", "atomal"},
}
USERS = ["korea", "japan", "australia", "analyst", "officer", "admin"]


def make_pdf(text: str) -> bytes:
    """A one-page PDF whose page shows ``text`` in Helvetica (ASCII, no parentheses)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            b" /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
        ),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def make_docx(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
