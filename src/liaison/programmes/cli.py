# SPDX-License-Identifier: Apache-2.0
"""``liaison programmes``: the dashboard, lists, one programme, redlines, lifecycle changes,
renewal and IPCP → ITPP transition, and exports — acting ``--as`` a user.

Invariants: every command builds that user's principal and goes through ``ProgrammeService``
(the same policy in the SQL and the same audit trail as the API); a hidden programme is
"no programme X", like a missing one. Output that shows programme content is framed by the
banner of the highest marking shown, and every row carries its portion mark.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.table import Table
from rich.text import Text

from liaison.acting import AsUser, LimitOption, OffsetOption, serving
from liaison.kit import clock
from liaison.kit.pagination import Page, PageRequest
from liaison.programmes import export
from liaison.programmes.present import dashboard_read, detail_read, programme_read, redline_read
from liaison.programmes.rules import ProgrammeKind, ProgrammeStatus
from liaison.programmes.schemas import (
    ActivityUpdate,
    CommentCreate,
    GoalCreate,
    GoalUpdate,
    ProgrammeRead,
    SectionCreate,
)
from liaison.programmes.service import ProgrammeService, ProgrammeView, Shown
from liaison.terminal.output import Format, FormatOption, console, emit, fail, word_diff

app = typer.Typer(
    help="Partnership programmes (IPCP, ITPP): dashboard, lifecycle, renewal, exports.",
    no_args_is_help=True,
)

Ref = Annotated[str, typer.Argument(help="The programme's reference, e.g. ITPP-JPN-2023.")]


def _banner(text: str) -> None:
    console.print(Text(f"── {text} ──", style="bold reverse"), justify="center")


@app.command()
def dashboard(
    as_user: AsUser,
    horizon: Annotated[int, typer.Option(min=1, max=3660, help="Days ahead.")] = 90,
    output: FormatOption = Format.TABLE,
) -> None:
    """Renewals due within the horizon, goals overdue, activities this month (json and csv:
    the API's GET /api/v1/programmes/dashboard)."""
    with serving(as_user, ProgrammeService) as service:
        d = service.dashboard(horizon)
        if output is not Format.TABLE:
            emit(output, dashboard_read(d, service.area_names()))
            return
        _banner(d.banner)
        table = Table(title=f"Renewal due: ending within {horizon} days of {d.today}")
        for column in ("Portion", "Programme", "Partner", "Ends", "Days", "Renewal"):
            table.add_column(column)
        for v in d.expiring:
            p = v.programme
            table.add_row(
                Text(f"({v.short})"),
                p.reference,
                v.partner_name,
                p.period_end.isoformat(),
                str((p.period_end - d.today).days),
                d.renewal_started.get(p.reference, "not started"),
            )
        console.print(table)
        goals = Table(title=f"Goals overdue ({d.overdue_total})")
        for column in ("Portion", "Programme", "Goal", "Due", "Status"):
            goals.add_column(column)
        for g, ref in d.overdue:
            goals.add_row(
                Text(f"({g.short})"),
                ref,
                Text(f"{g.row.code} {g.row.title}"),
                g.row.due_on.isoformat(),
                g.row.status.value,
            )
        console.print(goals)
        acts = Table(title=f"Activities this month ({d.this_month_total})")
        for column in ("Portion", "Starts", "Activity", "Programme"):
            acts.add_column(column)
        for a, ref in d.this_month:
            acts.add_row(Text(f"({a.short})"), a.row.start_on.isoformat(), Text(a.row.title), ref)
        console.print(acts)
        _banner(d.banner)


@app.command("list")
def list_(
    as_user: AsUser,
    partner: Annotated[str | None, typer.Option(help="A partner, e.g. Japan or KOR.")] = None,
    kind: Annotated[ProgrammeKind | None, typer.Option(help="IPCP or ITPP.")] = None,
    status: Annotated[ProgrammeStatus | None, typer.Option(help="A lifecycle state.")] = None,
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
    output: FormatOption = Format.TABLE,
) -> None:
    """The programmes the user may read."""
    with serving(as_user, ProgrammeService) as service:
        filters = service.filters(partner=partner, kind=kind, status=status)
        page = PageRequest(limit=limit, offset=offset)
        views, total = service.find(filters, page)
        if output is not Format.TABLE:
            emit(output, Page[ProgrammeRead].of(map(programme_read, views), total, page))
            return
        banner = service.page_banner(views)
        _banner(banner)
        table = Table(title=f"{len(views)} of {total} programmes")
        for column in ("Marking", "Reference", "Partner", "Period", "Status", "Supersedes"):
            table.add_column(column)
        for v in views:
            p = v.programme
            table.add_row(
                Text(v.short),
                p.reference,
                v.partner_name,
                f"{p.period_start} \N{EN DASH} {p.period_end}",
                p.status.value,
                v.supersedes or "",
            )
        console.print(table)
        _banner(banner)


@app.command()
def show(ref: Ref, as_user: AsUser, output: FormatOption = Format.TABLE) -> None:
    """One programme: facts, narrative and goals, each with its portion mark."""
    with serving(as_user, ProgrammeService) as service:
        d = service.dossier(ref)
        if output is not Format.TABLE:
            emit(output, detail_read(d))
            return
        _banner(d.banner)
        console.print(Text(d.view.programme.title, style="bold"))
        for label, value in export.facts(d):
            console.print(Text(f"{label}: ", style="dim").append(value))
        for s in d.sections:
            console.print(Text(f"\n{s.row.heading} (version {s.row.version})", style="bold"))
            for para in export.paragraphs(s.row.body):
                console.print(Text(f"({s.short}) {para}"))
        table = Table(title="Partnership goals")
        for column in ("Portion", "Code", "Area", "Goal", "Due", "Status"):
            table.add_column(column)
        for g in d.goals:
            table.add_row(
                Text(f"({g.short})"),
                g.row.code,
                d.areas.get(g.row.area_code, g.row.area_code),
                Text(g.row.title),
                g.row.due_on.isoformat(),
                g.row.status.value,
            )
        console.print(table)
        for a in d.activities:
            console.print(Text(f"({a.short}) {a.row.start_on} {a.row.title} [{a.row.status}]"))
        _banner(d.banner)


@app.command()
def redline(
    ref: Ref,
    section: Annotated[int, typer.Option(help="The section's id.")],
    as_user: AsUser,
    from_version: Annotated[int | None, typer.Option("--from", help="Older version.")] = None,
    to_version: Annotated[int | None, typer.Option("--to", help="Newer version.")] = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """A section's word-level redline: on a terminal, deletions struck in red and insertions
    in green; in a pipe or a file, git's word-diff marks [-deleted-]{+inserted+}."""
    with serving(as_user, ProgrammeService) as service:
        r = service.redline(ref, "section", section, from_version, to_version)
        if output is not Format.TABLE:
            emit(output, redline_read(r))
            return
        banner = service.banner(service.highest([r.old.marking, r.new.marking]))
        _banner(banner)
        console.print(
            Text(
                f"version {r.old.row.number} → {r.new.row.number}: "
                f"{r.counts['inserted']} words inserted, {r.counts['deleted']} deleted"
            )
        )
        console.print(word_diff((piece.op, piece.text) for piece in r.body))
        _banner(banner)


@app.command()
def transition(
    ref: Ref,
    to: Annotated[ProgrammeStatus, typer.Argument(help="The new state.")],
    as_user: AsUser,
    on: Annotated[str | None, typer.Option(help="When (YYYY-MM-DD); default today.")] = None,
    reference: Annotated[
        str | None, typer.Option(help="For approved: the allies' decision reference.")
    ] = None,
) -> None:
    """Move a programme along its lifecycle (refused with the reason when not allowed)."""
    day = _date(on)
    with serving(as_user, ProgrammeService) as service:
        view = service.transition(ref, to, day, reference)
        p = view.programme
        shown = (p.reference, p.status.value)
        scheduled = to is ProgrammeStatus.IN_FORCE and p.status is ProgrammeStatus.AGREED
    if scheduled:
        console.print(
            f"✓ {shown[0]} is agreed and enters into force on {p.in_force_on} "
            "(when its period starts and what it replaces has run to its end)"
        )
        return
    console.print(f"✓ {shown[0]} is now {shown[1]}")


@app.command()
def renew(
    ref: Ref,
    as_user: AsUser,
    start: Annotated[str | None, typer.Option(help="First day of the new period.")] = None,
) -> None:
    """Renew a programme into the next period (a draft linked by supersedes)."""
    day = _date(start)
    reference = _draft(as_user, lambda service: service.renew(ref, day))
    console.print(f"✓ {reference} drafted, superseding {ref.upper()} once in force")


@app.command("from-ipcp")
def from_ipcp(
    partner: Annotated[str, typer.Argument(help="The partner, e.g. 'New Zealand'.")],
    as_user: AsUser,
    start: Annotated[str | None, typer.Option(help="First day of the ITPP.")] = None,
) -> None:
    """Turn a partner's IPCP into a draft ITPP (areas and open goals carried over)."""
    day = _date(start)
    reference = _draft(as_user, lambda service: service.from_ipcp(partner, day))
    console.print(f"✓ {reference} drafted from the IPCP")


def _draft(as_user: str, make: Callable[[ProgrammeService], ProgrammeView]) -> str:
    """The reference of the draft ``make`` writes as ``as_user``."""
    with serving(as_user, ProgrammeService) as service:
        return make(service).programme.reference


@app.command("export")
def export_(
    ref: Ref,
    as_user: AsUser,
    path: Annotated[
        Path | None, typer.Argument(help="File to write (.pdf or .docx), or give --out.")
    ] = None,
    out_option: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (.pdf or .docx).")
    ] = None,
) -> None:
    """Write the programme as the user may read it: PDF or DOCX (by the file's suffix)."""
    if (path is None) == (out_option is None):
        fail("name one file to write: PATH or --out PATH")
    out = path or out_option or Path()
    suffix = out.suffix.lower()
    if suffix not in {".pdf", ".docx"}:
        fail("the output file must end in .pdf or .docx")
    with serving(as_user, ProgrammeService) as service:
        d = service.dossier(ref)
        data = export.to_pdf(d) if suffix == ".pdf" else export.to_docx(d)
        banner = d.banner
    _write(out, data, f"{len(data)} bytes), marked {banner}")


@app.command()
def calendar(
    as_user: AsUser,
    out: Annotated[Path, typer.Option("--out", "-o", help="The .ics file to write.")],
) -> None:
    """Write the user's iCalendar: programme ends, goals due, activities."""
    with serving(as_user, ProgrammeService) as service:
        views, goals, acts = service.calendar_items()
        refs = {v.programme.id: v.programme.reference for v in views}
        data = export.to_ics(service.principal.username, views, goals, acts, refs)
    _write(out, data, f"{len(goals)} goals, {len(acts)} activities)")


def _write(out: Path, data: bytes, said: str) -> None:
    """``data`` into ``out``, and ``✓ wrote out (said``; a file that cannot be written is a
    one-line error."""
    try:
        out.write_bytes(data)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}")
    console.print(Text(f"✓ wrote {out} ({said}"))


def _date(raw: str | None) -> dt.date | None:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        fail(f"{raw!r} is not a date (YYYY-MM-DD)")


@app.command()
def approve(
    ref: Ref,
    as_user: AsUser,
    on: Annotated[str, typer.Option(help="The approval date (YYYY-MM-DD).")],
    reference: Annotated[str, typer.Option(help="The allies' decision reference.")],
) -> None:
    """Record the allies' approval of a submitted programme by hand (until a decision does)."""
    day = _date(on)
    with serving(as_user, ProgrammeService) as service:
        view = service.record_approval(ref, day or clock.today(), reference)
        shown = view.programme.reference
    console.print(f"✓ {shown} approved on {day} ({reference})")


@app.command("add-section")
def add_section(
    ref: Ref,
    as_user: AsUser,
    heading: Annotated[str, typer.Option(help="The section's heading.")],
    body: Annotated[str, typer.Option(help="The wording (blank lines separate paragraphs).")],
    marking: Annotated[str | None, typer.Option(help="Default: the programme's.")] = None,
) -> None:
    """Add a narrative section to a draft (version 1 of its wording)."""
    data = _valid(SectionCreate, heading=heading, body=body, marking=marking)
    _add(as_user, "section", lambda service: service.add_section(ref, data))


@app.command("add-goal")
def add_goal(
    ref: Ref,
    as_user: AsUser,
    area: Annotated[str, typer.Option(help="A cooperation area code or name.")],
    title: Annotated[str, typer.Option(help="The goal's title.")],
    due: Annotated[str, typer.Option(help="Due date (YYYY-MM-DD), inside the period.")],
    wording: Annotated[str, typer.Option(help="The negotiated wording.")] = "",
    indicator: Annotated[str, typer.Option(help="How progress is measured.")] = "",
    target: Annotated[str, typer.Option(help="The target.")] = "",
    marking: Annotated[str | None, typer.Option(help="Default: the programme's.")] = None,
) -> None:
    """Add a partnership goal to a draft."""
    data = _valid(
        GoalCreate,
        area=area,
        title=title,
        due_on=_date(due),
        wording=wording,
        indicator=indicator,
        target=target,
        marking=marking,
    )
    _add(as_user, "goal", lambda service: service.add_goal(ref, data), "code")


@app.command()
def comment(
    ref: Ref,
    as_user: AsUser,
    section: Annotated[int, typer.Option(help="The section's id.")],
    body: Annotated[str, typer.Option(help="The comment.")],
    reply_to: Annotated[int | None, typer.Option(help="The comment this answers.")] = None,
) -> None:
    """Comment on a section (either side; marked at least as the section is)."""
    data = _valid(CommentCreate, body=body, parent_id=reply_to)
    _add(as_user, "comment", lambda service: service.add_comment(ref, section, data))


def _add(
    as_user: str, what: str, add: Callable[[ProgrammeService], Shown[Any]], name: str = "id"
) -> None:
    """Add an element as ``as_user``; say which (its ``name``) and how it is marked."""
    with serving(as_user, ProgrammeService) as service:
        shown = add(service)
        ident, mark = getattr(shown.row, name), shown.short
    console.print(Text(f"✓ {what} {ident} added, marked {mark}"))


M = TypeVar("M", bound=BaseModel)


def _valid(model: type[M], **values: object) -> M:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        fail(f"{field}: {first['msg']}")


@app.command()
def progress(
    ref: Ref,
    as_user: AsUser,
    status: Annotated[str, typer.Argument(help="A goal or activity status, e.g. achieved, done.")],
    goal: Annotated[int | None, typer.Option(help="The goal's id.")] = None,
    activity: Annotated[int | None, typer.Option(help="The activity's id.")] = None,
) -> None:
    """Record progress: a goal's status (open, on_track, at_risk, achieved, dropped) or an
    activity's (planned, confirmed, done, postponed, cancelled)."""
    if (goal is None) == (activity is None):
        fail("name one --goal or one --activity")
    with serving(as_user, ProgrammeService) as service:
        if goal is not None:
            data = _valid(GoalUpdate, status=status)
            shown = f"goal {service.update_goal(ref, goal, data).row.code}"
        else:
            act = _valid(ActivityUpdate, status=status)
            shown = f"activity {service.update_activity(ref, activity or 0, act).row.id}"
    console.print(f"✓ {shown} is now {status}")


@app.command("expire-due")
def expire_due(as_user: AsUser) -> None:
    """Mark expired every programme in force whose period has ended (run daily)."""
    with serving(as_user, ProgrammeService) as service:
        done = service.expire_due()
    console.print(f"✓ {len(done)} expired" + (f": {', '.join(done)}" if done else ""))
