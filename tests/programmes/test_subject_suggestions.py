# SPDX-License-Identifier: Apache-2.0
"""The new-proposal form's suggestions (``events.subject_suggestions``) offer a reader exactly
the submitted programmes the policy lets them read: one submitted programme per probe marking,
× every kind of reader."""

from __future__ import annotations

import datetime as dt

import pytest

from leak_probes import PROBE_MARKINGS, USERS, principal_of
from liaison.db.session import session_factory, unit_of_work
from liaison.events import subject_suggestions
from liaison.kit import clock
from liaison.programmes.models import Programme
from liaison.programmes.rules import ProgrammeStatus as S
from liaison.programmes.schemas import ProgrammeCreate
from liaison.programmes.service import ProgrammeService
from liaison.security.marking_store import MarkingStore
from liaison.security.policy import can_read
from liaison.security.principal import SYSTEM


@pytest.fixture
def submitted_probes(engine):
    """reference → stored marking: one submitted programme per probe marking (Japan's, a year
    each)."""
    made = {}
    with unit_of_work(session_factory(engine)) as session:
        service = ProgrammeService(session, SYSTEM)
        store = MarkingStore(session)
        for i, text in enumerate(PROBE_MARKINGS):
            start = dt.date(2040 + i, 1, 1)
            view = service.create(ProgrammeCreate(partner="JPN", period_start=start, marking=text))
            ref = view.programme.reference
            service.transition(ref, S.SUBMITTED, clock.today())
            made[ref] = store.get(session.get(Programme, view.programme.id).marking_id)
    return made


@pytest.mark.parametrize("username", USERS)
def test_subject_suggestions_are_what_the_reader_may_read(engine, submitted_probes, username):
    principal = principal_of(engine, username)
    with unit_of_work(session_factory(engine)) as session:
        offered = {s.value for s in subject_suggestions(session, principal)}
    expected = {ref for ref, marking in submitted_probes.items() if can_read(principal, marking)}
    assert offered & set(submitted_probes) == expected
