# SPDX-License-Identifier: Apache-2.0
"""Fixtures for the catalogue tests: the small test catalogue in this test's database, and a
unit of work as a given demo user."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from catalogue_helpers import load, principal
from sqlalchemy import select

from liaison.catalogue.models import CatalogueItem, CatalogueSession
from liaison.db.session import session_factory, unit_of_work
from liaison.terminal import output


@pytest.fixture
def catalogue(engine) -> dict[str, int]:
    """The test catalogue: "CODE/SESSION" and "CODE" → id."""
    load(engine)
    with unit_of_work(session_factory(engine)) as session:
        items = dict(session.execute(select(CatalogueItem.code, CatalogueItem.id)).all())
        rows = session.execute(
            select(CatalogueItem.code, CatalogueSession.code, CatalogueSession.id).join(
                CatalogueItem, CatalogueItem.id == CatalogueSession.item_id
            )
        ).all()
    return {**items, **{f"{c}/{s}": i for c, s, i in rows}}


@pytest.fixture
def as_user(engine):
    """``with as_user("korea", Service) as service:`` one unit of work as that user."""

    @contextmanager
    def open_(username, service_class):
        with unit_of_work(session_factory(engine)) as session:
            yield service_class(session, principal(session, username))

    return open_


@pytest.fixture
def wide_console(monkeypatch):
    monkeypatch.setattr(output.console, "_width", 250)
