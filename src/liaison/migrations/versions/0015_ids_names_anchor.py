# SPDX-License-Identifier: Apache-2.0
"""ids never reused, one case-folding for names, audit hashes cover the marking (issue 14)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 17:00:00

**The audit hashes cover the marking.** An event's canonical JSON now holds ``marking``, the
key (canonical text) of the marking row it names (``liaison.audit.chain``), so altering a
marking row breaks the hash of every event that names it. The chain is first verified in its
old form — a chain that does not verify stops the migration, so re-hashing never launders a
tampered row — and then every row is hashed again in the new form, in ``seq`` order. The
downgrade does the reverse.

**One case-folding for unique names.** ``office`` and ``organisation`` get ``name_key``:
``liaison.kit.text.fold(name)`` (NFKC, casefold), computed in Python and unique. Uniqueness was
checked with SQL ``lower()``, which SQLite applies to ASCII only, against Python's ``lower()``:
"ÓSLO OFFICE" twice passed the check and then broke the unique constraint (a 500). Names
that already fold to one key stop the migration, naming them.

**Ids never reused (SQLite).** A rowid table gives a deleted row's id to the next insert when
it was the largest: one document id stood for three documents in one audit trail. Every
table with an integer ``id`` that a URL or the audit trail names (all but ``marking``, whose
rows are never deleted) is rebuilt with ``AUTOINCREMENT``. Migrations run in one transaction,
where SQLite cannot turn foreign keys off, and renaming a table rewrites the foreign keys that
name it; so the rebuilt tables and every table whose foreign keys reach them are renamed away
together, made again from their own definitions (read first), filled parents first with the
foreign-key checks deferred to the commit, and the old tables dropped children first; their
indexes and triggers are then made again (the triggers after the copy: the document tally is
copied, not counted twice). PostgreSQL's sequences never hand out an id twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

import sqlalchemy as sa
from alembic import op

from liaison.audit.chain import GENESIS, digest_of
from liaison.db.base import UTCDateTime
from liaison.kit.text import fold

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


# ---- one case-folding for names --------------------------------------------------------------

_NAMED = ("office", "organisation")


def _add_name_keys() -> None:
    bind = op.get_bind()
    for table in _NAMED:
        op.add_column(table, sa.Column("name_key", sa.String(200), nullable=True))
        rows = bind.execute(sa.text(f"SELECT id, name FROM {table} ORDER BY id")).all()  # noqa: S608
        seen: dict[str, str] = {}
        for row_id, name in rows:
            key = fold(name)
            if key in seen:
                msg = (
                    f"{table} names {seen[key]!r} and {name!r} are one name once case is "
                    "ignored; rename one, then migrate again"
                )
                raise RuntimeError(msg)
            seen[key] = name
            bind.execute(
                sa.text(f"UPDATE {table} SET name_key = :k WHERE id = :i"),  # noqa: S608
                {"k": key, "i": row_id},
            )
        if bind.dialect.name != "sqlite":  # SQLite: NOT NULL comes with the rebuild below
            op.alter_column(table, "name_key", existing_type=sa.String(200), nullable=False)


def _index_name_keys() -> None:
    for table in _NAMED:
        op.create_index(f"ix_{table}_name_key", table, ["name_key"], unique=True)


def _drop_name_keys() -> None:
    for table in _NAMED:
        op.drop_index(f"ix_{table}_name_key", table_name=table)
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE {table} DROP COLUMN name_key")  # no foreign key names it
        else:
            op.drop_column(table, "name_key")


# ---- ids never reused (SQLite) ------------------------------------------------------------------

_KEEP_ROWID = {"marking"}  # never deleted; the committed prefix relies on its plain rowids
_PK = re.compile(r",\s*CONSTRAINT (pk_\w+) PRIMARY KEY \(id\)")
_ID = re.compile(r"\bid INTEGER NOT NULL(?! CONSTRAINT)")
_AUTO = re.compile(r"\bid INTEGER NOT NULL CONSTRAINT (pk_\w+) PRIMARY KEY AUTOINCREMENT")


def _targets(bind: sa.Connection) -> set[str]:
    found = set()
    for (name,) in bind.execute(
        sa.text("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    ):
        info = bind.execute(sa.text(f"PRAGMA table_info('{name}')")).all()
        pk = [c for c in info if c[5]]
        if len(pk) == 1 and pk[0][1] == "id" and pk[0][2].upper() == "INTEGER":
            found.add(name)
    return found - _KEEP_ROWID - {n for n in found if n.startswith("document_fts")}


def _with_autoincrement(sql: str) -> str:
    match = _PK.search(sql)
    if match is None or "AUTOINCREMENT" in sql:
        return sql
    sql = sql[: match.start()] + sql[match.end() :]
    return _ID.sub(
        f"id INTEGER NOT NULL CONSTRAINT {match.group(1)} PRIMARY KEY AUTOINCREMENT", sql, 1
    )


def _without_autoincrement(sql: str) -> str:
    match = _AUTO.search(sql)
    if match is None:
        return sql
    sql = sql[: match.start()] + "id INTEGER NOT NULL" + sql[match.end() :]
    end = sql.rstrip().rindex(")")
    return sql[:end].rstrip() + f", CONSTRAINT {match.group(1)} PRIMARY KEY (id))"


def _in_order(bind: sa.Connection, targets: set[str]) -> tuple[set[str], list[str]]:
    """``targets`` and every table whose foreign keys reach them, and those parents first."""
    parents = {
        name: {fk[2] for fk in bind.execute(sa.text(f"PRAGMA foreign_key_list('{name}')"))}
        for (name,) in bind.execute(
            sa.text("SELECT name FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL")
        )
    }
    tables = set(targets)
    while True:
        more = {t for t, ps in parents.items() if ps & tables} - tables
        if not more:
            break
        tables |= more
    order: list[str] = []
    while len(order) < len(tables):
        ready = sorted(
            t for t in tables - set(order) if not (parents[t] - {t}) & (tables - set(order))
        )
        if not ready:
            raise RuntimeError(f"a cycle of foreign keys among {sorted(tables - set(order))}")
        order.extend(ready)
    return tables, order


def _rebuild(*, autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    targets = _targets(bind)
    tables, order = _in_order(bind, targets)
    sql: dict[str, str] = dict(
        bind.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all()
    )
    extras = [
        (kind, text_)
        for kind, text_ in bind.execute(
            sa.text(
                "SELECT type, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                "AND sql IS NOT NULL AND tbl_name IN (SELECT value FROM json_each(:names))"
            ),
            {"names": json.dumps(sorted(tables))},
        )
    ]
    bind.execute(sa.text("PRAGMA defer_foreign_keys = ON"))  # until this transaction commits
    for table in order:
        op.execute(f'ALTER TABLE "{table}" RENAME TO "_{table}_0015"')
    for table in order:
        made = sql[table]
        if table in targets:
            made = _with_autoincrement(made) if autoincrement else _without_autoincrement(made)
        if table in _NAMED:
            made = re.sub(
                r"\bname_key VARCHAR\(200\)(?! NOT NULL)", "name_key VARCHAR(200) NOT NULL", made
            )
        op.execute(made)
    for table in order:
        columns = ", ".join(
            f'"{c[1]}"' for c in bind.execute(sa.text(f"PRAGMA table_info('{table}')"))
        )
        op.execute(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "_{table}_0015"')  # noqa: S608
    for table in reversed(order):
        op.execute(f'DROP TABLE "_{table}_0015"')
    for kind, text_ in sorted(extras, key=lambda e: e[0] != "index"):  # indexes, then triggers
        del kind
        op.execute(text_)
    op.execute("ANALYZE sqlite_schema")  # reload the planner's statistics (see 0011)
    broken = bind.execute(sa.text("PRAGMA foreign_key_check")).all()
    if broken:
        raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")


def upgrade() -> None:
    _rehash(to_new=True)
    _add_name_keys()
    _rebuild(autoincrement=True)
    _index_name_keys()


def downgrade() -> None:
    _rebuild(autoincrement=False)
    _drop_name_keys()
    _rehash(to_new=False)
