# SPDX-License-Identifier: Apache-2.0
"""ids never reused, one case-folding for names, audit anchor (issue 14)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 17:00:00

Reserved in the chain so that work on several issues can land in any order; it changes
nothing until its work fills it in.
"""

from __future__ import annotations

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
