# SPDX-License-Identifier: Apache-2.0
"""the one job queue (DESIGN: Background work)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 17:00:00

Reserved in the chain so that work on several issues can land in any order; it changes
nothing until its work fills it in.
"""

from __future__ import annotations

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
