# SPDX-License-Identifier: Apache-2.0
"""Decision pages: the list (``/decisions``), my delegation's inbox, my notifications, a new
proposal, and one proposal — every elector's flag and position, the procedure's timeline and
countdown, the text's redlines, and the form to record my delegation's position.

Invariants:
- every page reads through ``DecisionService`` as the request's principal; a proposal is
  addressed by id or by reference (``/decisions/DEC-2023-0001``); a hidden or missing one is
  the same 404 page; pages carry the banner of the most restrictive marking they show;
- the outcome on a proposal page is computed at the request and refreshed in place by HTMX
  (``/decisions/{id}/status``, the ``_status.html`` fragment) while the procedure runs, so a
  deadline or another ally's position shows without a reload;
- forms post with the session's CSRF token; a refused form re-renders the page with each
  message beside its field (``web.forms``) and its status (403, 409, 422), nothing written;
  success is a 303; a delegation is offered only the positions it may take now
  (``consensus.open_stances``, the rule ``record_position`` applies);
- the new-proposal form names its subject by reference or name ("ITPP-JPN-2027", "Tokyo"), with
  the decidable subjects the principal may see as suggestions (``events.subject_suggestions``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from liaison.decisions.consensus import Outcome, Procedure, Stance
from liaison.decisions.errors import ProposalNotFound
from liaison.decisions.redline import changed, redline
from liaison.decisions.repository import ProposalFilters
from liaison.decisions.schemas import PositionCreate, ProposalCreate, Revision, Withdrawal
from liaison.decisions.service import DecisionService, Inbox, ProposalView
from liaison.errors import LiaisonError
from liaison.events import SubjectKind, subject_suggestions
from liaison.kit import clock
from liaison.security.permissions import Permission
from liaison.security.principal import Principal
from liaison.security.writes import ALLIANCE, can_write_side
from liaison.web.deps import (
    AppSettings,
    AuthenticatedPrincipal,
    CurrentPrincipal,
    DbSession,
    Limit,
    Offset,
    page_request,
    path_id,
    require,
    writes_own_state,
)
from liaison.web.forms import DATETIME_FORMAT, Refusal, refusal
from liaison.web.listing import Listing
from liaison.web.templating import render_marked

router = APIRouter(include_in_schema=False)

Manager = Annotated[Principal, Depends(require(Permission.DECISIONS_PROPOSAL_MANAGE))]
Recorder = Annotated[Principal, Depends(require(Permission.DECISIONS_POSITION_RECORD))]
Text = Annotated[str | None, Query(max_length=200)]
FormText = Annotated[str, Form(max_length=200_000)]
MAX_REFERENCE = 40  # the reference column's length: anything longer names no proposal
STANCE_LABELS = {
    Stance.CONCUR: "Concur",
    Stance.BREAK_SILENCE: "Break silence",
    Stance.RESERVATION: "Reservation",
    Stance.FOOTNOTE: "Footnote",
    Stance.WITHDRAW_RESERVATION: "Withdraw reservation",
}


def _proposal_id(service: DecisionService, raw: str) -> int:
    """The proposal a path names by id or by reference (``/decisions/DEC-2023-0001``): a
    hidden one is the same 404 as a missing one."""
    if raw.isdecimal() or len(raw) > MAX_REFERENCE:
        return path_id(raw, ProposalNotFound)
    return service.key(raw)


def remaining(deadline: dt.datetime | None, now: dt.datetime) -> str:
    """ "3 d 4 h", "2 h 5 min", "40 s" until ``deadline``; "" when none or passed."""
    if deadline is None or deadline <= now:
        return ""
    seconds = int((deadline - now).total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


@router.get("/decisions", response_class=HTMLResponse)
def proposals(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    state: Text = None,
    q: Text = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Text = None,
) -> HTMLResponse:
    service = DecisionService(session, principal)
    shown_state = state if state in {"open", "decided"} else None
    page = page_request(settings, limit, offset, sort)
    views, total = service.find(ProposalFilters(state=shown_state, query=q or None), page)
    context = {
        "listing": Listing(views, total, page),
        "form": {"state": shown_state or "", "q": q or ""},
        "can_manage": can_write_side(principal, ALLIANCE, Permission.DECISIONS_PROPOSAL_MANAGE),
        "marking": service.page_banner(views),
        "now": clock.utcnow(),
        "remaining": remaining,
    }
    return render_marked(request, "decisions/list.html", context)


@router.get("/decisions/inbox", response_class=HTMLResponse)
def inbox(
    request: Request,
    session: DbSession,
    principal: AuthenticatedPrincipal,
    settings: AppSettings,
    limit: Limit = None,
    offset: Offset = 0,
) -> HTMLResponse:
    service = DecisionService(session, principal)
    page = page_request(settings, limit, offset, None)
    views, total, ally = service.inbox(page)
    context = {
        "listing": Listing(views, total, page),
        "ally": service.name_of(ally) if ally else None,
        "marking": service.page_banner(views),
        "now": clock.utcnow(),
        "remaining": remaining,
    }
    return render_marked(request, "decisions/inbox.html", context)


@router.get("/decisions/notifications", response_class=HTMLResponse)
def notifications(
    request: Request,
    session: DbSession,
    principal: AuthenticatedPrincipal,
    settings: AppSettings,
    limit: Limit = None,
    offset: Offset = 0,
) -> HTMLResponse:
    service = DecisionService(session, principal)
    page = page_request(settings, limit, offset, None)
    rows, total = Inbox(service).list(page)
    context = {
        "listing": Listing(rows, total, page),
        "marking": service.page_banner([r.view for r in rows]),
    }
    return render_marked(request, "decisions/notifications.html", context)


@router.post("/decisions/notifications/read", response_class=HTMLResponse)
@writes_own_state
def mark_read(session: DbSession, principal: AuthenticatedPrincipal) -> Response:
    Inbox(DecisionService(session, principal)).mark_read()
    return RedirectResponse("/decisions/notifications", status_code=303)


# a new proposal -------------------------------------------------------------------------------
NEW_FIELDS = (
    "subject_kind",
    "subject_ref",
    "title",
    "text",
    "marking",
    "procedure",
    "deadline",
    "release_to",
    "depends_on",
    "package",
)


def _new_form(
    request: Request,
    service: DecisionService,
    form: dict[str, str],
    refused: Refusal | None = None,
) -> HTMLResponse:
    context = {
        "errors": refused.errors if refused else {},
        "form": form,
        "kinds": list(SubjectKind),
        "procedures": list(Procedure),
        "suggestions": subject_suggestions(service.session, service.principal),
    }
    status_code = refused.status_code if refused else 200
    return render_marked(request, "decisions/new.html", context, status_code)


@router.get("/decisions/new", response_class=HTMLResponse)
def new_proposal(request: Request, session: DbSession, manager: Manager) -> HTMLResponse:
    form = dict.fromkeys(NEW_FIELDS, "") | {
        "subject_kind": "free_text",
        "marking": "NU",
        "procedure": "silence",
        "deadline": _default_deadline(clock.utcnow()),
    }
    return _new_form(request, DecisionService(session, manager), form)


@router.post("/decisions", response_class=HTMLResponse)
def create(
    request: Request,
    session: DbSession,
    principal: Manager,
    subject_kind: FormText = "free_text",
    subject_ref: FormText = "",
    title: FormText = "",
    text: FormText = "",
    marking: FormText = "",
    procedure: FormText = "silence",
    deadline: FormText = "",
    release_to: FormText = "",
    depends_on: FormText = "",
    package: FormText = "",
) -> Response:
    shown = {
        "subject_kind": subject_kind,
        "subject_ref": subject_ref,
        "title": title,
        "text": text,
        "marking": marking,
        "procedure": procedure,
        "deadline": deadline,
        "release_to": release_to,
        "depends_on": depends_on,
        "package": package,
    }
    service = DecisionService(session, principal)
    try:
        data = ProposalCreate(
            subject_kind=subject_kind,
            subject_ref=subject_ref or None,
            title=title or None,
            text=text,
            marking=marking,
            procedure=procedure,
            deadline=_utc(deadline) if deadline else None,
            release_to=[c.strip() for c in release_to.split(",") if c.strip()],
            depends_on=depends_on or None,
            package=package or None,
        )
        view = service.open(data)
    except (ValidationError, LiaisonError) as exc:
        return _new_form(request, service, shown, refusal(session, exc, NEW_FIELDS))
    return RedirectResponse(f"/decisions/{view.proposal.id}", status_code=303)


def _default_deadline(now: dt.datetime) -> str:
    """A week from now, to the minute, as the date-time inputs write it."""
    return (now + dt.timedelta(days=7)).strftime(DATETIME_FORMAT)


def _utc(text: str) -> str:
    """A date-time input's value (``YYYY-MM-DD HH:MM``) is UTC on these pages (they say so)."""
    text = text.strip()
    return text if text.endswith(("Z", "+00:00")) else f"{text}Z"


# one proposal ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Step:
    at: dt.datetime
    text: str
    css: str = ""
    statement: str = ""


def _timeline(
    service: DecisionService, view: ProposalView, versions: list[Any], now: dt.datetime
) -> list[Step]:
    """The procedure's events in time order: opening, amendments, positions, the deadline
    (past or to come) and the outcome."""
    p = view.proposal
    steps = [Step(p.opened_at, f"Opened by {p.opened_by}; {view.tally.electors} electors")]
    steps += [
        Step(v.created_at, f"Text amended (version {v.number}){': ' + v.note if v.note else ''}")
        for v in versions[1:]
    ]
    steps += [
        Step(
            pos.recorded_at,
            f"{service.name_of(pos.ally_iso3)}: {STANCE_LABELS[pos.stance]}",
            f"stance-{pos.stance.value}",
            pos.statement,
        )
        for pos in service.positions(p.id)
    ]
    verdict = view.verdict
    if p.deadline is not None:
        label = "Silence ends" if p.procedure is Procedure.SILENCE else "Deadline"
        if verdict.at is not None and verdict.failed and verdict.at < p.deadline:
            label += " (the procedure had closed)"
        steps.append(Step(p.deadline, label, "past" if p.deadline <= now else "future"))
    if verdict.outcome is not Outcome.PENDING and verdict.at is not None:
        css = "open" if verdict.outcome is Outcome.ADOPTED else "shelved"
        steps.append(Step(verdict.at, verdict.outcome.value.capitalize(), css))
    return sorted(steps, key=lambda step: step.at)


def _detail_context(service: DecisionService, proposal_id: int) -> dict[str, Any]:
    now = clock.utcnow()
    view = service.get(proposal_id)
    p = view.proposal
    versions = service.versions(p.id)
    previous = service.previous_text(p)
    diffs = []
    base = previous
    for version in versions:
        if base is not None:
            diffs.append((version, redline(base, version.text)))
        base = version.text
    own = service.delegation_ally()
    standings = service.standings(p.id)
    electors = {s.elector.iso3 for s in standings}
    return {
        "view": view,
        "standings": standings,
        "timeline": _timeline(service, view, versions, now),
        "versions": versions,
        "redlines": [(v, segs) for v, segs in diffs if changed(segs)],
        "related": service.related(p),
        "own_ally": own,
        "own_name": service.name_of(own) if own else None,
        "own_elector": own in electors,
        "stances": service.open_stances(p.id, own) if own in electors else [],
        "stance_labels": STANCE_LABELS,
        "can_manage": can_write_side(
            service.principal, ALLIANCE, Permission.DECISIONS_PROPOSAL_MANAGE
        ),
        "default_deadline": _default_deadline(now),
        "now": now,
        "remaining": remaining,
        "marking": view.banner,
        "names": service.name_of,
    }


@router.get("/decisions/{proposal_id}", response_class=HTMLResponse)
def proposal_page(
    proposal_id: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> HTMLResponse:
    service = DecisionService(session, principal)
    context = _detail_context(service, _proposal_id(service, proposal_id))
    blank = {"stance": "", "statement": "", "text": "", "deadline": context["default_deadline"]}
    context |= {"errors": {}, "form": blank}
    return render_marked(request, "decisions/detail.html", context)


@router.get("/decisions/{proposal_id}/status", response_class=HTMLResponse)
def status_fragment(
    proposal_id: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> HTMLResponse:
    service = DecisionService(session, principal)
    view: ProposalView = service.get(_proposal_id(service, proposal_id))
    context = {"view": view, "now": clock.utcnow(), "remaining": remaining}
    return render_marked(request, "decisions/_status.html", context)


POSITION_FIELDS = ("stance", "statement")
REVISION_FIELDS = ("text", "deadline")


@router.post("/decisions/{proposal_id}/positions", response_class=HTMLResponse)
def record_position(
    proposal_id: str,
    request: Request,
    session: DbSession,
    principal: Recorder,
    stance: Annotated[str, Form(max_length=40)] = "",
    statement: FormText = "",
) -> Response:
    service = DecisionService(session, principal)
    key = _proposal_id(service, proposal_id)
    form = {"stance": stance, "statement": statement}
    try:
        service.record_position(key, PositionCreate(stance=stance, statement=statement))
    except ProposalNotFound:
        raise
    except ValidationError as exc:
        refused = refusal(session, exc, POSITION_FIELDS)
        if "stance" in refused.errors:
            refused.errors["stance"] = "choose a position"
        return _refused(request, service, key, refused, form)
    except LiaisonError as exc:
        return _refused(request, service, key, refusal(session, exc, POSITION_FIELDS), form)
    return RedirectResponse(f"/decisions/{key}", status_code=303)


def _refused(
    request: Request,
    service: DecisionService,
    proposal_id: int,
    refused: Refusal,
    form: dict[str, str],
    which: str = "position",
) -> HTMLResponse:
    """The proposal page again, the refused form's errors beside its fields."""
    context = _detail_context(service, proposal_id)
    blank = {"stance": "", "statement": "", "text": "", "deadline": context["default_deadline"]}
    context |= {"errors": {which: refused.errors}, "form": blank | form}
    return render_marked(request, "decisions/detail.html", context, refused.status_code)


@router.post("/decisions/{proposal_id}/revise", response_class=HTMLResponse)
def revise(
    proposal_id: str,
    request: Request,
    session: DbSession,
    principal: Manager,
    text: FormText = "",
    deadline: FormText = "",
) -> Response:
    service = DecisionService(session, principal)
    key = _proposal_id(service, proposal_id)
    form = {"text": text, "deadline": deadline}
    try:
        data = Revision(text=text, deadline=_utc(deadline) if deadline else None)
        view = service.revise(key, data)
    except ProposalNotFound:
        raise
    except (ValidationError, LiaisonError) as exc:
        refused = refusal(session, exc, REVISION_FIELDS)
        return _refused(request, service, key, refused, form, "revision")
    return RedirectResponse(f"/decisions/{view.proposal.id}", status_code=303)


@router.post("/decisions/{proposal_id}/withdraw", response_class=HTMLResponse)
def withdraw(
    proposal_id: str,
    session: DbSession,
    principal: Manager,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    service = DecisionService(session, principal)
    key = _proposal_id(service, proposal_id)
    service.withdraw(key, Withdrawal(reason=reason or "withdrawn"))
    return RedirectResponse(f"/decisions/{key}", status_code=303)
