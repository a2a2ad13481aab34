# SPDX-License-Identifier: Apache-2.0
"""``liaison decisions``: list, show, open, record positions, withdraw, the inbox, the calendar
feed, e-mail addresses, and ``tick`` (settle due deadlines, for a timer).

Invariants: every command acting ``--as`` a user builds that user's principal and goes through
``DecisionService`` — the same policy in the SQL and the same audit trail as the API; a hidden
proposal is "no proposal N", like a missing one. Output that shows proposals is framed by the
banner of the most restrictive marking shown.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.table import Table
from rich.text import Text
from sqlalchemy import select

from liaison.acting import AsUser, LimitOption, OffsetOption, serving
from liaison.db.session import session_factory
from liaison.decisions.calendar import feed
from liaison.decisions.consensus import Procedure, Stance
from liaison.decisions.models import NotificationAddress
from liaison.decisions.present import to_read
from liaison.decisions.repository import ProposalFilters
from liaison.decisions.schemas import (
    Amendment,
    PositionCreate,
    ProposalCreate,
    ProposalRead,
    Revision,
    Withdrawal,
)
from liaison.decisions.service import DecisionService, ProposalView
from liaison.decisions.worker import tick as run_tick
from liaison.errors import InvalidInput
from liaison.events import SubjectKind
from liaison.identity.service import IdentityService
from liaison.kit.pagination import Page, PageRequest
from liaison.security.principal import SYSTEM
from liaison.terminal.context import command_session, engine_for, settings
from liaison.terminal.output import Format, FormatOption, console, emit, fail

M = TypeVar("M", bound=BaseModel)
app = typer.Typer(
    help="Consensus decisions: proposals, positions, silence deadlines — as a given user.",
    no_args_is_help=True,
)

MAX_EMAIL = 254  # the column, and RFC 5321's limit on a path
ProposalArg = Annotated[str, typer.Argument(help="A proposal id or reference (DEC-2023-0001).")]


def _banner(text: str) -> None:
    console.print(Text(f"── {text} ──", style="bold reverse"), justify="center")


def _table(views: list[ProposalView], title: str) -> Table:
    table = Table(title=title)
    table.add_column("Reference", no_wrap=True)
    table.add_column("Marking")
    table.add_column("Title", min_width=24, ratio=1)
    table.add_column("Deadline", no_wrap=True)
    table.add_column("Outcome", no_wrap=True)
    for v in views:
        p = v.proposal
        table.add_row(
            p.reference,
            Text(v.short),
            Text(p.title),
            p.deadline.strftime("%Y-%m-%d %H:%M") if p.deadline else p.procedure.value,
            f"{v.verdict.outcome.value} ({_count(v)})",
        )
    return table


def _count(view: ProposalView) -> str:
    """Consent at a meeting; objections under silence (where silence is consent)."""
    t = view.tally
    if view.proposal.procedure is Procedure.MEETING:
        return f"{t.consent}/{t.electors} concur"
    return f"{t.broke_silence} broke, {t.reservations} reserved, of {t.electors}"


def _print(
    service: DecisionService,
    views: list[ProposalView],
    title: str,
    output: Format,
    page: tuple[int, PageRequest],
) -> None:
    if output is not Format.TABLE:
        emit(output, Page[ProposalRead].of(map(to_read, views), *page))
        return
    banner = service.page_banner(views)
    _banner(banner)
    console.print(_table(views, title))
    _banner(banner)


@app.command("list")
def list_(
    as_user: AsUser,
    state: Annotated[str | None, typer.Option(help="open or decided.")] = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="Words in the title.")] = None,
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
    output: FormatOption = Format.TABLE,
) -> None:
    """The proposals the user may read, newest first, with their outcome now."""
    if state not in {None, "open", "decided"}:
        fail("--state is open or decided")
    page = PageRequest(limit=limit, offset=offset)
    with serving(as_user, DecisionService) as service:
        views, total = service.find(ProposalFilters(state=state, query=query), page)
        title = f"{len(views)} of {total} proposals (from {offset + 1})"
        _print(service, views, title, output, (total, page))


@app.command()
def inbox(
    as_user: AsUser,
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
    output: FormatOption = Format.TABLE,
) -> None:
    """Open proposals awaiting the user's delegation, nearest deadline first."""
    page = PageRequest(limit=limit, offset=offset)
    with serving(as_user, DecisionService) as service:
        views, total, ally = service.inbox(page)
        if ally is None:
            fail(f"{as_user} is not in an ally's delegation: nothing awaits them")
        title = f"{total} awaiting {service.name_of(ally)}"
        _print(service, views, title, output, (total, page))


@app.command()
def show(proposal: ProposalArg, as_user: AsUser, output: FormatOption = Format.TABLE) -> None:
    """One proposal: its outcome now, every elector's position, and its text (json and csv:
    the API's GET /api/v1/decisions/{ref})."""
    with serving(as_user, DecisionService) as service:
        view = service.get_ref(proposal)
        if output is not Format.TABLE:
            emit(output, to_read(view))
            return
        p = view.proposal
        _banner(view.banner)
        console.print(Text(f"{p.reference}  {p.title}", style="bold"))
        console.print(Text(f"Outcome: {view.verdict.outcome}  {view.reason}"))
        deadline = f", deadline {p.deadline:%Y-%m-%d %H:%M} UTC" if p.deadline else ""
        console.print(Text(f"Procedure: {p.procedure.value}{deadline}"))
        console.print(Text(f"Electors: {view.tally.electors}, consent {view.tally.consent}"))
        grid = Table(title="Positions")
        for column in ("Ally", "Position", "Statement"):
            grid.add_column(column)
        for s in service.standings(p.id):
            grid.add_row(
                s.elector.name,
                s.position.stance.value if s.position else "silent",
                Text(s.position.statement if s.position else ""),
            )
        console.print(grid)
        versions = service.versions(p.id)
        if versions:
            console.print(Text(versions[-1].text))
        _banner(view.banner)


@app.command("open")
def open_(
    as_user: AsUser,
    text: Annotated[str, typer.Option(help="The text to decide.")],
    marking: Annotated[str, typer.Option(help="E.g. 'NU' or 'NR // REL JPN'.")],
    subject_kind: Annotated[SubjectKind, typer.Option("--subject")] = SubjectKind.FREE_TEXT,
    subject_ref: Annotated[
        str | None, typer.Option("--ref", help="The subject's reference.")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Default: the subject's title.")] = None,
    procedure: Annotated[Procedure, typer.Option()] = Procedure.SILENCE,
    days: Annotated[float, typer.Option(min=0, help="Deadline in days from now (0: none).")] = 7,
    release_to: Annotated[
        list[str] | None, typer.Option(help="Document release: a partner or group (repeat).")
    ] = None,
    depends_on: Annotated[str | None, typer.Option(help="Adopt only if this is adopted.")] = None,
    package: Annotated[str | None, typer.Option(help="Decide together with this package.")] = None,
    opened_on: Annotated[
        str | None,
        typer.Option(
            help="Record a past decision opened on this day (YYYY-MM-DD, or an ISO time, UTC); "
            "its electorate is that day's allies and --days counts from it. Administrators only."
        ),
    ] = None,
    past_position: Annotated[
        list[str] | None,
        typer.Option(
            "--position",
            help="With --opened-on: a position taken then, 'ALLY STANCE WHEN [STATEMENT]' "
            "(e.g. 'FRA break_silence 2023-06-06T10:00 France objects.'); repeat.",
        ),
    ] = None,
) -> None:
    """Open a proposal (needs decisions:proposal:manage); the electorate is frozen now, or on
    the day given by --opened-on (an administrator's record of a past decision)."""
    opened_at = _moment(opened_on, "--opened-on") if opened_on else None
    start = opened_at or dt.datetime.now(dt.UTC)
    deadline = start + dt.timedelta(days=days) if days else None
    with serving(as_user, DecisionService) as service:
        data = _valid(
            ProposalCreate,
            subject_kind=subject_kind,
            subject_ref=subject_ref,
            title=title,
            text=text,
            marking=marking,
            procedure=procedure,
            deadline=deadline,
            release_to=release_to or [],
            depends_on=depends_on,
            package=package,
            opened_at=opened_at,
            positions=[_past(text) for text in past_position or []],
        )
        view = service.open(data)
        shown = (view.proposal.reference, view.tally.electors)
    console.print(Text(f"✓ {shown[0]} opened; {shown[1]} electors"))


def _moment(text: str, option: str) -> dt.datetime:
    """A day (midnight UTC) or an ISO time (UTC unless it says otherwise)."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        fail(f"{option}: {text!r} is not a date (YYYY-MM-DD) or an ISO time")
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _past(text: str) -> dict[str, object]:
    parts = text.split(maxsplit=3)
    if len(parts) < 3:  # noqa: PLR2004 - ally, stance, when
        fail(f"--position {text!r}: give 'ALLY STANCE WHEN [STATEMENT]'")
    ally, stance, when = parts[:3]
    statement = parts[3] if len(parts) > 3 else ""  # noqa: PLR2004 - the optional statement
    return {
        "ally": ally,
        "stance": stance,
        "at": _moment(when, "--position"),
        "statement": statement,
    }


@app.command()
def position(
    proposal: ProposalArg,
    stance: Annotated[Stance, typer.Argument(help="The position.")],
    as_user: AsUser,
    statement: Annotated[str, typer.Option(help="Why (needed to break silence...).")] = "",
) -> None:
    """Record the user's delegation's position on a proposal."""
    with serving(as_user, DecisionService) as service:
        found = service.find_ref(proposal)
        try:
            data = PositionCreate(stance=stance, statement=statement)
        except ValidationError as exc:
            raise InvalidInput(exc.errors()[0]["msg"]) from None
        recorded = service.record_position(found.id, data)
        view = service.views([found])[0]
        shown = (recorded.ally_iso3, found.reference, view.verdict.outcome.value)
    console.print(Text(f"✓ {shown[0]}: {stance.value} on {shown[1]}; outcome now {shown[2]}"))


@app.command()
def withdraw(
    proposal: ProposalArg,
    as_user: AsUser,
    reason: Annotated[str, typer.Option(help="Why it is withdrawn.")],
) -> None:
    """Withdraw an open proposal (needs decisions:proposal:manage)."""
    with serving(as_user, DecisionService) as service:
        found = service.find_ref(proposal)
        view = service.withdraw(found.id, Withdrawal(reason=reason))
        shown = view.proposal.reference
    console.print(Text(f"✓ {shown} withdrawn"))


@app.command()
def amend(
    proposal: ProposalArg,
    as_user: AsUser,
    text: Annotated[str, typer.Option(help="The new text.")],
    note: Annotated[str, typer.Option(help="What changed, in a line.")] = "",
) -> None:
    """Amend the text of a proposal at a meeting (concurrences are asked for again)."""
    with serving(as_user, DecisionService) as service:
        found = service.find_ref(proposal)
        view = service.amend(found.id, _valid(Amendment, text=text, note=note))
        shown = (view.proposal.reference, view.version)
    console.print(Text(f"✓ {shown[0]} now at version {shown[1]}"))


@app.command()
def revise(
    proposal: ProposalArg,
    as_user: AsUser,
    text: Annotated[str, typer.Option(help="The revised text.")],
    procedure: Annotated[Procedure, typer.Option()] = Procedure.SILENCE,
    days: Annotated[float, typer.Option(min=0, help="Deadline in days from now (0: none).")] = 7,
) -> None:
    """Revise a broken or lapsed proposal into a new one, linked to the old."""
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=days) if days else None
    with serving(as_user, DecisionService) as service:
        found = service.find_ref(proposal)
        data = _valid(Revision, text=text, procedure=procedure, deadline=deadline)
        view = service.revise(found.id, data)
        shown = (view.proposal.reference, found.reference)
    console.print(Text(f"✓ {shown[0]} opened, revising {shown[1]}"))


def _valid(model: type[M], **values: object) -> M:
    try:
        return model(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None


@app.command()
def calendar(as_user: AsUser) -> None:
    """The iCalendar feed of deadlines the user may see, on standard output."""
    with serving(as_user, DecisionService) as service:
        data = feed(service.calendar_items(), settings().public_url)
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


@app.command("email")
def email(
    username: Annotated[str, typer.Argument(help="The user to notify.")],
    address: Annotated[
        str | None, typer.Argument(help="Their e-mail address; none removes it.")
    ] = None,
) -> None:
    """Set (or remove) where a user's decision notifications are e-mailed."""
    if address is not None and ("@" not in address or len(address) > MAX_EMAIL or " " in address):
        fail(f"{address!r} is not an e-mail address")
    with command_session() as session:
        user = IdentityService(session, SYSTEM).user(username)
        row = session.scalar(
            select(NotificationAddress).where(NotificationAddress.user_id == user.id)
        )
        if address is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(NotificationAddress(user_id=user.id, email=address))
        else:
            row.email = address
    console.print(Text(f"✓ {username}: {address or 'no e-mail'}"))


@app.command()
def tick() -> None:
    """Settle every due outcome now and send pending e-mail (idempotent; for a timer)."""
    cfg = settings()
    with command_session(cfg):
        pass  # a clear message when the database is not initialised
    engine = engine_for(cfg)
    try:
        report = run_tick(session_factory(engine), cfg)
    finally:
        engine.dispose()
    for reference, outcome in report.settled:
        console.print(Text(f"✓ {reference} {outcome}"))
    for line in report.done:
        console.print(Text(f"✓ {line}"))
    console.print(Text(f"{len(report.settled)} settled, {report.emailed} e-mailed"))
