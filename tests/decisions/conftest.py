# SPDX-License-Identifier: Apache-2.0
"""Fixtures for the decision tests: the allies' delegation accounts (France, Germany, Sweden)
in this test's database, a way to open proposals, and a cookie login for the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from decision_helpers import now

from liaison.db.session import session_factory, unit_of_work
from liaison.decisions.demo import create_delegation_accounts
from liaison.decisions.schemas import ProposalCreate
from liaison.decisions.service import DecisionService
from liaison.demo import DEMO_PASSWORD
from liaison.identity.service import IdentityService
from liaison.registry.schemas import OfficeCreate
from liaison.registry.service import RegistryService
from liaison.security.principal import SYSTEM
from liaison.web.deps import SESSION_COOKIE


@pytest.fixture
def delegates(engine):
    """france, germany and sweden: users of their allies' delegations."""
    with unit_of_work(session_factory(engine)) as session:
        create_delegation_accounts(session)
    return ["france", "germany", "sweden"]


@pytest.fixture
def open_proposal(engine):
    """``open_proposal(text=..., ...)`` as SYSTEM → the proposal's id."""

    def make(*, opened_at=None, record_past=False, **fields):
        data = {"title": "A proposal", "text": "The Council agrees.", "marking": "NU"}
        data.setdefault("deadline", now() + dt.timedelta(days=3))
        data.update(fields)
        if data.get("procedure") == "meeting" and "deadline" not in fields:
            data["deadline"] = None
        with unit_of_work(session_factory(engine)) as session:
            view = DecisionService(session, SYSTEM).open(
                ProposalCreate(**data), opened_at=opened_at, record_past=record_past
            )
            return view.proposal.id

    return make


@pytest.fixture
def proposed_office(engine):
    """A new office in the *proposed* state → its id as a string."""

    def make(name="NATO Liaison Office Testville", proposed_on=dt.date(2026, 1, 5)):
        with unit_of_work(session_factory(engine)) as session:
            office = RegistryService(session, SYSTEM).create_office(
                OfficeCreate(
                    name=name,
                    kind="partner_liaison",
                    host_country="JPN",
                    city="Testville",
                    status="proposed",
                    proposed_on=proposed_on,
                )
            )
            return str(office.id)

    return make


@pytest.fixture
def login(client, engine):
    def start(username):
        with unit_of_work(session_factory(engine)) as session:
            issued = IdentityService(session, SYSTEM).login(username, DEMO_PASSWORD, "testclient")
        client.cookies.set(SESSION_COOKIE, issued.cookie)
        return issued.session.csrf_token

    return start
