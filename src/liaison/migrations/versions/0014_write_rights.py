# SPDX-License-Identifier: Apache-2.0
"""write rights: who owns each document (issue 14, finding 1)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 17:00:00

The write policy (``security.writes``) lets a record be changed, re-marked or deleted only
by its side: alliance material by the alliance side, a partner's record by the partner
organisation that made it, anything by an administrator. Documents are the records people of
either side create, so each now has a ``document_owner`` row: ``owner_side`` ('ally' or
'partner') and ``owner_organisation_id``. A table of its own rather than two more columns of
``document``: SQLite would append them after the extracted text, which migration 0011 moved
last so that reads stop before it (and a rebuild would have to remake the tally triggers).

Back-fill from ``created_by``: a document made by a user of a partner mission is that
mission's; anything else (ally-side users, the console's ``system``, a user since deleted) is
alliance material, with the creating user's organisation when there is one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_owner",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column(
            "owner_side",
            sa.Enum("ally", "partner", name="owner_side", native_enum=False, length=40),
            server_default="ally",
            nullable=False,
        ),
        sa.Column("owner_organisation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name="fk_document_owner_document_id_document",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_organisation_id"],
            ["organisation.id"],
            name="fk_document_owner_owner_organisation_id_organisation",
        ),
        sa.PrimaryKeyConstraint("document_id", name="pk_document_owner"),
    )
    op.execute(
        """
        INSERT INTO document_owner (document_id, owner_side, owner_organisation_id)
        SELECT d.id,
               CASE WHEN o.kind = 'partner_mission' THEN 'partner' ELSE 'ally' END,
               u.organisation_id
        FROM document d
        LEFT JOIN app_user u ON u.username = d.created_by
        LEFT JOIN organisation o ON o.id = u.organisation_id
        """
    )


def downgrade() -> None:
    op.drop_table("document_owner")
