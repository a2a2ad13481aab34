# SPDX-License-Identifier: Apache-2.0
"""Catalogue queries for one principal.

Invariant: every statement over a marked table applies ``policy.readable`` inside the SQL — a
session on itself *and* its item, a nomination, an allocation or an explanation on itself, its
session and the session's item (the container caps its contents). Lists, counts, facets,
calendars and exports are all built on ``_items`` and ``_sessions``; nothing is read first and
hidden afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from liaison.catalogue.models import (
    CatalogueEligibility,
    CatalogueItem,
    CataloguePrerequisite,
    CatalogueSession,
    Nomination,
    PartnerPriority,
    PartnerProfile,
    PartnerProfileRevision,
    Plan,
    PlanAllocation,
    PlanExplanation,
    PlanRun,
)
from liaison.catalogue.rules import HOLDS_SEAT, DeliveryMode, ItemKind, NominationState
from liaison.db.engine import take_write_lock
from liaison.kit.pagination import PageRequest, order_by, window
from liaison.security.models import Marked
from liaison.security.policy import readable
from liaison.security.principal import Principal

S = TypeVar("S", bound=Select[Any])
ITEM_SORTS = {
    "code": CatalogueItem.code,
    "title": CatalogueItem.title,
    "area": CatalogueItem.area_code,
    "kind": CatalogueItem.kind,
}


@dataclass(frozen=True, slots=True)
class CatalogueFilters:
    """What a catalogue list asks for; session filters keep the items with a matching
    session the reader may read."""

    area: str | None = None
    kind: ItemKind | None = None
    query: str | None = None
    start_from: dt.date | None = None
    start_to: dt.date | None = None
    mode: DeliveryMode | None = None
    language: str | None = None

    @property
    def on_sessions(self) -> bool:
        return any(
            v is not None for v in (self.start_from, self.start_to, self.mode, self.language)
        )


class CatalogueRepository:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _r(self, stmt: S, *models: type[Marked]) -> S:
        for model in models:
            stmt = readable(stmt, self.principal, model)
        return stmt

    def _sessions_stmt(self, *columns: Any) -> Select[Any]:  # noqa: ANN401 - any selectable
        stmt = select(*(columns or (CatalogueSession,))).join(
            CatalogueItem, CatalogueItem.id == CatalogueSession.item_id
        )
        return self._r(stmt, CatalogueSession, CatalogueItem)

    # items ------------------------------------------------------------------------------------
    def item(self, item_id: int) -> CatalogueItem | None:
        stmt = self._r(select(CatalogueItem).where(CatalogueItem.id == item_id), CatalogueItem)
        found: CatalogueItem | None = self.session.scalar(stmt)
        return found

    def item_by_code(self, code: str) -> CatalogueItem | None:
        """The oldest item of that code the reader may read (a code hidden from an importer
        may name another item too: ``CatalogueService.import_rows``)."""
        stmt = self._r(
            select(CatalogueItem).where(CatalogueItem.code == code).order_by(CatalogueItem.id),
            CatalogueItem,
        ).limit(1)
        found: CatalogueItem | None = self.session.scalar(stmt)
        return found

    def _filtered(self, filters: CatalogueFilters, *columns: Any) -> Select[Any]:  # noqa: ANN401
        stmt = self._r(select(*(columns or (CatalogueItem,))), CatalogueItem)
        if filters.area:
            stmt = stmt.where(CatalogueItem.area_code == filters.area)
        if filters.kind is not None:
            stmt = stmt.where(CatalogueItem.kind == filters.kind)
        if filters.query:
            words = filters.query.lower().split()
            for word in words[:10]:
                like = f"%{word.replace('%', '').replace('_', '')}%"
                stmt = stmt.where(
                    or_(
                        func.lower(CatalogueItem.title).like(like),
                        func.lower(CatalogueItem.code).like(like),
                        func.lower(CatalogueItem.provider).like(like),
                    )
                )
        if filters.on_sessions:
            stmt = stmt.where(exists(self._session_match(filters)))
        return stmt

    def _session_match(self, filters: CatalogueFilters) -> Select[Any]:
        inner = self._r(
            select(CatalogueSession.id).where(CatalogueSession.item_id == CatalogueItem.id),
            CatalogueSession,
        )
        if filters.start_from is not None:
            inner = inner.where(CatalogueSession.start_on >= filters.start_from)
        if filters.start_to is not None:
            inner = inner.where(CatalogueSession.start_on <= filters.start_to)
        if filters.mode is not None:
            inner = inner.where(CatalogueSession.mode == filters.mode)
        if filters.language:
            inner = inner.where(CatalogueSession.language == filters.language)
        return inner

    def items(
        self, filters: CatalogueFilters, page: PageRequest
    ) -> tuple[list[CatalogueItem], int]:
        total = int(self.session.scalar(self._filtered(filters, func.count(CatalogueItem.id))) or 0)
        stmt = order_by(
            self._filtered(filters), page.sort or "code", ITEM_SORTS, tiebreak=CatalogueItem.id
        )
        return list(self.session.scalars(window(stmt, page.limit, page.offset))), total

    def all_items(self, filters: CatalogueFilters) -> list[CatalogueItem]:
        stmt = self._filtered(filters).order_by(CatalogueItem.code)
        return list(self.session.scalars(stmt))

    def facets(self, filters: CatalogueFilters) -> dict[str, dict[str, int]]:
        n = func.count(CatalogueItem.id)
        areas = self.session.execute(
            self._filtered(
                CatalogueFilters(None, *_rest(filters, "area")), CatalogueItem.area_code, n
            ).group_by(CatalogueItem.area_code)
        ).all()
        kinds = self.session.execute(
            self._filtered(
                CatalogueFilters(filters.area, None, *_rest(filters, "kind")), CatalogueItem.kind, n
            ).group_by(CatalogueItem.kind)
        ).all()
        return {
            "area": {str(a): int(c) for a, c in areas},
            "kind": {str(k): int(c) for k, c in kinds},
        }

    def prerequisites(self, item_ids: Iterable[int]) -> dict[int, list[CatalogueItem]]:
        """The readable items each of ``item_ids`` requires."""
        ids = sorted(set(item_ids))
        if not ids:
            return {}
        pairs: Select[Any] = _select(CataloguePrerequisite.item_id, CatalogueItem)
        stmt = self._r(
            pairs.join(CatalogueItem, CatalogueItem.id == CataloguePrerequisite.requires_id)
            .where(CataloguePrerequisite.item_id.in_(ids))
            .order_by(CatalogueItem.code),
            CatalogueItem,
        )
        found: dict[int, list[CatalogueItem]] = {}
        for item_id, required in self.session.execute(stmt).all():
            found.setdefault(item_id, []).append(required)
        return found

    def prerequisite_pairs(self) -> list[tuple[int, int]]:
        """(item, required item) for every pair where the reader may read both items."""
        required: Select[Any] = select(CatalogueItem.id)
        pairs = _select(CataloguePrerequisite.item_id, CataloguePrerequisite.requires_id)
        stmt = self._r(
            pairs.join(CatalogueItem, CatalogueItem.id == CataloguePrerequisite.item_id).where(
                CataloguePrerequisite.requires_id.in_(self._r(required, CatalogueItem))
            ),
            CatalogueItem,
        )
        return [(a, b) for a, b in self.session.execute(stmt).all()]

    # sessions ---------------------------------------------------------------------------------
    def session_row(self, session_id: int, *, lock: bool = False) -> CatalogueSession | None:
        stmt = self._sessions_stmt().where(CatalogueSession.id == session_id)
        if lock:
            # SQLite: a request reads before it writes (db.engine.WRITE_ON_DEMAND); take the
            # one writer's lock now, so the seat count read after this is the one written to
            take_write_lock(self.session.connection())
            stmt = stmt.with_for_update(of=CatalogueSession)
        found: CatalogueSession | None = self.session.scalar(stmt)
        return found

    def sessions_of(self, item_ids: Iterable[int]) -> list[CatalogueSession]:
        ids = sorted(set(item_ids))
        if not ids:
            return []
        stmt = self._sessions_stmt().where(CatalogueSession.item_id.in_(ids))
        return list(
            self.session.scalars(stmt.order_by(CatalogueSession.start_on, CatalogueSession.id))
        )

    def sessions_between(
        self, start: dt.date | None, end: dt.date | None, filters: CatalogueFilters | None = None
    ) -> list[tuple[CatalogueSession, CatalogueItem]]:
        stmt = self._sessions_stmt(CatalogueSession, CatalogueItem)
        if start is not None:
            stmt = stmt.where(CatalogueSession.start_on >= start)
        if end is not None:
            stmt = stmt.where(CatalogueSession.start_on <= end)
        if filters is not None and filters.area:
            stmt = stmt.where(CatalogueItem.area_code == filters.area)
        if filters is not None and filters.kind is not None:
            stmt = stmt.where(CatalogueItem.kind == filters.kind)
        rows = self.session.execute(stmt.order_by(CatalogueSession.start_on, CatalogueSession.id))
        return [(s, i) for s, i in rows.all()]

    def eligibility(self, session_ids: Iterable[int]) -> dict[int, list[str]]:
        ids = sorted(set(session_ids))
        found: dict[int, list[str]] = {i: [] for i in ids}
        for chunk in _chunks(ids):
            stmt = (
                select(CatalogueEligibility.session_id, CatalogueEligibility.code)
                .where(CatalogueEligibility.session_id.in_(chunk))
                .order_by(CatalogueEligibility.code)
            )
            for sid, code in self.session.execute(stmt).all():
                found[sid].append(code)
        return found

    def held(self, session_ids: Iterable[int]) -> dict[int, int]:
        """Seats held per session, counting every partner's nominations: for the service's
        seat check and for alliance staff only (a partner is never shown it)."""
        ids = sorted(set(session_ids))
        found = dict.fromkeys(ids, 0)
        for chunk in _chunks(ids):
            stmt = (
                select(Nomination.session_id, func.count(Nomination.id))
                .where(Nomination.session_id.in_(chunk), Nomination.state.in_(HOLDS_SEAT))
                .group_by(Nomination.session_id)
            )
            for sid, n in self.session.execute(stmt).all():
                found[sid] = int(n)
        return found

    def first_waiting(self, session_id: int) -> Nomination | None:
        stmt = (
            select(Nomination)
            .where(
                Nomination.session_id == session_id,
                Nomination.state == NominationState.WAIT_LISTED,
            )
            .order_by(Nomination.wait_position, Nomination.id)
            .limit(1)
        )
        found: Nomination | None = self.session.scalar(stmt)
        return found

    def last_wait_position(self, session_id: int) -> int:
        stmt = select(func.max(Nomination.wait_position)).where(Nomination.session_id == session_id)
        return int(self.session.scalar(stmt) or 0)

    # nominations ------------------------------------------------------------------------------
    def _nominations(self, *columns: Any) -> Select[Any]:  # noqa: ANN401
        stmt = (
            select(*(columns or (Nomination,)))
            .join(CatalogueSession, CatalogueSession.id == Nomination.session_id)
            .join(CatalogueItem, CatalogueItem.id == CatalogueSession.item_id)
        )
        return self._r(stmt, Nomination, CatalogueSession, CatalogueItem)

    def nomination(self, nomination_id: int) -> Nomination | None:
        found: Nomination | None = self.session.scalar(
            self._nominations().where(Nomination.id == nomination_id)
        )
        return found

    def nominations(
        self,
        page: PageRequest,
        *,
        session_id: int | None = None,
        partner: str | None = None,
        state: NominationState | None = None,
    ) -> tuple[list[tuple[Nomination, CatalogueSession, CatalogueItem]], int]:
        stmt = self._nominations(Nomination, CatalogueSession, CatalogueItem)
        count = self._nominations(func.count(Nomination.id))
        for cond in _nomination_conditions(session_id, partner, state):
            stmt, count = stmt.where(cond), count.where(cond)
        stmt = stmt.order_by(Nomination.id.desc())
        rows = self.session.execute(window(stmt, page.limit, page.offset)).all()
        return [(n, s, i) for n, s, i in rows], int(self.session.scalar(count) or 0)

    def accepted(self, start: dt.date, end: dt.date) -> list[tuple[Nomination, CatalogueSession]]:
        stmt = self._nominations(Nomination, CatalogueSession).where(
            Nomination.state.in_(HOLDS_SEAT),
            CatalogueSession.start_on >= start,
            CatalogueSession.start_on <= end,
        )
        return [(n, s) for n, s in self.session.execute(stmt).all()]

    def attended_items(self) -> list[tuple[str, int]]:
        """(partner, item) for every attended nomination the reader may read."""
        stmt = self._nominations(Nomination.partner_iso3, CatalogueSession.item_id).where(
            Nomination.state == NominationState.ATTENDED
        )
        return [(p, i) for p, i in self.session.execute(stmt).all()]

    # profiles ---------------------------------------------------------------------------------
    def profile(self, partner: str, year: int) -> PartnerProfile | None:
        stmt = self._r(
            select(PartnerProfile).where(
                PartnerProfile.partner_iso3 == partner, PartnerProfile.year == year
            ),
            PartnerProfile,
        )
        found: PartnerProfile | None = self.session.scalar(stmt)
        return found

    def profile_exists(self, partner: str, year: int) -> bool:
        """Whether any profile exists (for creating one: never shown to a reader)."""
        stmt = select(PartnerProfile.id).where(
            PartnerProfile.partner_iso3 == partner, PartnerProfile.year == year
        )
        return self.session.scalar(stmt) is not None

    def profiles(self, year: int) -> list[PartnerProfile]:
        stmt = self._r(
            select(PartnerProfile).where(PartnerProfile.year == year), PartnerProfile
        ).order_by(PartnerProfile.partner_iso3)
        return list(self.session.scalars(stmt))

    def priorities(self, profile_ids: Sequence[int]) -> dict[int, list[PartnerPriority]]:
        found: dict[int, list[PartnerPriority]] = {i: [] for i in profile_ids}
        if not profile_ids:
            return found
        stmt = (
            select(PartnerPriority)
            .where(PartnerPriority.profile_id.in_(sorted(profile_ids)))
            .order_by(PartnerPriority.area_code)
        )
        for row in self.session.scalars(stmt):
            found[row.profile_id].append(row)
        return found

    def revisions(self, profile_id: int) -> list[PartnerProfileRevision]:
        stmt = self._r(
            select(PartnerProfileRevision).where(PartnerProfileRevision.profile_id == profile_id),
            PartnerProfileRevision,
        ).order_by(PartnerProfileRevision.version.desc())
        return list(self.session.scalars(stmt))

    # plans ------------------------------------------------------------------------------------
    def plan(self, plan_id: int) -> Plan | None:
        found: Plan | None = self.session.scalar(
            self._r(select(Plan).where(Plan.id == plan_id), Plan)
        )
        return found

    def plans(self, period: int | None = None) -> list[Plan]:
        stmt = self._r(select(Plan), Plan)
        if period is not None:
            stmt = stmt.where(Plan.period == period)
        return list(self.session.scalars(stmt.order_by(Plan.id.desc())))

    def next_version(self, period: int) -> int:
        stmt = select(func.max(Plan.version)).where(Plan.period == period)
        return int(self.session.scalar(stmt) or 0) + 1

    def latest_run(self, plan_id: int) -> PlanRun | None:
        stmt = self._r(select(PlanRun).where(PlanRun.plan_id == plan_id), PlanRun)
        found: PlanRun | None = self.session.scalar(stmt.order_by(PlanRun.id.desc()).limit(1))
        return found

    def allocations(
        self, plan_id: int
    ) -> list[tuple[PlanAllocation, CatalogueSession, CatalogueItem]]:
        rows: Select[Any] = _select(PlanAllocation, CatalogueSession, CatalogueItem)
        stmt = self._r(
            rows.join(CatalogueSession, CatalogueSession.id == PlanAllocation.session_id)
            .join(CatalogueItem, CatalogueItem.id == CatalogueSession.item_id)
            .where(PlanAllocation.plan_id == plan_id)
            .order_by(CatalogueSession.start_on, CatalogueSession.id, PlanAllocation.partner_iso3),
            PlanAllocation,
            CatalogueSession,
            CatalogueItem,
        )
        return [(a, s, i) for a, s, i in self.session.execute(stmt).all()]

    def explanations(self, plan_id: int, partner: str | None = None) -> list[PlanExplanation]:
        stmt = self._r(
            select(PlanExplanation).where(PlanExplanation.plan_id == plan_id), PlanExplanation
        )
        if partner:
            stmt = stmt.where(PlanExplanation.partner_iso3 == partner)
        # an explanation naming a session is shown only with that session readable
        visible = self._sessions_stmt(CatalogueSession.id)
        stmt = stmt.where(
            or_(PlanExplanation.session_id.is_(None), PlanExplanation.session_id.in_(visible))
        )
        stmt = stmt.order_by(PlanExplanation.partner_iso3, PlanExplanation.kind, PlanExplanation.id)
        return list(self.session.scalars(stmt))


def _select(*columns: Any) -> Select[Any]:  # noqa: ANN401 - any selectable
    """``select`` typed for ``_r`` (a statement of several columns is a ``Select[Any]``)."""
    return select(*columns)


def _rest(filters: CatalogueFilters, skip: str) -> tuple[Any, ...]:
    """The filters after ``area`` (skip "area") or after ``kind`` (skip "kind"), in order."""
    tail = (
        filters.query,
        filters.start_from,
        filters.start_to,
        filters.mode,
        filters.language,
    )
    return (filters.kind, *tail) if skip == "area" else tail


def _nomination_conditions(
    session_id: int | None, partner: str | None, state: NominationState | None
) -> list[Any]:
    conditions: list[Any] = []
    if session_id is not None:
        conditions.append(Nomination.session_id == session_id)
    if partner:
        conditions.append(Nomination.partner_iso3 == partner)
    if state is not None:
        conditions.append(Nomination.state == state)
    return conditions


def _chunks(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
