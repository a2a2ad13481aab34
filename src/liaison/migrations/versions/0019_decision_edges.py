# SPDX-License-Identifier: Apache-2.0
"""decisions and programmes: rules at the edges (issue 21)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 17:00:00

Reserved in the chain so that work on several issues can land in any order; it changes
nothing until its work fills it in.
"""

from __future__ import annotations

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
