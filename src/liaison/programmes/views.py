# SPDX-License-Identifier: Apache-2.0
"""Programme pages: the dashboard and list (``/programmes``, the liaison officer's landing
view), one programme, its road map, the delegation's document, the AP4 comparison, a section
with its versions, redline and comments, and the forms that change them.

Invariants:
- every page reads through ``ProgrammeService`` as the request's principal: what a page lists,
  counts, draws or quotes is what the policy lets that principal read, and the reads are
  audited; a hidden or missing programme is the same 404 page;
- each page carries, top and bottom, the banner of the highest marking it shows; every
  paragraph and row shows its portion mark;
- HTMX asks for fragments (the redline, the comment thread); forms post with the session's
  CSRF token (``web.deps``). A refused change rolls back and re-renders the page with each
  message beside its field and the values sent (``web.forms``), with its status (409, 422,
  403); success is a 303. Partners are named as people write them ("Japan", "JPN").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from liaison.errors import InvalidInput, LiaisonError, NotFound
from liaison.kit import clock
from liaison.kit.dates import parse_iso_date
from liaison.kit.pagination import PageRequest
from liaison.programmes import api, export, feeds, redline
from liaison.programmes.models import PartnershipGoal, ProgrammeSection
from liaison.programmes.rules import (
    EDITABLE,
    ENDED,
    TRANSITIONS,
    ActivityKind,
    ActivityStatus,
    GoalStatus,
    ProgrammeKind,
    ProgrammeStatus,
)
from liaison.programmes.schemas import (
    ActivityCreate,
    ActivityUpdate,
    CommentCreate,
    GoalCreate,
    GoalUpdate,
    ObjectiveCreate,
    ProgrammeCreate,
    SectionCreate,
    SectionUpdate,
)
from liaison.programmes.service import ProgrammeService, Shown
from liaison.security.permissions import Permission
from liaison.security.principal import Principal
from liaison.security.writes import ALLIANCE, can_write_side
from liaison.web.deps import (
    AppSettings,
    CurrentPrincipal,
    DbSession,
    Limit,
    Offset,
    page_request,
    require,
)
from liaison.web.forms import Refusal, refusal
from liaison.web.listing import Listing
from liaison.web.templating import is_htmx, render_marked

router = APIRouter(include_in_schema=False)

Writer = Annotated[Principal, Depends(require(Permission.PROGRAMMES_PROGRAMME_WRITE))]
Commenter = Annotated[Principal, Depends(require(Permission.PROGRAMMES_COMMENT_WRITE))]
Text = Annotated[str | None, Query(max_length=200)]
FormText = Annotated[str, Form(max_length=100_000)]


def _choice(raw: str | None, kind: type[Any], field: str) -> Any:  # noqa: ANN401 - an enum
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise InvalidInput(f"unknown {field} {raw!r}; use one of {allowed}", field=field) from None


def _ident(raw: str) -> int:
    if not raw.isdecimal() or len(raw) > 9:  # noqa: PLR2004 - the id column's digits
        raise NotFound(f"no section {raw} in this programme")
    return int(raw)


# dashboard and list -----------------------------------------------------------------------------
@router.get("/programmes", response_class=HTMLResponse)
def programmes(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    horizon: Annotated[int, Query(ge=1, le=3660)] = 90,
    partner: Text = None,
    kind: Text = None,
    status: Text = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Text = None,
) -> HTMLResponse:
    service = ProgrammeService(session, principal)
    wanted = {"partner": partner or "", "kind": kind or "", "status": status or ""}
    page = page_request(settings, limit, offset, sort)
    context = _index_context(service, page, horizon, wanted)
    return render_marked(request, "programmes/index.html", context)


def _index_context(
    service: ProgrammeService, page: PageRequest, horizon: int, wanted: dict[str, str]
) -> dict[str, Any]:
    dashboard = service.dashboard(horizon, PageRequest(limit=50))
    filters = service.filters(
        partner=wanted["partner"] or None,
        kind=_choice(wanted["kind"], ProgrammeKind, "kind"),
        status=_choice(wanted["status"], ProgrammeStatus, "status"),
    )
    views, total = service.find(filters, page)
    banner = service.banner(service.highest([dashboard.marking, *(v.marking for v in views)]))
    return {
        "dashboard": dashboard,
        "listing": Listing(views, total, page),
        "form": wanted | {"horizon": horizon},
        "kinds": list(ProgrammeKind),
        "statuses": list(ProgrammeStatus),
        "areas": service.area_names(),
        "partner_names": service.registry.partner_names(),
        "can_write": can_write_side(
            service.principal, ALLIANCE, Permission.PROGRAMMES_PROGRAMME_WRITE
        ),
        "errors": {},
        "new": {},
        "marking": banner,
    }


def _index_refused(
    request: Request,
    session: Session,
    principal: Principal,
    settings: AppSettings,
    exc: LiaisonError | ValidationError,
    which: str,
    form: dict[str, str],
) -> HTMLResponse:
    """The programmes page again, with ``which`` creation form's errors beside its fields."""
    refused = refusal(session, exc, form.keys())
    service = ProgrammeService(session, principal)
    page = page_request(settings, None, 0, None)
    context = _index_context(service, page, 90, {"partner": "", "kind": "", "status": ""})
    context["errors"], context["new"] = {which: refused.errors}, {which: form}
    return render_marked(request, "programmes/index.html", context, refused.status_code)


@router.get("/programmes/compare", response_class=HTMLResponse)
def compare(request: Request, session: DbSession, principal: CurrentPrincipal) -> HTMLResponse:
    c = ProgrammeService(session, principal).compare()
    return render_marked(request, "programmes/compare.html", {"c": c, "marking": c.banner})


@router.post("/programmes/from-ipcp", response_class=HTMLResponse)
def from_ipcp(
    request: Request,
    session: DbSession,
    principal: Writer,
    settings: AppSettings,
    partner: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    try:
        view = ProgrammeService(session, principal).from_ipcp(partner)
    except LiaisonError as exc:
        form = {"partner": partner}
        return _index_refused(request, session, principal, settings, exc, "ipcp", form)
    return RedirectResponse(f"/programmes/{view.programme.reference}", status_code=303)


@router.get("/calendar/{secret}.ics", name="calendar_feed")
def calendar_feed(secret: str, session: DbSession, principal: CurrentPrincipal) -> Response:
    """A user's calendar feed by its secret (``feeds``); the caller's own login is not used."""
    del principal  # resolved for the route census; the feed speaks for the secret's owner
    owner = feeds.principal_for_secret(session, secret)
    if owner is None:
        raise NotFound("no calendar feed at this address")
    return api.calendar_response(session, owner)


# one programme ----------------------------------------------------------------------------------
def _detail(
    request: Request,
    service: ProgrammeService,
    ref: str,
    refused: Refusal | None = None,
    which: str = "",
    form: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The programme page; after a refused post, ``which`` form shows its errors beside its
    fields and the values that were sent."""
    d = service.dossier(ref)
    p = d.view.programme
    context = {
        "d": d,
        "today": clock.today(),
        "next_states": sorted(TRANSITIONS[p.status], key=list(ProgrammeStatus).index),
        "can_write": can_write_side(
            service.principal, ALLIANCE, Permission.PROGRAMMES_PROGRAMME_WRITE
        ),
        "can_approve": can_write_side(
            service.principal, ALLIANCE, Permission.PROGRAMMES_PROGRAMME_APPROVE
        ),
        "editable": p.status in EDITABLE,
        "area_choices": sorted(d.areas.items(), key=lambda kv: kv[1]),
        "activity_kinds": list(ActivityKind),
        "goal_statuses": list(GoalStatus),
        "activity_statuses": list(ActivityStatus),
        "live": p.status not in ENDED,
        "successors": [s.reference for s in service.repo.successors(p.id)],
        "can_renew": service.renewal_problem(p) is None,
        "errors": {which: refused.errors} if refused else {},
        "form": {which: form or {}},
        "marking": d.banner,
    }
    status_code = refused.status_code if refused else 200
    return render_marked(request, "programmes/detail.html", context, status_code)


@router.get("/programmes/{ref}", response_class=HTMLResponse)
def programme_page(
    ref: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> HTMLResponse:
    return _detail(request, ProgrammeService(session, principal), ref)


@router.get("/programmes/{ref}/roadmap", response_class=HTMLResponse)
def roadmap_page(
    ref: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> HTMLResponse:
    d = ProgrammeService(session, principal).dossier(ref)
    context = {
        "d": d,
        "svg": export.roadmap_svg(d, clock.today()),
        "lanes": export.roadmap_lanes(d),
        "marking": d.banner,
    }
    return render_marked(request, "programmes/roadmap.html", context)


@router.get("/programmes/{ref}/document", response_class=HTMLResponse)
def document_page(
    ref: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> HTMLResponse:
    d = ProgrammeService(session, principal).dossier(ref)
    context = {
        "d": d,
        "facts": export.facts(d),
        "paragraphs": export.paragraphs,
        "marking": d.banner,
    }
    return render_marked(request, "programmes/document.html", context)


def _refused(
    request: Request,
    session: Session,
    principal: Principal,
    ref: str,
    exc: LiaisonError | ValidationError,
    which: str,
    form: Mapping[str, str],
) -> HTMLResponse:
    """The programme page again, ``which`` form refused (a hidden programme stays a 404)."""
    if isinstance(exc, NotFound) and exc.field not in form:  # the programme itself
        session.rollback()
        raise exc
    refused = refusal(session, exc, form.keys())
    return _detail(request, ProgrammeService(session, principal), ref, refused, which, form)


@router.post("/programmes/{ref}/transition", response_class=HTMLResponse)
def transition(
    ref: str,
    request: Request,
    session: DbSession,
    principal: Writer,
    to: Annotated[str, Form(max_length=20)] = "",
    on: Annotated[str, Form(max_length=10)] = "",
    reference: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    service = ProgrammeService(session, principal)
    form = {"to": to, "on": on, "reference": reference}
    try:
        target = _choice(to, ProgrammeStatus, "to")
        if target is None:
            raise InvalidInput("choose the new status", field="to")
        day = _date(on, "on")
        view = service.transition(ref, target, day, reference or None)
    except LiaisonError as exc:
        return _refused(request, session, principal, ref, exc, "transition", form)
    return RedirectResponse(f"/programmes/{view.programme.reference}", status_code=303)


def _date(raw: str, field: str) -> dt.date | None:
    if not raw.strip():
        return None
    try:
        return parse_iso_date(raw)
    except ValueError as exc:
        raise InvalidInput(str(exc), field=field) from None


@router.post("/programmes/{ref}/renew", response_class=HTMLResponse)
def renew(ref: str, request: Request, session: DbSession, principal: Writer) -> Response:
    try:
        view = ProgrammeService(session, principal).renew(ref)
    except LiaisonError as exc:
        return _refused(request, session, principal, ref, exc, "renew", {})
    return RedirectResponse(f"/programmes/{view.programme.reference}", status_code=303)


# a section: wording, versions, redline, comments -------------------------------------------------
def _section_context(service: ProgrammeService, ref: str, ident: int) -> dict[str, Any]:
    view, section = service.element(ref, ProgrammeSection, ident)
    versions = service.revisions(ref, "section", ident)
    comments = service.comments(ref, ident)
    marking = service.highest(
        [
            view.marking,
            section.marking,
            *(v.marking for v in versions),
            *(c.marking for c in comments),
        ]
    )
    return {
        "view": view,
        "section": section,
        "versions": versions,
        "threads": _threads(comments),
        "can_write": can_write_side(
            service.principal, ALLIANCE, Permission.PROGRAMMES_PROGRAMME_WRITE
        ),
        "can_comment": service.principal.can(Permission.PROGRAMMES_COMMENT_WRITE),
        "editable": view.programme.status.value in {"draft", "negotiating"},
        "paragraphs": export.paragraphs,
        "marking": service.banner(marking),
    }


def _threads(comments: list[Shown[Any]]) -> list[tuple[Shown[Any], int]]:
    """Comments in thread order with their depth (a reply to a hidden comment starts a
    thread of its own, so nothing hints at it)."""
    children: dict[int | None, list[Shown[Any]]] = {}
    ids = {c.row.id for c in comments}
    for c in comments:
        parent = c.row.parent_id if c.row.parent_id in ids else None
        children.setdefault(parent, []).append(c)
    out: list[tuple[Shown[Any], int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for c in children.get(parent, []):
            out.append((c, min(depth, 4)))
            walk(c.row.id, depth + 1)

    walk(None, 0)
    return out


@router.get("/programmes/{ref}/sections/{ident}", response_class=HTMLResponse)
def section_page(
    ref: str, ident: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> HTMLResponse:
    service = ProgrammeService(session, principal)
    context = _section_context(service, ref, _ident(ident))
    versions = context["versions"]
    if len(versions) > 1:
        context["redline"] = service.redline(ref, "section", _ident(ident))
        context["redline_html"] = redline.to_html(context["redline"].body)
    return render_marked(request, "programmes/section.html", context)


@router.get("/programmes/{ref}/sections/{ident}/redline", response_class=HTMLResponse)
def redline_fragment(
    ref: str,
    ident: str,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    from_version: Annotated[int | None, Query(alias="from", ge=1)] = None,
    to_version: Annotated[int | None, Query(alias="to", ge=1)] = None,
) -> HTMLResponse:
    service = ProgrammeService(session, principal)
    key = _ident(ident)
    context = _section_context(service, ref, key)
    context["redline"] = service.redline(ref, "section", key, from_version, to_version)
    context["redline_html"] = redline.to_html(context["redline"].body)
    return render_marked(
        request, "programmes/section.html", context, fragment="programmes/_redline.html"
    )


@router.get("/programmes/{ref}/sections/{ident}/edit", response_class=HTMLResponse)
def edit_section(
    ref: str, ident: str, request: Request, session: DbSession, principal: Writer
) -> HTMLResponse:
    service = ProgrammeService(session, principal)
    context = _section_context(service, ref, _ident(ident))
    section = context["section"].row
    context["form"] = {"heading": section.heading, "body": section.body, "note": ""}
    context["errors"] = {}
    return render_marked(request, "programmes/edit_section.html", context)


@router.post("/programmes/{ref}/sections/{ident}/edit", response_class=HTMLResponse)
def save_section(
    ref: str,
    ident: str,
    request: Request,
    session: DbSession,
    principal: Writer,
    heading: FormText = "",
    body: FormText = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    key = _ident(ident)
    service = ProgrammeService(session, principal)
    form = {"heading": heading, "body": body, "note": note}
    try:
        service.update_section(ref, key, SectionUpdate(heading=heading, body=body, note=note))
    except NotFound:
        raise
    except (ValidationError, LiaisonError) as exc:
        refused = refusal(session, exc, form.keys())
        context = _section_context(service, ref, key)
        context["form"], context["errors"] = form, refused.errors
        return render_marked(request, "programmes/edit_section.html", context, refused.status_code)
    return RedirectResponse(f"/programmes/{ref}/sections/{key}", status_code=303)


@router.post("/programmes/{ref}/sections/{ident}/comments", response_class=HTMLResponse)
def add_comment(
    ref: str,
    ident: str,
    request: Request,
    session: DbSession,
    principal: Commenter,
    body: FormText = "",
    parent_id: Annotated[str, Form(max_length=12)] = "",
    marking: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    key = _ident(ident)
    service = ProgrammeService(session, principal)
    form = {"body": body, "parent_id": parent_id, "marking": marking}
    refused: Refusal | None = None
    try:
        data = CommentCreate(
            body=body,
            parent_id=int(parent_id) if parent_id.isdecimal() else None,
            marking=marking or None,
        )
        service.add_comment(ref, key, data)
    except NotFound:
        raise
    except (ValidationError, LiaisonError) as exc:
        refused = refusal(session, exc, form.keys())
    if refused is None and not is_htmx(request):
        return RedirectResponse(f"/programmes/{ref}/sections/{key}#comments", status_code=303)
    context = _section_context(service, ref, key)
    context["comment_errors"] = refused.errors if refused else {}
    context["comment_form"] = form if refused else {}
    return render_marked(
        request,
        "programmes/section.html",
        context,
        refused.status_code if refused else 200,
        fragment="programmes/_comments.html",
    )


# structure: new programmes and their elements -----------------------------------------------------
@router.post("/programmes/new", response_class=HTMLResponse)
def new_programme(
    request: Request,
    session: DbSession,
    principal: Writer,
    settings: AppSettings,
    partner: Annotated[str, Form(max_length=120)] = "",
    kind: Annotated[str, Form(max_length=10)] = "ITPP",
    period_start: Annotated[str, Form(max_length=10)] = "",
    marking: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    form = {"partner": partner, "kind": kind, "period_start": period_start, "marking": marking}
    try:
        data = ProgrammeCreate(
            partner=partner,
            kind=_choice(kind, ProgrammeKind, "kind") or ProgrammeKind.ITPP,
            period_start=_date(period_start, "period_start") or clock.today(),
            marking=marking or None,
        )
        view = ProgrammeService(session, principal).create(data)
    except (ValidationError, LiaisonError) as exc:
        return _index_refused(request, session, principal, settings, exc, "programme", form)
    return RedirectResponse(f"/programmes/{view.programme.reference}", status_code=303)


ELEMENT_FORMS: dict[str, type[Any]] = {
    "objectives": ObjectiveCreate,
    "goals": GoalCreate,
    "activities": ActivityCreate,
    "sections": SectionCreate,
}


@router.post("/programmes/{ref}/{kind}/new", response_class=HTMLResponse)
async def add_element(
    ref: str, kind: str, request: Request, session: DbSession, principal: Writer
) -> Response:
    """One form per element kind on the programme page; empty fields take their defaults."""
    model = ELEMENT_FORMS.get(kind)
    if model is None:
        raise NotFound(f"no {kind} in a programme")
    form = await request.form()
    fields = {
        k: v for k, v in form.items() if isinstance(v, str) and v.strip() and k != "csrf_token"
    }
    service = ProgrammeService(session, principal)
    adders: dict[str, Callable[[str, Any], object]] = {
        "objectives": service.add_objective,
        "goals": service.add_goal,
        "activities": service.add_activity,
        "sections": service.add_section,
    }
    try:
        adders[kind](ref, model(**fields))
    except (ValidationError, LiaisonError) as exc:
        sent = {name: str(form.get(name) or "") for name in model.model_fields}
        return _refused(request, session, principal, ref, exc, kind, sent)
    return RedirectResponse(f"/programmes/{ref}#{kind}", status_code=303)


@router.post("/programmes/{ref}/{kind}/{ident}/status", response_class=HTMLResponse)
def record_progress(
    ref: str,
    kind: str,
    ident: str,
    request: Request,
    session: DbSession,
    principal: Writer,
    status: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Progress from the programme page: a goal's or an activity's status."""
    key = _ident(ident)
    if kind not in {"goals", "activities"}:
        raise NotFound(f"no {kind} in a programme")
    service = ProgrammeService(session, principal)
    try:
        if kind == "goals":
            service.update_goal(ref, key, GoalUpdate(status=_choice(status, GoalStatus, "status")))
        else:
            service.update_activity(
                ref, key, ActivityUpdate(status=_choice(status, ActivityStatus, "status"))
            )
    except LiaisonError as exc:
        return _refused(request, session, principal, ref, exc, "progress", {})
    return RedirectResponse(f"/programmes/{ref}#{kind}-{key}", status_code=303)


# a goal: wording, versions, redline -----------------------------------------------------------
def _goal_context(
    service: ProgrammeService,
    ref: str,
    ident: int,
    old: int | None = None,
    new: int | None = None,
) -> dict[str, Any]:
    view, goal = service.element(ref, PartnershipGoal, ident)
    versions = service.revisions(ref, "goal", ident)
    context: dict[str, Any] = {
        "view": view,
        "goal": goal,
        "versions": versions,
        "areas": service.area_names(),
        "can_write": can_write_side(
            service.principal, ALLIANCE, Permission.PROGRAMMES_PROGRAMME_WRITE
        ),
        "editable": view.programme.status in EDITABLE,
        "paragraphs": export.paragraphs,
        "marking": service.banner(
            service.highest([view.marking, goal.marking, *(v.marking for v in versions)])
        ),
    }
    if len(versions) > 1 or old or new:
        found = service.redline(ref, "goal", ident, old, new)
        context["redline"], context["redline_html"] = found, redline.to_html(found.body)
    return context


@router.get("/programmes/{ref}/goals/{ident}", response_class=HTMLResponse)
def goal_page(
    ref: str, ident: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> HTMLResponse:
    service = ProgrammeService(session, principal)
    return render_marked(
        request, "programmes/goal.html", _goal_context(service, ref, _ident(ident))
    )


@router.get("/programmes/{ref}/goals/{ident}/redline", response_class=HTMLResponse)
def goal_redline(
    ref: str,
    ident: str,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    from_version: Annotated[int | None, Query(alias="from", ge=1)] = None,
    to_version: Annotated[int | None, Query(alias="to", ge=1)] = None,
) -> HTMLResponse:
    service = ProgrammeService(session, principal)
    context = _goal_context(service, ref, _ident(ident), from_version, to_version)
    return render_marked(
        request, "programmes/goal.html", context, fragment="programmes/_redline.html"
    )


@router.post("/programmes/{ref}/goals/{ident}/edit", response_class=HTMLResponse)
def save_goal(
    ref: str,
    ident: str,
    request: Request,
    session: DbSession,
    principal: Writer,
    title: FormText = "",
    wording: FormText = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    key = _ident(ident)
    service = ProgrammeService(session, principal)
    form = {"title": title, "wording": wording, "note": note}
    try:
        service.update_goal(ref, key, GoalUpdate(title=title, wording=wording, note=note))
    except NotFound:
        raise
    except (ValidationError, LiaisonError) as exc:
        refused = refusal(session, exc, form.keys())
        context = _goal_context(service, ref, key)
        context["errors"], context["form"] = refused.errors, form
        return render_marked(request, "programmes/goal.html", context, refused.status_code)
    return RedirectResponse(f"/programmes/{ref}/goals/{key}", status_code=303)
