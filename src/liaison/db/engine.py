# SPDX-License-Identifier: Apache-2.0
"""Engine construction. SQLite gets WAL and foreign keys on every connection."""

from __future__ import annotations

import re
import threading
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
BUSY_TIMEOUT_SECONDS = 5.0
# Execution option of a request's connection: on SQLite its transaction begins DEFERRED and
# takes the write lock only at its first write (``_take_write_lock_before_writes``), so reads,
# file parsing and password hashing never hold it. See ``take_write_lock``.
WRITE_ON_DEMAND = "liaison_write_on_demand"
_READING = "liaison_reading"  # connection.info: a WRITE_ON_DEMAND transaction not yet writing
_SAVEPOINTS = "liaison_savepoints"  # connection.info: savepoints opened while reading


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
        event.listen(engine, "before_cursor_execute", _take_write_lock_before_writes)
        event.listen(engine, "commit", _committing)
        event.listen(engine, "rollback", _rolling_back)
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
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
    cursor.close()


def _sqlite_begin_immediate(connection: Connection) -> None:
    """Take the write lock when a transaction begins. Nearly every unit of work writes (the
    audit trail records reads of marked material), and a deferred transaction that reads and
    then writes fails at once if another committed in between; IMMEDIATE waits its turn
    (busy_timeout) instead, which also keeps the audit chain a single line. A connection
    marked ``READ_ONLY`` begins DEFERRED: it never writes, and must not wait for the lock."""
    options = connection.get_execution_options()
    if options.get(WRITE_ON_DEMAND) and not options.get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
        connection.info[_READING] = True
        connection.info[_SAVEPOINTS] = []
        return
    if options.get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
        return
    _enter_gate(connection)
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _end_gated(connection, "ROLLBACK")
        raise


def _transaction_ended(connection: Connection) -> None:
    connection.info.pop(_READING, None)
    connection.info.pop(_SAVEPOINTS, None)


# SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps and
# retries with growing pauses (up to 100 ms), so under load the lock sits free while waiters
# sleep, and some wait past the busy timeout ("database is locked"). Writers of one process
# queue on this gate instead, and the next one is woken the moment the last commits. Another
# process (a CLI command, a worker) still meets the busy handler.
_GATES: dict[int, threading.Lock] = {}
_GATES_LOCK = threading.Lock()
_GATED = "liaison_write_gate"  # connection.info: the gate this transaction holds


def _gate_for(connection: Connection) -> threading.Lock:
    key = id(connection.engine.pool)
    with _GATES_LOCK:
        gate = _GATES.get(key)
        if gate is None:
            gate = _GATES[key] = threading.Lock()
        return gate


def _enter_gate(connection: Connection) -> None:
    """Queue for the process's write gate (at most the busy timeout, then on to SQLite's own
    waiting: a thread that already holds the gate in another transaction must not deadlock)."""
    gate = _gate_for(connection)
    if gate.acquire(timeout=BUSY_TIMEOUT_SECONDS):
        connection.info[_GATED] = gate


def _end_gated(connection: Connection, verb: str) -> None:
    """COMMIT or ROLLBACK a gated transaction now, then open the gate to the next writer (the
    engine's commit and rollback events run before the driver's, which then find nothing to
    end)."""
    gate: threading.Lock | None = connection.info.pop(_GATED, None)
    if gate is None:
        return
    try:
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
                return
            cursor.execute(verb)
        finally:
            cursor.close()
    finally:
        gate.release()


def _committing(connection: Connection) -> None:
    _transaction_ended(connection)
    _end_gated(connection, "COMMIT")


def _rolling_back(connection: Connection) -> None:
    _transaction_ended(connection)
    _end_gated(connection, "ROLLBACK")


_READ_VERBS = frozenset({"SELECT", "PRAGMA", "EXPLAIN", "VALUES"})
_WRITES_IN_WITH = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def _take_write_lock_before_writes(
    connection: Connection,
    _cursor: Any,  # noqa: ANN401
    statement: str,
    _parameters: Any,  # noqa: ANN401
    _context: Any,  # noqa: ANN401
    _executemany: bool,
) -> None:
    """In a WRITE_ON_DEMAND transaction still reading, take the write lock before the first
    statement that writes (savepoints are only remembered: they are re-opened after it)."""
    if not connection.info.get(_READING):
        return
    verb = statement.lstrip()[:10].split(None, 1)[0].upper() if statement.strip() else ""
    savepoints: list[str] = connection.info[_SAVEPOINTS]
    if verb == "SAVEPOINT":
        savepoints.append(statement.split()[1])
        return
    if verb == "RELEASE":
        name = statement.rsplit(maxsplit=1)[-1]
        if name in savepoints:
            del savepoints[savepoints.index(name) :]
        return
    if verb == "ROLLBACK" or verb in _READ_VERBS:
        return
    if verb == "WITH" and not _WRITES_IN_WITH.search(statement):
        return
    take_write_lock(connection)


def take_write_lock(connection: Connection) -> None:
    """Make the connection's transaction a writing one now, if it is a WRITE_ON_DEMAND one that
    only read so far (else nothing): its read transaction ends (it wrote nothing) and a new one
    begins IMMEDIATE, waiting its turn for the lock (busy_timeout) — a deferred transaction that
    read and then writes would fail at once if another committed in between. Reads after this
    see what others committed before it, as on PostgreSQL (read committed). Call it before a
    read whose answer decides a write that must not race (the audit chain's head)."""
    if not connection.info.pop(_READING, None):
        return
    savepoints: list[str] = connection.info.pop(_SAVEPOINTS, [])
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute("COMMIT")
        _enter_gate(connection)
        cursor.execute("BEGIN IMMEDIATE")
        for name in savepoints:
            cursor.execute(f"SAVEPOINT {name}")
    finally:
        cursor.close()
