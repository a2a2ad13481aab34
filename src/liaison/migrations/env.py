# SPDX-License-Identifier: Apache-2.0
"""Alembic environment: online migrations against a given connection or the configured URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from liaison.db.engine import build_engine
from liaison.migrations import include_name
from liaison.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    assert url  # noqa: S101 - set by liaison.migrations.alembic_config
    engine = build_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


run_migrations_online()
