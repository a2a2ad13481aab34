# SPDX-License-Identifier: Apache-2.0
"""Declarative base with a naming convention (Alembic batch mode on SQLite needs named
constraints) and the column types every feature shares."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    TypeDecorator,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def str_enum(cls: type[enum.Enum], name: str) -> Enum:
    """An enum stored as its values in a checked string column (no native type), so SQLite and
    PostgreSQL share one migration."""
    return Enum(
        cls,
        name=name,
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        length=40,
        validate_strings=True,
    )


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:  # noqa: ANN401, ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetime given; Liaison stores UTC-aware times only"
            raise ValueError(msg)
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:  # noqa: ANN401, ARG002
        if value is None:
            return None
        assert isinstance(value, dt.datetime)  # noqa: S101 - the column type guarantees it
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin:
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, default=lambda: dt.datetime.now(dt.UTC)
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime,
        default=lambda: dt.datetime.now(dt.UTC),
        onupdate=lambda: dt.datetime.now(dt.UTC),
    )


def link_table(name: str, owner: tuple[str, str], other: tuple[str, str]) -> Table:
    """A many-to-many table of two foreign keys, each ``(column, "table.key")``, which are
    together its primary key; its rows go when the ``owner``'s row goes."""
    return Table(
        name,
        Base.metadata,
        Column(owner[0], ForeignKey(owner[1], ondelete="CASCADE"), primary_key=True),
        Column(other[0], ForeignKey(other[1]), primary_key=True),
    )


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index of the rows the SQL condition ``where`` selects, on both backends."""
    return Index(
        name, *columns, unique=unique, sqlite_where=text(where), postgresql_where=text(where)
    )


def columns_of(row: Base) -> dict[str, Any]:
    """A row's own columns (no relationships, no timestamps): an audit event's before/after."""
    return {
        c.key: getattr(row, c.key)
        for c in row.__table__.columns
        if c.key not in {"created_at", "updated_at"}
    }
