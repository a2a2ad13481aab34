# SPDX-License-Identifier: Apache-2.0
"""stix_object: lines of versions (``chain``), and pages keyed on what their reader sees

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 17:00:00

Issue 15. ``chain`` (a BigInteger: a new line is numbered by the date_added of the write that
starts it, in µs) tells apart the lines of versions stored under one STIX id in one
collection: a writer who may not read every version of an existing line starts its own line
instead of adding to (or being told of) the hidden one, so the unique key becomes
(stix_id, version, collection_id, chain). The page index becomes
(collection_id, date_added, stix_id, version): a TAXII cursor names the last row served by
the values its reader saw, never a row id that counts rows written by others.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stix_object", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.drop_constraint("uq_stix_object_version", type_="unique")
        batch_op.create_unique_constraint(
            "uq_stix_object_version", ["stix_id", "version", "collection_id", "chain"]
        )
        batch_op.drop_index("ix_stix_object_page")
        batch_op.create_index(
            "ix_stix_object_page",
            ["collection_id", "date_added", "stix_id", "version"],
            unique=False,
        )


def downgrade() -> None:
    # Only the first line of each id survives (the key has room for one).
    op.execute(
        "DELETE FROM stix_object WHERE chain > (SELECT min(s.chain) FROM stix_object s "
        "WHERE s.collection_id = stix_object.collection_id AND s.stix_id = stix_object.stix_id)"
    )
    with op.batch_alter_table("stix_object", schema=None) as batch_op:
        batch_op.drop_index("ix_stix_object_page")
        batch_op.create_index(
            "ix_stix_object_page", ["collection_id", "date_added", "id"], unique=False
        )
        batch_op.drop_constraint("uq_stix_object_version", type_="unique")
        batch_op.create_unique_constraint(
            "uq_stix_object_version", ["stix_id", "version", "collection_id"]
        )
        batch_op.drop_column("chain")
