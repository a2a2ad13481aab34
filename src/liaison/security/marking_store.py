# SPDX-License-Identifier: Apache-2.0
"""Interned markings: ``intern`` stores a marking once and returns its id; ``get`` and ``many``
read them back. Marked records keep only ``marking_id``."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liaison.errors import NotFound
from liaison.security.markings import Caveat, Marking
from liaison.security.models import MarkingCaveat, MarkingCommunity, MarkingRelease, MarkingRow


class MarkingStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def intern(self, marking: Marking) -> int:
        """The id of ``marking``, stored on first use (safe against a concurrent first use)."""
        found = self.session.scalar(select(MarkingRow.id).where(MarkingRow.key == marking.key))
        if found is not None:
            return found
        try:
            with self.session.begin_nested():
                row = MarkingRow(
                    key=marking.key,
                    level=marking.level,
                    level_rank=marking.level.rank,
                    tlp=marking.tlp,
                )
                self.session.add(row)
                self.session.flush()  # the id is needed for the child rows
                self.session.add_all(
                    [MarkingRelease(marking_id=row.id, code=c) for c in marking.releasable_to]
                    + [MarkingCaveat(marking_id=row.id, caveat=c.value) for c in marking.caveats]
                    + [
                        MarkingCommunity(marking_id=row.id, community=c)
                        for c in marking.communities
                    ]
                )
                return row.id
        except IntegrityError:
            # Another transaction interned the same marking first; use its row.
            found = self.session.scalar(select(MarkingRow.id).where(MarkingRow.key == marking.key))
            assert found is not None  # noqa: S101 - the unique key just said it exists
            return found

    def get(self, marking_id: int) -> Marking:
        found = self.many([marking_id]).get(marking_id)
        if found is None:
            raise NotFound(f"no marking {marking_id}")
        return found

    def many(self, ids: Iterable[int]) -> dict[int, Marking]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = self.session.scalars(select(MarkingRow).where(MarkingRow.id.in_(wanted))).all()
        release: dict[int, set[str]] = {i: set() for i in wanted}
        caveats: dict[int, set[Caveat]] = {i: set() for i in wanted}
        communities: dict[int, set[str]] = {i: set() for i in wanted}
        for mid, code in self.session.execute(
            select(MarkingRelease.marking_id, MarkingRelease.code).where(
                MarkingRelease.marking_id.in_(wanted)
            )
        ):
            release[mid].add(code)
        for mid, caveat in self.session.execute(
            select(MarkingCaveat.marking_id, MarkingCaveat.caveat).where(
                MarkingCaveat.marking_id.in_(wanted)
            )
        ):
            caveats[mid].add(Caveat(caveat))
        for mid, community in self.session.execute(
            select(MarkingCommunity.marking_id, MarkingCommunity.community).where(
                MarkingCommunity.marking_id.in_(wanted)
            )
        ):
            communities[mid].add(community)
        return {
            r.id: Marking(
                r.level,
                frozenset(release[r.id]),
                frozenset(caveats[r.id]),
                frozenset(communities[r.id]),
                r.tlp,
            )
            for r in rows
        }
