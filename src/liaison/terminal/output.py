# SPDX-License-Identifier: Apache-2.0
"""CLI output: Rich consoles, one way to fail (a one-line message, a non-zero exit), and one
way to print what a list or show command found for scripts (``--format table|json|csv``).

- ``table`` (the default): the command's own Rich tables between banners.
- ``json``: the API's response for the same thing (its pydantic schema, dumped as the API
  dumps it): a page ``{"items", "total", "limit", "offset"}`` where the API pages, a list
  where it answers a list, one object for a show.
- ``csv``: a header row, then one row per item (a page's items, or a list's); a show prints
  ``field,value`` rows. A nested object becomes dotted columns (``country.iso3``); a list is
  its compact JSON; none is an empty cell.

Neither json nor csv carries Rich markup, colour or wrapping, terminal or not. A redline
printed anywhere but a terminal carries plain marks (``word_diff``).
"""

from __future__ import annotations

import csv
import enum
import io
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, NoReturn

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.text import Text

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

EXIT_INPUT = 2  # bad input (usage, unreadable file, invalid data)
EXIT_CONFLICT = 3  # the data clashes with what is stored


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print ``message`` (plain text: input it quotes, such as "[/x]", is not Rich markup)."""
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


class Format(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


FormatOption = Annotated[
    Format,
    typer.Option(
        "--format",
        case_sensitive=False,
        help="table (default), json (the API's fields) or csv (a header row, then rows).",
    ),
]

Payload = BaseModel | Sequence[Any] | Mapping[str, Any]


def plain(payload: Any) -> Any:  # noqa: ANN401 - any API shape, to JSON's types
    """``payload`` as JSON's types: models dumped as the API dumps them (``mode="json"``)."""
    if isinstance(payload, BaseModel):
        return payload.model_dump(mode="json")
    if isinstance(payload, Mapping):
        return {str(k): plain(v) for k, v in payload.items()}
    if isinstance(payload, list | tuple):
        return [plain(v) for v in payload]
    return payload


def emit(fmt: Format, payload: Payload, *, item: type[BaseModel] | None = None) -> None:
    """Print ``payload`` as JSON or CSV on standard output (not for ``Format.TABLE``).
    ``item``: the model of a list's rows, whose fields make the CSV header even when the list
    is empty (a ``Page[X]`` says it itself)."""
    data = plain(payload)
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(to_csv(data, columns(item or _item_of(payload))))
    sys.stdout.flush()


def _item_of(payload: Payload) -> type[BaseModel] | None:
    if isinstance(payload, BaseModel) and "items" in type(payload).model_fields:
        args = getattr(type(payload).model_fields["items"].annotation, "__args__", ())
        return args[0] if args and isinstance(args[0], type) else None
    first = payload[0] if isinstance(payload, list | tuple) and payload else None
    return type(first) if isinstance(first, BaseModel) else None


def columns(model: type[BaseModel] | None, prefix: str = "") -> list[str]:
    """A model's fields as CSV columns: a nested model's fields dotted (``country.iso3``)."""
    if model is None:
        return []
    names: list[str] = []
    for name, field in model.model_fields.items():
        kinds = [field.annotation, *getattr(field.annotation, "__args__", ())]
        nested = next((k for k in kinds if isinstance(k, type) and issubclass(k, BaseModel)), None)
        is_list = getattr(field.annotation, "__origin__", None) is list
        if nested is not None and not is_list:
            names.extend(columns(nested, f"{prefix}{name}."))
        else:
            names.append(f"{prefix}{name}")
    return names


def to_csv(data: Any, header: Sequence[str] = ()) -> str:  # noqa: ANN401 - JSON's types
    """A page's items or a list as rows under a header (``header``, else the rows' keys);
    one object as ``field,value`` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if isinstance(data, dict) and not _is_page(data):
        writer.writerow(["field", "value"])
        writer.writerows([key, _cell(value)] for key, value in _flat(data).items())
        return buffer.getvalue()
    items = data["items"] if isinstance(data, dict) else data
    rows = [_flat(item) if isinstance(item, dict) else {"value": item} for item in items]
    header = list(header) or list(dict.fromkeys(key for row in rows for key in row))
    writer.writerow(header)
    writer.writerows([_cell(row.get(key)) for key in header] for row in rows)
    return buffer.getvalue()


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _is_page(data: dict[str, Any]) -> bool:
    return isinstance(data.get("items"), list) and "total" in data


def _cell(value: Any) -> str:  # noqa: ANN401 - JSON's types
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


WORD_DIFF_STYLES = {"insert": "bold green underline", "delete": "red strike"}
WORD_DIFF_MARKS = {"insert": ("{+", "+}"), "delete": ("[-", "-]")}


def word_diff(pieces: Iterable[tuple[str, str]], *, terminal: bool | None = None) -> Text:
    """A word-level redline of ``(op, text)`` pieces (op: equal, insert or delete). On a
    terminal, deletions are struck in red and insertions green; anywhere else (a pipe, a file)
    they carry ``git diff --word-diff``'s plain marks, ``[-deleted-]{+inserted+}``."""
    colour = console.is_terminal if terminal is None else terminal
    text = Text()
    for op, words in pieces:
        if colour or op not in WORD_DIFF_MARKS:
            text.append(words, style=WORD_DIFF_STYLES.get(op, ""))
        else:
            opening, closing = WORD_DIFF_MARKS[op]
            text.append(f"{opening}{words}{closing}")
    return text


# The one way a list command takes its page (re-exported by ``liaison.acting``):
# ``limit: LimitOption = 50, offset: OffsetOption = 0``.
LimitOption = Annotated[int, typer.Option(min=1, max=1000, help="How many to show.")]
OffsetOption = Annotated[int, typer.Option(min=0, help="How many to skip.")]
