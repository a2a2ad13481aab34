# SPDX-License-Identifier: Apache-2.0
"""registry

Revision ID: 0001
Revises:
Create Date: 2026-11-23 05:41:06.432716
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.db.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "country",
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("iso2", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("official_name", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("iso3", name=op.f("pk_country")),
        sa.UniqueConstraint("iso2", name=op.f("uq_country_iso2")),
    )
    op.create_table(
        "framework",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("established_on", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_framework")),
    )
    op.create_table(
        "ally",
        sa.Column("country_iso3", sa.String(length=3), nullable=False),
        sa.Column("accession_date", sa.Date(), nullable=False),
        sa.Column("withdrawal_date", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "withdrawal_date IS NULL OR withdrawal_date > accession_date",
            name=op.f("ck_ally_withdrawal_after"),
        ),
        sa.ForeignKeyConstraint(
            ["country_iso3"], ["country.iso3"], name=op.f("fk_ally_country_iso3_country")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ally")),
        sa.UniqueConstraint("country_iso3", name=op.f("uq_ally_country_iso3")),
    )
    with op.batch_alter_table("ally", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ally_accession_date"), ["accession_date"], unique=False
        )

    op.create_table(
        "country_alias",
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["iso3"], ["country.iso3"], name=op.f("fk_country_alias_iso3_country")
        ),
        sa.PrimaryKeyConstraint("alias", name=op.f("pk_country_alias")),
    )
    with op.batch_alter_table("country_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_country_alias_iso3"), ["iso3"], unique=False)

    op.create_table(
        "office",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "io_liaison",
                "partner_liaison",
                "military_liaison",
                "representation",
                "regional_centre",
                "military_hq",
                name="office_kind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("host_country_iso3", sa.String(length=3), nullable=True),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "approved",
                "host_agreement",
                "open",
                "closed",
                "shelved",
                name="office_status",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("proposed_on", sa.Date(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("host_agreement_on", sa.Date(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("shelved_on", sa.Date(), nullable=True),
        sa.Column("staff", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_country_iso3"],
            ["country.iso3"],
            name=op.f("fk_office_host_country_iso3_country"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office")),
        sa.UniqueConstraint("name", name=op.f("uq_office_name")),
    )
    with op.batch_alter_table("office", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_office_host_country_iso3"), ["host_country_iso3"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_office_status"), ["status"], unique=False)

    op.create_table(
        "partner",
        sa.Column("country_iso3", sa.String(length=3), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "suspended", name="partner_status", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("partner_since", sa.Date(), nullable=True),
        sa.Column("mission_to_nato_since", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_iso3"], ["country.iso3"], name=op.f("fk_partner_country_iso3_country")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner")),
        sa.UniqueConstraint("country_iso3", name=op.f("uq_partner_country_iso3")),
    )
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_status"), ["status"], unique=False)

    op.create_table(
        "contact_point_mandate",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("ally_id", sa.Integer(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "end_on IS NULL OR end_on >= start_on",
            name=op.f("ck_contact_point_mandate_end_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["ally_id"], ["ally.id"], name=op.f("fk_contact_point_mandate_ally_id_ally")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_contact_point_mandate_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_point_mandate")),
    )
    with op.batch_alter_table("contact_point_mandate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_point_mandate_ally_id"), ["ally_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contact_point_mandate_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "partner_framework",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("framework_code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_code"],
            ["framework.code"],
            name=op.f("fk_partner_framework_framework_code_framework"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_partner_framework_partner_id_partner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("partner_id", "framework_code", name=op.f("pk_partner_framework")),
    )
    op.create_table(
        "security_agreement",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "binding_agreement",
                "exchange_of_letters",
                name="agreement_kind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("in_force_on", sa.Date(), nullable=True),
        sa.Column("attested_on", sa.Date(), nullable=True),
        sa.Column("terminated_on", sa.Date(), nullable=True),
        sa.Column(
            "max_level",
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
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "terminated_on IS NULL OR in_force_on IS NULL OR terminated_on >= in_force_on",
            name=op.f("ck_security_agreement_terminated_after_force"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_security_agreement_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_agreement")),
    )
    with op.batch_alter_table("security_agreement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_security_agreement_partner_id"), ["partner_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("security_agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_security_agreement_partner_id"))

    op.drop_table("security_agreement")
    op.drop_table("partner_framework")
    with op.batch_alter_table("contact_point_mandate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_point_mandate_partner_id"))
        batch_op.drop_index(batch_op.f("ix_contact_point_mandate_ally_id"))

    op.drop_table("contact_point_mandate")
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_status"))

    op.drop_table("partner")
    with op.batch_alter_table("office", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_office_status"))
        batch_op.drop_index(batch_op.f("ix_office_host_country_iso3"))

    op.drop_table("office")
    with op.batch_alter_table("country_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_country_alias_iso3"))

    op.drop_table("country_alias")
    with op.batch_alter_table("ally", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ally_accession_date"))

    op.drop_table("ally")
    op.drop_table("framework")
    op.drop_table("country")
