# SPDX-License-Identifier: Apache-2.0
"""Decisions REST API under ``/api/v1/decisions``.

Every read answers from ``DecisionService`` (the policy inside the SQL, reads audited); a
proposal is addressed by its reference (``/api/v1/decisions/DEC-2023-0001``) or its id, and one
the caller may not read is a 404 problem identical to a missing one, on every route.
Opening, amending, revising and withdrawing need ``decisions:proposal:manage``; recording a
position needs ``decisions:position:record`` *and* a seat in that ally's delegation (the service
says why not: a partner, another ally's delegation, an ally outside the electorate). The
outcome in every answer is computed at the moment of the request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status
from pydantic import BaseModel, Field

from liaison.decisions.calendar import feed
from liaison.decisions.consensus import Outcome, Procedure
from liaison.decisions.models import Position, ProposalVersion
from liaison.decisions.repository import ProposalFilters
from liaison.decisions.schemas import (
    Amendment,
    NotificationRead,
    PositionCreate,
    PositionRead,
    ProposalCreate,
    ProposalRead,
    Revision,
    StandingRead,
    SubjectRead,
    Tally,
    VersionRead,
    Withdrawal,
)
from liaison.decisions.service import DecisionService, Inbox, ProposalView
from liaison.events import SubjectKind
from liaison.kit.pagination import Page
from liaison.security.permissions import Permission
from liaison.security.principal import Principal
from liaison.web.deps import (
    AppSettings,
    AuthenticatedPrincipal,
    CurrentPrincipal,
    DbSession,
    ListPage,
    SortedPage,
    authenticated,
    require,
    serves,
    writes_own_state,
)
from liaison.web.templating import NO_STORE

router = APIRouter(prefix="/api/v1/decisions", tags=["decisions"])

Manager = Annotated[Principal, Depends(require(Permission.DECISIONS_PROPOSAL_MANAGE))]
Decisions = Annotated[DecisionService, Depends(serves(DecisionService))]
Managing = Annotated[
    DecisionService,
    Depends(serves(DecisionService, require(Permission.DECISIONS_PROPOSAL_MANAGE))),
]
Recorder = Annotated[Principal, Depends(require(Permission.DECISIONS_POSITION_RECORD))]
State = Annotated[
    str | None, Query(pattern="^(open|decided)$", description="open (not settled) or decided.")
]
Q = Annotated[str | None, Query(max_length=200, description="Words in the title or reference.")]
Key = Annotated[
    str,
    Path(max_length=40, description="The proposal's reference (DEC-2023-0001) or its id."),
]


def to_read(view: ProposalView) -> ProposalRead:
    p = view.proposal
    return ProposalRead(
        id=p.id,
        reference=p.reference,
        title=p.title,
        subject=SubjectRead(
            kind=p.subject_kind, ref=p.subject_ref, title=p.subject_title, href=p.subject_href
        ),
        release_to=list(p.release_to),
        procedure=p.procedure,
        opened_at=p.opened_at,
        deadline=p.deadline,
        opened_by=p.opened_by,
        outcome=view.verdict.outcome,
        outcome_reason=view.reason,
        decided_at=view.verdict.at if view.verdict.outcome is not Outcome.PENDING else None,
        settled=view.settled,
        version=view.version,
        depends_on=view.depends_on,
        revises=view.revises,
        package=p.package,
        level=view.marking.level,
        marking=view.short,
        banner=view.banner,
        tally=Tally(
            electors=view.tally.electors,
            consent=view.tally.consent,
            reservations=view.tally.reservations,
            broke_silence=view.tally.broke_silence,
            silent=view.tally.silent,
        ),
        sources=p.sources,
    )


def position_read(position: Position) -> PositionRead:
    return PositionRead(
        id=position.id,
        ally=position.ally_iso3,
        stance=position.stance,
        statement=position.statement,
        version=position.version_number,
        recorded_at=position.recorded_at,
        recorded_by=position.recorded_by,
    )


def version_read(version: ProposalVersion) -> VersionRead:
    return VersionRead(
        number=version.number,
        text=version.text,
        note=version.note,
        created_at=version.created_at,
        created_by=version.created_by,
    )


@router.get("", summary="List the proposals you may read")
def list_proposals(
    service: Decisions,
    page: SortedPage,
    state: State = None,
    outcome: Annotated[Outcome | None, Query()] = None,
    procedure: Annotated[Procedure | None, Query()] = None,
    subject_kind: Annotated[SubjectKind | None, Query()] = None,
    q: Q = None,
) -> Page[ProposalRead]:
    """Sort by reference, title, opened_at, deadline, outcome or level."""
    filters = ProposalFilters(state, outcome, procedure, subject_kind, (q or "").strip() or None)
    views, total = service.find(filters, page)
    return Page[ProposalRead].of(map(to_read, views), total, page)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Open a proposal")
def open_proposal(data: ProposalCreate, service: Managing) -> ProposalRead:
    """The electorate is frozen now: the allies that are members today. A subject (an ITPP, an
    office, a document) must be one its owner says can be decided now."""
    return to_read(service.open(data))


@router.get("/inbox", summary="Open proposals awaiting your delegation's position")
def inbox(
    service: Annotated[DecisionService, Depends(serves(DecisionService, authenticated))],
    page: ListPage,
) -> Page[ProposalRead]:
    views, total, _ = service.inbox(page)
    return Page[ProposalRead].of(map(to_read, views), total, page)


@router.get("/notifications", summary="Your notifications")
def notifications(
    service: Annotated[DecisionService, Depends(serves(DecisionService, authenticated))],
    page: ListPage,
    unread: Annotated[bool, Query(description="Only unread ones.")] = False,
) -> Page[NotificationRead]:
    rows, total = Inbox(service).list(page, unread_only=unread)
    items = [
        NotificationRead(
            id=r.notification.id,
            kind=r.notification.kind,
            proposal_id=r.view.proposal.id,
            reference=r.view.proposal.reference,
            title=r.view.proposal.title,
            outcome=r.view.verdict.outcome,
            created_at=r.notification.created_at,
            read=r.notification.read_at is not None,
        )
        for r in rows
    ]
    return Page[NotificationRead].of(items, total, page)


class MarkRead(BaseModel):
    ids: list[int] | None = Field(default=None, max_length=1000, description="Default: all.")


class Marked(BaseModel):
    marked: int


@router.post("/notifications/read", summary="Mark your notifications read")
@writes_own_state
def mark_read(data: MarkRead, session: DbSession, principal: AuthenticatedPrincipal) -> Marked:
    return Marked(marked=Inbox(DecisionService(session, principal)).mark_read(data.ids))


@router.get(
    "/calendar.ics",
    summary="iCalendar feed of the deadlines you may see",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def calendar(session: DbSession, principal: CurrentPrincipal, settings: AppSettings) -> Response:
    views = DecisionService(session, principal).calendar_items()
    return Response(
        feed(views, settings.public_url),
        media_type="text/calendar; charset=utf-8",
        headers={**NO_STORE, "Content-Disposition": 'inline; filename="deadlines.ics"'},
    )


@router.get("/{proposal_id}")
def get_proposal(proposal_id: Key, service: Decisions) -> ProposalRead:
    return to_read(service.get_ref(proposal_id))


@router.get("/{proposal_id}/standings", summary="Every elector and its latest position")
def standings(
    proposal_id: Key, session: DbSession, principal: CurrentPrincipal, response: Response
) -> list[StandingRead]:
    rows = DecisionService(session, principal).standings_of(proposal_id)
    response.headers.update(NO_STORE)
    return [
        StandingRead(
            ally=s.elector.iso3,
            name=s.elector.name,
            stance=s.position.stance if s.position else None,
            statement=s.position.statement if s.position else "",
            recorded_at=s.position.recorded_at if s.position else None,
            counts_as_consent=s.consent,
        )
        for s in rows
    ]


@router.get("/{proposal_id}/positions", summary="Every position taken, in order")
def positions(
    proposal_id: Key, session: DbSession, principal: CurrentPrincipal, response: Response
) -> list[PositionRead]:
    rows = DecisionService(session, principal).positions_of(proposal_id)
    response.headers.update(NO_STORE)
    return [position_read(p) for p in rows]


@router.post(
    "/{proposal_id}/positions",
    status_code=status.HTTP_201_CREATED,
    summary="Record your delegation's position",
)
def record_position(
    proposal_id: Key, data: PositionCreate, session: DbSession, principal: Recorder
) -> PositionRead:
    service = DecisionService(session, principal)
    return position_read(service.record_position(service.key(proposal_id), data))


@router.get("/{proposal_id}/versions", summary="The texts, oldest first")
def versions(
    proposal_id: Key, session: DbSession, principal: CurrentPrincipal, response: Response
) -> list[VersionRead]:
    rows = DecisionService(session, principal).versions_of(proposal_id)
    response.headers.update(NO_STORE)
    return [version_read(v) for v in rows]


@router.post("/{proposal_id}/versions", summary="Amend the text (meeting procedure)")
def amend(
    proposal_id: Key, data: Amendment, session: DbSession, principal: Manager
) -> ProposalRead:
    service = DecisionService(session, principal)
    return to_read(service.amend(service.key(proposal_id), data))


@router.post(
    "/{proposal_id}/revise",
    status_code=status.HTTP_201_CREATED,
    summary="Revise a broken or lapsed proposal into a new, linked one",
)
def revise(
    proposal_id: Key, data: Revision, session: DbSession, principal: Manager
) -> ProposalRead:
    service = DecisionService(session, principal)
    return to_read(service.revise(service.key(proposal_id), data))


@router.post("/{proposal_id}/withdraw", summary="Withdraw an open proposal")
def withdraw(proposal_id: Key, data: Withdrawal, service: Managing) -> ProposalRead:
    return to_read(service.withdraw(service.key(proposal_id), data))
