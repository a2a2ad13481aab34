# SPDX-License-Identifier: Apache-2.0
"""Engine construction. SQLite gets WAL and foreign keys on every connection."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import NullPool

from liaison.db.json import json_serializer

# SQLAlchemy's compiled-statement cache, entries per engine (its default is 500). The policy's
# sub-query is written with its values inline (``security.policy._PolicyClause``), so a statement
# shape compiles once per policy key that reads it: ~27 KiB an entry (statement, clause and
# compiled form, measured with tracemalloc), ~32 MiB when full.
QUERY_CACHE_SIZE = 1200

# Execution option of a connection whose transaction only reads: on SQLite it begins DEFERRED
# and takes no write lock, so it can run beside a unit of work of the same thread that holds it.
READ_ONLY = "liaison_read_only"


def build_engine(url: str, *, echo: bool = False, pooled: bool = True) -> Engine:
    """Create an engine for ``url``; a SQLite file's folder is created when missing.
    ``pooled=False``: every connection is opened for its use and closed after (``NullPool``),
    for a side reader that must never wait for the pool."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False},
            **({} if pooled else {"poolclass": NullPool}),
            json_serializer=json_serializer,
            query_cache_size=QUERY_CACHE_SIZE,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    # Sessions in UTC: timestamps come back from the driver already in UTC (what UTCDateTime
    # would convert them to), and SQL date functions never depend on the server's zone.
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"options": "-c timezone=UTC -c datestyle=ISO"},
        json_serializer=json_serializer,
        query_cache_size=QUERY_CACHE_SIZE,
    )
    event.listen(engine, "checkin", _checked_in)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


# A pooled connection is pinged before use only when it has sat idle this long: one that was
# in use a moment ago is alive, and a ping is a round trip on every request (``pool_pre_ping``
# pings always). A connection the server dropped while busy fails its statement, and
# SQLAlchemy discards it and the pool's older ones (its disconnect handling).
IDLE_PING_SECONDS = 5.0


def _checked_in(_dbapi_connection: Any, record: Any) -> None:  # noqa: ANN401
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:  # noqa: ANN401
    since = record.info.get("checked_in")
    if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
        return
    try:
        ping(dbapi_connection)
    except Exception as exc:  # any failure means the connection is gone: the pool reconnects
        raise DisconnectionError from exc


def ping(dbapi_connection: Any) -> None:  # noqa: ANN401
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
    finally:
        cursor.close()


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
    (busy_timeout) instead, which also keeps the audit chain a single line. A connection
    marked ``READ_ONLY`` begins DEFERRED: it never writes, and must not wait for the lock."""
    connection.exec_driver_sql(
        "BEGIN" if connection.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
    )
