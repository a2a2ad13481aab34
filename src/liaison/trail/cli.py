# SPDX-License-Identifier: Apache-2.0
"""``liaison audit verify`` proves the hash chain or names the first broken row;
``liaison audit export`` writes every event as JSON lines or CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from liaison.security.principal import SYSTEM
from liaison.terminal.context import command_session
from liaison.terminal.output import console, fail
from liaison.trail.service import AuditService

app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
EXIT_BROKEN = 1


@app.command()
def verify() -> None:
    """Recompute the hash chain; exit 1 naming the first broken row."""
    with command_session() as session:
        verdict = AuditService(session, SYSTEM).verify()
    if not verdict.ok:
        console.print(
            f"[bold red]audit chain broken[/] at event {verdict.broken_seq}: "
            f"{verdict.reason} ({verdict.rows} events before it verified)"
        )
        raise typer.Exit(EXIT_BROKEN)
    console.print(f"[green]✓[/] audit chain verified: {verdict.rows} events")


@app.command("export")
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl or csv.")] = "jsonl",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File (default stdout).")] = None,
) -> None:
    """Export every audit event, oldest first."""
    if fmt not in {"jsonl", "csv"}:
        fail(f"unknown format {fmt!r}; use jsonl or csv")
    with command_session() as session:
        chunks = AuditService(session, SYSTEM).export(fmt)
        if out is None:
            for chunk in chunks:
                typer.echo(chunk, nl=False)
            return
        try:
            with out.open("w", encoding="utf-8") as handle:
                handle.writelines(chunks)
        except OSError as exc:
            fail(f"cannot write {out}: {exc.strerror}")
    console.print(f"[green]✓[/] wrote {out}")
