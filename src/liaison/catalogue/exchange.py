# SPDX-License-Identifier: Apache-2.0
"""Catalogue files: CSV, XLSX and JSON in and out, as rows of text cells (``ROW_FIELDS``).

Reading turns a file into rows of strings and nothing else (what the rows mean is the
service's business); a file that cannot be read at all is one ``ImportRejected`` problem on
row 0. An imported file is untrusted: ``read_rows_bounded`` (the CLI) and
``read_rows_bounded_async`` (the API, before its transaction and outside its database slot)
parse it in the project's bounded child process (``kit.isolation``: ``PARSE_SECONDS``,
``PARSE_MEMORY``), never in the caller's. Limits there too: ``MAX_BYTES`` per file and
``MAX_ROWS`` rows; XLSX is read in openpyxl's read-only mode (no formulas evaluated, no
external links). A child past its time or memory is one problem on row 0, nothing imported.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

from openpyxl import Workbook, load_workbook

from liaison.catalogue.errors import ImportRejected, RowError
from liaison.catalogue.schemas import ROW_FIELDS
from liaison.kit.isolation import (
    IsolationFailed,
    IsolationMemory,
    IsolationTimeout,
    run_isolated,
    run_isolated_async,
)

MAX_BYTES = 20 * 1024 * 1024
MAX_COLUMNS = 64  # the columns read of a sheet (ROW_FIELDS has 21)
MAX_LINES = 100_000  # the rows read of a sheet, empty ones included
MAX_ROWS = 50_000
PARSE_SECONDS = 60.0
PARSE_MEMORY = 1024 * 1024 * 1024
Row = dict[str, str]
Parsed = tuple[list[Row], list[tuple[int, str, str]]]  # rows, or problems (row, field, text)


class FileFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


def format_of(filename: str, given: str | None = None) -> FileFormat:
    name = (given or filename.rsplit(".", 1)[-1]).lower()
    try:
        return FileFormat(name)
    except ValueError:
        raise ImportRejected(
            [RowError(0, "file", f"unknown format {name!r}; use csv, xlsx or json")]
        ) from None


def _refuse(message: str) -> ImportRejected:
    return ImportRejected([RowError(0, "file", message)])


# A cell a spreadsheet would run as a formula (OWASP "CSV injection"): exported with a leading
# apostrophe in CSV and as a text cell in XLSX; an import takes the apostrophe off again, so a
# title that starts with "-" or "=" makes the round trip unchanged.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defused(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _undefused(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def _cells(raw: Mapping[str, Any]) -> Row:
    return {
        k.strip().lower(): "" if v is None else _undefused(str(v).strip())
        for k, v in raw.items()
        if k
    }


def read_rows(data: bytes, fmt: FileFormat) -> list[Row]:
    if len(data) > MAX_BYTES:
        raise _refuse(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    rows = {FileFormat.CSV: _read_csv, FileFormat.XLSX: _read_xlsx, FileFormat.JSON: _read_json}[
        fmt
    ](data)
    if len(rows) > MAX_ROWS:
        raise _refuse(f"the file has more than {MAX_ROWS} rows; split it")
    unknown = sorted({k for r in rows for k in r} - set(ROW_FIELDS))
    if unknown:
        raise _refuse(f"unknown column(s) {', '.join(unknown)}; known: {', '.join(ROW_FIELDS)}")
    return rows


def read_in_child(job: tuple[bytes, str]) -> Parsed:
    """What the bounded child runs: ``read_rows``, its refusal as plain problems."""
    data, fmt = job
    try:
        return read_rows(data, FileFormat(fmt)), []
    except ImportRejected as exc:
        return [], [(p.row, p.field, p.message) for p in exc.problems]


def _outcome(parsed: Parsed) -> list[Row]:
    rows, problems = parsed
    if problems:
        raise ImportRejected([RowError(r, f, m) for r, f, m in problems])
    return rows


def _beyond(exc: IsolationFailed) -> ImportRejected:
    if isinstance(exc, IsolationTimeout):
        return _refuse(f"reading the file took more than {PARSE_SECONDS:g} s; nothing imported")
    if isinstance(exc, IsolationMemory):
        return _refuse(
            f"reading the file needs more than {PARSE_MEMORY // (1024 * 1024)} MiB; "
            "nothing imported"
        )
    return _refuse("the file cannot be read; nothing imported")


def read_rows_bounded(data: bytes, fmt: FileFormat) -> list[Row]:
    """``read_rows`` in the bounded child process."""
    if len(data) > MAX_BYTES:
        raise _refuse(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        parsed = run_isolated(
            read_in_child, (data, fmt.value), seconds=PARSE_SECONDS, memory_bytes=PARSE_MEMORY
        )
    except IsolationFailed as exc:
        raise _beyond(exc) from None
    return _outcome(parsed)


async def read_rows_bounded_async(data: bytes, fmt: FileFormat) -> list[Row]:
    """``read_rows_bounded`` for a request: its event loop serves others meanwhile."""
    if len(data) > MAX_BYTES:
        raise _refuse(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        parsed = await run_isolated_async(
            read_in_child, (data, fmt.value), seconds=PARSE_SECONDS, memory_bytes=PARSE_MEMORY
        )
    except IsolationFailed as exc:
        raise _beyond(exc) from None
    return _outcome(parsed)


def _read_csv(data: bytes) -> list[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse("the CSV file is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        raise _refuse("the CSV file is empty; its first line names the columns")
    try:
        return [
            _cells(r)
            for r in reader
            if any((v or "").strip() for v in r.values() if isinstance(v, str))
        ]
    except csv.Error as exc:
        raise _refuse(f"the CSV file cannot be read: {exc}") from None


def _read_xlsx(data: bytes) -> list[Row]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        raise _refuse("the file is not an XLSX workbook") from None
    try:
        sheet = book.worksheets[0]
        # A sheet may declare 16,384 columns and a million rows in a few bytes (a "padding
        # bomb": openpyxl pads every row to the declared width): read the known width only,
        # and count every row read, empty or not, against the cap.
        lines = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        header = next(lines, None)
        if header is None:
            raise _refuse("the workbook's first sheet is empty")
        names = [str(h or "").strip().lower() for h in header]
        rows: list[Row] = []
        for read, values in enumerate(lines, start=1):
            if len(rows) > MAX_ROWS:
                break
            if read > MAX_LINES:
                raise _refuse(f"the sheet has more than {MAX_LINES} rows (empty ones included)")
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            rows.append(_cells(dict(zip(names, (_xlsx_cell(v) for v in values), strict=False))))
        return rows
    finally:
        book.close()


def _xlsx_cell(value: object) -> object:
    # a date cell comes back as a datetime: keep its date, as the text form would give it
    if hasattr(value, "date") and hasattr(value, "hour"):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _read_json(data: bytes) -> list[Row]:
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _refuse(f"the JSON file cannot be read: {exc}") from None
    items = doc.get("rows") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _refuse('the JSON file must be a list of rows, or {"rows": [...]}')
    return [_cells(i) for i in items]


def write_rows(rows: Iterable[Row], fmt: FileFormat, banner: str) -> bytes:
    """The rows as a file; ``banner`` (the most restrictive marking exported) is carried in a
    field (JSON) or a second sheet (XLSX). A CSV has no place for it that an import would
    still read as data: every row carries its own marking columns, and the HTTP answer its
    ``X-Classification`` header."""
    listed = list(rows)
    if fmt is FileFormat.JSON:
        return json.dumps({"marking": banner, "rows": listed}, indent=1).encode()
    if fmt is FileFormat.CSV:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(ROW_FIELDS), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _defused(str(v)) for k, v in row.items()} for row in listed)
        return out.getvalue().encode()
    book = Workbook()
    sheet = book.active
    sheet.title = "catalogue"
    sheet.append(list(ROW_FIELDS))
    for row in listed:
        sheet.append([row.get(f, "") for f in ROW_FIELDS])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START):
                cell.data_type = "s"  # text, never a formula
    marking = book.create_sheet("marking")
    marking.append([banner])
    out_bytes = io.BytesIO()
    book.save(out_bytes)
    return out_bytes.getvalue()
