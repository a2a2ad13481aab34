# SPDX-License-Identifier: Apache-2.0
"""The unit of work: one session per request, CLI command or job.

It commits when the block ends normally and rolls back when it raises. Services never commit;
this module is the only place that does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from liaison.db.engine import READ_ONLY

SessionFactory = sessionmaker[Session]


def session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def unit_of_work(factory: SessionFactory) -> Iterator[Session]:
    """Yield a session; commit on success, roll back on any exception."""
    session = factory()
    try:
        yield session
    except BaseException:
        finish(session, failed=True)
        raise
    finish(session, failed=False)


def finish(session: Session, *, failed: bool) -> None:
    """End a unit of work: commit it (or roll it back when ``failed``), then close it. For
    code that holds a session across threads, such as the request's (``web.deps``)."""
    try:
        if failed:
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def snapshot_session(engine: Engine) -> Session:
    """A session that only reads, from one snapshot of the database, and holds no lock: on
    SQLite a DEFERRED transaction (no write lock), on PostgreSQL REPEATABLE READ. For a long
    read such as an export streamed after its request's unit of work ended; close it after."""
    options: dict[str, object] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    return Session(bind=engine.execution_options(**options), expire_on_commit=False)
