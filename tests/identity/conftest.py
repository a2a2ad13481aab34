"""Helpers for the identity tests: logging in through the form, reading rows back."""

import re

import pytest
from sqlalchemy import func, select

from liaison.db.session import session_factory, unit_of_work
from liaison.demo import DEMO_PASSWORD
from liaison.identity.service import IdentityService
from liaison.security.principal import SYSTEM

PASSWORD = DEMO_PASSWORD
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def login():
    """``login(client, username, password=..., next=...)``: POST the login form (the response
    is not followed)."""

    def post(client, username, password=PASSWORD, **extra):
        data = {"username": username, "password": password, **extra}
        return client.post("/login", data=data, follow_redirects=False)

    return post


@pytest.fixture
def csrf_token():
    """``csrf_token(client)``: the token the page header's logout form carries."""

    def read(client):
        match = _CSRF_FIELD.search(client.get("/login").text)
        assert match, "no logout form in the page header"
        return match.group(1)

    return read


@pytest.fixture
def identity(engine):
    """Run ``fn(IdentityService)`` as SYSTEM in its own committed unit of work."""

    def run(fn):
        with unit_of_work(session_factory(engine)) as session:
            return fn(IdentityService(session, SYSTEM))

    return run


@pytest.fixture
def count(engine):
    """``count(Model, *conditions)``: rows in the database right now."""

    def rows(model, *where):
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(model).where(*where))

    return rows
