# SPDX-License-Identifier: Apache-2.0
"""``record``: append audit events in the caller's transaction (never commits).

Actions are ``feature:resource:action`` tags (``registry:ally:create``,
``documents:document:read``). A read of many rows appends one event per row, so each event
carries exactly one object's marking and the audit views can filter them by the policy.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from liaison.audit.chain import digest, lock_and_last
from liaison.audit.models import AuditEvent
from liaison.kit.clock import utcnow
from liaison.kit.context import request_id
from liaison.security.classification import Classification
from liaison.security.principal import Principal

_COLUMNS = [c.key for c in AuditEvent.__table__.columns]


@dataclass(frozen=True, slots=True)
class Entry:
    action: str
    object_type: str
    object_id: str
    marking_id: int | None = None
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def record(session: Session, principal: Principal, entries: Sequence[Entry]) -> None:
    """Append ``entries`` to the chain, in order, inside the current transaction."""
    if not entries:
        return
    seq, prev_hash = lock_and_last(session)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for entry in entries:
        seq += 1
        event = AuditEvent(
            seq=seq,
            at=now,
            request_id=request_id.get(),
            actor=principal.username,
            actor_user_id=principal.user_id,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            marking_id=entry.marking_id,
            before=_jsonable(entry.before),
            after=_jsonable(entry.after),
            prev_hash=prev_hash,
        )
        event.hash = digest(prev_hash, event)
        prev_hash = event.hash
        rows.append({c: getattr(event, c) for c in _COLUMNS})
    # Written now, in this transaction (a later failure rolls them back together with the
    # change they describe), after whatever the caller has pending; as plain rows, without
    # the unit of work's per-object bookkeeping.
    session.flush()
    session.execute(insert(AuditEvent), rows)


@dataclass(frozen=True, slots=True)
class Read:
    """One object shown to a principal, with the level of its marking."""

    action: str
    object_type: str
    object_id: str
    marking_id: int
    level: Classification


def record_reads(session: Session, principal: Principal, reads: Iterable[Read]) -> None:
    """One event per read of marked material; reads of PUBLIC objects leave none."""
    record(
        session,
        principal,
        [
            Entry(r.action, r.object_type, r.object_id, marking_id=r.marking_id)
            for r in reads
            if r.level is not Classification.PUBLIC
        ],
    )


def record_one(session: Session, principal: Principal, entry: Entry) -> None:
    record(session, principal, [entry])


def _jsonable(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``value`` as the JSON it will be stored and read back as (what the hash covers)."""
    if value is None:
        return None
    if type(value) is dict and _plain(value):  # already JSON: a TAXII page's thousand ids
        return value
    return dict(json.loads(json.dumps(dict(value), default=str, sort_keys=True)))


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
