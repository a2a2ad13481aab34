# SPDX-License-Identifier: Apache-2.0
"""Registry pages (Jinja2 + HTMX): the start page, allies, partners, agreements, offices and
contact-point embassies.

Invariants:
- every page reads as the request's principal: the registry is public, security agreements are
  marked, so they are listed through the service (policy in the query, reads audited) and a
  page that shows any carries a banner top and bottom (the most restrictive of what it shows);
- every list is paginated (``PageRequest`` + the repository's ``list_*``) and filtered by GET
  forms that work without JavaScript; with ``HX-Request: true`` a list view returns only its
  table fragment (``registry/_*.html``), except for htmx's history restore, which needs the page;
- a filter value that is not a date or not a known choice is a 422 error page, never a 500
  (browsers send empty fields, so an empty value means "no filter");
- the mandate form is for principals with ``registry:entry:write`` (others get 401/403); it
  re-renders with the user's input: 409 when the mandate conflicts with an existing one
  (``Conflict``), 422 for every other input error; success is a 303 redirect;
- unknown partners and offices raise the service's ``NotFound``: the app's handlers render it.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from liaison.errors import Conflict, InvalidInput, LiaisonError, NotFound
from liaison.kit.clock import today
from liaison.kit.dates import parse_iso_date
from liaison.kit.pagination import PageRequest
from liaison.registry import charts
from liaison.registry.models import Office, SecurityAgreement
from liaison.registry.rules import (
    OFFICE_STATUS_DATE,
    AgreementKind,
    OfficeKind,
    OfficeStatus,
    PartnerStatus,
    Period,
)
from liaison.registry.schemas import MandateCreate
from liaison.registry.service import RegistryService, nation_profile
from liaison.security.classification import Classification
from liaison.security.markings import banner, page_marking, short
from liaison.security.permissions import Permission
from liaison.security.principal import Principal
from liaison.security.writes import ALLIANCE, WriteRefused, can_write_side
from liaison.web.deps import (
    AppSettings,
    CurrentPrincipal,
    DbSession,
    Limit,
    Offset,
    page_request,
    require,
)
from liaison.web.forms import refusal, validation_errors
from liaison.web.listing import Listing
from liaison.web.templating import render

router = APIRouter(include_in_schema=False)

RegistryWriter = Annotated[Principal, Depends(require(Permission.REGISTRY_ENTRY_WRITE))]
DateParam = Annotated[str | None, Query(max_length=40, description="YYYY-MM-DD")]
ChoiceParam = Annotated[str | None, Query(max_length=40)]
Sort = Annotated[str | None, Query(max_length=200)]
FormText = Annotated[str, Form()]

E = TypeVar("E", bound=enum.StrEnum)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ALL = PageRequest(limit=10_000)

LABELS: dict[str, str] = {
    OfficeKind.IO_LIAISON: "liaison to an organisation",
    OfficeKind.PARTNER_LIAISON: "liaison office",
    OfficeKind.MILITARY_LIAISON: "military liaison office",
    OfficeKind.REPRESENTATION: "representation",
    OfficeKind.REGIONAL_CENTRE: "regional centre",
    OfficeKind.MILITARY_HQ: "military headquarters",
    AgreementKind.BINDING_AGREEMENT: "binding agreement",
    AgreementKind.EXCHANGE_OF_LETTERS: "exchange of letters",
    "in_force": "in force",
    "host_agreement": "host agreement",
}
STEP_WORDS: dict[OfficeStatus, str] = {
    OfficeStatus.PROPOSED: "Proposed",
    OfficeStatus.APPROVED: "Approved by the Allies",
    OfficeStatus.HOST_AGREEMENT: "Host agreement",
    OfficeStatus.OPEN: "Opened",
    OfficeStatus.CLOSED: "Closed",
    OfficeStatus.SHELVED: "Shelved",
}


# parsing ----------------------------------------------------------------------------------------
def parse_date(raw: str | None, field: str) -> dt.date | None:
    """``YYYY-MM-DD`` to a date; empty means None; anything else is an ``InvalidInput``."""
    value = (raw or "").strip()
    if not value:
        return None
    try:
        return parse_iso_date(value)
    except ValueError:
        raise InvalidInput(
            f"{field}: {value!r} is not a date; write YYYY-MM-DD", field=field
        ) from None


def parse_choice(raw: str | None, kind: type[E], field: str) -> E | None:
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        allowed = ", ".join(kind)
        raise InvalidInput(f"{field}: {raw!r} is not one of {allowed}", field=field) from None


def _page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page, or its fragment for HTMX; htmx's history restore always gets the page."""
    restoring = request.headers.get("hx-history-restore-request") == "true"
    context = {"today": today(), "labels": LABELS, **context}
    response = render(
        request,
        template,
        context,
        fragment=None if restoring else fragment,
        status_code=status_code,
    )
    response.headers["Vary"] = "HX-Request, HX-History-Restore-Request"
    return response


def _markings(
    service: RegistryService, agreements: Sequence[SecurityAgreement]
) -> tuple[str | None, dict[int, str]]:
    """Each agreement's portion mark, and the banner for a page showing them: the most
    restrictive of their markings (None when nothing above PUBLIC is shown)."""
    found = service.markings.many(a.marking_id for a in agreements)
    portions = {a.id: short(found[a.marking_id]) for a in agreements}
    marked = [m for m in found.values() if m.level is not Classification.PUBLIC]
    page = page_marking(marked, lambda code: nation_profile(service.session, code).groups)
    return (banner(page, service.release_name) if marked else None), portions


# allies -----------------------------------------------------------------------------------------
@router.get("/allies", response_class=HTMLResponse)
def allies(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    member_on: DateParam = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Sort = None,
) -> HTMLResponse:
    day = parse_date(member_on, "member_on")
    repo = RegistryService(session, principal).repo
    page = page_request(settings, limit, offset, sort)
    listing = Listing(*repo.list_allies(day, page), page)
    chart = charts.membership_chart(
        [(a.accession_date, a.withdrawal_date) for a in repo.all_allies()], until=today()
    )
    return _page(
        request,
        "registry/allies.html",
        {"listing": listing, "member_on": day, "chart": chart},
        fragment="registry/_allies_table.html",
    )


# partners ---------------------------------------------------------------------------------------
@router.get("/partners", response_class=HTMLResponse)
def partners(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    framework: ChoiceParam = None,
    status: ChoiceParam = None,
    agreement_in_force_on: DateParam = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Sort = None,
) -> HTMLResponse:
    wanted = parse_choice(status, PartnerStatus, "status")
    day = parse_date(agreement_in_force_on, "agreement_in_force_on")
    filters = {"framework": framework or None, "status": wanted, "agreement_in_force_on": day}
    repo = RegistryService(session, principal).repo
    page = page_request(settings, limit, offset, sort)
    rows, total = repo.list_partners(
        framework=framework or None, status=wanted, agreement_in_force_on=day, page=page
    )
    context = {
        "listing": Listing(rows, total, page),
        "filters": filters,
        "frameworks": repo.frameworks(),
        "statuses": list(PartnerStatus),
    }
    return _page(
        request, "registry/partners.html", context, fragment="registry/_partners_table.html"
    )


@router.get("/partners/{ref}", response_class=HTMLResponse)
def partner_page(
    ref: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> HTMLResponse:
    service = RegistryService(session, principal)
    partner = service.partner(ref)
    day = today()
    agreements = service.agreements_of(partner)
    marking, portions = _markings(service, agreements)
    mandates = service.repo.mandates_of(partner.id)
    context = {
        "partner": partner,
        "agreements": [(a, service.agreement_status(a, day), portions[a.id]) for a in agreements],
        "marking": marking,
        "mandates": mandates,
        "current": {m.id for m in mandates if Period(m.start_on, m.end_on).covers(day)},
        "offices": service.repo.offices_in(partner.country_iso3),
    }
    return _page(request, "registry/partner.html", context)


# security agreements ----------------------------------------------------------------------------
@router.get("/security-agreements", response_class=HTMLResponse)
def agreements(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    in_force_on: DateParam = None,
    on: DateParam = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Sort = None,
) -> HTMLResponse:
    in_force = parse_date(in_force_on, "in_force_on")
    status_day = parse_date(on, "on") or in_force or today()
    service = RegistryService(session, principal)
    page = page_request(settings, limit, offset, sort)
    rows, total = service.agreements(partner=None, in_force_on=in_force, page=page)
    _, portions = _markings(service, rows)
    # The banner stays on the page while HTMX swaps the table, so it covers every agreement
    # this principal may read, whatever the filter shows.
    readable, _ = service.repo.list_agreements(partner_id=None, in_force_on=None, page=ALL)
    marking, _ = _markings(service, readable)
    listing = Listing(
        [(a, service.agreement_status(a, status_day), portions[a.id]) for a in rows], total, page
    )
    context = {"listing": listing, "in_force_on": in_force, "on": status_day, "marking": marking}
    return _page(
        request, "registry/agreements.html", context, fragment="registry/_agreements_table.html"
    )


# offices ----------------------------------------------------------------------------------------
@router.get("/offices", response_class=HTMLResponse)
def offices(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    status: ChoiceParam = None,
    open_on: DateParam = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Sort = None,
) -> HTMLResponse:
    wanted = parse_choice(status, OfficeStatus, "status")
    day = parse_date(open_on, "open_on")
    repo = RegistryService(session, principal).repo
    page = page_request(settings, limit, offset, sort)
    listing = Listing(*repo.list_offices(status=wanted, open_on=day, host=None, page=page), page)
    everything, _ = repo.list_offices(status=None, open_on=None, host=None, page=ALL)
    context = {
        "listing": listing,
        "status": wanted,
        "open_on": day,
        "statuses": list(OfficeStatus),
        "chart": _timeline(everything),
    }
    return _page(request, "registry/offices.html", context, fragment="registry/_offices_table.html")


def _timeline(rows: list[Office]) -> Markup:
    fields = OFFICE_STATUS_DATE.values()  # the timeline's date fields are the office's own
    timeline = [charts.TimelineRow(o.name, **{f: getattr(o, f) for f in fields}) for o in rows]
    return charts.office_timeline(timeline, until=today())


@router.get("/offices/{office_id}", response_class=HTMLResponse)
def office_page(
    office_id: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> HTMLResponse:
    if not office_id.isdecimal() or len(office_id) > 18:  # noqa: PLR2004 - fits a BIGINT
        raise NotFound(f"no office {office_id}")
    service = RegistryService(session, principal)
    office = service.office(int(office_id))
    host = office.host_country_iso3
    context = {
        "office": office,
        "steps": lifecycle(office),
        "host_partner": service.repo.partner_by_country(host) if host else None,
    }
    return _page(request, "registry/office.html", context)


def lifecycle(office: Office) -> list[tuple[dt.date, OfficeStatus, str]]:
    """The office's dated steps in date order; on one day, in lifecycle order."""
    steps = [
        (getattr(office, field), status, STEP_WORDS[status])
        for status, field in OFFICE_STATUS_DATE.items()
        if getattr(office, field)
    ]
    return sorted(steps, key=lambda step: step[0])


# contact points ---------------------------------------------------------------------------------
@router.get("/contact-points", response_class=HTMLResponse)
def contact_points(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    partner: ChoiceParam = None,
    on: DateParam = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Sort = None,
) -> HTMLResponse:
    filters = {"partner": partner or None, "on": parse_date(on, "on")}
    page = page_request(settings, limit, offset, sort)
    context = _mandates_context(request, RegistryService(session, principal), filters, page)
    return _page(
        request, "registry/contact_points.html", context, fragment="registry/_mandates_table.html"
    )


def _mandates_context(
    request: Request, service: RegistryService, filters: dict[str, Any], page: PageRequest
) -> dict[str, Any]:
    partner_id = _partner_filter(service, filters["partner"])
    rows, total = service.repo.list_mandates(partner_id=partner_id, on=filters["on"], page=page)
    day = today()
    return {
        "listing": Listing(rows, total, page),
        "filters": filters,
        "current": {m.id for m in rows if Period(m.start_on, m.end_on).covers(day)},
        "partners": service.repo.list_partners(
            framework=None, status=None, agreement_in_force_on=None, page=ALL
        )[0],
        "allies": service.repo.all_allies(),
        "can_write": can_write_side(service.principal, ALLIANCE, Permission.REGISTRY_ENTRY_WRITE),
        "csrf_token": getattr(request.state, "csrf_token", None),
        "form": {"partner": "", "ally": "", "start_on": "", "end_on": "", "notes": ""},
        "errors": {},
    }


def _partner_filter(service: RegistryService, ref: str | None) -> int | None:
    if not ref:
        return None
    try:
        return service.partner(ref).id
    except NotFound as exc:  # a filter value, not the page, is what is unknown
        raise InvalidInput(exc.message, field="partner") from None


@router.post("/contact-points", response_class=HTMLResponse)
def add_mandate(
    request: Request,
    session: DbSession,
    principal: RegistryWriter,
    settings: AppSettings,
    partner: FormText = "",
    ally: FormText = "",
    start_on: FormText = "",
    end_on: FormText = "",
    notes: FormText = "",
) -> Response:
    form = {
        "partner": partner,
        "ally": ally,
        "start_on": start_on,
        "end_on": end_on,
        "notes": notes,
    }
    service = RegistryService(session, principal)
    data, errors = parse_mandate_form(form)
    status_code = 422
    if data is not None:
        try:
            mandate = service.create_mandate(data)
        except LiaisonError as exc:
            errors = refusal(session, exc, form.keys()).errors
            status_code = (
                409
                if isinstance(exc, Conflict)
                else 403
                if isinstance(exc, WriteRefused)  # the write policy refused it: say so
                else 422
            )
        else:
            target = f"/contact-points?partner={mandate.partner.country_iso3}"
            return RedirectResponse(target, status_code=303)
    everything = {"partner": None, "on": None}
    context = _mandates_context(request, service, everything, page_request(settings, None, 0, None))
    context.update(form=form, errors=errors)
    return _page(request, "registry/contact_points.html", context, status_code=status_code)


def parse_mandate_form(form: dict[str, str]) -> tuple[MandateCreate | None, dict[str, str]]:
    """The form's values as a ``MandateCreate``, or the errors to show next to each field."""
    errors = {
        f: f"Choose {word}."
        for f, word in (("partner", "a partner"), ("ally", "an ally"))
        if not form[f].strip()
    }
    dates: dict[str, dt.date | None] = {}
    for field in ("start_on", "end_on"):
        try:
            dates[field] = parse_date(form[field], field)
        except InvalidInput as exc:
            errors[field] = exc.message
    if dates.get("start_on") is None and "start_on" not in errors:
        errors["start_on"] = "Give the first day of the mandate."
    if errors:
        return None, errors
    try:
        values = {**form, **dates}
        return MandateCreate.model_validate(values), {}
    except ValidationError as exc:
        return None, validation_errors(exc, form.keys())
