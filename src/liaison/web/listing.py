# SPDX-License-Identifier: Apache-2.0
"""One page of rows for a list page, and what its pager needs ("Showing a to b of N")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from liaison.kit.pagination import PageRequest

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Listing(Generic[T]):
    rows: list[T]
    total: int
    page: PageRequest

    @property
    def first(self) -> int:
        return self.page.offset + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.page.offset + len(self.rows)

    @property
    def previous_offset(self) -> int | None:
        return max(self.page.offset - self.page.limit, 0) if self.page.offset > 0 else None

    @property
    def next_offset(self) -> int | None:
        return self.page.offset + self.page.limit if self.last < self.total else None
