# SPDX-License-Identifier: Apache-2.0
"""sharing: TAXII collections, STIX object versions, their references, POST statuses

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-23 08:04:39.994253
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.db.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "taxii_status",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("request_timestamp", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("success_count", sa.Integer(), nullable=False),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("successes", sa.JSON(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_status")),
    )
    with op.batch_alter_table("taxii_status", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxii_status_user_id"), ["user_id"], unique=False)

    op.create_table(
        "taxii_collection",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("alias", sa.String(length=100), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("readers", sa.JSON(), nullable=False),
        sa.Column("writers", sa.JSON(), nullable=False),
        sa.Column("default_marking_id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["default_marking_id"],
            ["marking.id"],
            name=op.f("fk_taxii_collection_default_marking_id_marking"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_collection")),
        sa.UniqueConstraint("alias", name=op.f("uq_taxii_collection_alias")),
    )
    op.create_table(
        "stix_object",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("stix_id", sa.String(length=300), nullable=False),
        sa.Column("type", sa.String(length=250), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("spec_version", sa.String(length=8), nullable=False),
        sa.Column("date_added", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("is_latest", sa.Boolean(), nullable=False),
        sa.Column("is_first", sa.Boolean(), nullable=False),
        sa.Column("own_marking_id", sa.Integer(), nullable=False),
        sa.Column("pending_refs", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["taxii_collection.id"],
            name=op.f("fk_stix_object_collection_id_taxii_collection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marking_id"], ["marking.id"], name=op.f("fk_stix_object_marking_id_marking")
        ),
        sa.ForeignKeyConstraint(
            ["own_marking_id"], ["marking.id"], name=op.f("fk_stix_object_own_marking_id_marking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stix_object")),
        sa.UniqueConstraint("collection_id", "stix_id", "version", name="uq_stix_object_version"),
    )
    with op.batch_alter_table("stix_object", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stix_object_page", ["collection_id", "date_added", "id"], unique=False
        )
        batch_op.create_index("ix_stix_object_stix_id", ["stix_id"], unique=False)

    op.create_table(
        "stix_ref",
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["row_id"],
            ["stix_object.id"],
            name=op.f("fk_stix_ref_row_id_stix_object"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("row_id", "target", name=op.f("pk_stix_ref")),
    )
    with op.batch_alter_table("stix_ref", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stix_ref_target"), ["target"], unique=False)

    op.create_table(
        "taxii_remote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("ceiling_marking_id", sa.Integer(), nullable=False),
        sa.Column("added_after", sa.String(length=40), nullable=True),
        sa.Column("last_pulled_at", liaison.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["ceiling_marking_id"],
            ["marking.id"],
            name=op.f("fk_taxii_remote_ceiling_marking_id_marking"),
        ),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["taxii_collection.id"],
            name=op.f("fk_taxii_remote_collection_id_taxii_collection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_remote")),
        sa.UniqueConstraint("name", name=op.f("uq_taxii_remote_name")),
    )


def downgrade() -> None:
    op.drop_table("taxii_remote")
    with op.batch_alter_table("stix_ref", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stix_ref_target"))

    op.drop_table("stix_ref")
    with op.batch_alter_table("stix_object", schema=None) as batch_op:
        batch_op.drop_index("ix_stix_object_stix_id")
        batch_op.drop_index("ix_stix_object_page")

    op.drop_table("stix_object")
    op.drop_table("taxii_collection")
    with op.batch_alter_table("taxii_status", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxii_status_user_id"))

    op.drop_table("taxii_status")
