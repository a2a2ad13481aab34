# SPDX-License-Identifier: Apache-2.0
"""Programmes REST API under ``/api/v1/programmes``.

Every read answers from ``ProgrammeService`` (the policy inside the SQL, reads audited); a
programme or element the caller may not read is a 404 problem identical to a missing one, on
every route — JSON, redlines, comments, the road map, the PDF, DOCX and calendar. Writes need
``programmes:programme:write`` (lifecycle, structure, wording), ``programmes:programme:approve``
(recording the allies' approval by hand) or ``programmes:comment:write`` (comments, both
sides). An illegal lifecycle change is a 409 problem that says why. Exports say
``Cache-Control: no-store`` and carry their banner in ``X-Classification``.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response, status

from liaison.kit import clock
from liaison.kit.pagination import Page, PageRequest
from liaison.programmes import export, feeds
from liaison.programmes.deps import (
    Approving,
    Commenting,
    Programmes,
    Signed,
    Versions,
    Writing,
)
from liaison.programmes.models import (
    PartnershipGoal,
    ProgrammeActivity,
    ProgrammeSection,
    StrategicObjective,
)
from liaison.programmes.present import (
    activity_read,
    comment_read,
    compare_read,
    dashboard_read,
    detail_read,
    goal_read,
    objective_read,
    programme_read,
    redline_read,
    revision_read,
    section_read,
)
from liaison.programmes.rules import ProgrammeKind, ProgrammeStatus
from liaison.programmes.schemas import (
    ActivityCreate,
    ActivityRead,
    ActivityUpdate,
    ApprovalIn,
    CommentCreate,
    CommentRead,
    CompareRead,
    DashboardRead,
    FeedUrlRead,
    FromIpcpIn,
    GoalCreate,
    GoalRead,
    GoalUpdate,
    ObjectiveCreate,
    ObjectiveRead,
    ObjectiveUpdate,
    ProgrammeCreate,
    ProgrammeDetail,
    ProgrammeRead,
    ProgrammeUpdate,
    RedlineRead,
    RenewalIn,
    RevisionRead,
    SectionCreate,
    SectionRead,
    SectionUpdate,
    TransitionIn,
)
from liaison.programmes.service import ProgrammeService
from liaison.web.deps import ListPage, SortedPage, writes_own_state

router = APIRouter(prefix="/api/v1/programmes", tags=["programmes"])

Horizon = Annotated[int, Query(ge=1, le=3660, description="Days ahead (default 90).")]


def download(data: bytes, media_type: str, filename: str, banner: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Classification": quote(banner, safe=" /,:-"),
        },
    )


# lists, dashboard, comparison, calendar ------------------------------------------------------
@router.get("", summary="List the programmes you may read")
def list_programmes(
    service: Programmes,
    page: SortedPage,
    partner: Annotated[str | None, Query(max_length=120)] = None,
    kind: ProgrammeKind | None = None,
    programme_status: Annotated[ProgrammeStatus | None, Query(alias="status")] = None,
) -> Page[ProgrammeRead]:
    """Sort by reference, partner, kind, status, period_start, period_end or updated_at."""
    filters = service.filters(partner=partner, kind=kind, status=programme_status)
    views, total = service.find(filters, page)
    return Page[ProgrammeRead].of(map(programme_read, views), total, page)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a draft programme")
def create(data: ProgrammeCreate, service: Writing) -> ProgrammeRead:
    return programme_read(service.create(data))


@router.get("/dashboard", summary="Renewals due, goals overdue, activities this month")
def dashboard(service: Programmes, page: ListPage, horizon: Horizon = 90) -> DashboardRead:
    """Each list's first ``limit`` rows (``offset`` is not used)."""
    d = service.dashboard(horizon, PageRequest(limit=page.limit))
    return dashboard_read(d, service.area_names())


@router.get("/compare", summary="Goals per cooperation area across partners (default AP4)")
def compare(
    service: Programmes,
    partners: Annotated[list[str] | None, Query(max_length=10)] = None,
) -> CompareRead:
    return compare_read(service.compare(partners or ["AUS", "JPN", "KOR", "NZL"]))


def calendar_response(service: ProgrammeService) -> Response:
    views, goals, acts = service.calendar_items()
    refs = {v.programme.id: v.programme.reference for v in views}
    data = export.to_ics(service.principal.username, views, goals, acts, refs)
    return Response(data, media_type="text/calendar; charset=utf-8")


@router.get(
    "/calendar.ics",
    summary="Your calendar: programme ends, goals due and activities you may read",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def calendar(service: Signed) -> Response:
    return calendar_response(service)


@router.post(
    "/calendar/feed",
    summary="A calendar-feed address for your calendar client (rotates the secret)",
)
@writes_own_state
def feed_url(request: Request, service: Signed) -> FeedUrlRead:
    secret = feeds.rotate(service.session, service.principal)
    return FeedUrlRead(
        url=str(request.url_for("calendar_feed", secret=secret)),
        note="Keep it private: anyone with it reads your calendar. Asking again rotates it.",
    )


@router.post(
    "/from-ipcp",
    status_code=status.HTTP_201_CREATED,
    summary="Turn a partner's IPCP into a draft ITPP",
)
def from_ipcp(data: FromIpcpIn, service: Writing) -> ProgrammeRead:
    return programme_read(service.from_ipcp(data.partner, data.period_start))


# one programme ------------------------------------------------------
@router.get("/{ref}", summary="A programme with everything in it you may read")
def get_programme(ref: str, service: Programmes) -> ProgrammeDetail:
    return detail_read(service.dossier(ref))


@router.patch("/{ref}", summary="Change a draft's title or period")
def update(ref: str, data: ProgrammeUpdate, service: Writing) -> ProgrammeRead:
    return programme_read(service.update(ref, data))


@router.post("/{ref}/transitions", summary="Move the programme along its lifecycle (409 if not)")
def transition(ref: str, data: TransitionIn, service: Writing) -> ProgrammeRead:
    return programme_read(service.transition(ref, data.to, data.on, data.reference))


@router.post("/{ref}/approval", summary="Record the allies' approval by hand (date, reference)")
def approval(ref: str, data: ApprovalIn, service: Approving) -> ProgrammeRead:
    return programme_read(service.record_approval(ref, data.approved_on, data.reference))


@router.post(
    "/{ref}/renewal",
    status_code=status.HTTP_201_CREATED,
    summary="Renew into a new period, linked by supersedes",
)
def renew(ref: str, data: RenewalIn, service: Writing) -> ProgrammeRead:
    return programme_read(service.renew(ref, data.period_start))


@router.get(
    "/{ref}/document.pdf",
    summary="The programme as a PDF, as you may read it",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def pdf(ref: str, service: Programmes) -> Response:
    d = service.dossier(ref)
    return download(
        export.to_pdf(d), "application/pdf", f"{d.view.programme.reference}.pdf", d.banner
    )


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get(
    "/{ref}/document.docx",
    summary="The programme as a Word document, as you may read it",
    response_class=Response,
    responses={200: {"content": {DOCX: {}}}},
)
def word(ref: str, service: Programmes) -> Response:
    d = service.dossier(ref)
    return download(export.to_docx(d), DOCX, f"{d.view.programme.reference}.docx", d.banner)


@router.get(
    "/{ref}/roadmap.svg",
    summary="The road map: a timeline by cooperation area",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def roadmap(ref: str, service: Programmes) -> Response:
    svg = export.roadmap_svg(service.dossier(ref), clock.today())
    return Response(str(svg), media_type="image/svg+xml")


# elements ------------------------------------------------------
@router.get("/{ref}/objectives")
def objectives(ref: str, service: Programmes) -> list[ObjectiveRead]:
    _, rows = service.elements(ref, StrategicObjective)
    return [objective_read(r) for r in rows]


@router.post("/{ref}/objectives", status_code=status.HTTP_201_CREATED)
def add_objective(ref: str, data: ObjectiveCreate, service: Writing) -> ObjectiveRead:
    return objective_read(service.add_objective(ref, data))


@router.patch("/{ref}/objectives/{ident}")
def update_objective(
    ref: str, ident: int, data: ObjectiveUpdate, service: Writing
) -> ObjectiveRead:
    return objective_read(service.update_objective(ref, ident, data))


@router.get("/{ref}/goals")
def goals(ref: str, service: Programmes) -> list[GoalRead]:
    _, rows = service.elements(ref, PartnershipGoal)
    return [goal_read(r, service.area_names()) for r in rows]


@router.post("/{ref}/goals", status_code=status.HTTP_201_CREATED)
def add_goal(ref: str, data: GoalCreate, service: Writing) -> GoalRead:
    return goal_read(service.add_goal(ref, data), service.area_names())


@router.patch("/{ref}/goals/{ident}", summary="Change a goal (wording while negotiating)")
def update_goal(ref: str, ident: int, data: GoalUpdate, service: Writing) -> GoalRead:
    return goal_read(service.update_goal(ref, ident, data), service.area_names())


@router.get("/{ref}/activities")
def activities(ref: str, service: Programmes) -> list[ActivityRead]:
    _, rows = service.elements(ref, ProgrammeActivity)
    return [activity_read(r) for r in rows]


@router.post("/{ref}/activities", status_code=status.HTTP_201_CREATED)
def add_activity(ref: str, data: ActivityCreate, service: Writing) -> ActivityRead:
    return activity_read(service.add_activity(ref, data))


@router.patch("/{ref}/activities/{ident}")
def update_activity(ref: str, ident: int, data: ActivityUpdate, service: Writing) -> ActivityRead:
    return activity_read(service.update_activity(ref, ident, data))


@router.get("/{ref}/sections")
def sections(ref: str, service: Programmes) -> list[SectionRead]:
    _, rows = service.elements(ref, ProgrammeSection)
    return [section_read(r) for r in rows]


@router.post("/{ref}/sections", status_code=status.HTTP_201_CREATED)
def add_section(ref: str, data: SectionCreate, service: Writing) -> SectionRead:
    return section_read(service.add_section(ref, data))


@router.get("/{ref}/sections/{ident}")
def section(ref: str, ident: int, service: Programmes) -> SectionRead:
    _, shown = service.element(ref, ProgrammeSection, ident)
    return section_read(shown)


@router.patch("/{ref}/sections/{ident}", summary="Save a new wording (a new version)")
def update_section(ref: str, ident: int, data: SectionUpdate, service: Writing) -> SectionRead:
    return section_read(service.update_section(ref, ident, data))


@router.get("/{ref}/{subject}s/{ident}/revisions", summary="Every saved version")
def revisions(ref: str, subject: str, ident: int, service: Programmes) -> list[RevisionRead]:
    return [revision_read(r) for r in service.revisions(ref, subject, ident)]


@router.get("/{ref}/{subject}s/{ident}/redline", summary="Word-level redline of two versions")
def redline(
    ref: str, subject: str, ident: int, service: Programmes, versions: Versions
) -> RedlineRead:
    return redline_read(service.redline(ref, subject, ident, *versions))


@router.get("/{ref}/sections/{ident}/comments")
def comments(ref: str, ident: int, service: Programmes) -> list[CommentRead]:
    return [comment_read(r) for r in service.comments(ref, ident)]


@router.post("/{ref}/sections/{ident}/comments", status_code=status.HTTP_201_CREATED)
def add_comment(ref: str, ident: int, data: CommentCreate, service: Commenting) -> CommentRead:
    return comment_read(service.add_comment(ref, ident, data))
