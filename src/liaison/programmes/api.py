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

from fastapi import APIRouter, Depends, Query, Request, Response, status

from liaison.kit import clock
from liaison.kit.pagination import Page
from liaison.programmes import export, feeds, rules
from liaison.programmes import redline as words
from liaison.programmes.models import (
    Comment,
    PartnershipGoal,
    ProgrammeActivity,
    ProgrammeSection,
    Revision,
    StrategicObjective,
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
    RedlinePiece,
    RedlineRead,
    RenewalIn,
    RevisionRead,
    SectionCreate,
    SectionRead,
    SectionUpdate,
    TransitionIn,
)
from liaison.programmes.service import (
    Dashboard,
    Dossier,
    ProgrammeService,
    ProgrammeView,
    Redline,
    Shown,
)
from liaison.security.permissions import Permission
from liaison.security.principal import Principal
from liaison.web.deps import (
    AppSettings,
    AuthenticatedPrincipal,
    CurrentPrincipal,
    DbSession,
    Limit,
    Offset,
    page_request,
    require,
    writes_own_state,
)
from liaison.web.templating import NO_STORE

router = APIRouter(prefix="/api/v1/programmes", tags=["programmes"])

Writer = Annotated[Principal, Depends(require(Permission.PROGRAMMES_PROGRAMME_WRITE))]
Approver = Annotated[Principal, Depends(require(Permission.PROGRAMMES_PROGRAMME_APPROVE))]
Commenter = Annotated[Principal, Depends(require(Permission.PROGRAMMES_COMMENT_WRITE))]
Horizon = Annotated[int, Query(ge=1, le=3660, description="Days ahead (default 90).")]


# converters (shared with the pages) --------------------------------------------------------------
def programme_read(v: ProgrammeView) -> ProgrammeRead:
    p = v.programme
    return ProgrammeRead(
        id=p.id,
        reference=p.reference,
        partner=p.partner_iso3,
        partner_name=v.partner_name,
        kind=p.kind,
        title=p.title,
        period_start=p.period_start,
        period_end=p.period_end,
        status=p.status,
        supersedes=v.supersedes,
        approved_on=p.approved_on,
        approval_reference=p.approval_reference,
        agreed_on=p.agreed_on,
        in_force_on=p.in_force_on,
        ended_on=p.ended_on,
        marking=v.short,
        banner=v.banner,
        updated_at=p.updated_at,
    )


def objective_read(s: Shown[StrategicObjective]) -> ObjectiveRead:
    r = s.row
    return ObjectiveRead(
        id=r.id, position=r.position, title=r.title, description=r.description, marking=s.short
    )


def goal_read(s: Shown[PartnershipGoal], areas: dict[str, str]) -> GoalRead:
    r = s.row
    return GoalRead(
        id=r.id,
        objective_id=r.objective_id,
        code=r.code,
        area=r.area_code,
        area_name=areas.get(r.area_code, r.area_code),
        title=r.title,
        wording=r.wording,
        indicator=r.indicator,
        target=r.target,
        due_on=r.due_on,
        status=r.status,
        overdue=rules.overdue(r.due_on, r.status, clock.today()),
        version=r.version,
        marking=s.short,
    )


def activity_read(s: Shown[ProgrammeActivity]) -> ActivityRead:
    r = s.row
    return ActivityRead(
        id=r.id,
        goal_id=r.goal_id,
        title=r.title,
        kind=r.kind,
        start_on=r.start_on,
        end_on=r.end_on,
        status=r.status,
        owner=r.owner,
        location=r.location,
        marking=s.short,
    )


def section_read(s: Shown[ProgrammeSection]) -> SectionRead:
    r = s.row
    return SectionRead(
        id=r.id,
        position=r.position,
        heading=r.heading,
        body=r.body,
        version=r.version,
        updated_by=r.updated_by,
        updated_at=r.updated_at,
        marking=s.short,
    )


def revision_read(s: Shown[Revision]) -> RevisionRead:
    r = s.row
    return RevisionRead(
        number=r.number,
        title=r.title,
        body=r.body,
        author=r.author,
        saved_at=r.saved_at,
        note=r.note,
        marking=s.short,
    )


def comment_read(s: Shown[Comment]) -> CommentRead:
    r = s.row
    return CommentRead(
        id=r.id,
        section_id=r.section_id,
        parent_id=r.parent_id,
        author=r.author,
        author_side=r.author_side,
        author_nation=r.author_nation,
        body=r.body,
        created_at=r.created_at,
        marking=s.short,
    )


def redline_read(r: Redline) -> RedlineRead:
    return RedlineRead(
        subject=r.subject,
        subject_id=r.subject_id,
        from_version=revision_read(r.old),
        to_version=revision_read(r.new),
        title=[RedlinePiece(op=p.op, text=p.text) for p in r.title],
        body=[RedlinePiece(op=p.op, text=p.text) for p in r.body],
        html=str(words.to_html(r.body)),
        inserted=r.counts["inserted"],
        deleted=r.counts["deleted"],
    )


def detail_read(d: Dossier) -> ProgrammeDetail:
    return ProgrammeDetail(
        programme=programme_read(d.view),
        objectives=[objective_read(o) for o in d.objectives],
        goals=[goal_read(g, d.areas) for g in d.goals],
        activities=[activity_read(a) for a in d.activities],
        sections=[section_read(s) for s in d.sections],
        banner=d.banner,
    )


def download(data: bytes, media_type: str, filename: str, banner: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={
            **NO_STORE,
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Classification": quote(banner, safe=" /,:-"),
        },
    )


# lists, dashboard, comparison, calendar ------------------------------------------------------
@router.get("", summary="List the programmes you may read")
def list_programmes(
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    response: Response,
    partner: Annotated[str | None, Query(max_length=120)] = None,
    kind: ProgrammeKind | None = None,
    programme_status: Annotated[ProgrammeStatus | None, Query(alias="status")] = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[ProgrammeRead]:
    service = ProgrammeService(session, principal)
    page = page_request(settings, limit, offset, sort)
    filters = service.filters(partner=partner, kind=kind, status=programme_status)
    views, total = service.find(filters, page)
    response.headers.update(NO_STORE)
    return Page[ProgrammeRead](
        items=[programme_read(v) for v in views], total=total, limit=page.limit, offset=page.offset
    )


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a draft programme")
def create(data: ProgrammeCreate, session: DbSession, principal: Writer) -> ProgrammeRead:
    return programme_read(ProgrammeService(session, principal).create(data))


@router.get("/dashboard", summary="Renewals due, goals overdue, activities this month")
def dashboard(
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    response: Response,
    horizon: Horizon = 90,
    limit: Limit = None,
) -> DashboardRead:
    service = ProgrammeService(session, principal)
    d = service.dashboard(horizon, page_request(settings, limit, 0, None))
    response.headers.update(NO_STORE)
    return dashboard_read(d, service.area_names())


def dashboard_read(d: Dashboard, areas: dict[str, str]) -> DashboardRead:
    return DashboardRead(
        today=d.today,
        horizon_days=d.horizon_days,
        expiring=[programme_read(v) for v in d.expiring],
        expiring_total=d.expiring_total,
        renewal_started=d.renewal_started,
        overdue_goals=[
            {"programme": ref, **goal_read(g, areas).model_dump(mode="json")}
            for g, ref in d.overdue
        ],
        overdue_total=d.overdue_total,
        activities_this_month=[
            {"programme": ref, **activity_read(a).model_dump(mode="json")}
            for a, ref in d.this_month
        ],
        activities_total=d.this_month_total,
    )


@router.get("/compare", summary="Goals per cooperation area across partners (default AP4)")
def compare(
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    partners: Annotated[list[str] | None, Query(max_length=10)] = None,
) -> CompareRead:
    service = ProgrammeService(session, principal)
    c = service.compare(partners or ["AUS", "JPN", "KOR", "NZL"])
    response.headers.update(NO_STORE)
    return CompareRead(
        partners=c.partners,
        areas=[
            {
                "area": code,
                "name": name,
                "goals": {p: cells.get(p, (0, 0))[0] for p in c.partners},
                "achieved": {p: cells.get(p, (0, 0))[1] for p in c.partners},
            }
            for code, name, cells in c.rows
        ],
    )


def calendar_response(session: DbSession, principal: Principal) -> Response:
    service = ProgrammeService(session, principal)
    views, goals, acts = service.calendar_items()
    refs = {v.programme.id: v.programme.reference for v in views}
    data = export.to_ics(principal.username, views, goals, acts, refs)
    return Response(data, media_type="text/calendar; charset=utf-8", headers={**NO_STORE})


@router.get(
    "/calendar.ics",
    summary="Your calendar: programme ends, goals due and activities you may read",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def calendar(session: DbSession, principal: AuthenticatedPrincipal) -> Response:
    return calendar_response(session, principal)


@router.post(
    "/calendar/feed",
    summary="A calendar-feed address for your calendar client (rotates the secret)",
)
@writes_own_state
def feed_url(
    request: Request, session: DbSession, principal: AuthenticatedPrincipal
) -> FeedUrlRead:
    secret = feeds.rotate(session, principal)
    return FeedUrlRead(
        url=str(request.url_for("calendar_feed", secret=secret)),
        note="Keep it private: anyone with it reads your calendar. Asking again rotates it.",
    )


@router.post(
    "/from-ipcp",
    status_code=status.HTTP_201_CREATED,
    summary="Turn a partner's IPCP into a draft ITPP",
)
def from_ipcp(data: FromIpcpIn, session: DbSession, principal: Writer) -> ProgrammeRead:
    service = ProgrammeService(session, principal)
    return programme_read(service.from_ipcp(data.partner, data.period_start))


# one programme ------------------------------------------------------
@router.get("/{ref}", summary="A programme with everything in it you may read")
def get_programme(
    ref: str, session: DbSession, principal: CurrentPrincipal, response: Response
) -> ProgrammeDetail:
    response.headers.update(NO_STORE)
    return detail_read(ProgrammeService(session, principal).dossier(ref))


@router.patch("/{ref}", summary="Change a draft's title or period")
def update(ref: str, data: ProgrammeUpdate, session: DbSession, principal: Writer) -> ProgrammeRead:
    return programme_read(ProgrammeService(session, principal).update(ref, data))


@router.post("/{ref}/transitions", summary="Move the programme along its lifecycle (409 if not)")
def transition(
    ref: str, data: TransitionIn, session: DbSession, principal: Writer
) -> ProgrammeRead:
    service = ProgrammeService(session, principal)
    return programme_read(service.transition(ref, data.to, data.on, data.reference))


@router.post("/{ref}/approval", summary="Record the allies' approval by hand (date, reference)")
def approval(ref: str, data: ApprovalIn, session: DbSession, principal: Approver) -> ProgrammeRead:
    service = ProgrammeService(session, principal)
    return programme_read(service.record_approval(ref, data.approved_on, data.reference))


@router.post(
    "/{ref}/renewal",
    status_code=status.HTTP_201_CREATED,
    summary="Renew into a new period, linked by supersedes",
)
def renew(ref: str, data: RenewalIn, session: DbSession, principal: Writer) -> ProgrammeRead:
    return programme_read(ProgrammeService(session, principal).renew(ref, data.period_start))


@router.get(
    "/{ref}/document.pdf",
    summary="The programme as a PDF, as you may read it",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def pdf(ref: str, session: DbSession, principal: CurrentPrincipal) -> Response:
    d = ProgrammeService(session, principal).dossier(ref)
    return download(
        export.to_pdf(d), "application/pdf", f"{d.view.programme.reference}.pdf", d.banner
    )


@router.get(
    "/{ref}/document.docx",
    summary="The programme as a Word document, as you may read it",
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {}
            }
        }
    },
)
def word(ref: str, session: DbSession, principal: CurrentPrincipal) -> Response:
    d = ProgrammeService(session, principal).dossier(ref)
    return download(
        export.to_docx(d),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        f"{d.view.programme.reference}.docx",
        d.banner,
    )


@router.get(
    "/{ref}/roadmap.svg",
    summary="The road map: a timeline by cooperation area",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def roadmap(ref: str, session: DbSession, principal: CurrentPrincipal) -> Response:
    d = ProgrammeService(session, principal).dossier(ref)
    svg = export.roadmap_svg(d, clock.today())
    return Response(str(svg), media_type="image/svg+xml", headers={**NO_STORE})


# elements ------------------------------------------------------
@router.get("/{ref}/objectives")
def objectives(ref: str, session: DbSession, principal: CurrentPrincipal) -> list[ObjectiveRead]:
    _, rows = ProgrammeService(session, principal).elements(ref, StrategicObjective)
    return [objective_read(r) for r in rows]


@router.post("/{ref}/objectives", status_code=status.HTTP_201_CREATED)
def add_objective(
    ref: str, data: ObjectiveCreate, session: DbSession, principal: Writer
) -> ObjectiveRead:
    return objective_read(ProgrammeService(session, principal).add_objective(ref, data))


@router.patch("/{ref}/objectives/{ident}")
def update_objective(
    ref: str, ident: int, data: ObjectiveUpdate, session: DbSession, principal: Writer
) -> ObjectiveRead:
    return objective_read(ProgrammeService(session, principal).update_objective(ref, ident, data))


@router.get("/{ref}/goals")
def goals(ref: str, session: DbSession, principal: CurrentPrincipal) -> list[GoalRead]:
    service = ProgrammeService(session, principal)
    _, rows = service.elements(ref, PartnershipGoal)
    return [goal_read(r, service.area_names()) for r in rows]


@router.post("/{ref}/goals", status_code=status.HTTP_201_CREATED)
def add_goal(ref: str, data: GoalCreate, session: DbSession, principal: Writer) -> GoalRead:
    service = ProgrammeService(session, principal)
    return goal_read(service.add_goal(ref, data), service.area_names())


@router.patch("/{ref}/goals/{ident}", summary="Change a goal (wording while negotiating)")
def update_goal(
    ref: str, ident: int, data: GoalUpdate, session: DbSession, principal: Writer
) -> GoalRead:
    service = ProgrammeService(session, principal)
    return goal_read(service.update_goal(ref, ident, data), service.area_names())


@router.get("/{ref}/activities")
def activities(ref: str, session: DbSession, principal: CurrentPrincipal) -> list[ActivityRead]:
    _, rows = ProgrammeService(session, principal).elements(ref, ProgrammeActivity)
    return [activity_read(r) for r in rows]


@router.post("/{ref}/activities", status_code=status.HTTP_201_CREATED)
def add_activity(
    ref: str, data: ActivityCreate, session: DbSession, principal: Writer
) -> ActivityRead:
    return activity_read(ProgrammeService(session, principal).add_activity(ref, data))


@router.patch("/{ref}/activities/{ident}")
def update_activity(
    ref: str, ident: int, data: ActivityUpdate, session: DbSession, principal: Writer
) -> ActivityRead:
    return activity_read(ProgrammeService(session, principal).update_activity(ref, ident, data))


@router.get("/{ref}/sections")
def sections(ref: str, session: DbSession, principal: CurrentPrincipal) -> list[SectionRead]:
    _, rows = ProgrammeService(session, principal).elements(ref, ProgrammeSection)
    return [section_read(r) for r in rows]


@router.post("/{ref}/sections", status_code=status.HTTP_201_CREATED)
def add_section(
    ref: str, data: SectionCreate, session: DbSession, principal: Writer
) -> SectionRead:
    return section_read(ProgrammeService(session, principal).add_section(ref, data))


@router.get("/{ref}/sections/{ident}")
def section(ref: str, ident: int, session: DbSession, principal: CurrentPrincipal) -> SectionRead:
    _, shown = ProgrammeService(session, principal).element(ref, ProgrammeSection, ident)
    return section_read(shown)


@router.patch("/{ref}/sections/{ident}", summary="Save a new wording (a new version)")
def update_section(
    ref: str, ident: int, data: SectionUpdate, session: DbSession, principal: Writer
) -> SectionRead:
    return section_read(ProgrammeService(session, principal).update_section(ref, ident, data))


@router.get("/{ref}/{subject}s/{ident}/revisions", summary="Every saved version")
def revisions(
    ref: str, subject: str, ident: int, session: DbSession, principal: CurrentPrincipal
) -> list[RevisionRead]:
    rows = ProgrammeService(session, principal).revisions(ref, subject, ident)
    return [revision_read(r) for r in rows]


@router.get("/{ref}/{subject}s/{ident}/redline", summary="Word-level redline of two versions")
def redline(
    ref: str,
    subject: str,
    ident: int,
    session: DbSession,
    principal: CurrentPrincipal,
    from_version: Annotated[int | None, Query(alias="from", ge=1)] = None,
    to_version: Annotated[int | None, Query(alias="to", ge=1)] = None,
) -> RedlineRead:
    service = ProgrammeService(session, principal)
    return redline_read(service.redline(ref, subject, ident, from_version, to_version))


@router.get("/{ref}/sections/{ident}/comments")
def comments(
    ref: str, ident: int, session: DbSession, principal: CurrentPrincipal
) -> list[CommentRead]:
    rows = ProgrammeService(session, principal).comments(ref, ident)
    return [comment_read(r) for r in rows]


@router.post("/{ref}/sections/{ident}/comments", status_code=status.HTTP_201_CREATED)
def add_comment(
    ref: str, ident: int, data: CommentCreate, session: DbSession, principal: Commenter
) -> CommentRead:
    return comment_read(ProgrammeService(session, principal).add_comment(ref, ident, data))
