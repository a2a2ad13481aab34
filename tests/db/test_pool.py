"""The pool pings a connection only after it sat idle, and a dead one is replaced."""

import pytest
from sqlalchemy import event, text

from liaison.db import engine as engine_module


def _backend_pid(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_killed_while_idle_is_replaced_on_checkout(engine, backend, monkeypatch):
    if backend != "postgresql":
        pytest.skip("SQLite has no server to drop a connection")
    victim, killer = engine.connect(), engine.connect()
    first = victim.execute(text("SELECT pg_backend_pid()")).scalar_one()
    victim.close()  # back in the pool, idle
    killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 0.0)
    # ``killer`` stays checked out, so the next checkout is the dead connection: pinged,
    # found dead, replaced, and the statement runs without an error.
    assert _backend_pid(engine) != first
    killer.close()


def test_a_connection_used_a_moment_ago_is_not_pinged(engine, backend, monkeypatch):
    if backend != "postgresql":
        pytest.skip("the ping is PostgreSQL's")
    _backend_pid(engine)
    statements = []

    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 3600.0)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert statements == ["SELECT 1"]  # only the statement: no "SELECT 1" ping before it
