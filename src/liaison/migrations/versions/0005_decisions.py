# SPDX-License-Identifier: Apache-2.0
"""decisions: proposals, electorates, text versions, positions and notifications

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-23 08:02:34.705402
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.db.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proposal",
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "subject_kind",
            sa.Enum(
                "itpp_approval",
                "office_opening",
                "document_release",
                "free_text",
                name="subject_kind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("subject_ref", sa.String(length=100), nullable=True),
        sa.Column("subject_title", sa.String(length=300), nullable=True),
        sa.Column("subject_href", sa.String(length=300), nullable=True),
        sa.Column("release_to", sa.JSON(), nullable=False),
        sa.Column(
            "procedure",
            sa.Enum("meeting", "silence", name="procedure", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("opened_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline", liaison.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("withdrawn_at", liaison.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "pending",
                "adopted",
                "broken",
                "withdrawn",
                "lapsed",
                name="outcome",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("decided_at", liaison.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome_reason", sa.Text(), nullable=False),
        sa.Column("depends_on_id", sa.Integer(), nullable=True),
        sa.Column("revises_id", sa.Integer(), nullable=True),
        sa.Column("package", sa.String(length=64), nullable=True),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["depends_on_id"], ["proposal.id"], name=op.f("fk_proposal_depends_on_id_proposal")
        ),
        sa.ForeignKeyConstraint(
            ["marking_id"], ["marking.id"], name=op.f("fk_proposal_marking_id_marking")
        ),
        sa.ForeignKeyConstraint(
            ["revises_id"], ["proposal.id"], name=op.f("fk_proposal_revises_id_proposal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal")),
        sa.UniqueConstraint("reference", name=op.f("uq_proposal_reference")),
    )
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_deadline"), ["deadline"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_proposal_depends_on_id"), ["depends_on_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_proposal_marking_id"), ["marking_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposal_opened_at"), ["opened_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposal_outcome"), ["outcome"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposal_package"), ["package"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposal_revises_id"), ["revises_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposal_subject_ref"), ["subject_ref"], unique=False)

    op.create_table(
        "proposal_elector",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("ally_iso3", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["ally_iso3"], ["country.iso3"], name=op.f("fk_proposal_elector_ally_iso3_country")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_proposal_elector_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("proposal_id", "ally_iso3", name=op.f("pk_proposal_elector")),
    )
    op.create_table(
        "proposal_position",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("ally_iso3", sa.String(length=3), nullable=False),
        sa.Column(
            "stance",
            sa.Enum(
                "concur",
                "break_silence",
                "reservation",
                "footnote",
                "withdraw_reservation",
                name="stance",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("recorded_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ally_iso3"], ["country.iso3"], name=op.f("fk_proposal_position_ally_iso3_country")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_proposal_position_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_position")),
    )
    with op.batch_alter_table("proposal_position", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_position_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "proposal_version",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_proposal_version_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_version")),
        sa.UniqueConstraint("proposal_id", "number", name="uq_proposal_version"),
    )
    op.create_table(
        "decision_notification",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("opened", "decided", name="notification_kind", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", liaison.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", liaison.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_decision_notification_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_decision_notification_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_notification")),
    )
    with op.batch_alter_table("decision_notification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decision_notification_proposal_id"), ["proposal_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_decision_notification_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "notification_address",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_notification_address_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_address")),
    )


def downgrade() -> None:
    op.drop_table("notification_address")
    with op.batch_alter_table("decision_notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_notification_user_id"))
        batch_op.drop_index(batch_op.f("ix_decision_notification_proposal_id"))

    op.drop_table("decision_notification")
    op.drop_table("proposal_version")
    with op.batch_alter_table("proposal_position", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_position_proposal_id"))

    op.drop_table("proposal_position")
    op.drop_table("proposal_elector")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_subject_ref"))
        batch_op.drop_index(batch_op.f("ix_proposal_revises_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_package"))
        batch_op.drop_index(batch_op.f("ix_proposal_outcome"))
        batch_op.drop_index(batch_op.f("ix_proposal_opened_at"))
        batch_op.drop_index(batch_op.f("ix_proposal_marking_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_depends_on_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_deadline"))

    op.drop_table("proposal")
