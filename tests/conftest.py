# SPDX-License-Identifier: Apache-2.0
"""Test databases: every test that asks for ``db_url`` runs on SQLite and on PostgreSQL.

Each backend gets one migrated and seeded template per xdist worker (countries, allies,
frameworks and the demo partnership registry); each test gets a fresh copy of it: a file copy
on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL. No test sees another's writes.

PostgreSQL is the machine's server on 127.0.0.1:5432 (``LIAISON_TEST_PG_URL`` overrides).
Without it the PostgreSQL cases skip, except under ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from liaison import wiring
from liaison.app import create_app
from liaison.audit.chain import verify
from liaison.config import Settings
from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.demo import create_demo_accounts
from liaison.identity.service import IdentityService
from liaison.migrations import upgrade
from liaison.registry.service import RegistryService
from liaison.security.classification import Classification
from liaison.security.permissions import Role
from liaison.security.principal import SYSTEM

PG_ADMIN_URL = os.environ.get(
    "LIAISON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
_counter = itertools.count()


def seed(engine: Engine, *, demo: bool = True) -> None:
    """Migrate and load what ``liaison init [--demo]`` loads."""
    upgrade(engine)
    wiring.install()
    with unit_of_work(session_factory(engine)) as session:
        service = RegistryService(session, SYSTEM)
        service.load_countries()
        service.load_seed("reference")
        if demo:
            service.load_seed("partnerships")
            create_demo_accounts(session)


def _pg_admin() -> Engine:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _pg_available() -> str | None:
    admin = _pg_admin()
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        return str(exc.orig)
    finally:
        admin.dispose()
    return None


def _pg_url(name: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgresql":
        problem = _pg_available()
        if problem is not None:
            if os.environ.get("CI") == "true":
                pytest.fail(f"PostgreSQL is required under CI=true: {problem}")
            pytest.skip(f"PostgreSQL not reachable: {problem}")
    return name


@pytest.fixture(scope="session")
def template_db(
    backend: str, tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> Iterator[str]:
    """A migrated, seeded database to copy from; its URL (SQLite) or its name (PostgreSQL)."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        engine = build_engine(f"sqlite:///{path}")
        seed(engine)
        engine.dispose()  # the last connection to close checkpoints the WAL into the file
        yield str(path)
        return
    name = f"liaison_test_{worker_id}_{os.getpid()}_tpl"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = build_engine(_pg_url(name))
    seed(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def derived_templates(
    backend: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str, Callable[[Engine], object]], tuple[str, object]]]:
    """``derived_templates("leak-documents", build)``: a template made once per session (and
    backend and worker) from the seeded one and ``build(engine)``, with what ``build``
    returned — for a module whose tests all start from the same costly data, through an
    override of ``db_template``."""
    made: dict[str, tuple[str, object]] = {}

    def derive(key: str, build: Callable[[Engine], object]) -> tuple[str, object]:
        if key not in made:
            if backend == "sqlite":
                path = tmp_path_factory.mktemp(key) / "template.sqlite3"
                shutil.copyfile(template_db, path)
                where, url = str(path), f"sqlite:///{path}"
            else:
                where = f"{template_db.removesuffix('_tpl')}_{key.replace('-', '_')}_tpl"
                _pg_admin_sql(f'CREATE DATABASE "{where}" TEMPLATE "{template_db}"')
                url = _pg_url(where)
            engine = build_engine(url)
            try:
                made[key] = (where, build(engine))
            finally:
                engine.dispose()
        return made[key]

    yield derive
    if backend == "postgresql":
        for where, _ in made.values():
            _pg_admin_sql(f'DROP DATABASE IF EXISTS "{where}" WITH (FORCE)')


def _pg_admin_sql(statement: str) -> None:
    admin = _pg_admin()
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(statement)
    finally:
        admin.dispose()


def _assert_chain_verifies(url: str, request: pytest.FixtureRequest) -> None:
    """After every test, its database's audit chain must verify (unless the test tampered
    with it on purpose and says so with the ``audit_tampered`` marker)."""
    if request.node.get_closest_marker("audit_tampered"):
        return
    engine = build_engine(url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            verdict = verify(session)
    finally:
        engine.dispose()
    assert verdict.ok, f"audit chain broken after the test: {verdict}"


@pytest.fixture
def db_template(template_db: str) -> str:
    """What ``db_url`` copies: the seeded template (a module may override this fixture with a
    template of its own, built once from this one: the leak suite's probe worlds)."""
    return template_db


@pytest.fixture
def db_url(
    backend: str, db_template: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A fresh copy of the seeded template for this test."""
    if backend == "sqlite":
        target = tmp_path / "liaison.sqlite3"
        shutil.copyfile(db_template, target)
        yield f"sqlite:///{target}"
        _assert_chain_verifies(f"sqlite:///{target}", request)
        return
    name = f"{db_template.removesuffix('_tpl')}_{next(_counter)}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{db_template}"')
    yield _pg_url(name)
    _assert_chain_verifies(_pg_url(name), request)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(autouse=True)
def audit_anchor_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's audit key and anchor file in its own directory (never the working tree's
    var/): ``liaison init`` and ``serve`` write them."""
    monkeypatch.setenv("LIAISON_AUDIT_KEY_FILE", str(tmp_path / "audit.key"))
    monkeypatch.setenv("LIAISON_AUDIT_ANCHOR_FILE", str(tmp_path / "audit-anchors.jsonl"))


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, decisions_tick_seconds=0)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = build_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine=engine)) as test_client:
        yield test_client


@pytest.fixture
def service(engine: Engine) -> Iterator[RegistryService]:
    """A registry service (as SYSTEM) in one unit of work, committed when the test ends."""
    with unit_of_work(session_factory(engine)) as session:
        yield RegistryService(session, SYSTEM)


@pytest.fixture
def auth(engine: Engine) -> Callable[[str], dict[str, str]]:
    """``auth("japan")``: bearer headers for a demo user (a fresh token in this database)."""
    issued: dict[str, dict[str, str]] = {}

    def headers(
        username: str, scopes: frozenset[str] = frozenset({"read", "write"})
    ) -> dict[str, str]:
        key = f"{username}:{','.join(sorted(scopes))}"
        if key not in issued:
            with unit_of_work(session_factory(engine)) as session:
                token = IdentityService(session, SYSTEM).create_token(
                    username, f"test-{key}", scopes=set(scopes)
                )
            issued[key] = {"Authorization": f"Bearer {token.secret}"}
        return issued[key]

    return headers


@pytest.fixture
def jpn_off(engine: Engine) -> str:
    """A user of Japan's mission holding the officer role (every right, on the partner side),
    for the leak suites: its username."""
    with unit_of_work(session_factory(engine)) as session:
        identity = IdentityService(session, SYSTEM)
        identity.create_user(
            "jpn_off",
            display_name="Japan mission, officer role",
            organisation=identity.organisation("Mission of Japan to NATO"),
            clearance=Classification.NATO_SECRET,
            roles={Role.OFFICER},
        )
    return "jpn_off"


@pytest.fixture
def empty_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, not even the schema (for ``liaison init``)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"liaison_test_empty_{os.getpid()}_{next(_counter)}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()
