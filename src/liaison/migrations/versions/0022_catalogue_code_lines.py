# SPDX-License-Identifier: Apache-2.0
"""catalogue: an item code is no longer unique across the whole catalogue (issue 18)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 20:30:00

An import whose code names an item the importer may not read creates an item of its own, exactly
as for a code that exists nowhere (answering "exists" would reveal the hidden item, as the
sharing hub's hidden lines do not): the unique constraint on ``catalogue_item.code`` becomes a
plain index, and a code names the oldest item of that code the reader may read. The same for a
session's code within its item (``uq_catalogue_session_item_id``): an importer that may read the
item but not one of its sessions made that row collide with the hidden one (a 500, and an oracle
of hidden session codes, found by an attack review).
"""

from __future__ import annotations

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("catalogue_item", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_catalogue_item_code"), type_="unique")
        batch_op.create_index(batch_op.f("ix_catalogue_item_code"), ["code"], unique=False)
    with op.batch_alter_table("catalogue_session", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_catalogue_session_item_id"), type_="unique")
        batch_op.create_index(
            "ix_catalogue_session_item_id_code", ["item_id", "code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("catalogue_session", schema=None) as batch_op:
        batch_op.drop_index("ix_catalogue_session_item_id_code")
        batch_op.create_unique_constraint(
            batch_op.f("uq_catalogue_session_item_id"), ["item_id", "code"]
        )
    with op.batch_alter_table("catalogue_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalogue_item_code"))
        batch_op.create_unique_constraint(batch_op.f("uq_catalogue_item_code"), ["code"])
