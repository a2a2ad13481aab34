"""Uploads are parsed outside any transaction, in a child process with limits: a DOCX bomb is
refused before parsing, a PDF of many pages drawing one stream is read once, a file that needs
more time than allowed is refused, and while a slow extraction runs every other request — a
write included — goes through."""

from __future__ import annotations

import io
import os
import signal
import threading
import time
import zipfile
from pathlib import Path

import pytest
from document_helpers import make_docx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from liaison.app import create_app
from liaison.db.session import session_factory, unit_of_work
from liaison.documents.models import Document

MARKING = "NATO UNCLASSIFIED"


def docx_bomb(mib: int = 99) -> bytes:
    """A DOCX whose word/document.xml inflates to ``mib`` MiB of empty paragraphs."""
    real = zipfile.ZipFile(io.BytesIO(make_docx("seed")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in real.infolist():
            if member.filename != "word/document.xml":
                archive.writestr(member, real.read(member))
        with archive.open("word/document.xml", "w", force_zip64=True) as xml:
            xml.write(
                b'<w:document xmlns:w="http://schemas.openxmlformats.org/'
                b'wordprocessingml/2006/main"><w:body>'
            )
            block = b"<w:p/>" * (1024 * 1024 // 6)
            for _ in range(mib):
                xml.write(block)
            xml.write(b"</w:body></w:document>")
    return buffer.getvalue()


def pdf(pages: int, ops: int, *, shared: bool) -> bytes:
    """A PDF of ``pages`` pages whose content streams each show ``ops`` words; ``shared``:
    every page draws the same stream."""
    stream = b"BT /F1 12 Tf 72 720 Td " + b"(word) Tj " * ops + b"ET"
    body = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    first_page = 4
    streams = 1 if shared else pages
    first_stream = first_page + pages
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i in range(pages):
        contents = first_stream + (0 if shared else i)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            b" /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % contents
        )
    objects.extend([body] * streams)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def upload(client, headers, name: str, data: bytes, content_type: str):
    return client.post(
        "/api/v1/documents",
        data={"marking": MARKING, "title": name},
        files={"file": (name, data, content_type)},
        headers=headers,
    )


def documents(engine) -> int:
    with unit_of_work(session_factory(engine)) as session:
        return session.scalar(select(func.count()).select_from(Document)) or 0


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_a_docx_bomb_is_refused_before_it_is_parsed(client, auth, engine):
    bomb = docx_bomb()
    assert len(bomb) < 1024 * 1024  # a small upload...
    before = documents(engine)
    r = upload(client, auth("officer"), "bomb.docx", bomb, DOCX_TYPE)
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == (
        "the Word document expands to 99 MiB, more than 64 MiB; it is refused"
    )
    assert documents(engine) == before


def test_a_docx_member_that_inflates_too_many_times_is_refused(client, auth, engine):
    r = upload(client, auth("officer"), "ratio.docx", docx_bomb(20), DOCX_TYPE)
    assert r.status_code == 413
    assert "word/document.xml expands" in r.json()["detail"]


def test_a_pdf_whose_pages_share_one_stream_is_read_once(client, auth, engine):
    r = upload(
        client, auth("officer"), "shared.pdf", pdf(200, 2000, shared=True), "application/pdf"
    )
    assert r.status_code == 201, r.text
    preview = client.get(f"/api/v1/documents/{r.json()['id']}/preview", headers=auth("officer"))
    assert preview.json()["text"].count("word") >= 200


def slow_pdf() -> bytes:
    """200 pages of 4,000 words each, every page its own stream: far more than a second of
    parsing on any machine."""
    return pdf(200, 4000, shared=False)


def test_a_file_that_needs_more_time_than_allowed_is_refused(settings, engine, auth):
    strict = settings.model_copy(update={"extract_seconds": 1.0})
    with TestClient(create_app(strict, engine=engine)) as client:
        before = documents(engine)
        r = upload(client, auth("officer"), "slow.pdf", slow_pdf(), "application/pdf")
    assert r.status_code == 413
    assert r.json()["detail"] == "reading the file's text took more than 1 s; it is refused"
    assert documents(engine) == before


def sandbox_children() -> list[int]:
    """The extraction children of this process (their command line names the sandbox)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdecimal():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if b"liaison.documents.sandbox" in cmdline and parent == os.getpid():
            found.append(int(entry.name))
    return found


def test_a_slow_extraction_blocks_no_other_request(settings, engine, auth):
    patient = settings.model_copy(update={"extract_seconds": 600.0})
    with TestClient(create_app(patient, engine=engine)) as client:
        officer, japan = auth("officer"), auth("japan")
        answer: dict[str, object] = {}

        def slow_upload() -> None:
            answer["r"] = upload(client, officer, "slow.pdf", slow_pdf(), "application/pdf")

        uploading = threading.Thread(target=slow_upload)
        uploading.start()
        deadline = time.monotonic() + 120
        while not (children := sandbox_children()):
            assert uploading.is_alive(), "the upload ended without a sandboxed extraction"
            if time.monotonic() > deadline:
                pytest.fail("no extraction child appeared")
            time.sleep(0.05)
        # The upload is being parsed: a read, a write and the health check all go through.
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/v1/documents", headers=japan).status_code == 200
        note = client.post(
            "/api/v1/documents/notes",
            json={"title": "Written meanwhile", "marking": MARKING, "body": "text"},
            headers=officer,
        )
        assert note.status_code == 201, note.text
        assert sandbox_children() == children  # ...while the upload was still parsed
        for child in children:
            os.kill(child, signal.SIGKILL)
        uploading.join(60)
    r = answer["r"]
    assert r.status_code == 413  # killed: refused as beyond its limits, never a 500
