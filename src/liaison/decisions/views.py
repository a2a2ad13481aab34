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

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from liaison.decisions.consensus import Outcome, Procedure, Stance
from liaison.decisions.deps import Decisions, Managing, Recording, SignedIn
from liaison.decisions.errors import ProposalNotFound
from liaison.decisions.redline import changed, redline
from liaison.decisions.repository import ProposalFilters
from liaison.decisions.schemas import PositionCreate, ProposalCreate, Revision, Withdrawal
from liaison.decisions.service import DecisionService, ProposalView
from liaison.errors import LiaisonError
from liaison.events import SubjectKind, subject_suggestions
from liaison.kit import clock
from liaison.kit.ids import parse_id
from liaison.kit.pagination import PageRequest
from liaison.security.permissions import Permission
from liaison.security.writes import ALLIANCE, can_write_side
from liaison.web.deps import ListPage, SortedPage, writes_own_state
from liaison.web.forms import DATETIME_FORMAT, PostedForm, Refusal, refusal
from liaison.web.listing import Listing
from liaison.web.templating import render_marked

router = APIRouter(include_in_schema=False)

Text = Annotated[str | None, Query(max_length=200)]
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
    key = parse_id(raw)
    return key if key is not None else service.key(raw)


def _can_manage(service: DecisionService) -> bool:
    return can_write_side(service.principal, ALLIANCE, Permission.DECISIONS_PROPOSAL_MANAGE)


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


def _proposal_list(
    request: Request,
    template: str,
    service: DecisionService,
    listed: tuple[list[ProposalView], int, PageRequest],
    **context: object,
) -> HTMLResponse:
    """A page of proposals: their countdowns, the banner of the most restrictive shown."""
    views = listed[0]
    context |= {
        "listing": Listing(*listed),
        "marking": service.page_banner(views),
        "now": clock.utcnow(),
        "remaining": remaining,
    }
    return render_marked(request, template, context)


@router.get("/decisions", response_class=HTMLResponse)
def proposals(
    request: Request, service: Decisions, page: SortedPage, state: Text = None, q: Text = None
) -> HTMLResponse:
    """Sort by reference, title, opened_at, deadline, outcome or level."""
    shown_state = state if state in {"open", "decided"} else None
    views, total = service.find(ProposalFilters(state=shown_state, query=q or None), page)
    form = {"state": shown_state or "", "q": q or ""}
    listed = (views, total, page)
    return _proposal_list(
        request, "decisions/list.html", service, listed, form=form, can_manage=_can_manage(service)
    )


@router.get("/decisions/inbox", response_class=HTMLResponse)
def inbox(request: Request, service: SignedIn, page: ListPage) -> HTMLResponse:
    views, total, ally = service.inbox(page)
    name = service.name_of(ally) if ally else None
    return _proposal_list(request, "decisions/inbox.html", service, (views, total, page), ally=name)


@router.get("/decisions/notifications", response_class=HTMLResponse)
def notifications(request: Request, service: SignedIn, page: ListPage) -> HTMLResponse:
    rows, total = service.notifications(page)
    context = {
        "listing": Listing(rows, total, page),
        "marking": service.page_banner([r.view for r in rows]),
    }
    return render_marked(request, "decisions/notifications.html", context)


@router.post("/decisions/notifications/read", response_class=HTMLResponse)
@writes_own_state
def mark_read(service: SignedIn) -> Response:
    service.mark_read()
    return RedirectResponse("/decisions/notifications", status_code=303)


# a new proposal -------------------------------------------------------------------------------
NEW_FORM = {
    "subject_kind": "free_text",
    "subject_ref": "",
    "title": "",
    "text": "",
    "marking": "",
    "procedure": "silence",
    "deadline": "",
    "release_to": "",
    "depends_on": "",
    "package": "",
}


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
def new_proposal(request: Request, service: Managing) -> HTMLResponse:
    form = NEW_FORM | {"marking": "NU", "deadline": _default_deadline(clock.utcnow())}
    return _new_form(request, service, form)


@router.post("/decisions", response_class=HTMLResponse)
def create(request: Request, service: Managing, posted: PostedForm) -> Response:
    form = posted.fields(**NEW_FORM)
    try:
        view = service.open(_proposal(form))
    except (ValidationError, LiaisonError) as exc:
        return _new_form(request, service, form, refusal(service.session, exc, NEW_FORM))
    return RedirectResponse(f"/decisions/{view.proposal.id}", status_code=303)


def _proposal(form: dict[str, str]) -> ProposalCreate:
    """The new-proposal form's text as the API's input (an empty field is no value)."""
    return ProposalCreate(
        subject_kind=form["subject_kind"],
        subject_ref=form["subject_ref"] or None,
        title=form["title"] or None,
        text=form["text"],
        marking=form["marking"],
        procedure=form["procedure"],
        deadline=_utc(form["deadline"]) if form["deadline"] else None,
        release_to=[c.strip() for c in form["release_to"].split(",") if c.strip()],
        depends_on=form["depends_on"] or None,
        package=form["package"] or None,
    )


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
        "can_manage": _can_manage(service),
        "default_deadline": _default_deadline(now),
        "now": now,
        "remaining": remaining,
        "marking": view.banner,
        "names": service.name_of,
    }


def _detail_page(
    request: Request,
    service: DecisionService,
    proposal_id: int,
    refused: Refusal | None = None,
    form: dict[str, str] | None = None,
    which: str = "position",
) -> HTMLResponse:
    """The proposal page; after a refused post, that form's errors beside its fields."""
    context = _detail_context(service, proposal_id)
    blank = {"stance": "", "statement": "", "text": "", "deadline": context["default_deadline"]}
    context |= {"errors": {which: refused.errors} if refused else {}, "form": blank | (form or {})}
    status_code = refused.status_code if refused else 200
    return render_marked(request, "decisions/detail.html", context, status_code)


@router.get("/decisions/{proposal_id}", response_class=HTMLResponse)
def proposal_page(proposal_id: str, request: Request, service: Decisions) -> HTMLResponse:
    return _detail_page(request, service, _proposal_id(service, proposal_id))


@router.get("/decisions/{proposal_id}/status", response_class=HTMLResponse)
def status_fragment(proposal_id: str, request: Request, service: Decisions) -> HTMLResponse:
    view: ProposalView = service.get(_proposal_id(service, proposal_id))
    context = {"view": view, "now": clock.utcnow(), "remaining": remaining}
    return render_marked(request, "decisions/_status.html", context)


@router.post("/decisions/{proposal_id}/positions", response_class=HTMLResponse)
def record_position(
    proposal_id: str, request: Request, service: Recording, posted: PostedForm
) -> Response:
    key = _proposal_id(service, proposal_id)
    form = posted.fields(stance="", statement="")
    try:
        service.record_position(key, PositionCreate(**form))
    except ProposalNotFound:
        raise
    except (ValidationError, LiaisonError) as exc:
        refused = refusal(service.session, exc, form)
        if isinstance(exc, ValidationError) and "stance" in refused.errors:
            refused.errors["stance"] = "choose a position"
        return _detail_page(request, service, key, refused, form)
    return RedirectResponse(f"/decisions/{key}", status_code=303)


@router.post("/decisions/{proposal_id}/revise", response_class=HTMLResponse)
def revise(proposal_id: str, request: Request, service: Managing, posted: PostedForm) -> Response:
    key = _proposal_id(service, proposal_id)
    form = posted.fields(text="", deadline="")
    try:
        deadline = _utc(form["deadline"]) if form["deadline"] else None
        view = service.revise(key, Revision(text=form["text"], deadline=deadline))
    except ProposalNotFound:
        raise
    except (ValidationError, LiaisonError) as exc:
        refused = refusal(service.session, exc, form)
        return _detail_page(request, service, key, refused, form, "revision")
    return RedirectResponse(f"/decisions/{view.proposal.id}", status_code=303)


@router.post("/decisions/{proposal_id}/withdraw", response_class=HTMLResponse)
def withdraw(
    proposal_id: str, service: Managing, reason: Annotated[str, Form(max_length=1000)] = ""
) -> Response:
    key = _proposal_id(service, proposal_id)
    service.withdraw(key, Withdrawal(reason=reason or "withdrawn"))
    return RedirectResponse(f"/decisions/{key}", status_code=303)
