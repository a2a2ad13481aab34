# SPDX-License-Identifier: Apache-2.0
"""Offset pagination and whitelisted sorting for list endpoints and pages.

A page always carries the total that the same filtered query counts, so counts agree with what
the caller can list. (TAXII uses keyset cursors instead; that lives with the sharing feature.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import QueryableAttribute, Session

from liaison.errors import InvalidInput

T = TypeVar("T")
Sortable = ColumnElement[Any] | QueryableAttribute[Any]


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` plus what is needed to fetch the next."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int = 50
    offset: int = 0
    sort: str | None = None


def order_by(
    stmt: Select[Any],
    sort: str | None,
    columns: Mapping[str, Sortable],
    default: Sequence[Sortable],
) -> Select[Any]:
    """Apply ``sort`` ("field" or "-field", comma-separated) from a whitelist of columns."""
    if not sort:
        return stmt.order_by(*default)
    clauses: list[Sortable] = []
    for raw in sort.split(","):
        key = raw.strip()
        name = key.removeprefix("-")
        if name not in columns:
            allowed = ", ".join(sorted(columns))
            raise InvalidInput(f"cannot sort by {name!r}; sort by one of: {allowed}", field="sort")
        column = columns[name]
        clauses.append(column.desc() if key.startswith("-") else column.asc())
    return stmt.order_by(*clauses, *default)


def paginate(session: Session, stmt: Select[Any], request: PageRequest) -> tuple[list[Any], int]:
    """Run ``stmt`` for one page and count the whole filtered result."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.limit(request.limit).offset(request.offset)).unique().all()
    return list(rows), int(total or 0)
