# SPDX-License-Identifier: Apache-2.0
"""Catalogue, nominations and plans REST API: ``/api/v1/catalogue``, ``/api/v1/nominations``,
``/api/v1/plans``.

Every read answers from the feature's services (the policy inside the SQL, reads audited); a
record the caller may not read is a 404 identical to a missing id. Writes declare their
permission (401 anonymous, 403 without it, checked before any record is looked up). A plan
run is created in the request's transaction and solved after the response, in a background
thread with its own short transactions (``planning.run``; the job queue's body), never in the
request's transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import AwareDatetime
from starlette.datastructures import UploadFile

from liaison.catalogue import exchange
from liaison.catalogue.exchange import FileFormat, format_of
from liaison.catalogue.nominations import NominationService
from liaison.catalogue.planning.service import PlanService
from liaison.catalogue.present import (
    allocation_read,
    explanation_read,
    item_read,
    nomination_read,
    plan_read,
    session_read,
)
from liaison.catalogue.profiles import ProfileService
from liaison.catalogue.repository import CatalogueFilters
from liaison.catalogue.rules import NominationState
from liaison.catalogue.schemas import (
    AllocationRead,
    CatalogueFacets,
    ExplanationRead,
    ImportReportRead,
    ItemRead,
    NominationCreate,
    NominationDecision,
    NominationRead,
    OfferAnswer,
    PlanRead,
    PlanRunRequest,
    ProfileRead,
    ProfileUpdate,
    PublishRead,
    SessionRead,
)
from liaison.catalogue.service import CatalogueService
from liaison.documents.uploads import DeclaredLength
from liaison.errors import InvalidInput
from liaison.kit.pagination import Page
from liaison.security.permissions import Permission
from liaison.security.principal import Principal
from liaison.web.deps import (
    AppSettings,
    CurrentPrincipal,
    DbSession,
    Limit,
    Offset,
    RowId,
    outside_db_slot,
    page_request,
    require,
)
from liaison.web.templating import NO_STORE

router = APIRouter(prefix="/api/v1/catalogue", tags=["catalogue"])
nominations_router = APIRouter(prefix="/api/v1/nominations", tags=["nominations"])
plans_router = APIRouter(prefix="/api/v1/plans", tags=["plans"])

ItemWriter = Annotated[Principal, Depends(require(Permission.CATALOGUE_ITEM_WRITE))]
Nominator = Annotated[Principal, Depends(require(Permission.CATALOGUE_NOMINATION_WRITE))]
ProfileWriter = Annotated[Principal, Depends(require(Permission.CATALOGUE_PROFILE_WRITE))]
PlanRunner = Annotated[Principal, Depends(require(Permission.PLANNING_PLAN_RUN))]
PlanApprover = Annotated[Principal, Depends(require(Permission.PLANNING_PLAN_APPROVE))]
Text = Annotated[str | None, Query(max_length=200)]
Year = Annotated[int, Query(ge=2000, le=2100)]
PathYear = Annotated[int, Path(ge=2000, le=2100, description="The profile's year.")]


def _filters(
    service: CatalogueService,
    area: str | None,
    kind: str | None,
    q: str | None,
    start_from: dt.date | None,
    start_to: dt.date | None,
    mode: str | None,
    language: str | None,
) -> CatalogueFilters:
    return service.filters(
        area=area,
        kind=kind,
        query=q,
        start_from=start_from,
        start_to=start_to,
        mode=mode,
        language=language,
    )


@router.get("", summary="List or search the catalogue items you may read")
def list_items(
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    response: Response,
    area: Text = None,
    kind: Text = None,
    q: Text = None,
    start_from: dt.date | None = None,
    start_to: dt.date | None = None,
    mode: Text = None,
    language: Text = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Annotated[
        str | None, Query(max_length=100, description="code, title, area, kind; '-' descending.")
    ] = None,
) -> Page[ItemRead]:
    service = CatalogueService(session, principal)
    page = page_request(settings, limit, offset, sort)
    views, total = service.find(
        _filters(service, area, kind, q, start_from, start_to, mode, language), page
    )
    response.headers.update(NO_STORE)
    return Page[ItemRead](
        items=[item_read(v) for v in views], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/facets", summary="Counts of the items you may read, by area and kind")
def facets(
    session: DbSession,
    principal: CurrentPrincipal,
    area: Text = None,
    kind: Text = None,
    q: Text = None,
    start_from: dt.date | None = None,
    start_to: dt.date | None = None,
    mode: Text = None,
    language: Text = None,
) -> CatalogueFacets:
    service = CatalogueService(session, principal)
    filters = _filters(service, area, kind, q, start_from, start_to, mode, language)
    counted = service.facets(filters)
    return CatalogueFacets(total=sum(counted["kind"].values()), **counted)


@router.get("/calendar.ics", summary="The sessions you may read, as an iCalendar")
def calendar(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    start_from: dt.date | None = None,
    start_to: dt.date | None = None,
    area: Text = None,
) -> Response:
    service = CatalogueService(session, principal)
    views = service.calendar(start_from, start_to, service.filters(area=area))
    data = service.ical(views, str(request.base_url))
    return Response(data, media_type="text/calendar", headers=NO_STORE)


@router.get("/sessions", summary="The sessions you may read, by date")
def list_sessions(
    session: DbSession,
    principal: CurrentPrincipal,
    start_from: dt.date | None = None,
    start_to: dt.date | None = None,
    area: Text = None,
) -> list[SessionRead]:
    service = CatalogueService(session, principal)
    return [
        session_read(v) for v in service.calendar(start_from, start_to, service.filters(area=area))
    ]


@router.get("/export", summary="Export the items and sessions you may read")
def export(
    session: DbSession,
    principal: CurrentPrincipal,
    file_format: Annotated[FileFormat, Query(alias="format")] = FileFormat.CSV,
    area: Text = None,
) -> Response:
    service = CatalogueService(session, principal)
    data, banner = service.export(service.filters(area=area), file_format)
    media = {
        FileFormat.CSV: "text/csv",
        FileFormat.JSON: "application/json",
        FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[file_format]
    headers = {
        **NO_STORE,
        "X-Classification": banner,
        "Content-Disposition": f'attachment; filename="catalogue.{file_format.value}"',
    }
    return Response(data, media_type=media, headers=headers)


async def read_import(request: Request) -> tuple[str, list[dict[str, str]]]:
    """The form's file parsed into rows in the bounded child process, before the route's
    transaction and outside its database slot (``exchange.read_rows_bounded_async``)."""
    form = await request.form(max_files=1, max_fields=5)
    try:
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            raise InvalidInput("attach a file (form field 'file')", field="file")
        fmt = format_of(file.filename)
        data = await file.read(exchange.MAX_BYTES + 1)
        async with outside_db_slot(request):
            rows = await exchange.read_rows_bounded_async(data, fmt)
        return file.filename, rows
    finally:
        await form.close()


ImportForm = Annotated[tuple[str, list[dict[str, str]]], Depends(read_import)]


@router.post("/import", summary="Import items and sessions (CSV, XLSX or JSON; all or nothing)")
def import_file(
    _length: DeclaredLength, session: DbSession, principal: ItemWriter, form: ImportForm
) -> ImportReportRead:
    """Field ``file``; its extension says the format. The file is parsed in a bounded child
    process; nothing is imported unless every row is right; a 422 lists every problem by row
    and field."""
    report = CatalogueService(session, principal).import_rows(form[1])
    return ImportReportRead(**vars(report))


@router.get("/items/{ref}", summary="One item (by code or id) with its sessions")
def get_item(
    ref: Annotated[str, "path"], session: DbSession, principal: CurrentPrincipal, response: Response
) -> ItemRead:
    view, sessions = CatalogueService(session, principal).item(ref[:40])
    response.headers.update(NO_STORE)
    return item_read(view, sessions)


@router.get("/sessions/{session_id}", summary="One session")
def get_session(
    session_id: RowId, session: DbSession, principal: CurrentPrincipal, response: Response
) -> SessionRead:
    view = CatalogueService(session, principal).session_view(session_id)
    response.headers.update(NO_STORE)
    return session_read(view)


@router.get("/profiles", summary="The partner profiles you may read for a year")
def list_profiles(session: DbSession, principal: CurrentPrincipal, year: Year) -> list[ProfileRead]:
    return ProfileService(session, principal).all(year)


@router.get("/profiles/{partner}/{year}", summary="A partner's profile for a year")
def get_profile(
    partner: Annotated[str, "path"], year: PathYear, session: DbSession, principal: CurrentPrincipal
) -> ProfileRead:
    return ProfileService(session, principal).get(partner[:100], year)


@router.put("/profiles/{partner}/{year}", summary="Save a partner's profile (a partner: its own)")
def save_profile(
    partner: Annotated[str, "path"],
    year: PathYear,
    data: ProfileUpdate,
    session: DbSession,
    principal: ProfileWriter,
) -> ProfileRead:
    return ProfileService(session, principal).save(partner[:100], year, data)


@router.get("/profiles/{partner}/{year}/history", summary="Earlier versions of a profile")
def profile_history(
    partner: Annotated[str, "path"], year: PathYear, session: DbSession, principal: CurrentPrincipal
) -> list[dict[str, Any]]:
    return ProfileService(session, principal).history(partner[:100], year)


# nominations ------------------------------------------------------------------------------------
@nominations_router.get("", summary="The nominations you may read, newest first")
def list_nominations(
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    session_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    partner: Text = None,
    state: NominationState | None = None,
    limit: Limit = None,
    offset: Offset = 0,
) -> Page[NominationRead]:
    page = page_request(settings, limit, offset, None)
    views, total = NominationService(session, principal).find(
        page, session_id=session_id, partner=partner, state=state
    )
    return Page[NominationRead](
        items=[nomination_read(v) for v in views], total=total, limit=page.limit, offset=page.offset
    )


@nominations_router.post("", status_code=status.HTTP_201_CREATED, summary="Nominate a person")
def nominate(data: NominationCreate, session: DbSession, principal: Nominator) -> NominationRead:
    return nomination_read(NominationService(session, principal).nominate(data))


@nominations_router.get("/{nomination_id}")
def get_nomination(
    nomination_id: RowId, session: DbSession, principal: CurrentPrincipal
) -> NominationRead:
    return nomination_read(NominationService(session, principal).get(nomination_id))


@nominations_router.post(
    "/{nomination_id}/state", summary="Accept, decline, withdraw, record attendance"
)
def move_nomination(
    nomination_id: RowId, data: NominationDecision, session: DbSession, principal: Nominator
) -> NominationRead:
    return nomination_read(
        NominationService(session, principal).move(nomination_id, data.state, data.feedback)
    )


@nominations_router.post(
    "/{nomination_id}/answer", summary="Accept (naming the person) or decline an offered seat"
)
def answer_offer(
    nomination_id: RowId, data: OfferAnswer, session: DbSession, principal: Nominator
) -> NominationRead:
    return nomination_read(NominationService(session, principal).answer(nomination_id, data))


# plans ------------------------------------------------------------------------------------------
@plans_router.get("", summary="The plans you may read")
def list_plans(
    session: DbSession,
    principal: CurrentPrincipal,
    period: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> list[PlanRead]:
    return [plan_read(v) for v in PlanService(session, principal).find(period)]


@plans_router.post("", status_code=status.HTTP_202_ACCEPTED, summary="Run the planner for a period")
def create_plan(data: PlanRunRequest, session: DbSession, principal: PlanRunner) -> PlanRead:
    """A draft plan and the job that solves it (``planner.run``; see ``GET /api/v1/jobs/{id}``
    and the plan's ``run_state``)."""
    return plan_read(
        PlanService(session, principal).create(data.period, data.time_limit, data.seed)
    )


@plans_router.get("/{plan_id}")
def get_plan(plan_id: RowId, session: DbSession, principal: CurrentPrincipal) -> PlanRead:
    return plan_read(PlanService(session, principal).get(plan_id))


@plans_router.get("/{plan_id}/allocations")
def allocations(
    plan_id: RowId, session: DbSession, principal: CurrentPrincipal
) -> list[AllocationRead]:
    return [allocation_read(r) for r in PlanService(session, principal).allocations(plan_id)]


@plans_router.get("/{plan_id}/explanations")
def explanations(
    plan_id: RowId, session: DbSession, principal: CurrentPrincipal, partner: Text = None
) -> list[ExplanationRead]:
    return [
        explanation_read(e) for e in PlanService(session, principal).explanations(plan_id, partner)
    ]


@plans_router.get("/{plan_id}/diff/{other_id}", summary="Seats that differ between two plans")
def diff(
    plan_id: RowId, other_id: RowId, session: DbSession, principal: CurrentPrincipal
) -> list[dict[str, Any]]:
    return PlanService(session, principal).diff(plan_id, other_id)


@plans_router.post(
    "/{plan_id}/approve",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Bring a solved draft to the allies for approval",
)
def approve(
    plan_id: RowId,
    session: DbSession,
    principal: PlanApprover,
    deadline: Annotated[AwareDatetime | None, Query(description="When silence ends.")] = None,
) -> PlanRead:
    """Opens a decision proposal (silence procedure) on the plan; the plan stays a draft and
    becomes approved when the allies adopt it (``proposal_reference`` names the decision).
    A plan that is not a solved draft: 409."""
    return plan_read(PlanService(session, principal).propose_approval(plan_id, deadline))


@plans_router.post(
    "/{plan_id}/publish", summary="Publish an approved plan: its seats become offers"
)
def publish(plan_id: RowId, session: DbSession, principal: PlanApprover) -> PublishRead:
    """Each planned seat becomes a nomination in ``offered`` for its partner (the partner
    answers it: ``POST /api/v1/nominations/{id}/answer``); a seat taken since the plan was
    made is not offered and is listed in ``not_offered``."""
    view, offered, missed = PlanService(session, principal).publish(plan_id)
    return PublishRead(
        plan_id=view.plan.id,
        offered=offered,
        not_offered=[{"session_id": s, "partner": p, "seats": n} for s, p, n in missed],
    )
