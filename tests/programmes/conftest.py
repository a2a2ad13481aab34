# SPDX-License-Identifier: Apache-2.0
"""Fixtures for the programme tests: the demo programmes in this test's database, and a
service in one unit of work for a demo user."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from leak_probes import principal_of
from liaison.db.session import session_factory, unit_of_work
from liaison.programmes.demo import create_demo_programmes
from liaison.programmes.service import ProgrammeService


@pytest.fixture
def demo(engine) -> None:
    """The AP4 demo programmes (IPCPs superseded, ITPPs in force, New Zealand agreed)."""
    with unit_of_work(session_factory(engine)) as session:
        create_demo_programmes(session)


@pytest.fixture
def as_user(engine):
    """``with as_user("officer") as service:`` one committed unit of work as a demo user."""

    @contextmanager
    def acting(username):
        principal = principal_of(engine, username)
        with unit_of_work(session_factory(engine)) as session:
            yield ProgrammeService(session, principal)

    return acting
