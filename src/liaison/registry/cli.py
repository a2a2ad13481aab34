# SPDX-License-Identifier: Apache-2.0
"""``liaison registry``: questions people ask (members on a date, contact points), export and
import in JSON or CSV. An import is all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from liaison.errors import LiaisonError
from liaison.kit.clock import today
from liaison.kit.pagination import Page, PageRequest
from liaison.registry import exchange
from liaison.registry.schemas import AllyRead, MandateRead, OfficeRead
from liaison.registry.service import RegistryService
from liaison.security.principal import SYSTEM
from liaison.terminal.context import command_session
from liaison.terminal.output import Format, FormatOption, console, emit, fail

app = typer.Typer(
    help="Allies, partners, agreements, offices and contact-point embassies.", no_args_is_help=True
)

OnOption = Annotated[
    dt.datetime | None,
    typer.Option("--on", formats=["%Y-%m-%d"], help="Date (YYYY-MM-DD); default today."),
]


MAX = 500  # every row (the registry's lists are short); the API's largest page


def _day(on: dt.datetime | None) -> dt.date:
    return on.date() if on else today()


@app.command()
def members(on: OnOption = None, output: FormatOption = Format.TABLE) -> None:
    """The allies that are members on a date."""
    day = _day(on)
    with command_session() as session:
        allies = RegistryService(session, SYSTEM).members_on(day)
        if output is not Format.TABLE:
            items = [AllyRead.model_validate(a) for a in allies]
            emit(output, Page[AllyRead].of(items, len(items), PageRequest(limit=MAX)))
            return
        table = Table(title=f"{len(allies)} allies on {day}")
        table.add_column("Code")
        table.add_column("Ally")
        table.add_column("Accession")
        for ally in allies:
            table.add_row(ally.country_iso3, ally.country.name, ally.accession_date.isoformat())
    console.print(table)


@app.command("contact-points")
def contact_points(partner: str, on: OnOption = None, output: FormatOption = Format.TABLE) -> None:
    """The contact-point embassies in a partner country on a date."""
    day = _day(on)
    with command_session() as session:
        mandates = RegistryService(session, SYSTEM).contact_points_on(partner, day)
        if output is not Format.TABLE:
            emit(output, [MandateRead.model_validate(m) for m in mandates], item=MandateRead)
            return
        lines = [f"{m.ally.country.name} ({m.start_on} to {m.end_on or 'open'})" for m in mandates]
        name = mandates[0].partner.country.name if mandates else partner
    if not lines:
        console.print(f"No contact-point embassy in {name} on {day}.")
    for line in lines:
        console.print(line)


@app.command()
def offices(open_on: OnOption = None, output: FormatOption = Format.TABLE) -> None:
    """Offices with their status; with --on, only those open on that date."""
    with command_session() as session:
        rows, total = RegistryService(session, SYSTEM).offices(
            open_on=_day(open_on) if open_on else None, page=PageRequest(limit=MAX)
        )
        if output is not Format.TABLE:
            items = [OfficeRead.model_validate(o) for o in rows]
            emit(output, Page[OfficeRead].of(items, total, PageRequest(limit=MAX)))
            return
        table = Table(title="Offices")
        for column in ("Office", "City", "Status", "Opened"):
            table.add_column(column)
        for o in rows:
            table.add_row(
                o.name, o.city, o.status.value, o.opened_on.isoformat() if o.opened_on else ""
            )
    console.print(table)


@app.command("export")
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or csv.")] = "json",
    entity: Annotated[
        str | None,
        typer.Option(
            help="With csv: one entity (allies, partners, "
            "security_agreements, offices, "
            "contact_point_mandates, frameworks)."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="File, or a folder for all CSV files; default standard output."
        ),
    ] = None,
) -> None:
    """Export the registry as one JSON document or CSV files."""
    if fmt not in {"json", "csv"}:
        fail(f"unknown format {fmt!r}; use json or csv")
    with command_session() as session:
        doc = RegistryService(session, SYSTEM).export_document()
    try:
        if fmt == "json":
            _write(out, exchange.dump_json(doc))
        elif entity:
            _write(out, exchange.dump_csv(doc, entity))
        else:
            if out is None:
                fail("csv export of every entity needs --out FOLDER (or --entity NAME)")
            out.mkdir(parents=True, exist_ok=True)
            for name in exchange.ENTITIES:
                (out / f"{name}.csv").write_text(exchange.dump_csv(doc, name), encoding="utf-8")
            console.print(f"[green]✓[/] wrote {len(exchange.ENTITIES)} CSV files to {out}")
    except LiaisonError as exc:
        fail(exc.message)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}")


def _write(out: Path | None, text: str) -> None:
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"[green]✓[/] wrote {out}")


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A JSON document, or a CSV file of one entity.")],
    entity: Annotated[
        str | None, typer.Option(help="Entity of a CSV file (default: its name, e.g. allies.csv).")
    ] = None,
) -> None:
    """Import a registry document: merged by natural key, all or nothing."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}")
    try:
        if path.suffix.lower() == ".csv" or entity:
            doc = exchange.parse_csv(text, entity or path.stem)
        else:
            doc = exchange.parse_json(text)
    except LiaisonError as exc:
        fail(f"{path}: {exc.message}")
    with command_session() as session:
        report = RegistryService(session, SYSTEM).import_document(doc)
    parts = [f"{k} {n} created" for k, n in report.created.items()]
    parts += [f"{k} {n} updated" for k, n in report.updated.items()]
    console.print(f"[green]✓[/] imported {path}: {', '.join(parts) or 'nothing to import'}")
