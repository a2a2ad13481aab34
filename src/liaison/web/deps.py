# SPDX-License-Identifier: Apache-2.0
"""Request-scoped dependencies, as Annotated aliases features put in their signatures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.db.session import SessionFactory, unit_of_work


def _session(request: Request) -> Iterator[Session]:
    """One unit of work per request: commits after the handler returns, before the response
    is sent (scope="function"), so a client that reads right after a write sees it."""
    factory: SessionFactory = request.app.state.session_factory
    with unit_of_work(factory) as session:
        yield session


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DbSession = Annotated[Session, Depends(_session, scope="function")]
AppSettings = Annotated[Settings, Depends(_settings)]
