# SPDX-License-Identifier: Apache-2.0
"""security, identity and audit

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 05:53:08.737491
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.db.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "community",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_community")),
    )
    op.create_table(
        "login_failure",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failure_address"), ["address"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_username"), ["username"], unique=False)

    op.create_table(
        "marking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=1000), nullable=False),
        sa.Column(
            "level",
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
        sa.Column("level_rank", sa.Integer(), nullable=False),
        sa.Column(
            "tlp",
            sa.Enum(
                "clear",
                "green",
                "amber",
                "amber+strict",
                "red",
                name="tlp",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marking")),
        sa.UniqueConstraint("key", name=op.f("uq_marking_key")),
    )
    with op.batch_alter_table("marking", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_marking_level_rank"), ["level_rank"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("object_type", sa.String(length=60), nullable=False),
        sa.Column("object_id", sa.String(length=80), nullable=False),
        sa.Column("marking_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["marking_id"], ["marking.id"], name=op.f("fk_audit_event_marking_id_marking")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_marking_id"), ["marking_id"], unique=False)

    op.create_table(
        "marking_caveat",
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.Column("caveat", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["marking_id"], ["marking.id"], name=op.f("fk_marking_caveat_marking_id_marking")
        ),
        sa.PrimaryKeyConstraint("marking_id", "caveat", name=op.f("pk_marking_caveat")),
    )
    op.create_table(
        "marking_community",
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.Column("community", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["marking_id"], ["marking.id"], name=op.f("fk_marking_community_marking_id_marking")
        ),
        sa.PrimaryKeyConstraint("marking_id", "community", name=op.f("pk_marking_community")),
    )
    op.create_table(
        "marking_release",
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["marking_id"], ["marking.id"], name=op.f("fk_marking_release_marking_id_marking")
        ),
        sa.PrimaryKeyConstraint("marking_id", "code", name=op.f("pk_marking_release")),
    )
    op.create_table(
        "organisation",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "ally_delegation",
                "partner_mission",
                "nato_international_staff",
                "nato_military_staff",
                "liaison_office",
                name="organisation_kind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("nation_iso3", sa.String(length=3), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["nation_iso3"], ["country.iso3"], name=op.f("fk_organisation_nation_iso3_country")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("name", name=op.f("uq_organisation_name")),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_nation_iso3"), ["nation_iso3"], unique=False
        )

    op.create_table(
        "app_user",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column(
            "clearance",
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
        sa.Column("caveats", sa.JSON(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("last_login_at", liaison.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_app_user_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_app_user_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "api_token",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", liaison.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_api_token_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "login_session",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_login_session_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_session_token_hash")),
    )
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "user_community",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("community_code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_code"],
            ["community.code"],
            name=op.f("fk_user_community_community_code_community"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_user_community_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "community_code", name=op.f("pk_user_community")),
    )
    # Existing agreements get the default marking: NATO UNCLASSIFIED releasable to the partner.
    with op.batch_alter_table("security_agreement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("marking_id", sa.Integer(), nullable=True))
    _mark_existing_agreements()
    with op.batch_alter_table("security_agreement", schema=None) as batch_op:
        batch_op.alter_column("marking_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(
            batch_op.f("ix_security_agreement_marking_id"), ["marking_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_security_agreement_marking_id_marking"),
            "marking",
            ["marking_id"],
            ["id"],
        )


def _mark_existing_agreements() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT a.id, p.country_iso3 FROM security_agreement a JOIN partner p"
            " ON p.id = a.partner_id"
        )
    ).all()
    for agreement_id, iso3 in rows:
        key = f"NATO UNCLASSIFIED // REL {iso3}"
        marking_id = conn.execute(
            sa.text("SELECT id FROM marking WHERE key = :k"), {"k": key}
        ).scalar()
        if marking_id is None:
            conn.execute(
                sa.text(
                    "INSERT INTO marking (key, level, level_rank, tlp)"
                    " VALUES (:k, 'NATO UNCLASSIFIED', 1, NULL)"
                ),
                {"k": key},
            )
            marking_id = conn.execute(
                sa.text("SELECT id FROM marking WHERE key = :k"), {"k": key}
            ).scalar_one()
            conn.execute(
                sa.text("INSERT INTO marking_release (marking_id, code) VALUES (:m, :c)"),
                {"m": marking_id, "c": iso3},
            )
        conn.execute(
            sa.text("UPDATE security_agreement SET marking_id = :m WHERE id = :a"),
            {"m": marking_id, "a": agreement_id},
        )


def downgrade() -> None:

    with op.batch_alter_table("security_agreement", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_security_agreement_marking_id_marking"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_security_agreement_marking_id"))
        batch_op.drop_column("marking_id")

    op.drop_table("user_community")
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_session_user_id"))

    op.drop_table("login_session")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_user_organisation_id"))

    op.drop_table("app_user")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_nation_iso3"))

    op.drop_table("organisation")
    op.drop_table("marking_release")
    op.drop_table("marking_community")
    op.drop_table("marking_caveat")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_marking_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_actor"))
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
    with op.batch_alter_table("marking", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marking_level_rank"))

    op.drop_table("marking")
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failure_username"))
        batch_op.drop_index(batch_op.f("ix_login_failure_at"))
        batch_op.drop_index(batch_op.f("ix_login_failure_address"))

    op.drop_table("login_failure")
    op.drop_table("community")
