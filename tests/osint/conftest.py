# SPDX-License-Identifier: Apache-2.0
"""Fixtures for the OSINT tests: the labelled corpus imported once per backend and xdist
worker (``corpus_db``, read-only: tests that write take their own ``db_url``), and the NLP
pipeline loaded once per worker (``osint_models``)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from osint_helpers import import_folder
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from liaison.osint import embed, extract, ingest

PG_ADMIN_URL = os.environ.get(
    "LIAISON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _pg_admin():
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(autouse=True)
def local_sources(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The tests' feeds and pages are served on 127.0.0.1, which a fetch refuses unless the
    operator names it (``LIAISON_OSINT_PRIVATE_HOSTS``): the tests name it, as an operator of an
    intranet feed would. test_fetch_destinations.py takes it back."""
    monkeypatch.setenv("LIAISON_OSINT_PRIVATE_HOSTS", "127.0.0.1")
    ingest.allow_private(["127.0.0.1"])
    yield
    ingest.allow_private([])


@pytest.fixture(scope="session")
def osint_models() -> None:
    """The spaCy pipeline and the MiniLM model, loaded once per worker (``extract.pipeline``
    and ``embed.model`` keep them)."""
    extract.pipeline(extract.STATIC_TERMS)
    embed.model()


@pytest.fixture(scope="session")
def corpus_db(
    backend: str, template_db: str, tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> Iterator[tuple[str, dict[str, int]]]:
    """A copy of the seeded template with the corpus imported: (URL, stem -> article id)."""
    if backend == "sqlite":
        target = tmp_path_factory.mktemp("corpus") / "corpus.sqlite3"
        shutil.copyfile(template_db, target)
        url = f"sqlite:///{target}"
        yield url, import_folder(url)
        return
    name = f"{template_db.removesuffix('_tpl')}_corpus_{os.getpid()}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    url = _pg_url(name)
    yield url, import_folder(url)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()
