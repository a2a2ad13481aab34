# SPDX-License-Identifier: Apache-2.0
"""Decision queries.

Invariants:
- ``ProposalRepository`` serves one principal: every statement starts from ``_readable``
  (``policy.readable(stmt, principal, Proposal)`` inside the SQL); versions, positions,
  electors and notifications are reached only by joining a readable proposal;
- ``LinkGraph`` reads proposals *without* the policy, because an outcome is a fact about the
  world, not about the reader (a package is adopted or not whoever looks). It is used to
  compute outcomes and to settle them, never to show a proposal: what it loads reaches a page
  only as an outcome, and a hidden linked proposal is named "a linked proposal".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from liaison.decisions.consensus import Facts, Outcome, Procedure, Stand
from liaison.decisions.models import (
    Notification,
    Position,
    Proposal,
    ProposalElector,
    ProposalVersion,
)
from liaison.events import SubjectKind
from liaison.kit.pagination import PageRequest, order_by, window
from liaison.kit.text import contains
from liaison.registry.models import Country
from liaison.security.models import MarkingRow, Organisation, OrganisationKind, User
from liaison.security.policy import readable
from liaison.security.principal import Principal

_shown = aliased(MarkingRow, name="shown_marking")
SORTS = {
    "reference": Proposal.id,
    "title": Proposal.title,
    "opened_at": Proposal.opened_at,
    "deadline": Proposal.deadline,
    "outcome": Proposal.outcome,
    "level": _shown.level_rank,
}


@dataclass(frozen=True, slots=True)
class ProposalFilters:
    """``state``: "open" (not yet settled) or "decided"; ``query``: words in the title or
    reference; ``elector``: proposals where this ally (ISO alpha-3) is an elector."""

    state: str | None = None
    outcome: Outcome | None = None
    procedure: Procedure | None = None
    subject_kind: SubjectKind | None = None
    query: str | None = None
    elector: str | None = None


@dataclass(frozen=True, slots=True)
class Elector:
    iso3: str
    iso2: str
    name: str


class ProposalRepository:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _readable(self, stmt: Select[Any]) -> Select[Any]:
        return readable(stmt, self.principal, Proposal)

    def get(self, proposal_id: int) -> Proposal | None:
        found: Proposal | None = self.session.scalar(
            self._readable(select(Proposal).where(Proposal.id == proposal_id))
        )
        return found

    def by_reference(self, reference: str) -> Proposal | None:
        found: Proposal | None = self.session.scalar(
            self._readable(select(Proposal).where(Proposal.reference == reference.upper()))
        )
        return found

    def references(self, ids: Iterable[int]) -> dict[int, str]:
        """The references of those of ``ids`` the principal may read."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        stmt = self._readable(select(Proposal).where(Proposal.id.in_(wanted)))
        return {p.id: p.reference for p in self.session.scalars(stmt)}

    def _filtered(self, filters: ProposalFilters, *columns: Any) -> Select[Any]:  # noqa: ANN401 - any selectable
        stmt = select(*(columns or (Proposal,))).select_from(Proposal)
        stmt = self._readable(stmt.join(_shown, _shown.id == Proposal.marking_id))
        if filters.state == "open":
            stmt = stmt.where(Proposal.outcome == Outcome.PENDING)
        elif filters.state == "decided":
            stmt = stmt.where(Proposal.outcome != Outcome.PENDING)
        if filters.outcome is not None:
            stmt = stmt.where(Proposal.outcome == filters.outcome)
        if filters.procedure is not None:
            stmt = stmt.where(Proposal.procedure == filters.procedure)
        if filters.subject_kind is not None:
            stmt = stmt.where(Proposal.subject_kind == filters.subject_kind)
        if filters.elector is not None:
            stmt = stmt.where(
                exists().where(
                    ProposalElector.proposal_id == Proposal.id,
                    ProposalElector.ally_iso3 == filters.elector,
                )
            )
        if filters.query:
            for word in filters.query.split()[:8]:
                stmt = stmt.where(
                    or_(contains(Proposal.title, word), contains(Proposal.reference, word))
                )
        return stmt

    def find(self, filters: ProposalFilters, page: PageRequest) -> tuple[list[Proposal], int]:
        total = int(self.session.scalar(self._filtered(filters, func.count(Proposal.id))) or 0)
        stmt = order_by(
            self._filtered(filters), page.sort or "-opened_at", SORTS, [Proposal.id.desc()]
        )
        rows = list(self.session.scalars(window(stmt, page.limit, page.offset)))
        return rows, total

    def awaiting(
        self, ally: str, now: dt.datetime, page: PageRequest
    ) -> tuple[list[Proposal], int]:
        """Open proposals where ``ally`` is an elector, has taken no position and the deadline
        has not passed: what its delegation must act on, nearest deadline first."""

        def stmt(*columns: Any) -> Select[Any]:  # noqa: ANN401 - any selectable
            base = self._filtered(ProposalFilters(state="open", elector=ally), *columns)
            return base.where(
                or_(Proposal.deadline.is_(None), Proposal.deadline > now),
                ~exists().where(Position.proposal_id == Proposal.id, Position.ally_iso3 == ally),
            )

        total = int(self.session.scalar(stmt(func.count(Proposal.id))) or 0)
        ordered = stmt().order_by(Proposal.deadline.asc().nulls_last(), Proposal.id)
        rows = list(self.session.scalars(window(ordered, page.limit, page.offset)))
        return rows, total

    def with_deadlines(self, since: dt.datetime, limit: int) -> list[Proposal]:
        stmt = self._readable(
            select(Proposal)
            .where(Proposal.deadline.is_not(None), Proposal.deadline >= since)
            .order_by(Proposal.deadline, Proposal.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def silence_ending(
        self, since: dt.datetime, until: dt.datetime, limit: int
    ) -> tuple[list[Proposal], int]:
        """Pending silence procedures the reader may read whose deadline falls in ``[since,
        until]``, nearest first, and how many there are in all."""

        def stmt(*columns: Any) -> Select[Any]:  # noqa: ANN401 - any selectable
            return self._readable(
                select(*columns).where(
                    Proposal.outcome == Outcome.PENDING,
                    Proposal.procedure == Procedure.SILENCE,
                    Proposal.deadline.is_not(None),
                    Proposal.deadline >= since,
                    Proposal.deadline <= until,
                )
            )

        total = int(self.session.scalar(stmt(func.count(Proposal.id))) or 0)
        ordered = stmt(Proposal).order_by(Proposal.deadline, Proposal.id)
        return list(self.session.scalars(window(ordered, limit, 0))), total

    # parts of one readable proposal (the caller found it readable first) -------------------
    def electors(self, proposal_id: int) -> list[Elector]:
        rows = self.session.execute(
            select(Country.iso3, Country.iso2, Country.name)
            .join(ProposalElector, ProposalElector.ally_iso3 == Country.iso3)
            .where(ProposalElector.proposal_id == proposal_id)
            .order_by(Country.name)
        )
        return [Elector(iso3, iso2, name) for iso3, iso2, name in rows]

    def positions(self, proposal_id: int) -> list[Position]:
        stmt = (
            select(Position)
            .where(Position.proposal_id == proposal_id)
            .order_by(Position.recorded_at, Position.id)
        )
        return list(self.session.scalars(stmt))

    def versions(self, proposal_id: int) -> list[ProposalVersion]:
        stmt = (
            select(ProposalVersion)
            .where(ProposalVersion.proposal_id == proposal_id)
            .order_by(ProposalVersion.number)
        )
        return list(self.session.scalars(stmt))

    def revisions_of(self, proposal_id: int) -> list[Proposal]:
        return list(
            self.session.scalars(
                self._readable(select(Proposal).where(Proposal.revises_id == proposal_id))
            )
        )

    def dependents_of(self, proposal_id: int) -> list[Proposal]:
        return list(
            self.session.scalars(
                self._readable(select(Proposal).where(Proposal.depends_on_id == proposal_id))
            )
        )

    def delegation_users(self, nations: Iterable[str]) -> list[User]:
        """The enabled users of these allies' delegations (who may take their positions)."""
        stmt = (
            select(User)
            .join(Organisation, User.organisation_id == Organisation.id)
            .where(
                Organisation.kind == OrganisationKind.ALLY_DELEGATION,
                Organisation.nation_iso3.in_(sorted(nations)),
                User.disabled.is_(False),
            )
            .order_by(User.id)
        )
        return list(self.session.scalars(stmt))

    def package_members(self, package: str) -> list[Proposal]:
        return list(
            self.session.scalars(
                self._readable(
                    select(Proposal).where(Proposal.package == package).order_by(Proposal.id)
                )
            )
        )

    # notifications ---------------------------------------------------------------------------
    def notifications(
        self, user_id: int, page: PageRequest, *, unread_only: bool = False
    ) -> tuple[list[tuple[Notification, Proposal]], int]:
        def stmt(*columns: Any) -> Select[Any]:  # noqa: ANN401 - any selectable
            base = self._readable(
                select(*columns)
                .select_from(Notification)
                .join(Proposal, Proposal.id == Notification.proposal_id)
                .where(Notification.user_id == user_id)
            )
            return base.where(Notification.read_at.is_(None)) if unread_only else base

        total = int(self.session.scalar(stmt(func.count(Notification.id))) or 0)
        ordered = stmt(Notification, Proposal).order_by(
            Notification.created_at.desc(), Notification.id.desc()
        )
        rows = self.session.execute(window(ordered, page.limit, page.offset)).all()
        return [(n, p) for n, p in rows], total

    def mark_read(self, user_id: int, ids: Sequence[int] | None, now: dt.datetime) -> int:
        """Mark the user's unread notifications (``ids`` of them, or all) read; how many."""
        stmt = (
            update(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .values(read_at=now)
            .execution_options(synchronize_session=False)
        )
        if ids is not None:
            stmt = stmt.where(Notification.id.in_(list(ids)))
        result = self.session.execute(stmt)
        return int(result.rowcount)  # type: ignore[attr-defined]


class LinkGraph:
    """Proposals and their facts as ``consensus`` needs them, read without the policy (see the
    module docstring: for outcomes only)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def pending(self) -> list[Proposal]:
        stmt = select(Proposal).where(Proposal.outcome == Outcome.PENDING).order_by(Proposal.id)
        return list(self.session.scalars(stmt))

    def pending_on(self, kind: SubjectKind, ref: str, effect: str | None) -> list[Proposal]:
        """Pending proposals on one subject and effect (at most one once the index holds), or
        with any effect when ``effect`` is None."""
        stmt = select(Proposal).where(
            Proposal.outcome == Outcome.PENDING,
            Proposal.subject_kind == kind,
            Proposal.subject_ref == ref,
        )
        if effect is not None:
            stmt = stmt.where(Proposal.effect == effect)
        return list(self.session.scalars(stmt.order_by(Proposal.id)))

    def due(self, now: dt.datetime) -> list[Proposal]:
        """Pending proposals whose deadline has come: the only ones the clock alone can
        decide (everything else changes with a write, which settles what it touched)."""
        stmt = (
            select(Proposal)
            .where(Proposal.outcome == Outcome.PENDING, Proposal.deadline <= now)
            .order_by(Proposal.id)
        )
        return list(self.session.scalars(stmt))

    def affected(self, seeds: Sequence[Proposal]) -> list[Proposal]:
        """The pending ones among ``seeds`` and the pending proposals whose outcome hangs on
        them: what depends on them and their package partners, transitively."""
        found = {p.id: p for p in seeds}
        frontier = list(seeds)
        while frontier:
            ids = sorted(p.id for p in frontier)
            packages = sorted({p.package for p in frontier if p.package})
            condition: ColumnElement[bool] = Proposal.depends_on_id.in_(ids)
            if packages:
                condition = or_(condition, Proposal.package.in_(packages))
            more = [
                p
                for p in self.session.scalars(
                    select(Proposal).where(Proposal.outcome == Outcome.PENDING, condition)
                )
                if p.id not in found
            ]
            found.update((p.id, p) for p in more)
            frontier = more
        return sorted(
            (p for p in found.values() if p.outcome is Outcome.PENDING), key=lambda p: p.id
        )

    def closure(self, seeds: Sequence[Proposal]) -> dict[int, Proposal]:
        """``seeds`` and every proposal their outcome depends on: what they depend on and the
        members of their packages, transitively."""
        found = {p.id: p for p in seeds}
        frontier = list(seeds)
        while frontier:
            wanted_ids = {p.depends_on_id for p in frontier if p.depends_on_id} - set(found)
            packages = {p.package for p in frontier if p.package}
            conditions = []
            if wanted_ids:
                conditions.append(Proposal.id.in_(sorted(wanted_ids)))
            if packages:
                conditions.append(Proposal.package.in_(sorted(packages)))
            if not conditions:
                break
            more = [
                p
                for p in self.session.scalars(select(Proposal).where(or_(*conditions)))
                if p.id not in found
            ]
            found.update((p.id, p) for p in more)
            frontier = more
        return found

    def facts(self, proposals: Sequence[Proposal]) -> dict[int, Facts]:
        ids = sorted(p.id for p in proposals)
        if not ids:
            return {}
        electors: dict[int, set[str]] = {i: set() for i in ids}
        for pid, ally in self.session.execute(
            select(ProposalElector.proposal_id, ProposalElector.ally_iso3).where(
                ProposalElector.proposal_id.in_(ids)
            )
        ):
            electors[pid].add(ally)
        stands: dict[int, list[Stand]] = {i: [] for i in ids}
        for row in self.session.execute(
            select(
                Position.proposal_id,
                Position.ally_iso3,
                Position.stance,
                Position.recorded_at,
                Position.version_number,
            )
            .where(Position.proposal_id.in_(ids))
            .order_by(Position.recorded_at, Position.id)
        ):
            stands[row[0]].append(Stand(row[1], row[2], row[3], row[4]))
        versions = dict(
            self.session.execute(
                select(ProposalVersion.proposal_id, func.max(ProposalVersion.number))
                .where(ProposalVersion.proposal_id.in_(ids))
                .group_by(ProposalVersion.proposal_id)
            ).all()
        )
        return {
            p.id: Facts(
                procedure=p.procedure,
                opened_at=p.opened_at,
                deadline=p.deadline,
                electorate=frozenset(electors[p.id]),
                positions=tuple(stands[p.id]),
                version=int(versions.get(p.id) or 1),
                withdrawn_at=p.withdrawn_at,
            )
            for p in proposals
        }
