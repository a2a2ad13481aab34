# SPDX-License-Identifier: Apache-2.0
"""marking: release, caveat and community lists on the marking row itself

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 17:40:00

The policy's SQL face asked four correlated sub-queries of the child tables (a missing caveat,
a community, a release code, any caveat) per marking. On PostgreSQL they became four hashed
sub-plans that the executor set up for every query that read marked rows, ~0.1 ms each time
even when no marking row reached them: a page of 50 documents cost 1.5-2.2x the same query
without the policy. Each marking row now carries its child values as one framed text
(``models.framed``: ``"\\x1fAUS\\x1fJPN\\x1f"``, ``""`` when none), and the policy is a condition
on the marking table alone. The child tables stay the record; the lists are written with
them, once, when a marking is interned (a marking never changes).
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SEP = "\x1f"
LISTS = {
    "release_list": ("marking_release", "code"),
    "caveat_list": ("marking_caveat", "caveat"),
    "community_list": ("marking_community", "community"),
}


def _framed(values: list[str]) -> str:
    return SEP + SEP.join(sorted(values)) + SEP if values else ""


def upgrade() -> None:
    # Plain ALTER TABLE on both backends: a batch (copy and swap) of ``marking`` would drop a
    # table every marked table refers to.
    for column in LISTS:
        op.add_column("marking", sa.Column(column, sa.Text(), server_default="", nullable=False))
    bind = op.get_bind()
    columns = [sa.column(c, sa.Text) for c in LISTS]
    marking = sa.table("marking", sa.column("id", sa.Integer), *columns)
    values: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for column, (table, value) in LISTS.items():
        rows = bind.execute(sa.text(f"SELECT marking_id, {value} FROM {table}"))  # noqa: S608 - names above
        for marking_id, item in rows:
            values[marking_id][column].append(item)
    for marking_id, lists in values.items():
        bind.execute(
            marking.update()
            .where(marking.c.id == marking_id)
            .values({c: _framed(lists.get(c, [])) for c in LISTS})
        )


def downgrade() -> None:
    for column in LISTS:
        op.execute(f"ALTER TABLE marking DROP COLUMN {column}")  # SQLite 3.35+ as PostgreSQL
