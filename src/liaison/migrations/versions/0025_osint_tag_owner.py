# SPDX-License-Identifier: Apache-2.0
"""who owns a DISARM technique tag (issue 14, finding 1, for the open-source pillar)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 21:00:00

A suggested technique is alliance material (the console made it); a tag a partner's analyst
adds is its organisation's. Only the owner's side reviews or re-marks a tag, as for every
record (``security.writes``): before, a partner could reject the console's PUBLIC suggestion
and mark it releasable to itself alone, hiding it from everyone else.

Back-fill: every existing tag is alliance material (fails closed: a partner that added a tag
before this revision asks an ally or an administrator to change it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("osint_technique_tag", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "owner_side",
                sa.Enum("ally", "partner", name="owner_side", native_enum=False, length=40),
                server_default="ally",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("owner_organisation_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_osint_technique_tag_owner_organisation_id_organisation"),
            "organisation",
            ["owner_organisation_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("osint_technique_tag", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_osint_technique_tag_owner_organisation_id_organisation"),
            type_="foreignkey",
        )
        batch_op.drop_column("owner_organisation_id")
        batch_op.drop_column("owner_side")
