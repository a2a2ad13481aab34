# SPDX-License-Identifier: Apache-2.0
"""write rights: who may change what (issue 14, finding 1)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 17:00:00

Reserved in the chain so that work on several issues can land in any order; it changes
nothing until its work fills it in.
"""

from __future__ import annotations

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
