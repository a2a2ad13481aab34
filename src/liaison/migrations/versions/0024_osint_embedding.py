# SPDX-License-Identifier: Apache-2.0
"""osint: an article's MiniLM embedding, kept for story grouping (issue 19)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 20:10:00

384 float32 values (1,536 bytes) of the title and lede, so each analysis round compares new
articles with the earlier ones without embedding them again. PUBLIC like the article.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("osint_article") as batch:
        batch.add_column(sa.Column("embedding", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("osint_article") as batch:
        batch.drop_column("embedding")
