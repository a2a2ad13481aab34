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

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, Field

from liaison.decisions import schemas
from liaison.decisions.calendar import feed
from liaison.decisions.consensus import Outcome, Procedure
from liaison.decisions.deps import Decisions, Managing, Recording, SignedIn
from liaison.decisions.present import notification_read, standing_read, to_read
from liaison.decisions.repository import ProposalFilters
from liaison.events import SubjectKind
from liaison.kit.pagination import Page
from liaison.web.deps import AppSettings, ListPage, SortedPage, writes_own_state

router = APIRouter(prefix="/api/v1/decisions", tags=["decisions"])

State = Annotated[
    str | None, Query(pattern="^(open|decided)$", description="open (not settled) or decided.")
]
Q = Annotated[str | None, Query(max_length=200, description="Words in the title or reference.")]
Key = Annotated[
    str,
    Path(max_length=40, description="The proposal's reference (DEC-2023-0001) or its id."),
]


@router.get("", summary="List the proposals you may read")
def list_proposals(
    service: Decisions,
    page: SortedPage,
    state: State = None,
    outcome: Annotated[Outcome | None, Query()] = None,
    procedure: Annotated[Procedure | None, Query()] = None,
    subject_kind: Annotated[SubjectKind | None, Query()] = None,
    q: Q = None,
) -> Page[schemas.ProposalRead]:
    """Sort by reference, title, opened_at, deadline, outcome or level."""
    filters = ProposalFilters(state, outcome, procedure, subject_kind, (q or "").strip() or None)
    views, total = service.find(filters, page)
    return Page[schemas.ProposalRead].of(map(to_read, views), total, page)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Open a proposal")
def open_proposal(data: schemas.ProposalCreate, service: Managing) -> schemas.ProposalRead:
    """The electorate is frozen now: the allies that are members today. A subject (an ITPP, an
    office, a document) must be one its owner says can be decided now."""
    return to_read(service.open(data))


@router.get("/inbox", summary="Open proposals awaiting your delegation's position")
def inbox(service: SignedIn, page: ListPage) -> Page[schemas.ProposalRead]:
    views, total, _ = service.inbox(page)
    return Page[schemas.ProposalRead].of(map(to_read, views), total, page)


@router.get("/notifications", summary="Your notifications")
def notifications(
    service: SignedIn,
    page: ListPage,
    unread: Annotated[bool, Query(description="Only unread ones.")] = False,
) -> Page[schemas.NotificationRead]:
    rows, total = service.notifications(page, unread_only=unread)
    return Page[schemas.NotificationRead].of(map(notification_read, rows), total, page)


class MarkRead(BaseModel):
    ids: list[int] | None = Field(default=None, max_length=1000, description="Default: all.")


class Marked(BaseModel):
    marked: int


@router.post("/notifications/read", summary="Mark your notifications read")
@writes_own_state
def mark_read(data: MarkRead, service: SignedIn) -> Marked:
    return Marked(marked=service.mark_read(data.ids))


@router.get(
    "/calendar.ics",
    summary="iCalendar feed of the deadlines you may see",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def calendar(service: Decisions, settings: AppSettings) -> Response:
    return Response(
        feed(service.calendar_items(), settings.public_url),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="deadlines.ics"'},
    )


@router.get("/{proposal_id}")
def get_proposal(proposal_id: Key, service: Decisions) -> schemas.ProposalRead:
    return to_read(service.get_ref(proposal_id))


@router.get("/{proposal_id}/standings", summary="Every elector and its latest position")
def standings(proposal_id: Key, service: Decisions) -> list[schemas.StandingRead]:
    return [standing_read(s) for s in service.standings_of(proposal_id)]


@router.get("/{proposal_id}/positions", summary="Every position taken, in order")
def positions(proposal_id: Key, service: Decisions) -> list[schemas.PositionRead]:
    return [schemas.PositionRead.model_validate(p) for p in service.positions_of(proposal_id)]


@router.post(
    "/{proposal_id}/positions",
    status_code=status.HTTP_201_CREATED,
    summary="Record your delegation's position",
)
def record_position(
    proposal_id: Key, data: schemas.PositionCreate, service: Recording
) -> schemas.PositionRead:
    return schemas.PositionRead.model_validate(
        service.record_position(service.key(proposal_id), data)
    )


@router.get("/{proposal_id}/versions", summary="The texts, oldest first")
def versions(proposal_id: Key, service: Decisions) -> list[schemas.VersionRead]:
    return [schemas.VersionRead.model_validate(v) for v in service.versions_of(proposal_id)]


@router.post("/{proposal_id}/versions", summary="Amend the text (meeting procedure)")
def amend(proposal_id: Key, data: schemas.Amendment, service: Managing) -> schemas.ProposalRead:
    return to_read(service.amend(service.key(proposal_id), data))


@router.post(
    "/{proposal_id}/revise",
    status_code=status.HTTP_201_CREATED,
    summary="Revise a broken or lapsed proposal into a new, linked one",
)
def revise(proposal_id: Key, data: schemas.Revision, service: Managing) -> schemas.ProposalRead:
    return to_read(service.revise(service.key(proposal_id), data))


@router.post("/{proposal_id}/withdraw", summary="Withdraw an open proposal")
def withdraw(proposal_id: Key, data: schemas.Withdrawal, service: Managing) -> schemas.ProposalRead:
    return to_read(service.withdraw(service.key(proposal_id), data))
