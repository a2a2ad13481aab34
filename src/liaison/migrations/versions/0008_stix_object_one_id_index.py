# SPDX-License-Identifier: Apache-2.0
"""stix_object: one index by STIX id (the unique key, stix_id first) instead of two

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 12:40:00

The unique key (collection_id, stix_id, version) and the index on stix_id were two b-trees
keyed on random UUID text, both written for every stored object; at a million objects they
outgrow PostgreSQL's buffer cache and ingest slowed from ~10k to ~6k objects/s. Keyed
(stix_id, version, collection_id), the unique index answers lookups by STIX id as well.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stix_object", schema=None) as batch_op:
        batch_op.drop_index("ix_stix_object_stix_id")
        batch_op.drop_constraint("uq_stix_object_version", type_="unique")
        batch_op.create_unique_constraint(
            "uq_stix_object_version", ["stix_id", "version", "collection_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("stix_object", schema=None) as batch_op:
        batch_op.drop_constraint("uq_stix_object_version", type_="unique")
        batch_op.create_unique_constraint(
            "uq_stix_object_version", ["collection_id", "stix_id", "version"]
        )
        batch_op.create_index("ix_stix_object_stix_id", ["stix_id"], unique=False)
