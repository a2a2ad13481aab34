# SPDX-License-Identifier: Apache-2.0
"""A sheet that declares 16,384 columns and a million rows in 1.5 KB (a "padding bomb":
openpyxl pads every row it yields to the declared width) costs a bounded read: the known
width only, and every row read, empty or not, counts against the cap. Before, such a file
cost ~1.3 ms a row in the request: about 23 minutes for the million-row one."""

from __future__ import annotations

import io
import zipfile

import pytest

from liaison.catalogue import exchange
from liaison.catalogue.errors import ImportRejected
from liaison.catalogue.exchange import FileFormat

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_OOX = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def padding_bomb(last_row: int) -> bytes:
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{_CT}"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            f'ContentType="{_OOX}.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            f'sheet1.xml" ContentType="{_OOX}.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets><sheet name="s" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{_MAIN}"><dimension ref="A1:XFD{last_row}"/><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>item_code</t></is></c><c r="XFD1"/>'
            f'</row><row r="{last_row}"><c r="XFD{last_row}"/></row></sheetData></worksheet>'
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def test_a_million_padded_rows_are_refused_after_the_cap():
    data = padding_bomb(1_048_576)
    assert len(data) < 2_000
    with pytest.raises(ImportRejected, match="more than 100000 rows"):
        exchange.read_rows(data, FileFormat.XLSX)


def test_padded_rows_under_the_cap_read_as_nothing():
    assert exchange.read_rows(padding_bomb(20_001), FileFormat.XLSX) == []
