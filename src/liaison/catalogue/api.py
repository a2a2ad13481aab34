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
from liaison.catalogue.deps import (
    Catalogue,
    CatalogueWriting,
    Nominating,
    Nominations,
    PlanApproving,
    PlanRunning,
    Plans,
    Profiles,
    ProfileWriting,
)
from liaison.catalogue.exchange import FileFormat, format_of
from liaison.catalogue.present import (
    allocation_read,
    explanation_read,
    item_read,
    nomination_read,
    plan_read,
    publish_read,
    session_read,
)
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
from liaison.documents.uploads import DeclaredLength
from liaison.errors import InvalidInput
from liaison.kit.ids import MAX_ID
from liaison.kit.pagination import Page
from liaison.web.deps import ListPage, RowId, SortedPage, outside_db_slot

router = APIRouter(prefix="/api/v1/catalogue", tags=["catalogue"])
nominations_router = APIRouter(prefix="/api/v1/nominations", tags=["nominations"])
plans_router = APIRouter(prefix="/api/v1/plans", tags=["plans"])

Text = Annotated[str | None, Query(max_length=200)]
Year = Annotated[int, Query(ge=2000, le=2100)]
PathYear = Annotated[int, Path(ge=2000, le=2100, description="The profile's year.")]
Partner = Annotated[str, "path"]


def _filters(
    service: Catalogue,
    area: Text = None,
    kind: Text = None,
    q: Text = None,
    start_from: dt.date | None = None,
    start_to: dt.date | None = None,
    mode: Text = None,
    language: Text = None,
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


# A list's filters, parsed by the request's own ``CatalogueService`` (one per request).
Filters = Annotated[CatalogueFilters, Depends(_filters)]


@router.get("", summary="List or search the catalogue items you may read")
def list_items(service: Catalogue, filters: Filters, page: SortedPage) -> Page[ItemRead]:
    """Sort by code, title, area or kind ('-' before one: descending); by code when none."""
    views, total = service.find(filters, page)
    return Page[ItemRead].of(map(item_read, views), total, page)


@router.get("/facets", summary="Counts of the items you may read, by area and kind")
def facets(service: Catalogue, filters: Filters) -> CatalogueFacets:
    counted = service.facets(filters)
    return CatalogueFacets(total=sum(counted["kind"].values()), **counted)


@router.get("/calendar.ics", summary="The sessions you may read, as an iCalendar")
def calendar(
    request: Request,
    service: Catalogue,
    start_from: dt.date | None = None,
    start_to: dt.date | None = None,
    area: Text = None,
) -> Response:
    views = service.calendar(start_from, start_to, service.filters(area=area))
    return Response(service.ical(views, str(request.base_url)), media_type="text/calendar")


@router.get("/sessions", summary="The sessions you may read, by date")
def list_sessions(
    service: Catalogue,
    start_from: dt.date | None = None,
    start_to: dt.date | None = None,
    area: Text = None,
) -> list[SessionRead]:
    views = service.calendar(start_from, start_to, service.filters(area=area))
    return [session_read(v) for v in views]


MEDIA = {
    FileFormat.CSV: "text/csv",
    FileFormat.JSON: "application/json",
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/export", summary="Export the items and sessions you may read")
def export(
    service: Catalogue,
    file_format: Annotated[FileFormat, Query(alias="format")] = FileFormat.CSV,
    area: Text = None,
) -> Response:
    data, banner = service.export(service.filters(area=area), file_format)
    headers = {
        "X-Classification": banner,
        "Content-Disposition": f'attachment; filename="catalogue.{file_format.value}"',
    }
    return Response(data, media_type=MEDIA[file_format], headers=headers)


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
    _length: DeclaredLength, service: CatalogueWriting, form: ImportForm
) -> ImportReportRead:
    """Field ``file``; its extension says the format. The file is parsed in a bounded child
    process; nothing is imported unless every row is right; a 422 lists every problem by row
    and field."""
    return ImportReportRead(**vars(service.import_rows(form[1])))


@router.get("/items/{ref}", summary="One item (by code or id) with its sessions")
def get_item(ref: Annotated[str, "path"], service: Catalogue) -> ItemRead:
    view, sessions = service.item(ref[:40])
    return item_read(view, sessions)


@router.get("/sessions/{session_id}", summary="One session")
def get_session(session_id: RowId, service: Catalogue) -> SessionRead:
    return session_read(service.session_view(session_id))


@router.get("/profiles", summary="The partner profiles you may read for a year")
def list_profiles(service: Profiles, year: Year) -> list[ProfileRead]:
    return service.all(year)


@router.get("/profiles/{partner}/{year}", summary="A partner's profile for a year")
def get_profile(partner: Partner, year: PathYear, service: Profiles) -> ProfileRead:
    return service.get(partner[:100], year)


@router.put("/profiles/{partner}/{year}", summary="Save a partner's profile (a partner: its own)")
def save_profile(
    partner: Partner, year: PathYear, data: ProfileUpdate, service: ProfileWriting
) -> ProfileRead:
    return service.save(partner[:100], year, data)


@router.get("/profiles/{partner}/{year}/history", summary="Earlier versions of a profile")
def profile_history(partner: Partner, year: PathYear, service: Profiles) -> list[dict[str, Any]]:
    return service.history(partner[:100], year)


# nominations ------------------------------------------------------------------------------------
@nominations_router.get("", summary="The nominations you may read, newest first")
def list_nominations(
    service: Nominations,
    page: ListPage,
    session_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    partner: Text = None,
    state: NominationState | None = None,
) -> Page[NominationRead]:
    views, total = service.find(page, session_id=session_id, partner=partner, state=state)
    return Page[NominationRead].of(map(nomination_read, views), total, page)


@nominations_router.post("", status_code=status.HTTP_201_CREATED, summary="Nominate a person")
def nominate(data: NominationCreate, service: Nominating) -> NominationRead:
    return nomination_read(service.nominate(data))


@nominations_router.get("/{nomination_id}")
def get_nomination(nomination_id: RowId, service: Nominations) -> NominationRead:
    return nomination_read(service.get(nomination_id))


@nominations_router.post(
    "/{nomination_id}/state", summary="Accept, decline, withdraw, record attendance"
)
def move_nomination(
    nomination_id: RowId, data: NominationDecision, service: Nominating
) -> NominationRead:
    return nomination_read(service.move(nomination_id, data.state, data.feedback))


@nominations_router.post(
    "/{nomination_id}/answer", summary="Accept (naming the person) or decline an offered seat"
)
def answer_offer(nomination_id: RowId, data: OfferAnswer, service: Nominating) -> NominationRead:
    return nomination_read(service.answer(nomination_id, data))


# plans ------------------------------------------------------------------------------------------
@plans_router.get("", summary="The plans you may read")
def list_plans(
    service: Plans, period: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> list[PlanRead]:
    return [plan_read(v) for v in service.find(period)]


@plans_router.post("", status_code=status.HTTP_202_ACCEPTED, summary="Run the planner for a period")
def create_plan(data: PlanRunRequest, service: PlanRunning) -> PlanRead:
    """A draft plan and the job that solves it (``planner.run``; see ``GET /api/v1/jobs/{id}``
    and the plan's ``run_state``)."""
    return plan_read(service.create(data.period, data.time_limit, data.seed))


@plans_router.get("/{plan_id}")
def get_plan(plan_id: RowId, service: Plans) -> PlanRead:
    return plan_read(service.get(plan_id))


@plans_router.get("/{plan_id}/allocations")
def allocations(plan_id: RowId, service: Plans) -> list[AllocationRead]:
    return [allocation_read(r) for r in service.allocations(plan_id)]


@plans_router.get("/{plan_id}/explanations")
def explanations(plan_id: RowId, service: Plans, partner: Text = None) -> list[ExplanationRead]:
    return [explanation_read(e) for e in service.explanations(plan_id, partner)]


@plans_router.get("/{plan_id}/diff/{other_id}", summary="Seats that differ between two plans")
def diff(plan_id: RowId, other_id: RowId, service: Plans) -> list[dict[str, Any]]:
    return service.diff(plan_id, other_id)


@plans_router.post(
    "/{plan_id}/approve",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Bring a solved draft to the allies for approval",
)
def approve(
    plan_id: RowId,
    service: PlanApproving,
    deadline: Annotated[AwareDatetime | None, Query(description="When silence ends.")] = None,
) -> PlanRead:
    """Opens a decision proposal (silence procedure) on the plan; the plan stays a draft and
    becomes approved when the allies adopt it (``proposal_reference`` names the decision).
    A plan that is not a solved draft: 409."""
    return plan_read(service.propose_approval(plan_id, deadline))


@plans_router.post(
    "/{plan_id}/publish", summary="Publish an approved plan: its seats become offers"
)
def publish(plan_id: RowId, service: PlanApproving) -> PublishRead:
    """Each planned seat becomes a nomination in ``offered`` for its partner (the partner
    answers it: ``POST /api/v1/nominations/{id}/answer``); a seat taken since the plan was
    made is not offered and is listed in ``not_offered``."""
    return publish_read(*service.publish(plan_id))
