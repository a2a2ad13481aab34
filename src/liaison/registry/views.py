# SPDX-License-Identifier: Apache-2.0
"""Registry pages (Jinja2 + HTMX): the start page, allies, partners, agreements, offices and
contact-point embassies.

Invariants:
- every page reads as the request's principal: the registry is public, security agreements are
  marked, so they are listed through the service (policy in the query, reads audited) and a
  page that shows any carries a banner top and bottom (the most restrictive of what it shows);
- every list is paginated (``SortedPage`` + the service's lists) and filtered by GET
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
from typing import Annotated, Any, TypedDict, TypeVar, Unpack

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from liaison.errors import InvalidInput, LiaisonError, NotFound
from liaison.kit.clock import today
from liaison.kit.dates import parse_iso_date
from liaison.kit.pagination import PageRequest
from liaison.registry import charts
from liaison.registry.api import Managing, Registry
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
from liaison.security.writes import ALLIANCE, can_write_side
from liaison.web.deps import DbSession, SortedPage, path_id
from liaison.web.forms import PostedForm, refusal, validation_errors
from liaison.web.listing import Listing
from liaison.web.templating import render

router = APIRouter(include_in_schema=False)

DateParam = Annotated[str | None, Query(max_length=40, description="YYYY-MM-DD")]
ChoiceParam = Annotated[str | None, Query(max_length=40)]
MANDATE_FORM = {"partner": "", "ally": "", "start_on": "", "end_on": "", "notes": ""}

E = TypeVar("E", bound=enum.StrEnum)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

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


class Rendering(TypedDict, total=False):
    fragment: str | None
    status_code: int


def _page(
    request: Request, template: str, context: dict[str, Any], **options: Unpack[Rendering]
) -> HTMLResponse:
    """``render`` (its ``fragment`` and ``status_code``) with the registry's labels and today;
    htmx's history restore always gets the page, never the fragment."""
    if request.headers.get("hx-history-restore-request") == "true":
        options.pop("fragment", None)
    response = render(request, template, {"today": today(), "labels": LABELS, **context}, **options)
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
    request: Request, service: Registry, page: SortedPage, member_on: DateParam = None
) -> HTMLResponse:
    """Sort by name, accession_date or country."""
    day = parse_date(member_on, "member_on")
    listing = Listing(*service.allies(day, page), page)
    chart = charts.membership_chart(
        [(a.accession_date, a.withdrawal_date) for a in service.all_allies()], until=today()
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
    service: Registry,
    page: SortedPage,
    framework: ChoiceParam = None,
    status: ChoiceParam = None,
    agreement_in_force_on: DateParam = None,
) -> HTMLResponse:
    """Sort by name, country or status."""
    wanted = parse_choice(status, PartnerStatus, "status")
    day = parse_date(agreement_in_force_on, "agreement_in_force_on")
    filters = {"framework": framework or None, "status": wanted, "agreement_in_force_on": day}
    context = {
        "listing": Listing(
            *service.partners(
                framework=framework or None, status=wanted, agreement_in_force_on=day, page=page
            ),
            page,
        ),
        "filters": filters,
        "frameworks": service.frameworks(),
        "statuses": list(PartnerStatus),
    }
    return _page(
        request, "registry/partners.html", context, fragment="registry/_partners_table.html"
    )


@router.get("/partners/{ref}", response_class=HTMLResponse)
def partner_page(ref: str, request: Request, service: Registry) -> HTMLResponse:
    partner = service.partner(ref)
    day = today()
    agreements = service.agreements_of(partner)
    marking, portions = _markings(service, agreements)
    mandates = service.mandates_of(partner)
    context = {
        "partner": partner,
        "agreements": [(a, service.agreement_status(a, day), portions[a.id]) for a in agreements],
        "marking": marking,
        "mandates": mandates,
        "current": {m.id for m in mandates if Period(m.start_on, m.end_on).covers(day)},
        "offices": service.offices_in(partner),
    }
    return _page(request, "registry/partner.html", context)


# security agreements ----------------------------------------------------------------------------
@router.get("/security-agreements", response_class=HTMLResponse)
def agreements(
    request: Request,
    service: Registry,
    page: SortedPage,
    in_force_on: DateParam = None,
    on: DateParam = None,
) -> HTMLResponse:
    """Sort by partner, signed_on or max_level."""
    in_force = parse_date(in_force_on, "in_force_on")
    status_day = parse_date(on, "on") or in_force or today()
    rows, total = service.agreements(partner=None, in_force_on=in_force, page=page)
    _, portions = _markings(service, rows)
    # The banner stays on the page while HTMX swaps the table, so it covers every agreement
    # this principal may read, whatever the filter shows.
    marking, _ = _markings(service, service.readable_agreements())
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
    service: Registry,
    page: SortedPage,
    status: ChoiceParam = None,
    open_on: DateParam = None,
) -> HTMLResponse:
    """Sort by name, status, opened_on or city."""
    wanted = parse_choice(status, OfficeStatus, "status")
    day = parse_date(open_on, "open_on")
    listing = Listing(*service.offices(status=wanted, open_on=day, page=page), page)
    everything, _ = service.offices()
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
def office_page(office_id: str, request: Request, service: Registry) -> HTMLResponse:
    office = service.office(path_id(office_id, lambda raw: NotFound(f"no office {raw}")))
    context = {
        "office": office,
        "steps": lifecycle(office),
        "host_partner": service.host_partner(office),
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
    service: Registry,
    page: SortedPage,
    partner: ChoiceParam = None,
    on: DateParam = None,
) -> HTMLResponse:
    """Sort by partner or start_on."""
    filters = {"partner": partner or None, "on": parse_date(on, "on")}
    context = _mandates_context(request, service, filters, page)
    return _page(
        request, "registry/contact_points.html", context, fragment="registry/_mandates_table.html"
    )


def _mandates_context(
    request: Request, service: RegistryService, filters: dict[str, Any], page: PageRequest
) -> dict[str, Any]:
    rows, total = _mandates(service, filters, page)
    day = today()
    return {
        "listing": Listing(rows, total, page),
        "filters": filters,
        "current": {m.id for m in rows if Period(m.start_on, m.end_on).covers(day)},
        "partners": service.partners()[0],
        "allies": service.all_allies(),
        "can_write": can_write_side(service.principal, ALLIANCE, Permission.REGISTRY_ENTRY_WRITE),
        "csrf_token": getattr(request.state, "csrf_token", None),
        "form": MANDATE_FORM,
        "errors": {},
    }


def _mandates(
    service: RegistryService, filters: dict[str, Any], page: PageRequest
) -> tuple[list[Any], int]:
    try:
        return service.mandates(partner=filters["partner"], on=filters["on"], page=page)
    except NotFound as exc:  # a filter value, not the page, is what is unknown
        raise InvalidInput(exc.message, field="partner") from None


@router.post("/contact-points", response_class=HTMLResponse)
def add_mandate(
    request: Request, session: DbSession, service: Managing, page: SortedPage, posted: PostedForm
) -> Response:
    """A refused mandate: 409 when it conflicts with another, 403 when the write policy
    refuses it, 422 for any other input."""
    form = posted.fields(**MANDATE_FORM)
    data, errors = parse_mandate_form(form)
    status_code = 422
    if data is not None:
        try:
            mandate = service.create_mandate(data)
        except LiaisonError as exc:
            refused = refusal(session, exc, form.keys())
            errors, status_code = refused.errors, refused.status_code
        else:
            target = f"/contact-points?partner={mandate.partner.country_iso3}"
            return RedirectResponse(target, status_code=303)
    everything = {"partner": None, "on": None}
    context = _mandates_context(request, service, everything, page)
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
