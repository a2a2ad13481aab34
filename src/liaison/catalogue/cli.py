# SPDX-License-Identifier: Apache-2.0
"""``liaison catalogue import|export|list|show`` and ``liaison plan run|list|show|explain|diff|
approve``, acting ``--as`` a user: the same services, policy and audit as the API.

``--format json`` prints the API's fields (for scripts); ``table`` (the default) a Rich table
between the banners of the most restrictive marking shown. ``plan run`` solves in this process
with a progress bar (the job body the queue will run, ``planning.run.run_plan``) and prints the
objective, the proven bound and the gap.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from liaison.acting import AsUser, LimitOption, OffsetOption, serving
from liaison.catalogue.exchange import format_of, read_rows_bounded
from liaison.catalogue.planning.service import PlanService
from liaison.catalogue.present import (
    allocation_read,
    explanation_read,
    item_read,
    plan_read,
    publish_read,
)
from liaison.catalogue.schemas import PlanRead
from liaison.catalogue.service import CatalogueService
from liaison.jobs.cli import follow
from liaison.kit.pagination import PageRequest
from liaison.security.permissions import Permission
from liaison.terminal.context import settings
from liaison.terminal.output import Format as Output
from liaison.terminal.output import FormatOption as Format
from liaison.terminal.output import console, emit, fail

app = typer.Typer(
    help="The cooperation catalogue: import, export, list, show.", no_args_is_help=True
)
plan_app = typer.Typer(
    help="Seat plans: run the planner, show, explain, diff, approve.", no_args_is_help=True
)

FileArg = Annotated[
    Path, typer.Argument(help="A CSV, XLSX or JSON file (export: '-', standard output).")
]
FileFormatOption = Annotated[
    str | None,
    typer.Option("--format", help="csv, xlsx or json; export: ics too (default: the extension)."),
]


def _banner(text: str) -> None:
    console.print(Text(f"── {text} ──", style="bold reverse"), justify="center")


# catalogue ---------------------------------------------------------------------------------------
@app.command("list")
def list_(
    as_user: AsUser,
    area: Annotated[str | None, typer.Option(help="A cooperation area (code or name).")] = None,
    kind: Annotated[str | None, typer.Option(help="course, seminar, exercise...")] = None,
    q: Annotated[
        str | None, typer.Option("--q", help="Words in the code, title or provider.")
    ] = None,
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
    output: Format = Output.TABLE,
) -> None:
    """The catalogue items the user may read."""
    with serving(as_user, CatalogueService) as service:
        views, total = service.find(
            service.filters(area=area, kind=kind, query=q), PageRequest(limit, offset)
        )
        if output is not Output.TABLE:
            emit(
                output,
                {
                    "items": [item_read(v).model_dump(mode="json") for v in views],
                    "total": total,
                    "limit": limit,
                    "offset": offset,
                },
            )
            return
        banner = service.marks.page_banner(v.marking for v in views)
        table = Table(title=f"{len(views)} of {total} catalogue items (from {offset + 1})")
        for column in ("Code", "Marking", "Title", "Area", "Kind"):
            table.add_column(column)
        for v in views:
            table.add_row(v.item.code, Text(v.short), Text(v.item.title), v.area, v.item.kind.value)
        _banner(banner)
        console.print(table)
        _banner(banner)


@app.command()
def show(ref: str, as_user: AsUser, output: Format = Output.TABLE) -> None:
    """One item (by code or id) with its sessions."""
    with serving(as_user, CatalogueService) as service:
        view, sessions = service.item(ref)
        if output is not Output.TABLE:
            emit(output, item_read(view, sessions))
            return
        banner = service.marks.page_banner([view.marking, *(s.marking for s in sessions)])
        _banner(banner)
        console.print(Text(f"{view.item.code} {view.item.title}", style="bold"))
        console.print(
            Text(f"{view.area} · {view.item.kind.value} · {view.item.provider} · {view.short}")
        )
        if view.prerequisites:
            console.print(Text("Requires: " + ", ".join(view.prerequisites)))
        table = Table(title=f"{len(sessions)} sessions")
        for column in ("ID", "Dates", "Location", "Mode", "Lang", "Seats", "Fee", "Marking"):
            table.add_column(column)
        for s in sessions:
            x = s.session
            table.add_row(
                str(x.id),
                f"{x.start_on} to {x.end_on}",
                Text(x.location),
                x.mode.value,
                x.language,
                str(x.seats),
                str(x.fee),
                Text(s.short),
            )
        console.print(table)
        _banner(banner)


@app.command("import")
def import_(file: FileArg, as_user: AsUser, file_format: FileFormatOption = None) -> None:
    """Import items and sessions: all or nothing; every wrong row and field is listed."""
    fmt = format_of(file.name, file_format)
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    with serving(as_user, CatalogueService) as service:  # the right first, then the file
        service.require(Permission.CATALOGUE_ITEM_WRITE)
    rows = read_rows_bounded(data, fmt)  # parsed in the bounded child, outside any transaction
    with serving(as_user, CatalogueService) as service:
        report = service.import_rows(rows)
    console.print(
        f"[green]✓[/] {report.items_created} items created, {report.items_updated} updated; "
        f"{report.sessions_created} sessions created, {report.sessions_updated} updated"
    )


@app.command()
def export(
    file: FileArg,
    as_user: AsUser,
    file_format: FileFormatOption = None,
    area: Annotated[str | None, typer.Option(help="Only this cooperation area.")] = None,
) -> None:
    """Export what the user may read (ics: the sessions as an iCalendar)."""
    name = (file_format or file.suffix.lstrip(".") or "csv").lower()
    with serving(as_user, CatalogueService) as service:
        filters = service.filters(area=area)
        if name == "ics":
            cfg = settings()
            data = service.ical(
                service.calendar(None, None, filters), f"http://{cfg.host}:{cfg.port}"
            )
            banner = service.marks.page_banner([])
        else:
            data, banner = service.export(filters, format_of(file.name, name))
    if str(file) == "-":
        sys.stdout.buffer.write(data)
        return
    try:
        file.write_bytes(data)
    except OSError as exc:
        fail(f"cannot write {file}: {exc.strerror}")
    console.print(Text(f"✓ wrote {file} ({len(data)} bytes); most restrictive marking: {banner}"))


# plans -------------------------------------------------------------------------------------------
@plan_app.command("run")
def plan_run(
    as_user: AsUser,
    period: Annotated[int, typer.Option(help="The year to plan.", min=2000, max=2100)],
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds for the solver.", min=0.1, max=3600)
    ] = 10.0,
    seed: Annotated[int, typer.Option(help="The solver's random seed.", min=0)] = 0,
    output: Format = Output.TABLE,
) -> None:
    """Plan a year's seats: greedy, then CP-SAT; prints objective, bound and gap."""
    with serving(as_user, PlanService) as service:
        view = service.create(period, time_limit, seed)
        plan_id, job_id = view.plan.id, view.run.job_id if view.run else None
    if job_id is None:
        fail("the plan's job was not queued")
    # a worker of our own runs it here (SQLite needs one; on PostgreSQL any worker may take it)
    finished = follow(job_id, work=True)
    if finished.state.value != "done":
        fail(f"the planner's job {job_id} ended {finished.state.value}: {finished.error or ''}")
    _show_plan(plan_id, as_user, output)


def _show_plan(plan_id: int, as_user: str, output: Output) -> None:
    with serving(as_user, PlanService) as service:
        view = service.get(plan_id)
        read, banner = plan_read(view), service.marks.banner(view.marking)
        if output is not Output.TABLE:
            emit(output, read)
            return
        _banner(banner)
        console.print(
            Text(
                f"Plan {read.id}: {read.period} v{read.version} "
                f"({read.state.value}, run {read.run_state})",
                style="bold",
            )
        )
        gap = f"{read.gap:.2%}" if read.gap is not None else "—"
        console.print(
            f"objective {read.objective or 0:,.0f}  bound {read.bound or 0:,.0f}  gap {gap}  "
            f"greedy {read.greedy_objective or 0:,.0f}  ({read.solver_status})"
        )
        _banner(banner)


@plan_app.command("show")
def plan_show(
    plan_id: int,
    as_user: AsUser,
    output: Format = Output.TABLE,
    seats: Annotated[bool, typer.Option(help="List the seats too.")] = False,
) -> None:
    """A plan's figures (and, with --seats, its allocations)."""
    if not seats:
        _show_plan(plan_id, as_user, output)
        return
    with serving(as_user, PlanService) as service:
        rows = [allocation_read(r) for r in service.allocations(plan_id)]
        if output is not Output.TABLE:
            emit(
                output,
                {
                    "plan": plan_read(service.get(plan_id)).model_dump(mode="json"),
                    "allocations": [r.model_dump(mode="json") for r in rows],
                },
            )
            return
        table = Table(title=f"{len(rows)} allocations")
        for column in ("Start", "Item", "Partner", "Seats", "Fixed", "Value"):
            table.add_column(column)
        for r in rows:
            table.add_row(
                str(r.start_on),
                Text(f"{r.item_code} {r.title}"),
                r.partner,
                str(r.seats),
                "yes" if r.fixed else "",
                str(r.value),
            )
        console.print(table)


@plan_app.command("list")
def plan_list(
    as_user: AsUser,
    period: Annotated[int | None, typer.Option()] = None,
    output: Format = Output.TABLE,
) -> None:
    """The plans the user may read, newest first."""
    with serving(as_user, PlanService) as service:
        reads = [plan_read(v) for v in service.find(period)]
    if output is not Output.TABLE:
        emit(output, reads, item=PlanRead)
        return
    table = Table(title=f"{len(reads)} plans")
    for column in ("ID", "Period", "Version", "State", "Run", "Objective", "Gap"):
        table.add_column(column)
    for r in reads:
        table.add_row(
            str(r.id),
            str(r.period),
            str(r.version),
            r.state.value,
            r.run_state or "",
            f"{r.objective or 0:,.0f}",
            f"{r.gap:.2%}" if r.gap is not None else "",
        )
    console.print(table)


@plan_app.command("explain")
def plan_explain(
    plan_id: int,
    as_user: AsUser,
    partner: Annotated[str | None, typer.Option(help="Only this partner.")] = None,
    unmet: Annotated[bool, typer.Option(help="Only demands left unmet.")] = False,
    output: Format = Output.TABLE,
) -> None:
    """Why each seat was given and each demand left unmet."""
    with serving(as_user, PlanService) as service:
        rows = [explanation_read(e) for e in service.explanations(plan_id, partner)]
    if unmet:
        rows = [r for r in rows if r.kind == "unmet"]
    if output is not Output.TABLE:
        emit(output, rows)
        return
    for r in rows:
        console.print(Text(f"[{r.partner}] {r.text}", style="bold" if r.kind == "unmet" else ""))
        if r.change:
            console.print(Text(f"    what would change it: {r.change}", style="dim"))


@plan_app.command("diff")
def plan_diff(first: int, second: int, as_user: AsUser, output: Format = Output.TABLE) -> None:
    """Seats that differ between two plans."""
    with serving(as_user, PlanService) as service:
        rows = service.diff(first, second)
    if output is not Output.TABLE:
        emit(output, rows)
        return
    table = Table(title=f"{len(rows)} differences between plan {first} and plan {second}")
    for column in ("Start", "Item", "Partner", f"Plan {first}", f"Plan {second}"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r["start_on"], r["item_code"], r["partner"], str(r["first"]), str(r["second"])
        )
    console.print(table)


@plan_app.command("publish")
def plan_publish(plan_id: int, as_user: AsUser, output: Format = Output.TABLE) -> None:
    """Publish an approved plan: its planned seats become offers to the partners."""
    with serving(as_user, PlanService) as service:
        view, offered, missed = service.publish(plan_id)
    if output is Output.JSON:
        emit(Output.JSON, publish_read(view, offered, missed))
        return
    console.print(f"[green]✓[/] plan {view.plan.id} published: {offered} seat(s) offered")
    for sid, partner, n in missed:
        console.print(f"  not offered: {n} seat(s) on session {sid} to {partner} (taken since)")


@plan_app.command("approve")
def plan_approve(
    plan_id: int,
    as_user: AsUser,
    deadline: Annotated[
        str | None,
        typer.Option(help="When the silence procedure ends (ISO 8601; default: in 5 days)."),
    ] = None,
    output: Format = Output.TABLE,
) -> None:
    """Bring a solved draft to the allies: a decision proposal (silence procedure) on it. The
    plan becomes approved when the allies adopt it."""
    ends = None
    if deadline:
        try:
            ends = dt.datetime.fromisoformat(deadline)
        except ValueError:
            raise typer.BadParameter(f"not a date and time: {deadline!r}") from None
        ends = ends if ends.tzinfo else ends.replace(tzinfo=dt.UTC)
    with serving(as_user, PlanService) as service:
        read = plan_read(service.propose_approval(plan_id, ends))
    if output is not Output.TABLE:
        emit(output, read)
        return
    console.print(
        f"[green]✓[/] proposal {read.proposal_reference} opened on plan {read.id}: the plan "
        "becomes approved when the allies adopt it"
    )
