# SPDX-License-Identifier: Apache-2.0
"""Catalogue pages: the catalogue (filters, facets, search), its calendar, an item, a session
(with the nomination form for a partner mission), "what serves my goals", nominations, and the
planner (runs, a plan with seats by area against demand and its explanations).

Invariants: every page reads through the feature's services as the request's principal (the
policy in the SQL, reads audited); a hidden or missing id is the same 404 page; a page showing
marked rows carries the banner of the most restrictive of them, top and bottom; forms post with
the session's CSRF token; a refused input re-renders with its message; success is a 303.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from liaison.catalogue import deps
from liaison.catalogue.errors import NominationNotFound, PlanNotFound, SessionNotFound
from liaison.catalogue.nominations import NominationService
from liaison.catalogue.planning.service import PlanService
from liaison.catalogue.profiles import ProfileService
from liaison.catalogue.rules import DeliveryMode, ItemKind, NominationState, can_move
from liaison.catalogue.schemas import NominationCreate, OfferAnswer
from liaison.catalogue.service import CatalogueService
from liaison.errors import LiaisonError
from liaison.kit import clock
from liaison.kit.pagination import PageRequest
from liaison.security.markings import Marking
from liaison.security.permissions import Permission
from liaison.security.principal import Side
from liaison.security.readers import ReaderMarkings
from liaison.web.deps import ListPage, SortedPage, path_id
from liaison.web.forms import PostedForm, Refusal, refusal
from liaison.web.listing import Listing
from liaison.web.templating import render_marked

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=200)]
Year = Annotated[int | None, Query(ge=2000, le=2100)]
FormText = Annotated[str, Form(max_length=300)]
DECISIONS = (  # what staff decide on a session's page, in this order
    NominationState.ACCEPTED,
    NominationState.DECLINED,
    NominationState.ATTENDED,
    NominationState.NO_SHOW,
    NominationState.WITHDRAWN,
)


def _page(
    request: Request,
    template: str,
    context: dict[str, Any],
    marks: ReaderMarkings,
    shown: Iterable[Marking],
    status_code: int = 200,
) -> HTMLResponse:
    """``template`` under the banner of the most restrictive marking it shows."""
    context["marking"] = marks.page_banner(shown)
    return render_marked(request, template, context, status_code)


def _date(text: str | None, field: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise LiaisonError(f"not a date: {text!r} (write YYYY-MM-DD)", field=field) from None


@router.get("/catalogue", response_class=HTMLResponse)
def catalogue(
    request: Request,
    service: deps.Catalogue,
    page: SortedPage,
    q: Text = None,
    area: Text = None,
    kind: Text = None,
    mode: Text = None,
    language: Text = None,
    start_from: Text = None,
    start_to: Text = None,
) -> HTMLResponse:
    """Sort by code, title, area or kind ('-' before one: descending)."""
    filters = service.filters(
        area=area,
        kind=kind,
        query=q,
        mode=mode,
        language=language,
        start_from=_date(start_from, "start_from"),
        start_to=_date(start_to, "start_to"),
    )
    views, total = service.find(filters, page)
    typed = {"q": q, "area": filters.area, "kind": kind, "mode": mode, "language": language}
    typed |= {"start_from": start_from, "start_to": start_to}
    context: dict[str, Any] = {
        "listing": Listing(views, total, page),
        "facets": service.facets(filters),
        "areas": service.area_names(),
        "kinds": list(ItemKind),
        "modes": list(DeliveryMode),
        "form": {name: value or "" for name, value in typed.items()},
    }
    return _page(request, "catalogue/list.html", context, service.marks, (v.marking for v in views))


@router.get("/catalogue/calendar", response_class=HTMLResponse)
def calendar(
    request: Request,
    service: deps.Catalogue,
    year: Year = None,
    month: Annotated[int | None, Query(ge=1, le=12)] = None,
    area: Text = None,
) -> HTMLResponse:
    today = clock.today()
    start = dt.date(year or today.year, month or today.month, 1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    views = service.calendar(start, end, service.filters(area=area))
    days: dict[dt.date, list[Any]] = defaultdict(list)
    for v in views:
        days[v.session.start_on].append(v)
    context = {
        "days": sorted(days.items()),
        "start": start,
        "previous": (start - dt.timedelta(days=1)).replace(day=1),
        "following": end + dt.timedelta(days=1),
        "area": area or "",
        "areas": service.area_names(),
    }
    shown = (v.marking for v in views)
    return _page(request, "catalogue/calendar.html", context, service.marks, shown)


@router.get("/catalogue/for-me", response_class=HTMLResponse)
def for_me(
    request: Request, service: deps.Catalogue, profiles: deps.Profiles, year: Year = None
) -> HTMLResponse:
    """What serves my goals: the sessions of the year a partner may attend, ranked by the
    value of a first seat to its profile's priorities."""
    period = year or clock.today().year + 1
    principal = service.principal
    ranked: list[tuple[int, Any, str]] = []
    note = ""
    if principal.side is Side.PARTNER and principal.nation:
        try:
            profile = profiles.get(principal.nation, period)
        except LiaisonError:
            profile = None
            note = f"No profile for {period} yet: ask your desk officer to set your priorities."
        if profile is not None:
            weights = {p.area: (p.weight, p.goal) for p in profile.priorities}
            start, end = dt.date(period, 1, 1), dt.date(period, 12, 31)
            for v in service.calendar(start, end):
                weight, goal = weights.get(v.item.area_code, (0, ""))
                if weight and v.session.language in profile.languages:
                    ranked.append((weight * 100, v, goal))
            ranked.sort(key=lambda r: (-r[0], r[1].session.start_on, r[1].session.id))
    else:
        note = "This page ranks sessions for a partner mission's own priorities."
    context = {
        "ranked": ranked[:100],
        "period": period,
        "note": note,
    }
    shown = (v.marking for _, v, _ in ranked[:100])
    return _page(request, "catalogue/for_me.html", context, service.marks, shown)


@router.get("/catalogue/items/{ref}", response_class=HTMLResponse)
def item_page(ref: str, request: Request, service: deps.Catalogue) -> HTMLResponse:
    view, sessions = service.item(ref[:40])
    context = {
        "view": view,
        "sessions": sessions,
    }
    shown = [view.marking, *(s.marking for s in sessions)]
    return _page(request, "catalogue/item.html", context, service.marks, shown)


def _session_page(
    request: Request,
    catalogue: CatalogueService,
    nominations: NominationService,
    session_id: int,
    refused: Refusal | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    view = catalogue.session_view(session_id)
    noms, _ = nominations.find(PageRequest(limit=200), session_id=session_id)
    principal = catalogue.principal
    context = {
        "view": view,
        "nominations": noms,
        "moves": {  # the decisions that apply to each nomination now (rules.can_move)
            n.nomination.id: [t for t in DECISIONS if can_move(n.nomination.state, t)] for n in noms
        },
        "errors": refused.errors if refused else {},
        "form": form or {},
        "partner_names": catalogue.partner_names(),
        "can_nominate": principal.can(Permission.CATALOGUE_NOMINATION_WRITE),
        "can_decide": principal.can(Permission.CATALOGUE_NOMINATION_DECIDE),
    }
    status_code = refused.status_code if refused else 200
    shown = [view.marking, *(n.marking for n in noms)]
    return _page(request, "catalogue/session.html", context, catalogue.marks, shown, status_code)


@router.get("/catalogue/sessions/{raw_id}", response_class=HTMLResponse)
def session_page(
    raw_id: str, request: Request, catalogue: deps.Catalogue, nominations: deps.Nominations
) -> HTMLResponse:
    return _session_page(request, catalogue, nominations, path_id(raw_id, SessionNotFound))


@router.post("/catalogue/sessions/{raw_id}/nominate", response_model=None)
def nominate(
    raw_id: str,
    request: Request,
    nominations: deps.Nominating,
    catalogue: deps.Catalogue,
    posted: PostedForm,
) -> Response:
    session_id = path_id(raw_id, SessionNotFound)
    form = posted.fields(person_name="", person_role="", nationality="", partner="")
    try:
        data = NominationCreate(
            session_id=session_id, **form | {"partner": form["partner"] or None}
        )
        nominations.nominate(data)
    except SessionNotFound:
        raise  # hidden is absent
    except (ValidationError, LiaisonError) as exc:
        refused = refusal(nominations.session, exc, form.keys())
        return _session_page(request, catalogue, nominations, session_id, refused, form)
    return RedirectResponse(f"/catalogue/sessions/{session_id}", status_code=303)


@router.get("/nominations", response_class=HTMLResponse)
def nominations(
    request: Request,
    service: deps.Nominations,
    page: ListPage,
    state: Annotated[NominationState | None, Query()] = None,
) -> HTMLResponse:
    views, total = service.find(page, state=state)
    context = {
        "listing": Listing(views, total, page),
        "states": list(NominationState),
        "state": state.value if state else "",
        "can_decide": service.principal.can(Permission.CATALOGUE_NOMINATION_DECIDE),
        "can_answer": service.principal.can(Permission.CATALOGUE_NOMINATION_WRITE),
    }
    shown = (v.marking for v in views)
    return _page(request, "catalogue/nominations.html", context, service.marks, shown)


@router.post("/nominations/{raw_id}/state", response_model=None)
def move_nomination(
    raw_id: str,
    service: deps.Nominating,
    state: Annotated[NominationState, Form()],
    back: Annotated[str, Form(max_length=200)] = "/nominations",
) -> Response:
    service.move(path_id(raw_id, NominationNotFound), state)
    target = back if back.startswith("/") and not back.startswith("//") else "/nominations"
    return RedirectResponse(target, status_code=303)


@router.post("/nominations/{raw_id}/answer", response_model=None)
def answer_offer(
    raw_id: str,
    service: deps.Nominating,
    accept: Annotated[str, Form(max_length=10)],
    person_name: FormText = "",
    person_role: FormText = "",
    nationality: FormText = "",
) -> Response:
    data = OfferAnswer(
        accept=accept == "yes",
        person_name=person_name,
        person_role=person_role,
        nationality=nationality,
    )
    service.answer(path_id(raw_id, NominationNotFound), data)
    return RedirectResponse("/nominations", status_code=303)


# the planner ------------------------------------------------------------------------------------
@router.get("/plans", response_class=HTMLResponse)
def plans(request: Request, service: deps.Plans) -> HTMLResponse:
    views = service.find()
    context = {
        "plans": views,
        "can_run": service.principal.can(Permission.PLANNING_PLAN_RUN),
        "next_year": clock.today().year + 1,
    }
    shown = (v.marking for v in views)
    return _page(request, "catalogue/plans.html", context, service.marks, shown)


@router.post("/plans", response_model=None)
def run_plan_form(
    service: deps.PlanRunning,
    period: Annotated[int, Form(ge=2000, le=2100)],
    time_limit: Annotated[float, Form(gt=0, le=600)] = 10.0,
) -> Response:
    view = service.create(period, time_limit)
    return RedirectResponse(f"/plans/{view.plan.id}", status_code=303)


@router.get("/plans/{raw_id}", response_class=HTMLResponse)
def plan_page(
    raw_id: str,
    request: Request,
    service: deps.Plans,
    profiles: deps.Profiles,
    partner: Text = None,
) -> HTMLResponse:
    return _plan_page(request, service, profiles, path_id(raw_id, PlanNotFound), partner)


def _plan_page(
    request: Request,
    service: PlanService,
    profiles: ProfileService,
    plan_id: int,
    partner: str | None = None,
    refused: Refusal | None = None,
) -> HTMLResponse:
    view = service.get(plan_id)
    rows = service.allocations(plan_id)
    explanations = service.explanations(plan_id, partner)
    seats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for a, _, i in rows:
        seats[a.partner_iso3][i.area_code] += a.seats
    demand: dict[str, dict[str, int]] = {}
    for prof in profiles.all(view.plan.period):
        demand[prof.partner] = {p.area: p.demand for p in prof.priorities if p.weight > 0}
    chart = [
        (p, [(a, seats[p].get(a, 0), n) for a, n in sorted(demand[p].items())])
        for p in sorted(demand)
        if not partner or p == service.partner_code(partner)
    ]
    running = view.run is not None and view.run.state.value in {"queued", "running"}
    context = {
        "view": view,
        "rows": rows,
        "explanations": explanations,
        "chart": chart,
        "areas": service.area_names(),
        "partner": partner or "",
        "running": running,
        "can_approve": service.principal.can(Permission.PLANNING_PLAN_APPROVE),
        "errors": refused.errors if refused else {},
        "form": {},
    }
    status_code = refused.status_code if refused else 200
    shown = [view.marking]
    return _page(request, "catalogue/plan.html", context, service.marks, shown, status_code)


def _plan_action(
    request: Request,
    service: PlanService,
    profiles: ProfileService,
    raw_id: str,
    act: Callable[[PlanService, int], object],
) -> Response:
    """Run ``act`` on the plan, then back to its page; a refusal (a hidden plan aside, which is
    the missing one's 404) is shown on the page with what was written rolled back."""
    plan_id = path_id(raw_id, PlanNotFound)
    try:
        act(service, plan_id)
    except PlanNotFound:
        raise
    except LiaisonError as exc:
        refused = refusal(service.session, exc, ())
        return _plan_page(request, service, profiles, plan_id, None, refused)
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


@router.post("/plans/{raw_id}/approve", response_model=None)
def approve_form(
    raw_id: str, request: Request, service: deps.PlanApproving, profiles: deps.Profiles
) -> Response:
    """Opens the decision proposal on the plan (silence procedure, five days)."""
    return _plan_action(request, service, profiles, raw_id, PlanService.propose_approval)


@router.post("/plans/{raw_id}/publish", response_model=None)
def publish_form(
    raw_id: str, request: Request, service: deps.PlanApproving, profiles: deps.Profiles
) -> Response:
    """Publishes an approved plan: its seats become offers on the nominations."""
    return _plan_action(request, service, profiles, raw_id, PlanService.publish)
