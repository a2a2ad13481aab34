# SPDX-License-Identifier: Apache-2.0
"""Fixtures for the document tests: the demo library in this test's database, who may read
which demo document, and tiny PDF and DOCX files generated here (no binary files in git)."""

from __future__ import annotations

import pytest
from document_helpers import TITLES, make_docx, make_pdf
from sqlalchemy import select

from liaison.db.session import session_factory, unit_of_work
from liaison.demo import create_demo_documents
from liaison.documents.models import Document
from liaison.documents.schemas import NoteCreate
from liaison.documents.service import DocumentService
from liaison.identity.service import IdentityService
from liaison.registry.service import nation_profile
from liaison.security.authn import principal_for
from liaison.security.principal import SYSTEM
from liaison.terminal import output


@pytest.fixture
def docs(engine) -> dict[str, int]:
    """The demo documents in this test's database: short name → id."""
    with unit_of_work(session_factory(engine)) as session:
        create_demo_documents(session)
        ids = dict(session.execute(select(Document.title, Document.id)).all())
    return {key: ids[title] for key, title in TITLES.items()}


@pytest.fixture
def wide_console(monkeypatch):
    """One table row per document in CLI output, whatever the terminal: Rich keeps a width
    once it has one, so the ``COLUMNS`` variable alone is not enough."""
    monkeypatch.setattr(output.console, "_width", 250)


@pytest.fixture
def pdf_file() -> bytes:
    return make_pdf("Quarterly hydrography liaison report for the partnership")


@pytest.fixture
def docx_file() -> bytes:
    return make_docx("Minutes of the bathymetry workshop", "Attended by the partnership staff.")


@pytest.fixture
def own_note(engine):
    """``own_note("japan", "NR // REL JPN", "Japan mission: minutes")``: a note the user writes
    (so the user's organisation owns it); returns its id."""

    def make(username: str, marking: str, title: str) -> int:
        with unit_of_work(session_factory(engine)) as session:
            user = IdentityService(session, SYSTEM).user(username)
            service = DocumentService(session, principal_for(session, user, nation_profile))
            view = service.add_note(NoteCreate(title=title, body="Our own note.", marking=marking))
            return view.document.id

    return make
