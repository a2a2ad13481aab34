# SPDX-License-Identifier: Apache-2.0
"""audit hashes cover the marking (issue 14)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 17:00:00

**The audit hashes cover the marking.** An event's canonical JSON now holds ``marking``, the
key (canonical text) of the marking row it names (``liaison.audit.chain``), so altering a
marking row breaks the hash of every event that names it. The chain is first verified in its
old form — a chain that does not verify stops the migration, so re-hashing never launders a
tampered row — and then every row is hashed again in the new form, in ``seq`` order. The
downgrade does the reverse.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from liaison.audit.chain import GENESIS, digest_of
from liaison.db.base import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_BATCH = 5000
_EVENTS = sa.table(
    "audit_event",
    sa.column("seq", sa.Integer),
    sa.column("at", UTCDateTime()),
    sa.column("request_id", sa.String),
    sa.column("actor", sa.String),
    sa.column("actor_user_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.String),
    sa.column("marking_id", sa.Integer),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)
_HASHED = [c.name for c in _EVENTS.c if c.name not in {"prev_hash", "hash"}]


def _old_digest(prev_hash: str, values: dict[str, Any]) -> str:
    """The hash before 0015: the row's fields alone, as one ``json.dumps`` writes them."""
    payload = {k: values[k] for k in _HASHED}
    payload["at"] = payload["at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(prev_hash.encode() + b"\n" + text.encode()).hexdigest()


def _new_digest(prev_hash: str, values: dict[str, Any]) -> str:
    return digest_of(prev_hash, values)


def _rehash(*, to_new: bool) -> None:
    """Verify every row in the form it has, then hash it again in the other form."""
    bind = op.get_bind()
    keys: dict[int, str] = dict(bind.execute(sa.text("SELECT id, key FROM marking")).all())
    check, make = (_old_digest, _new_digest) if to_new else (_new_digest, _old_digest)
    old_prev, new_prev, after = GENESIS, GENESIS, 0
    update = (
        _EVENTS.update()
        .where(_EVENTS.c.seq == sa.bindparam("s"))
        .values(prev_hash=sa.bindparam("p"), hash=sa.bindparam("h"))
    )
    while True:
        rows = bind.execute(
            sa.select(_EVENTS).where(_EVENTS.c.seq > after).order_by(_EVENTS.c.seq).limit(_BATCH)
        ).all()
        if not rows:
            return
        changes = []
        for row in rows:
            values = dict(row._asdict())
            mid = values["marking_id"]
            values["marking"] = keys.get(mid) if mid is not None else None
            if (
                values["seq"] != after + 1
                or values["prev_hash"] != old_prev
                or check(old_prev, values) != values["hash"]
            ):
                msg = (
                    f"the audit chain does not verify at event {after + 1}: migration 0015 "
                    "re-hashes only a chain that verifies (`liaison audit verify --no-anchor` "
                    "names the row; restore a backup first)"
                )
                raise RuntimeError(msg)
            old_prev = values["hash"]
            new_hash = make(new_prev, values)
            changes.append({"s": values["seq"], "p": new_prev, "h": new_hash})
            new_prev, after = new_hash, values["seq"]
        bind.execute(update, changes)


def upgrade() -> None:
    _rehash(to_new=True)


def downgrade() -> None:
    _rehash(to_new=False)
