# SPDX-License-Identifier: Apache-2.0
"""Fixtures for the command line's tests: everything ``liaison init --demo`` loads, and one
way to run a command as a script would (its standard output alone, never a terminal)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from liaison.catalogue.demo import create_demo_catalogue
from liaison.cli.main import app
from liaison.db.session import session_factory, unit_of_work
from liaison.demo import create_demo_documents, create_demo_programmes, create_demo_records
from liaison.sharing.demo import create_demo_sharing


def _load_demo(engine: Engine) -> None:
    with unit_of_work(session_factory(engine)) as session:
        create_demo_documents(session)
        create_demo_programmes(session)
        create_demo_records(session)
        create_demo_sharing(session)
        create_demo_catalogue(session)


@pytest.fixture
def db_template(derived_templates: Callable[..., tuple[str, object]]) -> str:
    """The seeded template (registry and accounts) with the rest of the demo data, built once
    per backend and worker: every test copies it (loading the demo took most of each test)."""
    return derived_templates("cli-demo", _load_demo)[0]


@pytest.fixture
def demo() -> None:
    """Everything ``liaison init --demo`` loads: already in this directory's template."""


@pytest.fixture
def liaison(db_url: str) -> Callable[..., Result]:
    """``liaison("programmes", "list", ...)``: run a command on this test's database."""

    def run(*args: str) -> Result:
        return CliRunner().invoke(app, list(args), env={"LIAISON_DATABASE_URL": db_url})

    return run
