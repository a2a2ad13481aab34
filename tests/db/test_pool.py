"""The pool pings a connection only after it sat idle, and a dead one is replaced."""

import pytest
from sqlalchemy import text

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
    """The ping runs outside SQLAlchemy's statement events, so it is counted where it runs."""
    if backend != "postgresql":
        pytest.skip("the ping is PostgreSQL's")
    pings = []
    real_ping = engine_module.ping
    monkeypatch.setattr(engine_module, "ping", lambda c: (pings.append(c), real_ping(c)))
    _backend_pid(engine)  # a fresh connection: no ping
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 3600.0)
    _backend_pid(engine)  # checked in a moment ago: no ping
    assert pings == []
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 0.0)
    _backend_pid(engine)  # "idle" for longer than the limit: pinged once
    assert len(pings) == 1
