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

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from liaison.errors import InvalidInput, LiaisonError, NotFound
from liaison.kit import clock
from liaison.kit.dates import parse_iso_date
from liaison.kit.ids import parse_id
from liaison.kit.pagination import PageRequest
from liaison.programmes import api, export, feeds, redline, rules, schemas
from liaison.programmes.deps import Commenting, Programmes, Versions, Writing
from liaison.programmes.models import PartnershipGoal, ProgrammeSection
from liaison.programmes.service import ProgrammeService, Shown
from liaison.security.permissions import Permission
from liaison.security.writes import ALLIANCE, can_write_side
from liaison.web.deps import ListPage, SortedPage, path_id
from liaison.web.forms import Posted, PostedForm, Refusal, refusal
from liaison.web.listing import Listing
from liaison.web.templating import is_htmx, render_marked

router = APIRouter(include_in_schema=False)

Text = Annotated[str | None, Query(max_length=200)]


def _choice(raw: str | None, kind: type[Any], field: str) -> Any:  # noqa: ANN401 - an enum
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise InvalidInput(f"unknown {field} {raw!r}; use one of {allowed}", field=field) from None


def _ident(raw: str) -> int:
    return path_id(raw, lambda r: NotFound(f"no section {r} in this programme"))


def _date(raw: str, field: str) -> dt.date | None:
    if not raw.strip():
        return None
    try:
        return parse_iso_date(raw)
    except ValueError as exc:
        raise InvalidInput(str(exc), field=field) from None


def _can_write(service: ProgrammeService, right: Permission) -> bool:
    return can_write_side(service.principal, ALLIANCE, right)


def _to(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# dashboard and list -----------------------------------------------------------------------------
@router.get("/programmes", response_class=HTMLResponse)
def programmes(
    request: Request,
    service: Programmes,
    page: SortedPage,
    horizon: Annotated[int, Query(ge=1, le=3660)] = 90,
    partner: Text = None,
    kind: Text = None,
    status: Text = None,
) -> HTMLResponse:
    """Sort by reference, partner, kind, status, period_start, period_end or updated_at."""
    wanted = {"partner": partner or "", "kind": kind or "", "status": status or ""}
    context = _index_context(service, page, horizon, wanted)
    return render_marked(request, "programmes/index.html", context)


def _index_context(
    service: ProgrammeService, page: PageRequest, horizon: int, wanted: dict[str, str]
) -> dict[str, Any]:
    dashboard = service.dashboard(horizon, PageRequest(limit=50))
    filters = service.filters(
        partner=wanted["partner"] or None,
        kind=_choice(wanted["kind"], rules.ProgrammeKind, "kind"),
        status=_choice(wanted["status"], rules.ProgrammeStatus, "status"),
    )
    views, total = service.find(filters, page)
    banner = service.banner(service.highest([dashboard.marking, *(v.marking for v in views)]))
    return {
        "dashboard": dashboard,
        "listing": Listing(views, total, page),
        "form": wanted | {"horizon": horizon},
        "kinds": list(rules.ProgrammeKind),
        "statuses": list(rules.ProgrammeStatus),
        "areas": service.area_names(),
        "partner_names": service.registry.partner_names(),
        "can_write": _can_write(service, Permission.PROGRAMMES_PROGRAMME_WRITE),
        "errors": {},
        "new": {},
        "marking": banner,
    }


def _index_refused(
    request: Request,
    service: ProgrammeService,
    page: PageRequest,
    exc: LiaisonError | ValidationError,
    which: str,
    form: dict[str, str],
) -> HTMLResponse:
    """The programmes page again, with ``which`` creation form's errors beside its fields."""
    refused = refusal(service.session, exc, form.keys())
    context = _index_context(service, page, 90, {"partner": "", "kind": "", "status": ""})
    context["errors"], context["new"] = {which: refused.errors}, {which: form}
    return render_marked(request, "programmes/index.html", context, refused.status_code)


@router.get("/programmes/compare", response_class=HTMLResponse)
def compare(request: Request, service: Programmes) -> HTMLResponse:
    c = service.compare()
    return render_marked(request, "programmes/compare.html", {"c": c, "marking": c.banner})


@router.post("/programmes/from-ipcp", response_class=HTMLResponse)
def from_ipcp(request: Request, service: Writing, page: ListPage, posted: PostedForm) -> Response:
    form = posted.fields(partner="")
    try:
        view = service.from_ipcp(form["partner"])
    except LiaisonError as exc:
        return _index_refused(request, service, page, exc, "ipcp", form)
    return _to(f"/programmes/{view.programme.reference}")


@router.get("/calendar/{secret}.ics", name="calendar_feed")
def calendar_feed(secret: str, service: Programmes) -> Response:
    """A user's calendar feed by its secret (``feeds``); the caller's own login is not used."""
    owner = feeds.service_for_secret(service.session, secret)
    if owner is None:
        raise NotFound("no calendar feed at this address")
    return api.calendar_response(owner)


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
        "next_states": sorted(rules.TRANSITIONS[p.status], key=list(rules.ProgrammeStatus).index),
        "can_write": _can_write(service, Permission.PROGRAMMES_PROGRAMME_WRITE),
        "can_approve": _can_write(service, Permission.PROGRAMMES_PROGRAMME_APPROVE),
        "editable": p.status in rules.EDITABLE,
        "area_choices": sorted(d.areas.items(), key=lambda kv: kv[1]),
        "activity_kinds": list(rules.ActivityKind),
        "goal_statuses": list(rules.GoalStatus),
        "activity_statuses": list(rules.ActivityStatus),
        "live": p.status not in rules.ENDED,
        "successors": service.successors(p),
        "can_renew": service.renewal_problem(p) is None,
        "errors": {which: refused.errors} if refused else {},
        "form": {which: form or {}},
        "marking": d.banner,
    }
    status_code = refused.status_code if refused else 200
    return render_marked(request, "programmes/detail.html", context, status_code)


@router.get("/programmes/{ref}", response_class=HTMLResponse)
def programme_page(ref: str, request: Request, service: Programmes) -> HTMLResponse:
    return _detail(request, service, ref)


@router.get("/programmes/{ref}/roadmap", response_class=HTMLResponse)
def roadmap_page(ref: str, request: Request, service: Programmes) -> HTMLResponse:
    d = service.dossier(ref)
    context = {
        "d": d,
        "svg": export.roadmap_svg(d, clock.today()),
        "lanes": export.roadmap_lanes(d),
        "marking": d.banner,
    }
    return render_marked(request, "programmes/roadmap.html", context)


@router.get("/programmes/{ref}/document", response_class=HTMLResponse)
def document_page(ref: str, request: Request, service: Programmes) -> HTMLResponse:
    d = service.dossier(ref)
    context = {"d": d, "facts": export.facts(d), "paragraphs": export.paragraphs}
    return render_marked(request, "programmes/document.html", context | {"marking": d.banner})


def _refused(
    request: Request,
    service: ProgrammeService,
    ref: str,
    exc: LiaisonError | ValidationError,
    which: str,
    form: Mapping[str, str],
) -> HTMLResponse:
    """The programme page again, ``which`` form refused (a hidden programme stays a 404: the
    request's unit of work rolls back)."""
    if isinstance(exc, NotFound) and exc.field not in form:  # the programme itself
        raise exc
    refused = refusal(service.session, exc, form.keys())
    return _detail(request, service, ref, refused, which, form)


@router.post("/programmes/{ref}/transition", response_class=HTMLResponse)
def transition(ref: str, request: Request, service: Writing, posted: PostedForm) -> Response:
    form = posted.fields(to="", on="", reference="")
    try:
        target = _choice(form["to"], rules.ProgrammeStatus, "to")
        if target is None:
            raise InvalidInput("choose the new status", field="to")
        day = _date(form["on"], "on")
        data = schemas.TransitionIn(to=target, on=day, reference=form["reference"] or None)
        view = service.transition(ref, data.to, data.on, data.reference)
    except (ValidationError, LiaisonError) as exc:
        return _refused(request, service, ref, exc, "transition", form)
    return _to(f"/programmes/{view.programme.reference}")


@router.post("/programmes/{ref}/renew", response_class=HTMLResponse)
def renew(ref: str, request: Request, service: Writing) -> Response:
    try:
        view = service.renew(ref)
    except LiaisonError as exc:
        return _refused(request, service, ref, exc, "renew", {})
    return _to(f"/programmes/{view.programme.reference}")


# a section or a goal: wording, versions, redline ------------------------------------------------
def _wording_context(
    service: ProgrammeService,
    ref: str,
    subject: str,
    ident: int,
) -> dict[str, Any]:
    """What a section's and a goal's pages show: the element, its versions, and a section's
    comments, under the banner of all of them."""
    section = subject == "section"
    view, element = (
        service.element(ref, ProgrammeSection, ident)
        if section
        else service.element(ref, PartnershipGoal, ident)
    )
    versions = service.revisions(ref, subject, ident)
    notes = service.comments(ref, ident) if section else []
    marked = [view.marking, element.marking, *(v.marking for v in versions)]
    context: dict[str, Any] = {
        "view": view,
        subject: element,
        "versions": versions,
        "can_write": _can_write(service, Permission.PROGRAMMES_PROGRAMME_WRITE),
        "editable": view.programme.status in rules.EDITABLE,
        "paragraphs": export.paragraphs,
        "marking": service.banner(service.highest([*marked, *(c.marking for c in notes)])),
    }
    if section:
        context["threads"] = _threads(notes)
        context["can_comment"] = service.principal.can(Permission.PROGRAMMES_COMMENT_WRITE)
    return context


def _with_redline(
    context: dict[str, Any],
    service: ProgrammeService,
    ref: str,
    subject: str,
    ident: int,
    versions: tuple[int | None, int | None] = (None, None),
) -> dict[str, Any]:
    found = service.redline(ref, subject, ident, *versions)
    context["redline"], context["redline_html"] = found, redline.to_html(found.body)
    return context


def _section_context(service: ProgrammeService, ref: str, ident: int) -> dict[str, Any]:
    return _wording_context(service, ref, "section", ident)


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
def section_page(ref: str, ident: str, request: Request, service: Programmes) -> HTMLResponse:
    key = _ident(ident)
    context = _section_context(service, ref, key)
    if len(context["versions"]) > 1:
        _with_redline(context, service, ref, "section", key)
    return render_marked(request, "programmes/section.html", context)


@router.get("/programmes/{ref}/sections/{ident}/redline", response_class=HTMLResponse)
def redline_fragment(
    ref: str, ident: str, request: Request, service: Programmes, versions: Versions
) -> HTMLResponse:
    key = _ident(ident)
    context = _section_context(service, ref, key)
    _with_redline(context, service, ref, "section", key, versions)
    return render_marked(
        request, "programmes/section.html", context, fragment="programmes/_redline.html"
    )


@router.get("/programmes/{ref}/sections/{ident}/edit", response_class=HTMLResponse)
def edit_section(ref: str, ident: str, request: Request, service: Writing) -> HTMLResponse:
    context = _section_context(service, ref, _ident(ident))
    section = context["section"].row
    context["form"] = {"heading": section.heading, "body": section.body, "note": ""}
    context["errors"] = {}
    return render_marked(request, "programmes/edit_section.html", context)


@router.post("/programmes/{ref}/sections/{ident}/edit", response_class=HTMLResponse)
def save_section(
    ref: str, ident: str, request: Request, service: Writing, posted: PostedForm
) -> Response:
    return _save_wording(request, service, ref, "section", _ident(ident), posted)


@router.post("/programmes/{ref}/sections/{ident}/comments", response_class=HTMLResponse)
def add_comment(
    ref: str, ident: str, request: Request, service: Commenting, posted: PostedForm
) -> Response:
    key = _ident(ident)
    form = posted.fields(body="", parent_id="", marking="")
    refused: Refusal | None = None
    try:
        data = schemas.CommentCreate(
            body=form["body"],
            parent_id=parse_id(form["parent_id"]),
            marking=form["marking"] or None,
        )
        service.add_comment(ref, key, data)
    except NotFound:
        raise
    except (ValidationError, LiaisonError) as exc:
        refused = refusal(service.session, exc, form.keys())
    if refused is None and not is_htmx(request):
        return _to(f"/programmes/{ref}/sections/{key}#comments")
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
    request: Request, service: Writing, page: ListPage, posted: PostedForm
) -> Response:
    form = posted.fields(partner="", kind="ITPP", period_start="", marking="")
    try:
        data = schemas.ProgrammeCreate(
            partner=form["partner"],
            kind=_choice(form["kind"], rules.ProgrammeKind, "kind") or rules.ProgrammeKind.ITPP,
            period_start=_date(form["period_start"], "period_start") or clock.today(),
            marking=form["marking"] or None,
        )
        view = service.create(data)
    except (ValidationError, LiaisonError) as exc:
        return _index_refused(request, service, page, exc, "programme", form)
    return _to(f"/programmes/{view.programme.reference}")


ELEMENT_FORMS: dict[str, type[Any]] = {
    "objectives": schemas.ObjectiveCreate,
    "goals": schemas.GoalCreate,
    "activities": schemas.ActivityCreate,
    "sections": schemas.SectionCreate,
}


@router.post("/programmes/{ref}/{kind}/new", response_class=HTMLResponse)
def add_element(
    ref: str, kind: str, request: Request, service: Writing, posted: PostedForm
) -> Response:
    """One form per element kind on the programme page; empty fields take their defaults."""
    model = ELEMENT_FORMS.get(kind)
    if model is None:
        raise NotFound(f"no {kind} in a programme")
    fields = {
        k: posted.get(k) for k in posted.values if k != "csrf_token" and posted.get(k).strip()
    }
    adders: dict[str, Callable[[str, Any], object]] = {
        "objectives": service.add_objective,
        "goals": service.add_goal,
        "activities": service.add_activity,
        "sections": service.add_section,
    }
    try:
        adders[kind](ref, model(**fields))
    except (ValidationError, LiaisonError) as exc:
        sent = posted.fields(**dict.fromkeys(model.model_fields, ""))
        return _refused(request, service, ref, exc, kind, sent)
    return _to(f"/programmes/{ref}#{kind}")


@router.post("/programmes/{ref}/{kind}/{ident}/status", response_class=HTMLResponse)
def record_progress(
    ref: str, kind: str, ident: str, request: Request, service: Writing, posted: PostedForm
) -> Response:
    """Progress from the programme page: a goal's or an activity's status."""
    key = _ident(ident)
    if kind not in {"goals", "activities"}:
        raise NotFound(f"no {kind} in a programme")
    status = posted.get("status")
    try:
        if kind == "goals":
            service.update_goal(
                ref, key, schemas.GoalUpdate(status=_choice(status, rules.GoalStatus, "status"))
            )
        else:
            service.update_activity(
                ref,
                key,
                schemas.ActivityUpdate(status=_choice(status, rules.ActivityStatus, "status")),
            )
    except LiaisonError as exc:
        return _refused(request, service, ref, exc, "progress", {})
    return _to(f"/programmes/{ref}#{kind}-{key}")


# a goal: wording, versions, redline -----------------------------------------------------------
def _goal_context(
    service: ProgrammeService, ref: str, ident: int, versions: tuple[int | None, int | None]
) -> dict[str, Any]:
    context = _wording_context(service, ref, "goal", ident)
    context["areas"] = service.area_names()
    if len(context["versions"]) > 1 or any(versions):
        _with_redline(context, service, ref, "goal", ident, versions)
    return context


@router.get("/programmes/{ref}/goals/{ident}", response_class=HTMLResponse)
def goal_page(ref: str, ident: str, request: Request, service: Programmes) -> HTMLResponse:
    context = _goal_context(service, ref, _ident(ident), (None, None))
    return render_marked(request, "programmes/goal.html", context)


@router.get("/programmes/{ref}/goals/{ident}/redline", response_class=HTMLResponse)
def goal_redline(
    ref: str, ident: str, request: Request, service: Programmes, versions: Versions
) -> HTMLResponse:
    context = _goal_context(service, ref, _ident(ident), versions)
    return render_marked(
        request, "programmes/goal.html", context, fragment="programmes/_redline.html"
    )


@router.post("/programmes/{ref}/goals/{ident}/edit", response_class=HTMLResponse)
def save_goal(
    ref: str, ident: str, request: Request, service: Writing, posted: PostedForm
) -> Response:
    return _save_wording(request, service, ref, "goal", _ident(ident), posted)


def _save_wording(
    request: Request, service: ProgrammeService, ref: str, subject: str, key: int, posted: Posted
) -> Response:
    """A section's or a goal's new wording saved (a 303 to its page), or its form again with
    the errors beside its fields (a hidden element stays a 404)."""
    section = subject == "section"
    if section:
        form = posted.fields(heading="", body="", note="")
    else:
        form = posted.fields(title="", wording="", note="")
    try:
        if section:
            service.update_section(ref, key, schemas.SectionUpdate(**form))
        else:
            service.update_goal(ref, key, schemas.GoalUpdate(**form))
    except NotFound:
        raise
    except (ValidationError, LiaisonError) as exc:
        refused = refusal(service.session, exc, form.keys())
        if section:
            template, context = "edit_section", _section_context(service, ref, key)
        else:
            template, context = "goal", _goal_context(service, ref, key, (None, None))
        context |= {"form": form, "errors": refused.errors}
        return render_marked(request, f"programmes/{template}.html", context, refused.status_code)
    return _to(f"/programmes/{ref}/{subject}s/{key}")
