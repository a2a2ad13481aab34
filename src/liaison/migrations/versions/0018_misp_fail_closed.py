# SPDX-License-Identifier: Apache-2.0
"""MISP interop fails closed (issue 20)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 17:00:00

Reserved in the chain so that work on several issues can land in any order; it changes
nothing until its work fills it in.
"""

from __future__ import annotations

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
