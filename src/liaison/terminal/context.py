# SPDX-License-Identifier: Apache-2.0
"""What every CLI command needs: the settings, an engine, and one unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.errors import Conflict, LiaisonError
from liaison.terminal import startup
from liaison.terminal.output import EXIT_CONFLICT, fail


def settings() -> Settings:
    return Settings()


def engine_for(cfg: Settings) -> Engine:
    startup.run_pending()  # the features' handlers, before any command's first query
    return build_engine(cfg.database_url, echo=cfg.echo_sql)


@contextmanager
def command_session(cfg: Settings | None = None) -> Iterator[Session]:
    """One unit of work for a command; expected errors become a one-line message."""
    engine = engine_for(cfg or settings())
    try:
        if "alembic_version" not in inspect(engine).get_table_names():
            fail("the database is not initialised; run `liaison init` first")
        with unit_of_work(session_factory(engine)) as session:
            yield session
    except LiaisonError as exc:
        fail(exc.message, EXIT_CONFLICT if isinstance(exc, Conflict) else 2)
    finally:
        engine.dispose()
