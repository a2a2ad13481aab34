# SPDX-License-Identifier: Apache-2.0
"""Alembic migrations and the programmatic upgrade (``liaison init``, tests).

This package sits at the top layer: it sees every feature's models through ``liaison.models``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.environment import NameFilterParentNames, NameFilterType
from sqlalchemy import Connection, Engine, Integer, Table, event

from liaison.documents.search import UNMAPPED_INDEXES, UNMAPPED_TABLES

MIGRATIONS = Path(__file__).parent
_BATCH_COPY = "_alembic_tmp_"


def _ids_never_reused(table: Table, connection: Connection, **_kw: object) -> None:
    """On SQLite, every table a migration creates with an integer ``id`` key is AUTOINCREMENT
    (ids are never reused: issue 14, migration 0015), ``marking`` aside (never deleted; the
    committed prefix reads its plain rowids). It also covers the copy that a batch
    ``ALTER`` makes of a table on SQLite, which would otherwise drop the keyword."""
    if connection.dialect.name != "sqlite":
        return
    key = list(table.primary_key.columns)
    name = table.name.removeprefix(_BATCH_COPY)
    if name != "marking" and [c.name for c in key] == ["id"] and isinstance(key[0].type, Integer):
        table.dialect_options["sqlite"]["autoincrement"] = True


if not event.contains(Table, "before_create", _ids_never_reused):
    event.listen(Table, "before_create", _ids_never_reused)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind ``engine`` to ``revision``."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database behind ``engine`` back to ``revision`` (benchmarks of older schemas)."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)


def include_name(name: str | None, type_: NameFilterType, _parents: NameFilterParentNames) -> bool:
    """Alembic's name filter: leave out of model comparisons the search objects the database
    manages itself (SQLite's FTS5 tables, PostgreSQL's GIN expression index)."""
    if type_ == "table":
        return not (name and UNMAPPED_TABLES.match(name))
    if type_ == "index":
        return name not in UNMAPPED_INDEXES
    return True
