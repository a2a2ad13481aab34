# SPDX-License-Identifier: Apache-2.0
"""A programme enters into force when its period starts and what it replaces has run to its
end (issue 21, item 4): asked earlier, it is scheduled, and the periodic tick (``liaison
decisions tick``, the worker under ``liaison serve``) moves it on its day — once, even when two
ticks race. On both databases, with real sessions."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from liaison.audit.models import AuditEvent
from liaison.db.session import session_factory, unit_of_work
from liaison.decisions import worker
from liaison.kit import clock
from liaison.programmes import rules
from liaison.programmes.models import Programme
from liaison.programmes.rules import ProgrammeStatus as S
from liaison.programmes.service import ProgrammeService
from liaison.security.principal import SYSTEM

D = dt.date


def test_entry_day_waits_for_the_period_and_the_predecessor():
    assert rules.entry_day(D(2026, 12, 6), D(2027, 1, 1), []) == D(2027, 1, 1)
    assert rules.entry_day(D(2026, 12, 6), D(2026, 12, 10), [D(2026, 12, 31)]) == D(2027, 1, 1)
    assert rules.entry_day(D(2027, 3, 1), D(2027, 1, 1), [D(2026, 12, 31)]) == D(2027, 3, 1)


def _agreed_successor(engine, start):
    """ITPP-JPN-2023 renewed from ``start``, submitted, approved, agreed → its reference."""
    today = clock.today()
    with unit_of_work(session_factory(engine)) as session:
        service = ProgrammeService(session, SYSTEM)
        ref = service.renew("ITPP-JPN-2023", start).programme.reference
        service.transition(ref, S.SUBMITTED)
        service.record_approval(ref, today, "DEC-2026-0099")
        service.transition(ref, S.AGREED)
        return ref


def _state(engine, ref):
    with unit_of_work(session_factory(engine)) as session:
        p = session.scalar(select(Programme).where(Programme.reference == ref))
        return p.status, p.in_force_on, p.ended_on


def _transitions(engine, ref):
    with unit_of_work(session_factory(engine)) as session:
        pid = session.scalar(select(Programme.id).where(Programme.reference == ref))
        return session.scalar(
            select(func.count()).where(
                AuditEvent.action == "programmes:programme:transition",
                AuditEvent.object_id == str(pid),
            )
        )


def _at(day):
    return dt.datetime.combine(day, dt.time(0, 5), tzinfo=dt.UTC)


def test_in_force_is_scheduled_until_the_predecessor_has_run_to_its_end(engine, settings, demo):
    start = clock.today() + dt.timedelta(days=1)  # inside ITPP-JPN-2023's period (to 2026-12-31)
    predecessor_end = _state(engine, "ITPP-JPN-2023")
    ref = _agreed_successor(engine, start)
    expected = max(start, D(2026, 12, 31) + dt.timedelta(days=1))
    with unit_of_work(session_factory(engine)) as session:
        view = ProgrammeService(session, SYSTEM).transition(ref, S.IN_FORCE)
    assert (view.programme.status, view.programme.in_force_on) == (S.AGREED, expected)
    assert _state(engine, "ITPP-JPN-2023") == predecessor_end  # still in force
    factory = session_factory(engine)
    before = worker.tick(factory, settings, now=_at(expected - dt.timedelta(days=1)))
    assert before.done == []
    assert _state(engine, ref) == (S.AGREED, expected, None)
    report = worker.tick(factory, settings, now=_at(expected))
    assert report.done == [f"{ref} entered into force"]
    assert _state(engine, ref) == (S.IN_FORCE, expected, None)
    assert _state(engine, "ITPP-JPN-2023") == (S.SUPERSEDED, predecessor_end[1], expected)
    assert worker.tick(factory, settings, now=_at(expected)).done == []


def test_racing_ticks_enter_into_force_once(engine, settings, demo):
    start = clock.today() + dt.timedelta(days=40)
    ref = _agreed_successor(engine, start)
    with unit_of_work(session_factory(engine)) as session:
        ProgrammeService(session, SYSTEM).transition(ref, S.IN_FORCE)
    day = _state(engine, ref)[1]
    superseded_before = _transitions(engine, "ITPP-JPN-2023")
    factory = session_factory(engine)
    reports, errors = [], []
    barrier = threading.Barrier(3)

    def tick():
        barrier.wait()
        try:
            reports.append(worker.tick(factory, settings, now=_at(day)))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=tick) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(len(r.done) for r in reports) == [0, 0, 1]
    assert _state(engine, ref)[0] is S.IN_FORCE
    assert _state(engine, "ITPP-JPN-2023")[0] is S.SUPERSEDED
    assert _transitions(engine, ref) == 4  # submitted, approved, agreed, in force: once
    assert _transitions(engine, "ITPP-JPN-2023") == superseded_before + 1  # superseded once
