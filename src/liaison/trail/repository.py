# SPDX-License-Identifier: Apache-2.0
"""Audit queries, filtered by the access policy: an event about a marked object is visible
only to whoever may read that marking; events about unmarked things need only the audit
permission (checked by the caller)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from liaison.audit.models import AuditEvent
from liaison.kit.pagination import PageRequest, order_by, paginate
from liaison.security.policy import readable_marking_ids
from liaison.security.principal import Principal, Side


@dataclass(frozen=True, slots=True)
class EventFilters:
    """Which events a list shows: one actor's, actions under a tag prefix, one kind of
    object, since a time (None: any)."""

    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    since: dt.datetime | None = None

    def query(self) -> dict[str, str | None]:
        """The filters a list's audit event records (``since`` is not one of them)."""
        return {k: v for k, v in asdict(self).items() if k != "since"}


class AuditRepository:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _visible(self) -> Select[Any]:
        stmt = select(AuditEvent)
        if self.principal.side is Side.SYSTEM:
            return stmt
        return stmt.where(
            or_(
                AuditEvent.marking_id.is_(None),
                AuditEvent.marking_id.in_(readable_marking_ids(self.principal)),
            )
        )

    def events(self, filters: EventFilters, page: PageRequest) -> tuple[list[AuditEvent], int]:
        stmt = self._visible()
        if filters.actor:
            stmt = stmt.where(AuditEvent.actor == filters.actor.strip().lower())
        if filters.action:
            stmt = stmt.where(AuditEvent.action.startswith(filters.action.strip(), autoescape=True))
        if filters.object_type:
            stmt = stmt.where(AuditEvent.object_type == filters.object_type.strip())
        if filters.since is not None:
            stmt = stmt.where(AuditEvent.at >= filters.since)
        stmt = order_by(
            stmt,
            page.sort,
            {"seq": AuditEvent.seq, "at": AuditEvent.at, "actor": AuditEvent.actor},
            [AuditEvent.seq.desc()],
        )
        return paginate(self.session, stmt, page)

    def count(self) -> int:
        """How many events this principal may see."""
        return int(
            self.session.scalar(select(func.count()).select_from(self._visible().subquery())) or 0
        )

    def after(self, seq: int, limit: int) -> list[AuditEvent]:
        """The visible events after ``seq``, oldest first (a keyset page: every page of an
        export costs the same, where an offset re-reads all the rows before it)."""
        stmt = self._visible().where(AuditEvent.seq > seq).order_by(AuditEvent.seq).limit(limit)
        return list(self.session.scalars(stmt))
