# SPDX-License-Identifier: Apache-2.0
"""cooperation catalogue, nominations and planner (issue 18)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 17:00:00

The catalogue's items, prerequisites, sessions and their eligibility; partner profiles with
priorities per cooperation area and their history; nominations; plans with their allocations,
explanations and solver runs. Every table that carries information has a ``marking_id``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.db.base

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:  # noqa: PLR0915 - one statement per table and index
    op.create_table(
        "catalogue_item",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "course",
                "mobile_training_team",
                "e_learning",
                "seminar",
                "workshop",
                "conference",
                "exercise",
                "observer_slot",
                "familiarisation",
                "staff_talks",
                "expert_visit",
                "fellowship",
                name="item_kind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_code"],
            ["cooperation_area.code"],
            name=op.f("fk_catalogue_item_area_code_cooperation_area"),
        ),
        sa.ForeignKeyConstraint(
            ["marking_id"], ["marking.id"], name=op.f("fk_catalogue_item_marking_id_marking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_item")),
        sa.UniqueConstraint("code", name=op.f("uq_catalogue_item_code")),
    )
    with op.batch_alter_table("catalogue_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalogue_item_area_code"), ["area_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_catalogue_item_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_catalogue_item_marking_id"), ["marking_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_catalogue_item_title"), ["title"], unique=False)

    op.create_table(
        "partner_profile",
        sa.Column("partner_iso3", sa.String(length=3), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("people_q1", sa.Integer(), nullable=False),
        sa.Column("people_q2", sa.Integer(), nullable=False),
        sa.Column("people_q3", sa.Integer(), nullable=False),
        sa.Column("people_q4", sa.Integer(), nullable=False),
        sa.Column("languages", sa.String(length=100), nullable=False),
        sa.Column("budget", sa.Integer(), nullable=False),
        sa.Column("travel_costs", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["marking_id"], ["marking.id"], name=op.f("fk_partner_profile_marking_id_marking")
        ),
        sa.ForeignKeyConstraint(
            ["partner_iso3"], ["country.iso3"], name=op.f("fk_partner_profile_partner_iso3_country")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_profile")),
        sa.UniqueConstraint("partner_iso3", "year", name=op.f("uq_partner_profile_partner_iso3")),
    )
    with op.batch_alter_table("partner_profile", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_profile_marking_id"), ["marking_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_partner_profile_partner_iso3"), ["partner_iso3"], unique=False
        )

    op.create_table(
        "plan",
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft", "approved", "published", name="plan_state", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("objective", sa.Float(), nullable=True),
        sa.Column("bound", sa.Float(), nullable=True),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.Column("greedy_objective", sa.Float(), nullable=True),
        sa.Column("solver_status", sa.String(length=40), nullable=False),
        sa.Column("time_limit", sa.Float(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("proposal_reference", sa.String(length=120), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["marking_id"], ["marking.id"], name=op.f("fk_plan_marking_id_marking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint("period", "version", name=op.f("uq_plan_period")),
    )
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_marking_id"), ["marking_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_period"), ["period"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_state"), ["state"], unique=False)

    op.create_table(
        "catalogue_prerequisite",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("requires_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "item_id <> requires_id", name=op.f("ck_catalogue_prerequisite_not_itself")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["catalogue_item.id"],
            name=op.f("fk_catalogue_prerequisite_item_id_catalogue_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requires_id"],
            ["catalogue_item.id"],
            name=op.f("fk_catalogue_prerequisite_requires_id_catalogue_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "requires_id", name=op.f("pk_catalogue_prerequisite")),
    )
    with op.batch_alter_table("catalogue_prerequisite", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalogue_prerequisite_requires_id"), ["requires_id"], unique=False
        )

    op.create_table(
        "catalogue_session",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("host_country", sa.String(length=3), nullable=True),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column(
            "mode",
            sa.Enum(
                "resident", "mobile", "online", name="delivery_mode", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("fee", sa.Integer(), nullable=False),
        sa.Column(
            "min_level",
            sa.Enum(
                "PUBLIC",
                "NATO UNCLASSIFIED",
                "NATO RESTRICTED",
                "NATO CONFIDENTIAL",
                "NATO SECRET",
                "COSMIC TOP SECRET",
                name="classification",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "end_on >= start_on", name=op.f("ck_catalogue_session_ends_after_start")
        ),
        sa.CheckConstraint("fee >= 0", name=op.f("ck_catalogue_session_fee_not_negative")),
        sa.CheckConstraint("seats >= 0", name=op.f("ck_catalogue_session_seats_not_negative")),
        sa.ForeignKeyConstraint(
            ["host_country"],
            ["country.iso3"],
            name=op.f("fk_catalogue_session_host_country_country"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["catalogue_item.id"],
            name=op.f("fk_catalogue_session_item_id_catalogue_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marking_id"], ["marking.id"], name=op.f("fk_catalogue_session_marking_id_marking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_session")),
        sa.UniqueConstraint("item_id", "code", name=op.f("uq_catalogue_session_item_id")),
    )
    with op.batch_alter_table("catalogue_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalogue_session_item_id"), ["item_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_catalogue_session_marking_id"), ["marking_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_catalogue_session_start_on"), ["start_on"], unique=False
        )

    op.create_table(
        "partner_priority",
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("demand", sa.Integer(), nullable=False),
        sa.Column("goal", sa.String(length=300), nullable=False),
        sa.CheckConstraint("demand >= 0", name=op.f("ck_partner_priority_demand_not_negative")),
        sa.CheckConstraint(
            "weight >= 0 AND weight <= 5", name=op.f("ck_partner_priority_weight_range")
        ),
        sa.ForeignKeyConstraint(
            ["area_code"],
            ["cooperation_area.code"],
            name=op.f("fk_partner_priority_area_code_cooperation_area"),
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["partner_profile.id"],
            name=op.f("fk_partner_priority_profile_id_partner_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("profile_id", "area_code", name=op.f("pk_partner_priority")),
    )
    op.create_table(
        "partner_profile_revision",
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("saved_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["marking_id"],
            ["marking.id"],
            name=op.f("fk_partner_profile_revision_marking_id_marking"),
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["partner_profile.id"],
            name=op.f("fk_partner_profile_revision_profile_id_partner_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_profile_revision")),
    )
    with op.batch_alter_table("partner_profile_revision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_profile_revision_marking_id"), ["marking_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_partner_profile_revision_profile_id"), ["profile_id"], unique=False
        )

    op.create_table(
        "plan_run",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="run_state",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("started_at", liaison.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", liaison.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["marking_id"], ["marking.id"], name=op.f("fk_plan_run_marking_id_marking")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_run_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_run")),
    )
    with op.batch_alter_table("plan_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_run_marking_id"), ["marking_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_run_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_run_state"), ["state"], unique=False)

    op.create_table(
        "catalogue_eligibility",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["catalogue_session.id"],
            name=op.f("fk_catalogue_eligibility_session_id_catalogue_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "code", name=op.f("pk_catalogue_eligibility")),
    )
    op.create_table(
        "nomination",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("partner_iso3", sa.String(length=3), nullable=False),
        sa.Column("person_name", sa.String(length=200), nullable=False),
        sa.Column("person_role", sa.String(length=200), nullable=False),
        sa.Column("nationality", sa.String(length=3), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "nominated",
                "accepted",
                "wait_listed",
                "declined",
                "withdrawn",
                "attended",
                "no_show",
                name="nomination_state",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("wait_position", sa.Integer(), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("offered_by_plan_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["marking_id"], ["marking.id"], name=op.f("fk_nomination_marking_id_marking")
        ),
        sa.ForeignKeyConstraint(
            ["offered_by_plan_id"], ["plan.id"], name=op.f("fk_nomination_offered_by_plan_id_plan")
        ),
        sa.ForeignKeyConstraint(
            ["partner_iso3"], ["country.iso3"], name=op.f("fk_nomination_partner_iso3_country")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["catalogue_session.id"],
            name=op.f("fk_nomination_session_id_catalogue_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination")),
    )
    with op.batch_alter_table("nomination", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nomination_marking_id"), ["marking_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_nomination_partner_iso3"), ["partner_iso3"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_nomination_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_nomination_state"), ["state"], unique=False)

    op.create_table(
        "plan_allocation",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("partner_iso3", sa.String(length=3), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("fixed", sa.Boolean(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("seats > 0", name=op.f("ck_plan_allocation_seats_positive")),
        sa.ForeignKeyConstraint(
            ["marking_id"], ["marking.id"], name=op.f("fk_plan_allocation_marking_id_marking")
        ),
        sa.ForeignKeyConstraint(
            ["partner_iso3"], ["country.iso3"], name=op.f("fk_plan_allocation_partner_iso3_country")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_plan_allocation_plan_id_plan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["catalogue_session.id"],
            name=op.f("fk_plan_allocation_session_id_catalogue_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_allocation")),
        sa.UniqueConstraint(
            "plan_id", "session_id", "partner_iso3", name=op.f("uq_plan_allocation_plan_id")
        ),
    )
    with op.batch_alter_table("plan_allocation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_allocation_marking_id"), ["marking_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_plan_allocation_partner_iso3"), ["partner_iso3"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_plan_allocation_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_plan_allocation_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "plan_explanation",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("partner_iso3", sa.String(length=3), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("binding", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_code"],
            ["cooperation_area.code"],
            name=op.f("fk_plan_explanation_area_code_cooperation_area"),
        ),
        sa.ForeignKeyConstraint(
            ["marking_id"], ["marking.id"], name=op.f("fk_plan_explanation_marking_id_marking")
        ),
        sa.ForeignKeyConstraint(
            ["partner_iso3"],
            ["country.iso3"],
            name=op.f("fk_plan_explanation_partner_iso3_country"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_plan_explanation_plan_id_plan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["catalogue_session.id"],
            name=op.f("fk_plan_explanation_session_id_catalogue_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_explanation")),
    )
    with op.batch_alter_table("plan_explanation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_explanation_marking_id"), ["marking_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_plan_explanation_partner_iso3"), ["partner_iso3"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_plan_explanation_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_plan_explanation_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:  # noqa: PLR0915 - one statement per table and index
    with op.batch_alter_table("plan_explanation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_explanation_session_id"))
        batch_op.drop_index(batch_op.f("ix_plan_explanation_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_explanation_partner_iso3"))
        batch_op.drop_index(batch_op.f("ix_plan_explanation_marking_id"))

    op.drop_table("plan_explanation")
    with op.batch_alter_table("plan_allocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_allocation_session_id"))
        batch_op.drop_index(batch_op.f("ix_plan_allocation_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_allocation_partner_iso3"))
        batch_op.drop_index(batch_op.f("ix_plan_allocation_marking_id"))

    op.drop_table("plan_allocation")
    with op.batch_alter_table("nomination", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nomination_state"))
        batch_op.drop_index(batch_op.f("ix_nomination_session_id"))
        batch_op.drop_index(batch_op.f("ix_nomination_partner_iso3"))
        batch_op.drop_index(batch_op.f("ix_nomination_marking_id"))

    op.drop_table("nomination")
    op.drop_table("catalogue_eligibility")
    with op.batch_alter_table("plan_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_run_state"))
        batch_op.drop_index(batch_op.f("ix_plan_run_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_run_marking_id"))

    op.drop_table("plan_run")
    with op.batch_alter_table("partner_profile_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_profile_revision_profile_id"))
        batch_op.drop_index(batch_op.f("ix_partner_profile_revision_marking_id"))

    op.drop_table("partner_profile_revision")
    op.drop_table("partner_priority")
    with op.batch_alter_table("catalogue_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalogue_session_start_on"))
        batch_op.drop_index(batch_op.f("ix_catalogue_session_marking_id"))
        batch_op.drop_index(batch_op.f("ix_catalogue_session_item_id"))

    op.drop_table("catalogue_session")
    with op.batch_alter_table("catalogue_prerequisite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalogue_prerequisite_requires_id"))

    op.drop_table("catalogue_prerequisite")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_state"))
        batch_op.drop_index(batch_op.f("ix_plan_period"))
        batch_op.drop_index(batch_op.f("ix_plan_marking_id"))

    op.drop_table("plan")
    with op.batch_alter_table("partner_profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_profile_partner_iso3"))
        batch_op.drop_index(batch_op.f("ix_partner_profile_marking_id"))

    op.drop_table("partner_profile")
    with op.batch_alter_table("catalogue_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalogue_item_title"))
        batch_op.drop_index(batch_op.f("ix_catalogue_item_marking_id"))
        batch_op.drop_index(batch_op.f("ix_catalogue_item_kind"))
        batch_op.drop_index(batch_op.f("ix_catalogue_item_area_code"))

    op.drop_table("catalogue_item")
