# SPDX-License-Identifier: Apache-2.0
"""Engine construction. SQLite gets WAL and foreign keys on every connection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from liaison.db.json import json_serializer


def build_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for ``url``; a SQLite file's folder is created when missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False},
            json_serializer=json_serializer,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    # Sessions in UTC: timestamps come back from the driver already in UTC (what UTCDateTime
    # would convert them to), and SQL date functions never depend on the server's zone.
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        connect_args={"options": "-c timezone=UTC"},
        json_serializer=json_serializer,
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:  # noqa: ANN401
    # SQLAlchemy's documented pysqlite recipe: let SQLAlchemy, not the driver, begin
    # transactions (so SAVEPOINT works and we choose the BEGIN kind).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin_immediate(connection: Connection) -> None:
    """Take the write lock when a transaction begins. Nearly every unit of work writes (the
    audit trail records reads of marked material), and a deferred transaction that reads and
    then writes fails at once if another committed in between; IMMEDIATE waits its turn
    (busy_timeout) instead, which also keeps the audit chain a single line."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")
