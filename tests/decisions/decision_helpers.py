# SPDX-License-Identifier: Apache-2.0
"""Helpers the decision tests share (fixtures are in conftest.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from leak_probes import principal_of
from liaison.audit.models import AuditEvent
from liaison.db.session import session_factory, unit_of_work
from liaison.registry.models import Office
from liaison.registry.service import nation_profile
from liaison.security.authn import principal_for
from liaison.security.models import User
from liaison.security.principal import ANONYMOUS

UTC = dt.UTC


def now():
    return dt.datetime.now(UTC)


def principal(engine, username, session=None):
    """A demo user's principal (built in ``session`` when given)."""
    if username is None:
        return ANONYMOUS
    if session is None:
        return principal_of(engine, username)
    user = session.scalar(select(User).where(User.username == username))
    return principal_for(session, user, nation_profile)


def office(engine, office_id):
    with unit_of_work(session_factory(engine)) as session:
        found = session.get(Office, int(office_id))
        return found.status.value, found.approved_on, found.shelved_on


def audit_count(engine, action, object_id=None):
    with unit_of_work(session_factory(engine)) as session:
        stmt = select(func.count()).where(AuditEvent.action == action)
        if object_id is not None:
            stmt = stmt.where(AuditEvent.object_id == str(object_id))
        return session.scalar(stmt)
