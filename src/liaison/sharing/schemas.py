# SPDX-License-Identifier: Apache-2.0
"""Sharing shapes the service hands out: a collection as one principal sees it
(``CollectionView``, its TAXII resource), a page of stored versions (``PageRow``,
``ObjectPage``) and the outcome of a posted envelope (``PostOutcome``). TAXII's own JSON is
built from these in ``taxii.py``; the pages and the CLI read the same ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from liaison.sharing import stix
from liaison.sharing.models import TaxiiCollection, TaxiiStatus


@dataclass(frozen=True, slots=True)
class CollectionView:
    """A collection as one principal sees it: ``can_write`` only where its POST would be
    accepted (in the writers, with the write permission); ``in_audience`` whether it sees the
    collection at all (its readers or writers)."""

    row: TaxiiCollection
    can_read: bool
    can_write: bool
    in_audience: bool = True

    def resource(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.row.id,
            "title": self.row.title,
            "can_read": self.can_read,
            "can_write": self.can_write,
            "media_types": ["application/stix+json;version=2.1"],
        }
        if self.row.description:
            body["description"] = self.row.description
        if self.row.alias:
            body["alias"] = self.row.alias
        return body


class PageRow(NamedTuple):
    """One stored version on a page. The page query's own rows have the same fields and are
    used as they come (a page is a thousand of them: no per-row Python work)."""

    row_id: int
    stix_id: str
    version: str
    date_added: dt.datetime | str  # str: PostgreSQL's text of it (``added_of``)
    marking_id: int
    body: str | None = None


# A page's rows are read by position where there are a thousand of them: a SQLAlchemy Row's
# attribute access costs ~1 µs (a name lookup through its key map), indexing ~60 ns.
ROW_ID: Final = 0
STIX_ID: Final = 1
VERSION: Final = 2
DATE_ADDED: Final = 3
MARKING_ID: Final = 4
BODY: Final = 5


def added_of(row: Sequence[Any]) -> dt.datetime:
    """A page row's ``date_added``. PostgreSQL pages carry it as the server's ISO text in UTC
    (``repository.PG_PAGE_COLUMNS``), parsed only where it is used: the driver's parsing of a
    thousand timestamps cost ~0.6 ms a page, and an objects page needs two of them."""
    value = row[DATE_ADDED]
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


@dataclass(frozen=True, slots=True)
class ObjectPage:
    rows: list[PageRow]
    more: bool
    next: str | None

    @property
    def first_added(self) -> str | None:
        return stix.format_datetime(added_of(self.rows[0])) if self.rows else None

    @property
    def last_added(self) -> str | None:
        return stix.format_datetime(added_of(self.rows[-1])) if self.rows else None


@dataclass
class PostOutcome:
    status: TaxiiStatus
    stored: list[tuple[str, str]] = field(default_factory=list)
    refused: bool = False  # nothing stored: an object was refused (not merely a conflict)
