# SPDX-License-Identifier: Apache-2.0
"""Decisions as the API, the pages and the CLI show them: service views to ``schemas``."""

from __future__ import annotations

from liaison.decisions.consensus import Outcome
from liaison.decisions.schemas import (
    NotificationRead,
    ProposalRead,
    StandingRead,
    SubjectRead,
    Tally,
)
from liaison.decisions.service import NotificationView, ProposalView, Standing

# the proposal's own columns, shown as they are stored
COLUMNS: tuple[str, ...] = ("id", "reference", "title", "procedure", "opened_at", "deadline")
COLUMNS += ("opened_by", "package", "sources")


def to_read(view: ProposalView) -> ProposalRead:
    p, verdict = view.proposal, view.verdict
    return ProposalRead(
        **{name: getattr(p, name) for name in COLUMNS},
        subject=SubjectRead(
            kind=p.subject_kind, ref=p.subject_ref, title=p.subject_title, href=p.subject_href
        ),
        release_to=list(p.release_to),
        outcome=verdict.outcome,
        outcome_reason=view.reason,
        decided_at=verdict.at if verdict.outcome is not Outcome.PENDING else None,
        settled=view.settled,
        version=view.version,
        depends_on=view.depends_on,
        revises=view.revises,
        level=view.marking.level,
        marking=view.short,
        banner=view.banner,
        tally=Tally.model_validate(view.tally, from_attributes=True),
    )


def standing_read(s: Standing) -> StandingRead:
    latest = s.position
    return StandingRead(
        ally=s.elector.iso3,
        name=s.elector.name,
        stance=latest.stance if latest else None,
        statement=latest.statement if latest else "",
        recorded_at=latest.recorded_at if latest else None,
        counts_as_consent=s.consent,
    )


def notification_read(row: NotificationView) -> NotificationRead:
    note, proposal = row.notification, row.view.proposal
    return NotificationRead(
        id=note.id,
        kind=note.kind,
        proposal_id=proposal.id,
        reference=proposal.reference,
        title=proposal.title,
        outcome=row.view.verdict.outcome,
        created_at=note.created_at,
        read=note.read_at is not None,
    )
