# SPDX-License-Identifier: Apache-2.0
"""Text extraction from uploads: accepted types, refused types, damaged files, limits."""

from __future__ import annotations

import io
import zipfile

import pytest
from document_helpers import make_docx, make_pdf

from liaison.documents import extract as ex
from liaison.documents.errors import BeyondLimits, TooLarge, UnreadableFile, UnsupportedType


def test_pdf_text(pdf_file):
    found = ex.extract(pdf_file, "report.pdf", "application/pdf")
    assert found.content_type == ex.PDF
    assert "hydrography" in found.text
    assert not found.truncated


def test_docx_text(docx_file):
    found = ex.extract(docx_file, "minutes.docx", None)
    assert found.content_type == ex.DOCX
    assert found.text == "Minutes of the bathymetry workshop\nAttended by the partnership staff."


def test_docx_tables_are_read():
    document = __import__("docx").Document()
    document.add_table(rows=1, cols=2).rows[0].cells[1].text = "tabulated salinity"
    buffer = io.BytesIO()
    document.save(buffer)
    assert "tabulated salinity" in ex.extract(buffer.getvalue(), "t.docx", None).text


@pytest.mark.parametrize(
    ("name", "declared", "expected"),
    [
        ("notes.txt", "text/plain", ex.TEXT),
        ("notes.md", None, ex.MARKDOWN),
        ("NOTES.MARKDOWN", "application/octet-stream", ex.MARKDOWN),
        ("notes", "text/markdown; charset=utf-8", ex.MARKDOWN),
        ("notes", "text/plain", ex.TEXT),
    ],
)
def test_text_types(name, declared, expected):
    found = ex.extract("\ufeffGrüße\x07 aus\tBrüssel\n".encode(), name, declared)
    assert found.content_type == expected
    assert found.text == "Grüße  aus\tBrüssel"  # BOM dropped, control characters blanked


def test_pdf_text_loses_nul_which_postgresql_cannot_store():
    assert ex.clean_text("a\x00b") == ("a b", False)


@pytest.mark.parametrize(
    ("name", "declared"),
    [
        ("photo.png", "image/png"),
        ("photo.png", "text/plain"),  # the extension decides; a declared type cannot launder it
        ("macro.docm", None),
        ("page.html", "text/html"),
        ("archive", "application/zip"),
        ("noname", None),
    ],
)
def test_unsupported_types_are_415(name, declared):
    with pytest.raises(UnsupportedType) as caught:
        ex.extract(b"data", name, declared)
    assert caught.value.status_code == 415
    assert "PDF (.pdf), Word (.docx), plain text (.txt) or Markdown (.md)" in caught.value.message


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"hello", "fake.pdf", "is not one"),
        (b"%PDF-1.4\n garbage", "broken.pdf", "damaged"),
        (b"hello", "fake.docx", "is not one"),
        (b"\xff\xfe\x00h\x00i", "utf16.txt", "not UTF-8"),
        (b"", "empty.txt", "empty"),
        (b"text\x00with a NUL", "binary.txt", "looks binary"),
    ],
)
def test_damaged_or_mislabelled_files_are_422(data, name, words):
    with pytest.raises(UnreadableFile) as caught:
        ex.extract(data, name, None)
    assert caught.value.status_code == 422
    assert words in caught.value.message


def test_a_docx_that_would_inflate_too_far_is_refused(monkeypatch):
    monkeypatch.setattr(ex, "MAX_UNZIPPED", 1000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "x" * 5000)
    with pytest.raises(BeyondLimits, match="expands") as caught:
        ex.extract(buffer.getvalue(), "bomb.docx", None)
    assert caught.value.status_code == 413


def test_size_cap_is_413(monkeypatch):
    monkeypatch.setattr(ex, "MAX_BYTES", 10)
    with pytest.raises(TooLarge) as caught:
        ex.extract(b"x" * 11, "big.txt", None)
    assert caught.value.status_code == 413


def test_long_text_is_cut_and_says_so(monkeypatch):
    monkeypatch.setattr(ex, "MAX_TEXT", 5)
    found = ex.extract(make_pdf("abcdefghij"), "long.pdf", None)
    assert (found.text, found.truncated) == ("abcde", True)


def test_search_markers_cannot_be_smuggled_in():
    assert ex.clean_text("a\ue000b\ue001c") == ("a b c", False)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("bad\x00name\r\n.txt", "badname.txt"),
        ("", "document"),
        ("..", "document"),
        ("x" * 300 + ".docx", "x" * 195 + ".docx"),
    ],
)
def test_safe_filename(given, expected):
    assert ex.safe_filename(given) == expected


def test_docx_helper_round_trips():
    assert "two" in ex.extract(make_docx("one", "two"), "d.docx", None).text
