"""Fixtures for cross-feature tests: the demo programmes and the delegation accounts."""

from __future__ import annotations

import pytest

from liaison.db.session import session_factory, unit_of_work
from liaison.decisions.demo import create_delegation_accounts
from liaison.programmes.demo import create_demo_programmes


@pytest.fixture(autouse=True)
def world(engine) -> None:
    with unit_of_work(session_factory(engine)) as session:
        create_demo_programmes(session)
        create_delegation_accounts(session)
