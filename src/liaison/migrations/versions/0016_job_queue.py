# SPDX-License-Identifier: Apache-2.0
"""job: the one job queue (DESIGN: Background work)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 17:00:00

One row per job (``liaison.jobs``): its kind, JSON payload and result, state (queued,
running, failed and waiting to retry, done, dead), attempts, the claim token and lease of the
worker running it, progress, and who created it. Claims read ``(state, run_after)``; a dedupe
key names at most one unfinished job (a partial unique index on both backends). Ids come from
AUTOINCREMENT on SQLite, so a job's id is never given to another job.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from liaison.db.base import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

ACTIVE = "state IN ('queued', 'running', 'failed')"


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "running",
                "failed",
                "done",
                "dead",
                name="job_state",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", UTCDateTime(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("claim", sa.String(length=40), nullable=True),
        sa.Column("worker", sa.String(length=120), nullable=True),
        sa.Column("progress_done", sa.Integer(), nullable=True),
        sa.Column("progress_total", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_job_state_run_after", "job", ["state", "run_after"], unique=False)
    op.create_index("ix_job_created_by_user_id", "job", ["created_by_user_id"], unique=False)
    op.create_index(
        "uq_job_dedupe_key_active",
        "job",
        ["dedupe_key"],
        unique=True,
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )


def downgrade() -> None:
    op.drop_index("uq_job_dedupe_key_active", table_name="job")
    op.drop_index("ix_job_created_by_user_id", table_name="job")
    op.drop_index("ix_job_state_run_after", table_name="job")
    op.drop_table("job")
