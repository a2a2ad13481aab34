"""The per-engine marking cache: a marking joins it only when its transaction commits, so a
rolled-back insert (whose id SQLite may give to another marking) never names the wrong one."""

from __future__ import annotations

from sqlalchemy import event, select

from liaison.db.session import session_factory, unit_of_work
from liaison.security.classification import Classification
from liaison.security.marking_store import MarkingStore
from liaison.security.markings import Marking
from liaison.security.models import MarkingRow

FIRST = Marking(Classification.NATO_RESTRICTED, frozenset({"NZL"}))
SECOND = Marking(Classification.NATO_CONFIDENTIAL, frozenset({"KOR"}))


def test_a_rolled_back_intern_leaves_nothing_behind(engine):
    factory = session_factory(engine)
    session = factory()
    rolled_back_id = MarkingStore(session).intern(FIRST)
    assert MarkingStore(session).get(rolled_back_id) == FIRST  # seen inside its transaction
    session.rollback()
    session.close()
    with unit_of_work(factory) as session:
        second_id = MarkingStore(session).intern(SECOND)
    with unit_of_work(factory) as session:
        store = MarkingStore(session)
        assert store.get(second_id) == SECOND
        assert store.intern(FIRST) != second_id
        # on SQLite the id may be given again; whoever holds it now, the store says so
        found = session.scalar(select(MarkingRow.key).where(MarkingRow.id == rolled_back_id))
        if found is None:
            assert store.many([rolled_back_id]) == {}
        else:
            assert store.get(rolled_back_id).key == found


def test_a_savepoint_rolled_back_forgets_what_it_interned(engine):
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        nested = session.begin_nested()
        inner_id = MarkingStore(session).intern(FIRST)
        nested.rollback()
        assert session.get(MarkingRow, inner_id) is None
        again = MarkingStore(session).intern(FIRST)  # read again, not taken from the cache
        assert session.get(MarkingRow, again) is not None


def test_committed_markings_are_read_once(engine):
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        mid = MarkingStore(session).intern(SECOND)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with unit_of_work(factory) as session:
            store = MarkingStore(session)
            assert store.get(mid) == SECOND
            assert store.intern(SECOND) == mid
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert not [s for s in statements if "marking" in s.lower()]
