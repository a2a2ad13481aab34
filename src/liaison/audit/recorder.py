# SPDX-License-Identifier: Apache-2.0
"""``record``: append audit events in the caller's transaction (never commits).

Actions are ``feature:resource:action`` tags (``registry:ally:create``,
``documents:document:read``). A read of many rows appends one event per row, so each event
carries exactly one object's marking and the audit views can filter them by the policy.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import insert
from sqlalchemy.orm import Session

from liaison.audit.chain import append_one, digest_of, lock_and_last
from liaison.audit.models import AuditEvent
from liaison.db.json import EncodedJSON
from liaison.kit.clock import utcnow
from liaison.kit.context import request_id
from liaison.security.classification import Classification
from liaison.security.marking_store import MarkingStore
from liaison.security.principal import Principal

_INSERT = insert(AuditEvent.__table__)  # type: ignore[arg-type] # a Table, typed as FromClause


@dataclass(frozen=True, slots=True)
class Entry:
    action: str
    object_type: str
    object_id: str
    marking_id: int | None = None
    before: Mapping[str, Any] | EncodedJSON | None = None
    after: Mapping[str, Any] | EncodedJSON | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# session.info key: a list that ``record`` appends to instead of writing, for a read request
# whose events are appended by ``append_deferred`` in a short write transaction at its end
# (web.deps), so that a read never holds SQLite's write lock while it works.
DEFERRED = "liaison_deferred_audit"


def record(session: Session, principal: Principal, entries: Sequence[Entry]) -> None:
    """Append ``entries`` to the chain, in order, inside the current transaction (or, for a
    session that defers its events, when the request ends, before its response)."""
    if not entries:
        return
    deferred: list[tuple[Principal, list[Entry], str, dt.datetime]] | None = session.info.get(
        DEFERRED
    )
    if deferred is not None:
        deferred.append((principal, list(entries), request_id.get(), utcnow()))
        return
    _append(session, principal, entries, utcnow(), request_id.get())


def append_deferred(session: Session) -> None:
    """Append the events ``record`` deferred in this session, at the times they were made."""
    deferred = session.info.pop(DEFERRED, None) or []
    for principal, entries, rid, at in deferred:
        _append(session, principal, entries, at, rid)


def _append(
    session: Session, principal: Principal, entries: Sequence[Entry], now: dt.datetime, rid: str
) -> None:
    # Whatever the caller has pending goes first (a later failure rolls it back together
    # with the events that describe it).
    session.flush()
    keys = _marking_keys(session, entries)
    if len(entries) == 1 and session.get_bind().dialect.name == "postgresql":
        append_one(session, _values(principal, entries[0], now, rid, keys))
        return
    seq, prev_hash = lock_and_last(session)
    rows: list[dict[str, Any]] = []
    for entry in entries:
        seq += 1
        row = {"seq": seq, **_values(principal, entry, now, rid, keys), "prev_hash": prev_hash}
        row["hash"] = prev_hash = digest_of(prev_hash, row)
        del row["marking"]  # hashed, not stored: the marking row holds it
        rows.append(row)
    # Plain rows through Core: no unit-of-work bookkeeping, and each document's text, already
    # made for the hash, stored as it is (``EncodedJSON``).
    session.execute(_INSERT, rows)


def _marking_keys(session: Session, entries: Sequence[Entry]) -> dict[int, str]:
    """The key (canonical text) of each marking the entries name, which their hashes cover."""
    ids = {e.marking_id for e in entries if e.marking_id is not None}
    return {mid: m.key for mid, m in MarkingStore(session).many(ids).items()} if ids else {}


def _values(
    principal: Principal, entry: Entry, now: dt.datetime, rid: str, keys: Mapping[int, str]
) -> dict[str, Any]:
    """An event's hashed fields but ``seq``."""
    return {
        "at": now,
        "request_id": rid,
        "actor": principal.username,
        "actor_user_id": principal.user_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "marking_id": entry.marking_id,
        "marking": keys[entry.marking_id] if entry.marking_id is not None else None,
        "before": _encoded(entry.before),
        "after": _encoded(entry.after),
    }


@dataclass(frozen=True, slots=True)
class Read:
    """One object shown to a principal, with the level of its marking."""

    action: str
    object_type: str
    object_id: str
    marking_id: int
    level: Classification


def record_reads(session: Session, principal: Principal, reads: Iterable[Read]) -> None:
    """One event per read of marked material; reads of PUBLIC objects leave none. (The form
    catalogue and osint still use; every other feature calls ``audit.reads.record_reads``.)"""
    record(
        session,
        principal,
        [
            Entry(r.action, r.object_type, r.object_id, marking_id=r.marking_id)
            for r in reads
            if r.level is not Classification.PUBLIC
        ],
    )


class Marked(Protocol):
    """A marked row: its id and the id of its (interned) marking."""

    @property
    def id(self) -> int: ...

    @property
    def marking_id(self) -> int: ...


def record_write(
    session: Session,
    principal: Principal,
    action: str,
    row: Marked,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    object_type: str | None = None,
) -> None:
    """One event for a write to a marked row, with its marking (``feature:resource:verb``;
    the object type defaults to the resource)."""
    kind = object_type or action.split(":")[1]
    entry = Entry(action, kind, str(row.id), row.marking_id, before=before, after=after)
    record(session, principal, [entry])


def record_one(session: Session, principal: Principal, entry: Entry) -> None:
    record(session, principal, [entry])


def _encoded(value: Mapping[str, Any] | EncodedJSON | None) -> EncodedJSON | None:
    """``value`` as the JSON text it will be stored as, and read back and hashed as."""
    if value is None or isinstance(value, EncodedJSON):
        return value
    if type(value) is dict and _plain(value):  # already JSON: a TAXII page's thousand ids
        return EncodedJSON.of(value)
    # Anything else through a round trip first, so that what is hashed now is what reads
    # back: tuples become lists, dates strings, non-string keys strings (then sorted as such).
    return EncodedJSON.of(json.loads(json.dumps(dict(value), default=str, sort_keys=True)))


def _plain(value: object) -> bool:
    """Whether ``value`` reads back from JSON unchanged (str keys, lists, scalars, finite
    floats) — then it needs no round trip through the encoder."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is float:
        return math.isfinite(value)  # type: ignore[arg-type]
    if kind is list:
        return all(_plain(v) for v in value)  # type: ignore[attr-defined]
    if kind is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())  # type: ignore[attr-defined]
    return False
