# SPDX-License-Identifier: Apache-2.0
"""``record_reads``: the one way a service audits what it shows.

Each service records its own reads, after the policy chose the rows and before it returns
them (a handler never reads a record again only to leave an event)::

    rows, total = self.repo.find(filters, page)
    record_reads(self.session, self.principal, "mine:thing:read", rows)

- ``per="row"`` (the rule): one event per row above PUBLIC, carrying that row's marking, so
  the audit views can filter each event by the policy; PUBLIC rows leave none.
- ``per="page"``: one unmarked event for a page of rows that carry no marking of their own
  (the audit trail's own list): object id ``"<offset>+<count>"``, the query in ``after``.

Events are appended by ``recorder.record`` (deferred to the end of a read request).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Sized
from typing import Any, Literal, overload

from sqlalchemy.orm import Session

from liaison.audit.recorder import Entry, Marked, record
from liaison.security.classification import Classification
from liaison.security.marking_store import MarkingStore
from liaison.security.principal import Principal


@overload
def record_reads(
    session: Session,
    principal: Principal,
    action: str,
    rows: Sequence[Marked],
    *,
    per: Literal["row"] = "row",
    object_type: str | None = None,
) -> None: ...


@overload
def record_reads(
    session: Session,
    principal: Principal,
    action: str,
    rows: Sized,
    *,
    per: Literal["page"],
    object_type: str | None = None,
    offset: int = 0,
    query: Mapping[str, Any] | None = None,
) -> None: ...


def record_reads(
    session: Session,
    principal: Principal,
    action: str,
    rows: Sequence[Marked] | Sized,
    *,
    per: Literal["row", "page"] = "row",
    object_type: str | None = None,
    offset: int = 0,
    query: Mapping[str, Any] | None = None,
) -> None:
    """Audit ``principal``'s read of ``rows`` as ``action`` (``feature:resource:verb``; the
    object type defaults to its resource)."""
    kind = object_type or action.split(":")[1]
    if per == "page":
        after = dict(query) if query is not None else None
        record(session, principal, [Entry(action, kind, f"{offset}+{len(rows)}", after=after)])
        return
    marked: Sequence[Marked] = rows  # type: ignore[assignment] # per="row": the first overload
    levels = MarkingStore(session).many({r.marking_id for r in marked}) if marked else {}
    entries = [
        Entry(action, kind, str(r.id), marking_id=r.marking_id)
        for r in marked
        if levels[r.marking_id].level is not Classification.PUBLIC
    ]
    record(session, principal, entries)
