# SPDX-License-Identifier: Apache-2.0
"""``liaison audit verify`` proves the hash chain, and that it still holds every signed
checkpoint of its anchor file, or names the first broken row; ``liaison audit checkpoint``
signs and appends one; ``liaison audit events`` lists events (``--format``);
``liaison audit export`` writes every event as JSON lines or CSV, or
(``--format chain``) a file ``liaison audit verify-export`` checks without the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from liaison.audit import anchor, offline
from liaison.audit.anchor import AnchorError
from liaison.audit.chain import GENESIS, Anchor
from liaison.kit.pagination import Page, PageRequest
from liaison.security.principal import SYSTEM
from liaison.terminal.context import command_session, settings
from liaison.terminal.output import (
    Format,
    FormatOption,
    LimitOption,
    OffsetOption,
    console,
    emit,
    fail,
)
from liaison.trail.repository import EventFilters
from liaison.trail.schemas import AuditEventRead
from liaison.trail.service import AuditService

app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
EXIT_BROKEN = 1


@app.command()
def verify(
    expect_head: Annotated[
        str | None,
        typer.Option(
            "--expect-head",
            help="HASH or HASH:COUNT recorded elsewhere: the chain must still hold an event "
            "with that hash (event COUNT, and at least COUNT events).",
        ),
    ] = None,
    no_anchor: Annotated[
        bool,
        typer.Option(
            "--no-anchor", help="Check the chain alone, without the anchor file's checkpoints."
        ),
    ] = False,
) -> None:
    """Recompute the hash chain and check it against the signed checkpoints; exit 1 naming
    the first broken row or the first checkpoint the chain no longer holds."""
    cfg = settings()
    where = anchor.paths(cfg)
    find, expected = _expectation(expect_head)
    try:
        held = [] if no_anchor else anchor.anchors(where)
    except AnchorError as exc:
        console.print(f"[bold red]audit anchor unusable[/]: {exc.message}")
        raise typer.Exit(EXIT_BROKEN) from None
    if not no_anchor and not held:
        console.print(
            f"[bold red]audit chain not anchored[/]: no checkpoint in {where.anchors} "
            "(`liaison audit checkpoint` writes one; --no-anchor checks the chain alone)"
        )
        raise typer.Exit(EXIT_BROKEN)
    with command_session(cfg) as session:
        verdict = AuditService(session, SYSTEM).verify(anchors=[*held, *expected], find=find)
    if not verdict.ok:
        where_ = f"at event {verdict.broken_seq}" if verdict.broken_seq is not None else ""
        console.print(
            f"[bold red]audit chain broken[/] {where_}: "
            f"{verdict.reason} ({verdict.rows} events before it verified)"
        )
        raise typer.Exit(EXIT_BROKEN)
    anchored = "" if no_anchor else f", {len(held)} checkpoints held"
    console.print(
        f"[green]✓[/] audit chain verified: {verdict.rows} events{anchored}, head {verdict.head}"
    )


def _expectation(value: str | None) -> tuple[str | None, list[Anchor]]:
    if value is None:
        return None, []
    head, _, count = value.partition(":")
    if len(head) != len(GENESIS) or any(c not in "0123456789abcdef" for c in head):
        fail(f"--expect-head {value!r}: a hash is 64 lowercase hex digits")
    if not count:
        return head, []
    if not count.isdigit():
        fail(f"--expect-head {value!r}: COUNT must be a whole number")
    return None, [Anchor(int(count), head, f"--expect-head {value}")]


@app.command()
def checkpoint() -> None:
    """Sign the chain's head (count and hash) and append it to the anchor file."""
    cfg = settings()
    where = anchor.paths(cfg)
    with command_session(cfg) as session:
        try:
            written = anchor.checkpoint(session, where)
        except AnchorError as exc:
            fail(exc.message)
    console.print(
        f"[green]✓[/] checkpoint: {written.seq} events, head {written.head} → {where.anchors}"
    )


@app.command("public-key")
def public_key() -> None:
    """Print the public half of the audit key (for verifiers of exports, offline)."""
    where = anchor.paths(settings())
    try:
        typer.echo(anchor.public_pem(anchor.load_key(where.key)), nl=False)
    except AnchorError as exc:
        fail(exc.message)


@app.command()
def events(
    actor: Annotated[str | None, typer.Option(help="Only this user's events.")] = None,
    action: Annotated[
        str | None, typer.Option(help="Only actions starting so, e.g. documents:.")
    ] = None,
    object_type: Annotated[str | None, typer.Option(help="Only this kind of object.")] = None,
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
    output: FormatOption = Format.TABLE,
) -> None:
    """Audit events, newest first, as the operator sees them (json: the API's GET
    /api/v1/audit/events); the listing is itself audited."""
    page = PageRequest(limit=limit, offset=offset)
    with command_session() as session:
        items, total = AuditService(session, SYSTEM).events(
            EventFilters(actor, action, object_type), page
        )
    if output is not Format.TABLE:
        emit(output, Page[AuditEventRead].of(items, total, page))
        return
    table = Table(title=f"{len(items)} of {total} audit events (from {offset + 1})")
    for column in ("Seq", "At", "Actor", "Action", "Object", "Marking"):
        table.add_column(column)
    for e in items:
        table.add_row(
            str(e.seq),
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            Text(e.actor),
            Text(e.action),
            Text(f"{e.object_type} {e.object_id}"),
            Text(e.marking or ""),
        )
    console.print(table)


@app.command("verify-export")
def verify_export(
    file: Annotated[Path, typer.Argument(help="A file made by `liaison audit export -f chain`.")],
    key: Annotated[
        Path | None, typer.Option("--key", help="The audit key (private) that signed it.")
    ] = None,
    public_key: Annotated[
        Path | None,
        typer.Option("--public-key", help="Its public half (`liaison audit public-key`)."),
    ] = None,
) -> None:
    """Check an export offline: its chain, its signed checkpoints, and that they agree."""
    given = public_key or key
    if given is None or (key is not None and public_key is not None):
        fail("give the key that signed the export: --public-key FILE or --key FILE")
    try:
        verdict, signed = offline.verify_export(file, anchor.load_public(given))
    except AnchorError as exc:
        console.print(f"[bold red]export refused[/]: {exc.message}")
        raise typer.Exit(EXIT_BROKEN) from None
    if not verdict.ok:
        where_ = f"at event {verdict.broken_seq}" if verdict.broken_seq is not None else ""
        console.print(f"[bold red]export broken[/] {where_}: {verdict.reason}")
        raise typer.Exit(EXIT_BROKEN)
    console.print(
        f"[green]✓[/] export verified: {verdict.rows} events, head {verdict.head}, "
        f"{len(signed)} signed checkpoints (the last of {signed[-1].at})"
    )


@app.command("export")
def export(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="jsonl, csv, or chain (verifiable offline).")
    ] = "jsonl",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File (default stdout).")] = None,
) -> None:
    """Export every audit event, oldest first."""
    if fmt not in {"jsonl", "csv", "chain"}:
        fail(f"unknown format {fmt!r}; use jsonl, csv or chain")
    cfg = settings()
    with command_session(cfg) as session:
        if fmt == "chain":
            chunks = offline.export_lines(session, anchor.paths(cfg))
        else:
            chunks = AuditService(session, SYSTEM).export(fmt)
        try:
            if out is None:
                for chunk in chunks:
                    typer.echo(chunk, nl=False)
                return
            with out.open("w", encoding="utf-8") as handle:
                handle.writelines(chunks)
        except AnchorError as exc:
            fail(exc.message)
        except OSError as exc:
            fail(f"cannot write {out}: {exc.strerror}")
    console.print(f"[green]✓[/] wrote {out}")
