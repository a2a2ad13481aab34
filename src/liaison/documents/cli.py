# SPDX-License-Identifier: Apache-2.0
"""``liaison documents``: list, search, show, download and add notes, acting ``--as`` a user.

Invariants: every command builds that user's principal (``principal_for`` with the registry's
nation facts) and goes through ``DocumentService`` — the same policy in the SQL and the same
audit trail as the API; a hidden document is "no document N", like a missing one. Output that
shows documents is framed by the banner of the most restrictive marking shown. Document text is
printed as text, never as Rich markup.
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table
from rich.text import Text

from liaison.acting import AsUser, LimitOption, OffsetOption, serving
from liaison.documents.models import DocumentKind
from liaison.documents.present import to_read
from liaison.documents.repository import DocumentFilters
from liaison.documents.schemas import DocumentRead, NoteCreate, NoteFormat
from liaison.documents.service import DocumentService, DocumentView, parse_level
from liaison.errors import InvalidInput
from liaison.kit.pagination import Page, PageRequest
from liaison.terminal.output import Format, FormatOption, console, emit, errors, fail

app = typer.Typer(
    help="Marked documents: list, search, show, download, add notes — as a given user.",
    no_args_is_help=True,
)

_MARK = re.compile(r"(<mark>.*?</mark>)", re.DOTALL)


def _banner(text: str) -> None:
    console.print(Text(f"── {text} ──", style="bold reverse"), justify="center")


def _snippet(snippet: str) -> Text:
    """A search snippet (escaped HTML with <mark>) as terminal text with the hits in bold."""
    text = Text()
    for part in _MARK.split(snippet):
        if part.startswith("<mark>"):
            text.append(html.unescape(part[6:-7]), style="bold yellow")
        else:
            text.append(html.unescape(part))
    return text


def _table(views: list[DocumentView], total: int, offset: int) -> Table:
    table = Table(title=f"{len(views)} of {total} documents (from {offset + 1})")
    for column in ("ID", "Marking", "Title", "Kind", "Updated"):
        table.add_column(column)
    for v in views:
        title = Text(v.document.title)
        if v.snippet:
            title.append("\n").append(_snippet(v.snippet))
        table.add_row(
            str(v.document.id),
            Text(v.short),
            title,
            v.document.kind.value,
            v.document.updated_at.strftime("%Y-%m-%d %H:%M"),
        )
    return table


def _list(
    as_user: str,
    page: PageRequest,
    output: Format,
    filtering: Callable[[DocumentService], DocumentFilters],
) -> None:
    """A page of the documents ``filtering`` selects, as the user may read them."""
    with serving(as_user, DocumentService) as service:
        views, total = service.find(filtering(service), page)
        if output is not Format.TABLE:
            emit(output, Page[DocumentRead].of(map(to_read, views), total, page))
            return
        banner = service.page_banner(views)
        _banner(banner)
        console.print(_table(views, total, page.offset))
        _banner(banner)


@app.command("list")
def list_(
    as_user: AsUser,
    level: Annotated[str | None, typer.Option(help="A level: 'NATO RESTRICTED' or 'NR'.")] = None,
    releasable_to: Annotated[
        str | None, typer.Option(help="A nation or partner group, e.g. Japan or IP4.")
    ] = None,
    kind: Annotated[DocumentKind | None, typer.Option(help="file or note.")] = None,
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
    output: FormatOption = Format.TABLE,
) -> None:
    """The documents the user may read, newest first."""
    _list(
        as_user,
        PageRequest(limit=limit, offset=offset),
        output,
        lambda s: s.filters(level=parse_level(level), releasable_to=releasable_to, kind=kind),
    )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Words, "phrases", OR, -word.')],
    as_user: AsUser,
    limit: LimitOption = 20,
    offset: OffsetOption = 0,
    output: FormatOption = Format.TABLE,
) -> None:
    """Full-text search over the documents the user may read, best match first."""
    page = PageRequest(limit=limit, offset=offset)
    _list(as_user, page, output, lambda s: s.filters(query=query))


@app.command()
def show(document_id: int, as_user: AsUser, output: FormatOption = Format.TABLE) -> None:
    """One document: its marking, facts and text, between banners (json and csv: its facts,
    as the API's GET /api/v1/documents/{id})."""
    with serving(as_user, DocumentService) as service:
        if output is not Format.TABLE:
            emit(output, to_read(service.get(document_id)))
            return
        view, text = service.preview(document_id)
        d = view.document
        _banner(view.banner)
        console.print(Text(d.title, style="bold"))
        for label, value in (
            ("Marking", view.short),
            ("File", f"{d.filename} ({d.content_type}, {d.size} bytes)"),
            ("SHA-256", d.sha256),
            ("Updated", f"{d.updated_at:%Y-%m-%d %H:%M} by {d.updated_by}"),
        ):
            console.print(Text(f"{label}: ", style="dim").append(value))
        console.print()
        console.print(Text(text or "(no text)"))
        _banner(view.banner)


@app.command()
def download(
    document_id: int,
    as_user: AsUser,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write; default standard output.")
    ] = None,
) -> None:
    """The original file's bytes."""
    with serving(as_user, DocumentService) as service:
        view, data = service.download(document_id)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}")
    console.print(Text(f"✓ wrote {out} ({len(data)} bytes), marked {view.short}"))


@app.command("add-note")
def add_note(
    as_user: AsUser,
    title: Annotated[str, typer.Option(help="The note's title.")],
    marking: Annotated[str, typer.Option(help="E.g. 'NR // REL JPN' or 'PUBLIC'.")],
    body: Annotated[str | None, typer.Option(help="The text; or use --file.")] = None,
    file: Annotated[Path | None, typer.Option(help="Read the text from this file.")] = None,
    note_format: Annotated[NoteFormat, typer.Option("--format")] = NoteFormat.MARKDOWN,
) -> None:
    """Write a note under a marking (the user needs documents:document:write)."""
    text = _note_text(body, file)
    with serving(as_user, DocumentService) as service:
        data = _note(title, marking, text, note_format)
        view = service.add_note(data)
        shown = (view.document.id, view.short)
        warnings = service.warnings(view)
    console.print(Text(f"✓ note {shown[0]} saved, marked {shown[1]}"))
    for warning in warnings:  # told, never refused: a release that cannot reach its partner
        errors.print(Text(f"warning: {warning}"))


def _note_text(body: str | None, file: Path | None) -> str:
    if (body is None) == (file is None):
        fail("give the text with --body or --file (one of them)")
    if file is None:
        return body or ""
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}")


def _note(title: str, marking: str, body: str, note_format: NoteFormat) -> NoteCreate:
    try:
        return NoteCreate(title=title, marking=marking, body=body, format=note_format)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise InvalidInput(f"{field}: {first['msg']}", field=field) from None
