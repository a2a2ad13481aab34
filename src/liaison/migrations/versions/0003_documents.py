# SPDX-License-Identifier: Apache-2.0
"""documents: marked documents, their bytes, and full-text search

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 06:04:46.372894

Hand-written where autogenerate cannot express it: the FTS5 table exists only on SQLite, the
GIN expression index only on PostgreSQL (``liaison.documents.search`` queries both, and the
migration checks skip them by name).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.db.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Must stay identical to the expression in liaison.documents.search, or queries miss the index.
_SEARCH_VECTOR = "to_tsvector('english'::regconfig, title || ' ' || extracted_text)"


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("file", "note", name="document_kind", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("text_truncated", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("extracted_text", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["marking_id"], ["marking.id"], name=op.f("fk_document_marking_id_marking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_marking_id"), ["marking_id"], unique=False)

    op.create_table(
        "document_blob",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_document_blob_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_blob")),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE document_fts USING fts5("
            "title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
    else:
        op.execute(f"CREATE INDEX ix_document_search ON document USING gin ({_SEARCH_VECTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS document_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_document_search")
    op.drop_table("document_blob")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_marking_id"))
        batch_op.drop_index(batch_op.f("ix_document_kind"))
    op.drop_table("document")
