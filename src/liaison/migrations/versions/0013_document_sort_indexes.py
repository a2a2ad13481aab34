# SPDX-License-Identifier: Apache-2.0
"""document: an index for each sort of the list, with the id that breaks its ties

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 20:55:00

The documents list sorts by ``updated_at`` (its default), ``created_at``, ``title`` or
``size``, ties broken by the id in the same direction. Without an index the database sorted
every readable document for each page: at 1M documents an ally's first page took ~1 s on
SQLite and ~0.6 s on PostgreSQL. With ``(column, id)`` it reads the index in order and stops
after the page, as a page by id does (docs/benchmarks.md).
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

COLUMNS = ("updated_at", "created_at", "title", "size")


def upgrade() -> None:
    for column in COLUMNS:
        op.create_index(f"ix_document_{column}_id", "document", [column, "id"], unique=False)


def downgrade() -> None:
    for column in COLUMNS:
        op.drop_index(f"ix_document_{column}_id", table_name="document")
