# SPDX-License-Identifier: Apache-2.0
"""document: on SQLite, the small columns first and the extracted text last

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 20:40:00

SQLite stores a row's columns in order and reads up to the one it needs: ``marking_id``, which
every policy-filtered read tests on every row it passes, came last, after the extracted text.
A reader who sees few markings passes over many rows (korea, 3 of 20 markings: ~330 rows for
a page of 50), each parsed up to its last column and, when the text was long, followed into its
overflow pages. The table is rebuilt with the id, the marking and the other fixed-size columns
first and the text last (docs/benchmarks.md has the figures). PostgreSQL keeps long values out
of line (TOAST) and its table is left as it is.

The rebuild keeps every id, so the FTS5 table, keyed by the document's id, stays as it is.
Migrations run in one transaction, where SQLite cannot turn foreign keys off: dropping the old
table would cascade into ``document_blob``, and renaming it rewrites the blobs' foreign key to
follow it. So the old table is renamed away, the new one filled, and the blobs moved into a
table made from their own definition (which names ``document``) before the old tables go.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_COLUMNS = {
    "id": "id INTEGER NOT NULL",
    "marking_id": "marking_id INTEGER NOT NULL",
    "kind": "kind VARCHAR(40) NOT NULL",
    "size": "size INTEGER NOT NULL",
    "text_truncated": "text_truncated BOOLEAN NOT NULL",
    "created_at": "created_at DATETIME NOT NULL",
    "updated_at": "updated_at DATETIME NOT NULL",
    "title": "title VARCHAR(300) NOT NULL",
    "filename": "filename VARCHAR(255) NOT NULL",
    "content_type": "content_type VARCHAR(100) NOT NULL",
    "sha256": "sha256 VARCHAR(64) NOT NULL",
    "created_by": "created_by VARCHAR(64) NOT NULL",
    "updated_by": "updated_by VARCHAR(64) NOT NULL",
    "extracted_text": "extracted_text TEXT NOT NULL",
}
NEW_ORDER = list(_COLUMNS)
OLD_ORDER = [
    "title",
    "kind",
    "filename",
    "content_type",
    "size",
    "sha256",
    "text_truncated",
    "created_by",
    "updated_by",
    "extracted_text",
    "id",
    "created_at",
    "updated_at",
    "marking_id",
]


def _rebuild(order: list[str]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    blob_table = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'document_blob'")
    ).scalar_one()
    constraints = [
        "CONSTRAINT pk_document PRIMARY KEY (id)",
        "CONSTRAINT fk_document_marking_id_marking FOREIGN KEY(marking_id) REFERENCES marking (id)",
    ]
    columns = ", ".join(order)
    # Renaming a table rewrites the foreign keys that refer to it (foreign keys are on): the
    # blobs then refer to the old table, so they move too, into a table made from their own
    # definition as it was read above.
    op.execute("ALTER TABLE document RENAME TO _document_before_0011")
    op.execute(
        "CREATE TABLE document (" + ", ".join([*(_COLUMNS[c] for c in order), *constraints]) + ")"
    )
    op.execute(f"INSERT INTO document ({columns}) SELECT {columns} FROM _document_before_0011")  # noqa: S608 - names above
    op.execute("ALTER TABLE document_blob RENAME TO _document_blob_before_0011")
    op.execute(blob_table)
    op.execute("INSERT INTO document_blob SELECT * FROM _document_blob_before_0011")
    op.execute("DROP TABLE _document_blob_before_0011")
    op.execute("DROP TABLE _document_before_0011")
    op.execute("CREATE INDEX ix_document_kind ON document (kind)")
    op.execute("CREATE INDEX ix_document_marking_id ON document (marking_id)")
    # The statistics of ANALYZE (kept by table and index name) still describe the same rows;
    # this connection must load them again, or it plans the new table without them (seen: a
    # policy-filtered page sorted through the marking index, ~2x slower, until reconnecting).
    op.execute("ANALYZE sqlite_schema")
    broken = bind.execute(sa.text("PRAGMA foreign_key_check")).all()
    if broken:
        raise RuntimeError(f"foreign keys broken by the rebuild of document: {broken[:5]}")


def upgrade() -> None:
    _rebuild(NEW_ORDER)


def downgrade() -> None:
    _rebuild(OLD_ORDER)
