# SPDX-License-Identifier: Apache-2.0
"""The hash chain: each row's hash is SHA-256 over the previous hash and the row's canonical
JSON. Appends are serialised (PostgreSQL: a transaction-scoped advisory lock; SQLite: the
write lock, taken before the chain's head is read, see ``db.engine.take_write_lock``), so the
chain is one line.

The canonical JSON holds, besides the row's columns, ``marking``: the canonical text (``key``)
of the marking row ``marking_id`` names (migration 0015). The hash therefore covers the marking
too: a marking row altered after the event breaks the event's hash, and ``verify`` checks that
each marking row's other columns and child rows say what its key says (``marking_problems``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, bindparam, select, text
from sqlalchemy.orm import Session

from liaison.audit.models import AuditEvent
from liaison.db.base import UTCDateTime
from liaison.db.engine import take_write_lock
from liaison.db.json import EncodedJSON, canonical_dumps
from liaison.security.marking_store import read_markings
from liaison.security.markings import MarkingError
from liaison.security.models import MarkingRow, framed

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
        "marking",
        "before",
        "after",
    ]
)
_HEAD = _FIELDS[: _FIELDS.index("after")]  # action, actor, actor_user_id
_MID = _FIELDS[_FIELDS.index("after") + 1 : _FIELDS.index("before")]  # at
_TAIL = _FIELDS[_FIELDS.index("before") + 1 : _FIELDS.index("seq")]  # marking ... request_id
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


def canonical(event: AuditEvent, marking: str | None) -> bytes:
    """``event``'s canonical JSON, ``marking`` the key of the marking row it names."""
    values = {key: getattr(event, key) for key in _FIELDS if key != "marking"}
    return canonical_of({**values, "marking": marking})


def digest_of(prev_hash: str, values: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical_of(values)).hexdigest()


def digest(prev_hash: str, event: AuditEvent, marking: str | None) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(event, marking)).hexdigest()


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
    head: str = GENESIS  # the hash of the last row that verified


@dataclass(frozen=True, slots=True)
class Anchor:
    """What an outside record says the chain held: event ``seq`` with hash ``head``
    (``seq`` 0: the empty chain). ``source`` names the record in messages."""

    seq: int
    head: str
    source: str


def verify(
    session: Session, *, batch: int = 5000, anchors: Iterable[Anchor] = (), find: str | None = None
) -> Verdict:
    """Walk the chain in order; name the first row whose hash, link or sequence is wrong, the
    first marking row whose columns contradict its key, or the first anchor the chain no longer
    holds (a row it names is missing or has another hash). ``find``: a hash some row must have
    (``--expect-head`` without a count)."""
    problems = marking_problems(session)
    if problems:
        return Verdict(False, 0, None, problems[0])
    keys = marking_keys(session)
    rows = (_values_of(event, keys) for event in _in_order(session, batch))
    return walk(rows, anchors=anchors, find=find)


def walk(  # noqa: PLR0911 - one return per kind of break
    rows: Iterable[Mapping[str, Any]], *, anchors: Iterable[Anchor] = (), find: str | None = None
) -> Verdict:
    """Check a chain given as rows in ``seq`` order (every hashed field, the marking's key as
    ``marking``, and ``prev_hash`` and ``hash``), against ``anchors`` and ``find``."""
    expected: dict[int, Anchor] = {}
    for anchor in anchors:
        expected.setdefault(anchor.seq, anchor)
    prev_hash, expected_seq, count = GENESIS, 1, 0
    found = find is None or find == GENESIS
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            return Verdict(False, count, expected_seq, f"row {expected_seq} is missing", prev_hash)
        if row["prev_hash"] != prev_hash:
            return Verdict(False, count, seq, "its previous-hash link does not match", prev_hash)
        if row["marking_id"] is not None and row["marking"] is None:
            return Verdict(False, count, seq, f"its marking {row['marking_id']} is missing")
        if digest_of(prev_hash, row) != row["hash"]:
            return Verdict(False, count, seq, "its content does not match its hash", prev_hash)
        held = expected.get(seq)
        if held is not None and held.head != row["hash"]:
            return Verdict(
                False, count, seq, f"its hash is not the one {held.source} holds", prev_hash
            )
        found = found or row["hash"] == find
        prev_hash, expected_seq, count = row["hash"], expected_seq + 1, count + 1
    beyond = [a for a in expected.values() if a.seq > count]
    if beyond:
        last = max(beyond, key=lambda a: a.seq)
        return Verdict(
            False,
            count,
            count + 1,
            f"events {count + 1} to {last.seq} are missing: {last.source} holds event "
            f"{last.seq} with hash {last.head}, the chain ends at event {count}",
            prev_hash,
        )
    if not found:
        return Verdict(False, count, None, f"no event has the hash {find}", prev_hash)
    return Verdict(True, count, head=prev_hash)


def _values_of(event: AuditEvent, keys: Mapping[int, str]) -> dict[str, Any]:
    values = {key: getattr(event, key) for key in _FIELDS if key != "marking"}
    values["marking"] = keys.get(event.marking_id) if event.marking_id is not None else None
    values["prev_hash"], values["hash"] = event.prev_hash, event.hash
    return values


def marking_keys(session: Session) -> dict[int, str]:
    """Every marking row's key (its canonical text), by id."""
    return dict(session.execute(select(MarkingRow.id, MarkingRow.key)).all())


def marking_problems(session: Session) -> list[str]:
    """The marking rows whose level, rank, TLP, framed lists or child rows say something other
    than their key (the hashed text): the policy reads those columns, the hash covers the key.
    """
    ids = list(marking_keys(session))
    try:
        read = read_markings(session, ids)
    except MarkingError:  # one of them contradicts itself: read them one by one
        read = {}
        for mid in ids:
            with suppress(MarkingError):
                read.update(read_markings(session, [mid]))
    problems = []
    for row in session.scalars(select(MarkingRow).order_by(MarkingRow.id)):
        marking = read.get(row.id)
        if marking is None or marking.key != row.key:
            problems.append(f"marking {row.id}'s child rows do not match its key {row.key!r}")
        elif (
            row.level_rank != marking.level.rank
            or row.release_list != framed(marking.releasable_to)
            or row.caveat_list != framed(marking.caveats)
            or row.community_list != framed(marking.communities)
        ):
            problems.append(f"marking {row.id}'s columns do not match its key {row.key!r}")
    session.expunge_all()
    return problems


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
