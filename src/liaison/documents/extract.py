# SPDX-License-Identifier: Apache-2.0
"""Text from uploaded files: PDF (pypdf), DOCX (python-docx), plain text and Markdown.

Invariants:
- the type is chosen from the file name's extension (else the declared content type) and
  then checked against the bytes: a ``.pdf`` that is not a PDF is refused, never guessed at;
- anything else is ``UnsupportedType`` (415); more than ``MAX_BYTES`` is ``TooLarge`` (413);
  a damaged, encrypted or binary file is ``UnreadableFile`` (422) — never a 500;
- a DOCX whose members would inflate past ``MAX_UNZIPPED``, or a member of which inflates
  more than ``MAX_RATIO`` times past ``RATIO_FROM``, is refused before it is opened (413);
- a PDF's pages that share one content stream are read once; reading stops at ``MAX_TEXT``;
- PDF and DOCX are parsed by ``sandbox.extract_bounded`` in a child process with limits;
- the text kept for search and preview is cleaned (no NUL, which PostgreSQL cannot store) and
  cut at ``MAX_TEXT`` characters (``truncated`` says so).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import docx
from pypdf import PdfReader

from liaison.documents.errors import BeyondLimits, TooLarge, UnreadableFile, UnsupportedType

MAX_BYTES = 20 * 1024 * 1024
MAX_TEXT = 1_000_000
MAX_UNZIPPED = 64 * 1024 * 1024
MAX_RATIO = 100  # a compressed member may inflate this many times...
RATIO_FROM = 1024 * 1024  # ...once it inflates past this (small XML parts compress well)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"
MARKDOWN = "text/markdown"

_BY_EXTENSION = {
    ".pdf": PDF,
    ".docx": DOCX,
    ".txt": TEXT,
    ".text": TEXT,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
}
_BY_DECLARED = {
    PDF: PDF,
    DOCX: DOCX,
    TEXT: TEXT,
    MARKDOWN: MARKDOWN,
    "text/x-markdown": MARKDOWN,
}
SUPPORTED = "PDF (.pdf), Word (.docx), plain text (.txt) or Markdown (.md)"
# Control characters, and the two private-use characters search snippets use as hit markers.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")
_FILENAME_CONTROL = re.compile(r"[\x00-\x1f\x7f\ue000\ue001]")


@dataclass(frozen=True, slots=True)
class Extracted:
    content_type: str
    text: str
    truncated: bool


def content_type_of(filename: str, declared: str | None) -> str:
    """The supported type a file claims by its extension, else by its declared type."""
    extension = PurePosixPath(filename).suffix.lower()
    if extension in _BY_EXTENSION:
        return _BY_EXTENSION[extension]
    base = (declared or "").split(";", 1)[0].strip().lower()
    if not extension and base in _BY_DECLARED:
        return _BY_DECLARED[base]
    shown = extension or base or "unknown"
    raise UnsupportedType(f"cannot take a file of type {shown!r}; upload {SUPPORTED}")


def extract(data: bytes, filename: str, declared: str | None) -> Extracted:
    """The type and text of an uploaded file, or the error that says why not."""
    if len(data) > MAX_BYTES:
        raise TooLarge(MAX_BYTES)
    content_type = content_type_of(filename, declared)
    if not data:
        raise UnreadableFile("the file is empty")
    if content_type == PDF:
        raw = _pdf_text(data)
    elif content_type == DOCX:
        raw = _docx_text(data)
    else:
        raw = decode_text(data)
    text, truncated = clean_text(raw)
    return Extracted(content_type, text, truncated)


def clean_text(raw: str) -> tuple[str, bool]:
    """Text safe to store and index (no NUL or other control characters), cut at MAX_TEXT."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", raw)).strip()
    return text[:MAX_TEXT], len(text) > MAX_TEXT


def decode_text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("the file is not UTF-8 text; save it as UTF-8") from None
    if "\x00" in text:
        raise UnreadableFile("the file looks binary, not text")
    return text


def _pdf_text(data: bytes) -> str:
    if not data.startswith(b"%PDF-"):
        raise UnreadableFile("the file is named as a PDF but is not one")
    try:
        reader = PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and not reader.decrypt("")
        text = "" if locked else _pages_text(reader)
    except Exception:  # noqa: BLE001 - a parser fed untrusted bytes may raise anything
        raise UnreadableFile("the PDF is damaged and its text cannot be read") from None
    if locked:
        raise UnreadableFile("the PDF is encrypted; upload it without a password")
    return text


def _pages_text(reader: PdfReader) -> str:
    """Each page's text; pages drawn by the same content stream(s) are read once (a PDF of
    many pages sharing one costly stream would be read as often), and reading stops once the
    text is longer than ``MAX_TEXT``."""
    seen: dict[tuple[object, ...], str] = {}
    parts: list[str] = []
    size = 0
    for page in reader.pages:
        contents = page.get("/Contents")
        refs = contents if isinstance(contents, list) else [contents]
        key = tuple(getattr(ref, "idnum", None) or id(ref) for ref in refs)
        if key not in seen:
            seen[key] = page.extract_text() or ""
        parts.append(seen[key])
        size += len(seen[key]) + 2
        if size > MAX_TEXT:
            break
    return "\n\n".join(parts)


def check_archive(data: bytes) -> None:
    """Refuse a DOCX that is no zip, or that would inflate past the limits (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise UnreadableFile("the file is named as a Word document but is not one") from None
    inflated = sum(member.file_size for member in members)
    mib = 1024 * 1024
    if inflated > MAX_UNZIPPED:
        raise BeyondLimits(
            f"the Word document expands to {inflated // mib} MiB, more than "
            f"{MAX_UNZIPPED // mib} MiB; it is refused"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FROM and ratio > MAX_RATIO:
            raise BeyondLimits(
                f"the Word document's {member.filename} expands {ratio:.0f} times, to "
                f"{member.file_size // mib} MiB; it is refused"
            )


def _docx_text(data: bytes) -> str:
    check_archive(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - a parser fed untrusted bytes may raise anything
        raise UnreadableFile("the Word document is damaged and its text cannot be read") from None
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def safe_filename(name: str, fallback: str = "document") -> str:
    """The last path component of a client-given name, without control characters."""
    base = re.split(r"[\\/]", name)[-1]
    base = _FILENAME_CONTROL.sub("", base).strip().strip(".") or fallback
    if len(base) > 200:  # noqa: PLR2004 - leaves room in the 255-character column
        stem, suffix = PurePosixPath(base).stem, PurePosixPath(base).suffix[:20]
        base = stem[: 200 - len(suffix)] + suffix
    return base
