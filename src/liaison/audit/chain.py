# SPDX-License-Identifier: Apache-2.0
"""The hash chain: each row's hash is SHA-256 over the previous hash and the row's canonical
JSON. Appends are serialised (PostgreSQL: a transaction-scoped advisory lock; SQLite: the
write lock, taken before the chain's head is read, see ``db.engine.take_write_lock``), so the
chain is one line."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, bindparam, select, text
from sqlalchemy.orm import Session

from liaison.audit.models import AuditEvent
from liaison.db.base import UTCDateTime
from liaison.db.engine import take_write_lock
from liaison.db.json import EncodedJSON, canonical_dumps

GENESIS = "0" * 64
_LOCK_KEY = 0x4C494149  # "LIAI": the advisory lock that serialises appends on PostgreSQL


_FIELDS = sorted(  # the canonical document's keys, in the order sort_keys writes them
    [
        "seq",
        "at",
        "request_id",
        "actor",
        "actor_user_id",
        "action",
        "object_type",
        "object_id",
        "marking_id",
        "before",
        "after",
    ]
)
_HEAD = _FIELDS[: _FIELDS.index("after")]  # action, actor, actor_user_id
_MID = _FIELDS[_FIELDS.index("after") + 1 : _FIELDS.index("before")]  # at
_TAIL = _FIELDS[_FIELDS.index("before") + 1 : _FIELDS.index("seq")]  # marking_id ... request_id
assert _FIELDS[-1] == "seq"  # noqa: S101 - liaison_audit_append (migration 0009) relies on it


def _member(key: str, value: Any) -> str:  # noqa: ANN401
    if key == "at":
        value = value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return f'"{key}":' + _document(value)


@dataclass(frozen=True, slots=True)
class Pieces:
    """An event's canonical JSON but for its documents and ``seq``: the text is
    ``head + after + mid + before + tail + ',"seq":N}'`` (``null`` for a missing document)."""

    head: str
    mid: str
    tail: str


def pieces_of(values: Mapping[str, Any]) -> Pieces:
    return Pieces(
        "{" + ",".join(_member(k, values[k]) for k in _HEAD) + ',"after":',
        "," + ",".join(_member(k, values[k]) for k in _MID) + ',"before":',
        "," + ",".join(_member(k, values[k]) for k in _TAIL),
    )


def _document(value: Any) -> str:  # noqa: ANN401
    return value if type(value) is EncodedJSON else canonical_dumps(value)


def canonical_of(values: Mapping[str, Any]) -> bytes:
    """The canonical JSON of an event's hashed fields (``values`` holds them, ``at`` as a
    datetime): exactly ``json.dumps(payload, sort_keys=True, separators=(",", ":"))``,
    written piece by piece so that an ``EncodedJSON`` document is spliced in as it is."""
    p = pieces_of(values)
    text_ = p.head + _document(values["after"]) + p.mid + _document(values["before"]) + p.tail
    return (text_ + f',"seq":{canonical_dumps(values["seq"])}}}').encode()


def canonical(event: AuditEvent) -> bytes:
    return canonical_of({key: getattr(event, key) for key in _FIELDS})


def digest_of(prev_hash: str, values: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical_of(values)).hexdigest()


def digest(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(event)).hexdigest()


def append_one(session: Session, values: Mapping[str, Any]) -> None:
    """Append one event (``values``: every hashed field but ``seq``, documents as
    ``EncodedJSON`` or None) in one round trip: PostgreSQL only (migration 0009)."""
    p = pieces_of({**values, "seq": 0})
    session.execute(
        _APPEND,
        {
            "head": p.head,
            "mid": p.mid,
            "tail": p.tail,
            "at": values["at"],
            "request_id": values["request_id"],
            "actor": values["actor"],
            "actor_user_id": values["actor_user_id"],
            "action": values["action"],
            "object_type": values["object_type"],
            "object_id": values["object_id"],
            "marking_id": values["marking_id"],
            "before": values["before"],
            "after": values["after"],
        },
    )


_APPEND = text(
    "SELECT liaison_audit_append(:head, :mid, :tail, :at, :request_id, :actor, "
    ":actor_user_id, :action, :object_type, :object_id, :marking_id, :before, :after)"
).bindparams(
    bindparam("at", type_=UTCDateTime()),
    bindparam("before", type_=Text()),
    bindparam("after", type_=Text()),
)


def lock_and_last(session: Session) -> tuple[int, str]:
    """Take the append lock for this transaction; return the last ``seq`` and hash."""
    if session.get_bind().dialect.name == "postgresql":
        # One round trip: lock, then read the tail with a snapshot taken after the lock
        # (migration 0007; the lock key there is _LOCK_KEY).
        seq, hash_ = session.execute(text("SELECT seq, hash FROM liaison_audit_tail()")).one()
        return (seq, hash_) if seq is not None else (0, GENESIS)
    take_write_lock(session.connection())  # the head read next must be the one appended to
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (last[0], last[1]) if last else (0, GENESIS)


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    rows: int
    broken_seq: int | None = None
    reason: str = ""


def verify(session: Session, *, batch: int = 5000) -> Verdict:
    """Walk the chain in order; name the first row whose hash, link or sequence is wrong."""
    prev_hash, expected_seq, rows = GENESIS, 1, 0
    for event in _in_order(session, batch):
        if event.seq != expected_seq:
            return Verdict(False, rows, expected_seq, f"row {expected_seq} is missing")
        if event.prev_hash != prev_hash:
            return Verdict(False, rows, event.seq, "its previous-hash link does not match")
        if digest(prev_hash, event) != event.hash:
            return Verdict(False, rows, event.seq, "its content does not match its hash")
        prev_hash, expected_seq, rows = event.hash, expected_seq + 1, rows + 1
    return Verdict(True, rows)


def _in_order(session: Session, batch: int) -> Iterator[AuditEvent]:
    after = 0
    while True:
        chunk: Any = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not chunk:
            return
        yield from chunk
        after = chunk[-1].seq
        session.expunge_all()
