# SPDX-License-Identifier: Apache-2.0
"""Interned markings: ``intern`` stores a marking once and returns its id; ``get`` and ``many``
read them back. Marked records keep only ``marking_id``.

A marking row never changes once committed, so every process keeps what it has read, per
engine, and reads each marking from the database once. What a transaction reads or interns
joins that cache only when the transaction commits (a rolled-back insert leaves nothing
behind: on SQLite its id could be given to another marking), and any rollback, a savepoint's
included, drops what the transaction had gathered.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, event, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction

from liaison.db.engine import READ_ONLY, build_engine
from liaison.errors import NotFound
from liaison.security.markings import Caveat, Marking
from liaison.security.models import (
    MarkingCaveat,
    MarkingCommunity,
    MarkingRelease,
    MarkingRow,
    framed,
)

log = logging.getLogger(__name__)
CACHE_MAX = 50_000  # markings per engine; a real store interns a few hundred


@dataclass(frozen=True, eq=False)
class Prefix:
    """Every marking committed with an id up to ``upto``, by id, as one connection saw them.

    SQLite only: it has one writer at a time, so markings commit in the order of their ids, and
    an id at or below the highest committed one is committed for good (a rolled-back insert was
    never seen, and its id goes to the next marking, above ``upto``). ``clauses`` is for the
    policy: its SQL for a policy key, which holds for this prefix alone."""

    upto: int
    markings: Mapping[int, Marking]
    clauses: dict[tuple[Any, ...], Any] = field(default_factory=dict)


@dataclass
class _Known:
    by_id: dict[int, Marking] = field(default_factory=dict)
    by_key: dict[str, int] = field(default_factory=dict)
    prefix: Prefix | None = None
    prefix_read_at: float = -math.inf
    side_reader: Engine | None = None  # the prefix's own connections (outside the pool)

    def add(self, items: dict[int, Marking]) -> None:
        for mid, marking in items.items():
            if len(self.by_id) >= CACHE_MAX:
                return
            self.by_id[mid] = marking
            self.by_key[marking.key] = mid


_KNOWN: WeakKeyDictionary[Engine, _Known] = WeakKeyDictionary()
_PENDING = "liaison.markings.pending"  # session.info: what this transaction read or interned


def _known(session: Session) -> _Known:
    engine = session.get_bind().engine
    known = _KNOWN.get(engine)
    if known is None:
        known = _KNOWN[engine] = _Known()
    return known


def _pending(session: Session) -> dict[int, Marking]:
    pending: dict[int, Marking] = session.info.setdefault(_PENDING, {})
    return pending


@event.listens_for(Session, "after_commit")
def _promote(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        _known(session).add(pending)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous: object) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction: committed (promoted) or not
        session.info.pop(_PENDING, None)


PREFIX_RECHECK_SECONDS = 5.0  # how often a process looks for markings committed since
_PREFIX_LOCK = threading.Lock()


def committed_prefix(session: Session) -> Prefix | None:
    """The committed markings of the session's database up to the highest committed id, read at
    most every ``PREFIX_RECHECK_SECONDS`` (a marking committed since is above ``upto``: the
    policy asks the database about those). ``None`` on PostgreSQL, whose ids may commit out of
    order. Read on a connection of its own, so that nothing this session has interned and not
    committed is ever taken for committed."""
    engine = session.get_bind().engine
    if engine.dialect.name != "sqlite":
        return None
    known = _known(session)
    if time.monotonic() - known.prefix_read_at < PREFIX_RECHECK_SECONDS:
        return known.prefix
    # Another thread reading it: go on with what there is (a prefix that lags is still exact,
    # the markings above it are the database's to judge), or without one.
    if not _PREFIX_LOCK.acquire(blocking=False):
        return known.prefix
    try:
        _read_prefix(engine, known)
    except SQLAlchemyError:
        # the same: the page is still answered exactly, by what there is or the sub-query
        log.warning("could not read the committed markings; pages ask the marking table")
        known.prefix_read_at = time.monotonic()
    finally:
        _PREFIX_LOCK.release()
    return known.prefix


def _read_prefix(engine: Engine, known: _Known) -> None:
    before = known.prefix
    upto = before.upto if before is not None else 0
    if known.side_reader is None:
        # its own connection, opened for each look: never one this session's thread holds
        # or waits for in the pool, never in a transaction with uncommitted interns
        url = engine.url.render_as_string(hide_password=False)
        known.side_reader = build_engine(url, pooled=False)
    with (
        known.side_reader.connect().execution_options(**{READ_ONLY: True}) as connection,
        Session(bind=connection) as session,
    ):
        newer = session.scalars(select(MarkingRow.id).where(MarkingRow.id > upto)).all()
        read = _read_markings(session, newer)
    if read or before is None:
        markings = {**(before.markings if before is not None else {}), **read}
        known.prefix = Prefix(max(markings, default=0), markings)
    known.prefix_read_at = time.monotonic()


def forget_all() -> None:
    """Empty every engine's cache (for tests that rewrite marking rows behind the store)."""
    _KNOWN.clear()


class MarkingStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def intern(self, marking: Marking) -> int:
        """The id of ``marking``, stored on first use (safe against a concurrent first use)."""
        key = marking.key
        known = _known(self.session).by_key.get(key)
        if known is None:
            known = next((i for i, m in _pending(self.session).items() if m.key == key), None)
        if known is not None:
            return known
        mid = self._intern(marking)
        _pending(self.session)[mid] = marking
        return mid

    def _intern(self, marking: Marking) -> int:
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
                    release_list=framed(marking.releasable_to),
                    caveat_list=framed(marking.caveats),
                    community_list=framed(marking.communities),
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
        """The markings of ``ids`` that exist, by id."""
        known = _known(self.session).by_id
        pending = _pending(self.session)
        found: dict[int, Marking] = {}
        missing = []
        for mid in set(ids):
            marking = known.get(mid) or pending.get(mid)
            if marking is None:
                missing.append(mid)
            else:
                found[mid] = marking
        if missing:
            read = self._read(missing)
            pending.update(read)
            found.update(read)
        return found

    def _read(self, ids: Iterable[int]) -> dict[int, Marking]:
        return _read_markings(self.session, ids)


def _read_markings(session: Session, ids: Iterable[int]) -> dict[int, Marking]:
    """The markings of ``ids`` that exist, read from their rows and child tables."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.scalars(select(MarkingRow).where(MarkingRow.id.in_(wanted))).all()
    release: dict[int, set[str]] = {i: set() for i in wanted}
    caveats: dict[int, set[Caveat]] = {i: set() for i in wanted}
    communities: dict[int, set[str]] = {i: set() for i in wanted}
    for mid, code in session.execute(
        select(MarkingRelease.marking_id, MarkingRelease.code).where(
            MarkingRelease.marking_id.in_(wanted)
        )
    ):
        release[mid].add(code)
    for mid, caveat in session.execute(
        select(MarkingCaveat.marking_id, MarkingCaveat.caveat).where(
            MarkingCaveat.marking_id.in_(wanted)
        )
    ):
        caveats[mid].add(Caveat(caveat))
    for mid, community in session.execute(
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


read_markings = _read_markings  # for the audit chain's check of the marking rows


def is_committed(session: Session, marking_id: int) -> bool:
    """Whether this process has seen ``marking_id`` committed (its id is then for good)."""
    return marking_id in _known(session).by_id
