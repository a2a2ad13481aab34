# SPDX-License-Identifier: Apache-2.0
"""What `liaison serve` says about logging in (issue 16, item 10): a new database without
accounts says that nobody can log in and how to change that; a demo database names the demo
accounts whose password is still the demo one, and only those."""

from __future__ import annotations

from sqlalchemy import delete

from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.demo import DEMO_PASSWORD, login_notice
from liaison.identity.service import IdentityService
from liaison.migrations import upgrade
from liaison.security.models import ApiToken, User
from liaison.security.principal import SYSTEM


def test_a_new_database_says_nobody_can_log_in(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    try:
        upgrade(engine)
        with unit_of_work(session_factory(engine)) as session:
            (notice,) = login_notice(session)
    finally:
        engine.dispose()
    assert notice.startswith("No accounts yet: nobody can log in.")
    assert "liaison init --demo" in notice
    assert "liaison user add" in notice


def test_demo_accounts_are_named_until_their_password_changes(engine):
    with unit_of_work(session_factory(engine)) as session:
        (notice,) = login_notice(session)
        assert notice.startswith(f"Demo accounts (password {DEMO_PASSWORD}): ")
        assert "admin" in notice.split(": ", 1)[1].split(", ")
        identity = IdentityService(session, SYSTEM)
        identity.set_password("admin", "a-real-password-now-2026")
        (notice,) = login_notice(session)
        assert "admin" not in notice.split(": ", 1)[1].split(", ")
        for user in identity.users():
            if user.username != "admin":
                identity.set_disabled(user.username, True)
        assert login_notice(session) == []
        session.execute(delete(ApiToken))
        session.execute(delete(User))
        assert login_notice(session)[0].startswith("No accounts yet")
