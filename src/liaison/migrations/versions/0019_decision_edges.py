# SPDX-License-Identifier: Apache-2.0
"""decisions at the edges: nothing decided before it opened, one pending proposal per subject
and effect, numbered positions (issue 21)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 17:00:00

- ``proposal.decided_at >= opened_at``: a CHECK constraint on PostgreSQL; on SQLite two
  triggers that abort the insert or update, because adding a CHECK there rebuilds the table,
  and dropping ``proposal`` with foreign keys on (they are, inside the migration's transaction)
  would cascade-delete its electors, versions, positions and notifications. Rows recorded
  before this revision with a decision before their opening (a proposal opened on a dependency
  already broken) are decided at their opening instead.
- ``proposal.effect`` and the partial unique index ``uq_proposal_pending_subject`` on
  ``(subject_kind, subject_ref, effect)`` where the outcome is pending and there is a subject.
  Existing pending duplicates keep the oldest pending; the later ones are left pending but their
  ``effect`` is made unique (``dup:<id>``) so the index can be built, and the next tick settles
  them as before.
- ``proposal_position.seq``: each ally's n-th position on a proposal (numbered in the order
  recorded), unique per proposal and ally.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_PENDING = "outcome = 'pending' AND subject_ref IS NOT NULL"
_SQLITE_GUARD = (
    "CREATE TRIGGER proposal_decided_after_opened_{event} BEFORE {event} ON proposal "
    "WHEN NEW.decided_at IS NOT NULL AND NEW.decided_at < NEW.opened_at "
    "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: ck_proposal_decided_after_opened'); END"
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.execute("UPDATE proposal SET decided_at = opened_at WHERE decided_at < opened_at")
    if sqlite:
        for event in ("INSERT", "UPDATE"):
            op.execute(_SQLITE_GUARD.format(event=event))
    else:
        op.create_check_constraint(
            "ck_proposal_decided_after_opened",
            "proposal",
            "decided_at IS NULL OR decided_at >= opened_at",
        )
    op.add_column(
        "proposal", sa.Column("effect", sa.String(length=400), nullable=False, server_default="")
    )
    op.execute(
        "UPDATE proposal SET effect = 'dup:' || CAST(id AS VARCHAR(20)) WHERE "  # noqa: S608 - constants only
        f"{_PENDING} AND EXISTS (SELECT 1 FROM proposal AS older WHERE "
        "older.outcome = 'pending' AND older.subject_kind = proposal.subject_kind AND "
        "older.subject_ref = proposal.subject_ref AND older.id < proposal.id)"
    )
    op.create_index(
        "uq_proposal_pending_subject",
        "proposal",
        ["subject_kind", "subject_ref", "effect"],
        unique=True,
        sqlite_where=sa.text(_PENDING),
        postgresql_where=sa.text(_PENDING),
    )
    with op.batch_alter_table("proposal_position", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE proposal_position SET seq = (SELECT count(*) FROM proposal_position AS earlier "
        "WHERE earlier.proposal_id = proposal_position.proposal_id AND "
        "earlier.ally_iso3 = proposal_position.ally_iso3 AND earlier.id <= proposal_position.id)"
    )
    with op.batch_alter_table("proposal_position", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(
            "uq_proposal_position_seq", ["proposal_id", "ally_iso3", "seq"]
        )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("proposal_position", schema=None) as batch_op:
        batch_op.drop_constraint("uq_proposal_position_seq", type_="unique")
        batch_op.drop_column("seq")
    op.drop_index("uq_proposal_pending_subject", table_name="proposal")
    if sqlite:
        for event in ("INSERT", "UPDATE"):
            op.execute(f"DROP TRIGGER proposal_decided_after_opened_{event}")
        # SQLite drops a column in place (3.35+) when no index or constraint names it
        op.execute("ALTER TABLE proposal DROP COLUMN effect")
    else:
        op.drop_constraint("ck_proposal_decided_after_opened", "proposal", type_="check")
        op.drop_column("proposal", "effect")
