# SPDX-License-Identifier: Apache-2.0
"""Programme queries for one principal.

Invariant: every statement starts from ``_programmes`` or ``_scoped``, which apply
``policy.readable`` inside the SQL — to the programme, and for an element to the element *and*
its programme (the container caps its contents). Lists, counts, the dashboard, the road map,
the comparison, exports and feeds are all built on them; nothing is read first and hidden
afterwards. ``unfiltered_*`` helpers serve the lifecycle rules only (one programme in force per
partner), never a response.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from liaison.kit.pagination import PageRequest, order_by, window
from liaison.kit.text import contains
from liaison.programmes.models import (
    Comment,
    CooperationArea,
    PartnershipGoal,
    Programme,
    ProgrammeActivity,
    ProgrammeSection,
    Revision,
    StrategicObjective,
)
from liaison.programmes.rules import (
    OPEN_ACTIVITIES,
    OPEN_GOALS,
    ProgrammeKind,
    ProgrammeStatus,
)
from liaison.security.policy import readable
from liaison.security.principal import Principal

Element = StrategicObjective | PartnershipGoal | ProgrammeActivity | ProgrammeSection | Comment
E = TypeVar("E", StrategicObjective, PartnershipGoal, ProgrammeActivity, ProgrammeSection, Comment)

SORTS = {
    "reference": Programme.reference,
    "partner": Programme.partner_iso3,
    "kind": Programme.kind,
    "status": Programme.status,
    "period_start": Programme.period_start,
    "period_end": Programme.period_end,
    "updated_at": Programme.updated_at,
}


@dataclass(frozen=True, slots=True)
class ProgrammeFilters:
    partner: str | None = None
    kind: ProgrammeKind | None = None
    status: ProgrammeStatus | None = None
    query: str | None = None  # words in the reference or the title (wildcards literal)


class ProgrammeRepository:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _programmes(self, stmt: Select[Any]) -> Select[Any]:
        return readable(stmt, self.principal, Programme)

    def _scoped(self, model: type[E]) -> Select[Any]:
        stmt: Select[Any] = select(model).join(Programme, Programme.id == model.programme_id)
        return readable(readable(stmt, self.principal, model), self.principal, Programme)

    # programmes -------------------------------------------------------------------------------
    def programme(self, ref: str) -> Programme | None:
        stmt = self._programmes(select(Programme).where(Programme.reference == ref.upper()))
        found: Programme | None = self.session.scalar(stmt)
        return found

    def programme_by_id(self, programme_id: int) -> Programme | None:
        stmt = self._programmes(select(Programme).where(Programme.id == programme_id))
        found: Programme | None = self.session.scalar(stmt)
        return found

    def _filtered(self, filters: ProgrammeFilters) -> Select[Any]:
        stmt = self._programmes(select(Programme))
        if filters.partner:
            stmt = stmt.where(Programme.partner_iso3 == filters.partner)
        if filters.kind:
            stmt = stmt.where(Programme.kind == filters.kind)
        if filters.status:
            stmt = stmt.where(Programme.status == filters.status)
        if filters.query:
            stmt = stmt.where(
                or_(
                    contains(Programme.reference, filters.query),
                    contains(Programme.title, filters.query),
                )
            )
        return stmt

    def find(self, filters: ProgrammeFilters, page: PageRequest) -> tuple[list[Programme], int]:
        stmt = self._filtered(filters)
        total = self.session.scalar(select(func.count()).select_from(stmt.subquery()))
        stmt = order_by(stmt, page.sort, SORTS, [Programme.partner_iso3, Programme.period_start])
        rows = self.session.scalars(window(stmt, page.limit, page.offset)).all()
        return list(rows), int(total or 0)

    def of_partners(self, partners: list[str], statuses: frozenset[ProgrammeStatus]) -> list[Any]:
        stmt = self._programmes(select(Programme)).where(
            Programme.partner_iso3.in_(partners), Programme.status.in_(sorted(statuses))
        )
        return list(self.session.scalars(stmt.order_by(Programme.partner_iso3)).all())

    def successors(self, programme_id: int) -> list[Programme]:
        stmt = self._programmes(select(Programme).where(Programme.supersedes_id == programme_id))
        return list(self.session.scalars(stmt).all())

    def expiring(self, start: dt.date, end: dt.date, page: PageRequest) -> tuple[list[Any], int]:
        stmt = self._programmes(select(Programme)).where(
            Programme.status.in_([ProgrammeStatus.IN_FORCE, ProgrammeStatus.AGREED]),
            Programme.period_end >= start,
            Programme.period_end <= end,
        )
        total = self.session.scalar(select(func.count()).select_from(stmt.subquery()))
        stmt = stmt.order_by(Programme.period_end, Programme.reference)
        rows = self.session.scalars(window(stmt, page.limit, page.offset)).all()
        return list(rows), int(total or 0)

    # elements ---------------------------------------------------------------------------------
    def children(self, model: type[E], programme_id: int) -> list[E]:
        order: list[Any] = [model.position] if hasattr(model, "position") else []
        stmt = self._scoped(model).where(model.programme_id == programme_id)
        if model is PartnershipGoal:
            order = [PartnershipGoal.code, PartnershipGoal.id]
        elif model is ProgrammeActivity:
            order = [ProgrammeActivity.start_on, ProgrammeActivity.id]
        elif model is Comment:
            order = [Comment.created_at, Comment.id]
        return list(self.session.scalars(stmt.order_by(*order, model.id)).all())

    def element(self, model: type[E], programme_id: int, ident: int) -> E | None:
        stmt = self._scoped(model).where(model.programme_id == programme_id, model.id == ident)
        found: E | None = self.session.scalar(stmt)
        return found

    def comments(self, section_id: int) -> list[Comment]:
        stmt = self._scoped(Comment).where(Comment.section_id == section_id)
        return list(self.session.scalars(stmt.order_by(Comment.created_at, Comment.id)).all())

    def revisions(self, programme_id: int, subject: str, subject_id: int) -> list[Revision]:
        stmt = select(Revision).join(Programme, Programme.id == Revision.programme_id)
        stmt = readable(readable(stmt, self.principal, Revision), self.principal, Programme)
        stmt = stmt.where(
            Revision.programme_id == programme_id,
            Revision.subject == subject,
            Revision.subject_id == subject_id,
        )
        return list(self.session.scalars(stmt.order_by(Revision.number)).all())

    def overdue_goals(self, today: dt.date, page: PageRequest) -> tuple[list[Any], int]:
        stmt = self._scoped(PartnershipGoal).where(
            PartnershipGoal.due_on < today,
            PartnershipGoal.status.in_(sorted(OPEN_GOALS)),
            Programme.status == ProgrammeStatus.IN_FORCE,
        )
        total = self.session.scalar(select(func.count()).select_from(stmt.subquery()))
        stmt = stmt.add_columns(Programme.reference).order_by(
            PartnershipGoal.due_on, PartnershipGoal.id
        )
        rows = self.session.execute(window(stmt, page.limit, page.offset)).all()
        return [tuple(r) for r in rows], int(total or 0)

    def activities_between(
        self, start: dt.date, end: dt.date, page: PageRequest, *, open_only: bool = True
    ) -> tuple[list[Any], int]:
        stmt = self._scoped(ProgrammeActivity).where(
            ProgrammeActivity.start_on <= end,
            ProgrammeActivity.end_on >= start,
            Programme.status.in_([ProgrammeStatus.IN_FORCE, ProgrammeStatus.AGREED]),
        )
        if open_only:
            stmt = stmt.where(ProgrammeActivity.status.in_(sorted(OPEN_ACTIVITIES)))
        total = self.session.scalar(select(func.count()).select_from(stmt.subquery()))
        stmt = stmt.add_columns(Programme.reference).order_by(
            ProgrammeActivity.start_on, ProgrammeActivity.id
        )
        rows = self.session.execute(window(stmt, page.limit, page.offset)).all()
        return [tuple(r) for r in rows], int(total or 0)

    def goals_of(self, programme_ids: list[int]) -> list[PartnershipGoal]:
        stmt = self._scoped(PartnershipGoal).where(PartnershipGoal.programme_id.in_(programme_ids))
        return list(self.session.scalars(stmt.order_by(PartnershipGoal.id)).all())

    def activities_of(self, programme_ids: list[int]) -> list[ProgrammeActivity]:
        stmt = self._scoped(ProgrammeActivity).where(
            ProgrammeActivity.programme_id.in_(programme_ids)
        )
        return list(self.session.scalars(stmt.order_by(ProgrammeActivity.start_on)).all())

    def all_readable_programmes(self, limit: int = 10_000) -> list[Programme]:
        stmt = self._programmes(select(Programme)).order_by(Programme.reference).limit(limit)
        return list(self.session.scalars(stmt).all())

    # reference data and rule inputs -----------------------------------------------------------
    def areas(self) -> list[CooperationArea]:
        return list(self.session.scalars(select(CooperationArea).order_by(CooperationArea.name)))

    def unfiltered_in_force(self, partner: str) -> list[Programme]:
        """The partner's programmes in force, whoever asks (the one-in-force rule's input)."""
        stmt = select(Programme).where(
            Programme.partner_iso3 == partner, Programme.status == ProgrammeStatus.IN_FORCE
        )
        return list(self.session.scalars(stmt).all())

    def unfiltered_scheduled(self, day: dt.date) -> list[Programme]:
        """Agreed programmes whose entry into force is scheduled on or before ``day``."""
        stmt = select(Programme).where(
            Programme.status == ProgrammeStatus.AGREED,
            Programme.in_force_on.is_not(None),
            Programme.in_force_on <= day,
        )
        return list(self.session.scalars(stmt.order_by(Programme.in_force_on, Programme.id)))

    def locked(self, programme_id: int) -> Programme | None:
        """The programme row, locked for this transaction (PostgreSQL; SQLite's writers are
        serialised already) and reloaded, so two ticks cannot both move it."""
        stmt = (
            select(Programme)
            .where(Programme.id == programme_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        found: Programme | None = self.session.scalar(stmt)
        return found

    def unfiltered_reference_taken(self, ref: str) -> bool:
        return (
            self.session.scalar(select(Programme.id).where(Programme.reference == ref)) is not None
        )

    def unfiltered_by_reference(self, ref: str) -> Programme | None:
        found: Programme | None = self.session.scalar(
            select(Programme).where(Programme.reference == ref.upper())
        )
        return found

    def next_number(self, subject: str, subject_id: int) -> int:
        last = self.session.scalar(
            select(func.max(Revision.number)).where(
                Revision.subject == subject, Revision.subject_id == subject_id
            )
        )
        return int(last or 0) + 1
