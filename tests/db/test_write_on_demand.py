"""A request's transaction on SQLite takes the write lock at its first write only
(``db.engine.WRITE_ON_DEMAND``): reading holds no lock, writing does, savepoints opened while
reading survive the switch, and the audit chain's head is read under the lock."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from liaison.audit.chain import verify
from liaison.audit.models import AuditEvent
from liaison.audit.recorder import Entry, record
from liaison.db.engine import WRITE_ON_DEMAND
from liaison.db.session import session_factory, unit_of_work
from liaison.security.principal import SYSTEM


@pytest.fixture
def sqlite_path(backend, db_url):
    if backend != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL takes row locks at the write anyway")
    return make_url(db_url).database


def lock_is_free(path: str) -> bool:
    """Whether another connection could take the write lock right now (no waiting)."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
        return False
    else:
        other.execute("ROLLBACK")
        return True
    finally:
        other.close()


def on_demand(engine):
    return session_factory(engine.execution_options(**{WRITE_ON_DEMAND: True}))


def test_reading_holds_no_lock_and_the_first_write_takes_it(engine, sqlite_path):
    with unit_of_work(on_demand(engine)) as session:
        session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        assert lock_is_free(sqlite_path)
        record(session, SYSTEM, [Entry("test:lock:take", "test", "1")])
        assert not lock_is_free(sqlite_path)
    assert lock_is_free(sqlite_path)


def test_a_plain_session_still_locks_at_begin(engine, sqlite_path):
    with unit_of_work(session_factory(engine)) as session:
        session.execute(text("SELECT 1"))
        assert not lock_is_free(sqlite_path)


def test_a_savepoint_opened_while_reading_survives_the_first_write(engine, sqlite_path):
    with unit_of_work(on_demand(engine)) as session:
        session.execute(text("SELECT 1"))
        nested = session.begin_nested()
        record(session, SYSTEM, [Entry("test:savepoint:rolled-back", "test", "1")])
        assert not lock_is_free(sqlite_path)
        nested.rollback()
        record(session, SYSTEM, [Entry("test:savepoint:kept", "test", "2")])
    with unit_of_work(session_factory(engine)) as session:
        actions = set(session.scalars(select(AuditEvent.action)))
        assert "test:savepoint:kept" in actions
        assert "test:savepoint:rolled-back" not in actions


def test_readers_that_append_at_once_keep_one_chain(engine, sqlite_path):
    """Each thread reads the head (deferred), then appends: the head is re-read under the lock,
    so no two events share a ``seq`` and the chain verifies."""
    factory = on_demand(engine)
    start = threading.Barrier(6)
    failures: list[BaseException] = []

    def reader_then_writer(worker: int) -> None:
        try:
            start.wait()
            for n in range(10):
                with unit_of_work(factory) as session:
                    session.execute(select(func.max(AuditEvent.seq))).scalar_one()
                    record(session, SYSTEM, [Entry("test:chain:append", "test", f"{worker}.{n}")])
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=reader_then_writer, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with unit_of_work(session_factory(engine)) as session:
        assert verify(session).ok
        appended = session.scalar(
            select(func.count()).where(AuditEvent.action == "test:chain:append")
        )
    assert appended == 60
