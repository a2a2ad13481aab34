# SPDX-License-Identifier: Apache-2.0
"""What every catalogue use case shares: the repository, markings and their banners, area
names, audit of reads and writes, permission checks, and the views a reader is shown.

Invariants:
- a record the principal may not read raises the feature's ``...NotFound``, word for word the
  error of a missing id;
- every read of a record above PUBLIC appends an audit event with its marking; every write
  appends one with before/after, in the caller's transaction;
- a marking given by a writer is parsed by the registry's resolver and must be one the writer
  may read (``security.readers.MarkingAboveReader``) — imported markings fail closed: an empty
  or unknown one refuses the row.

Markings as the reader sees them (names, banners, page markings, checked markings) are
``self.marks``, the registry's ``ReaderMarkings``; reads are audited with
``audit.reads.record_reads``, writes with ``audit.recorder.record_write``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from liaison.catalogue.models import CatalogueItem, CatalogueSession
from liaison.catalogue.repository import CatalogueRepository
from liaison.errors import Forbidden, LiaisonError
from liaison.programmes.service import ProgrammeService
from liaison.registry.marked import MarkedService
from liaison.security.classification import Classification
from liaison.security.markings import Marking, short
from liaison.security.permissions import Permission
from liaison.security.principal import Principal, Side
from liaison.security.writes import ALLIANCE, guard_right, on_owning_side

C = Classification


@dataclass(frozen=True, slots=True)
class SessionView:
    session: CatalogueSession
    item: CatalogueItem
    marking: Marking
    short: str
    eligible: list[str]
    held: int | None  # seats held: alliance staff only


@dataclass(frozen=True, slots=True)
class ItemView:
    item: CatalogueItem
    marking: Marking
    short: str
    area: str
    prerequisites: list[str]


def about_partner(marking: Marking, partner: str) -> Marking:
    """The marking of a record about one partner's part in something marked ``marking`` (a
    nomination, an allocation, an explanation): at the same level, at least NATO
    UNCLASSIFIED, releasable to that partner only. The caller has checked that the partner may
    read ``marking`` itself."""
    level = marking.level if marking.level.rank > C.NATO_UNCLASSIFIED.rank else C.NATO_UNCLASSIFIED
    return Marking(level, frozenset({partner}), marking.caveats, marking.communities)


# Rights whose records are alliance material: the catalogue's items and sessions, the decision
# on a nomination (accept, wait-list, decline, attendance) and the year's plans.
ALLIANCE_RIGHTS = frozenset(
    {
        Permission.CATALOGUE_ITEM_WRITE,
        Permission.CATALOGUE_NOMINATION_DECIDE,
        Permission.PLANNING_PLAN_RUN,
        Permission.PLANNING_PLAN_APPROVE,
    }
)


class CatalogueBase(MarkedService):
    def __init__(self, session: Session, principal: Principal) -> None:
        super().__init__(session, principal, "a record")
        self.repo = CatalogueRepository(session, principal)
        self._areas: dict[str, str] | None = None

    @property
    def staff(self) -> bool:
        """Alliance side (or the console): sees seat counts and every partner's records."""
        return self.principal.side in {Side.ALLY, Side.SYSTEM}

    # names ------------------------------------------------------------------------------
    def area_names(self) -> dict[str, str]:
        if self._areas is None:
            self._areas = ProgrammeService(self.session, self.principal).area_names()
        return self._areas

    def partner_code(self, ref: str, field: str = "partner") -> str:
        """A partner's ISO alpha-3 code from what people write ("Japan", "JPN")."""
        try:
            return self.registry.partner(ref).country_iso3
        except LiaisonError:
            raise LiaisonError(f"unknown partner {ref!r}", field=field) from None

    def partner_names(self) -> list[str]:
        """Every partner's name, for a form's suggestions (the registry is public)."""
        return self.registry.partner_names()

    # permissions --------------------------------------------------------------------------
    def require(self, permission: Permission) -> None:
        """The kind's right, and for the alliance's own writes (``ALLIANCE_RIGHTS``: the
        catalogue, decisions on nominations, plans) the alliance side too: a partner's user
        never writes alliance material, whatever roles it holds (``security.writes``)."""
        guard_right(self.principal, permission, Forbidden)
        if permission in ALLIANCE_RIGHTS and not on_owning_side(self.principal, ALLIANCE):
            raise Forbidden(
                "only the alliance side or an administrator may do this: it writes the "
                "alliance's own records"
            )

    # views --------------------------------------------------------------------------------
    def item_views(self, items: Sequence[CatalogueItem]) -> list[ItemView]:
        marks = self.markings.many(i.marking_id for i in items)
        prereqs = self.repo.prerequisites(i.id for i in items)
        areas = self.area_names()
        return [
            ItemView(
                i,
                marks[i.marking_id],
                short(marks[i.marking_id]),
                areas.get(i.area_code, i.area_code),
                [p.code for p in prereqs.get(i.id, [])],
            )
            for i in items
        ]

    def session_views(
        self, rows: Sequence[tuple[CatalogueSession, CatalogueItem]]
    ) -> list[SessionView]:
        marks = self.markings.many(s.marking_id for s, _ in rows)
        ids = [s.id for s, _ in rows]
        eligible = self.repo.eligibility(ids)
        held = self.repo.held(ids) if self.staff else {}
        return [
            SessionView(
                s,
                i,
                marks[s.marking_id],
                short(marks[s.marking_id]),
                eligible.get(s.id, []),
                held.get(s.id) if self.staff else None,
            )
            for s, i in rows
        ]
