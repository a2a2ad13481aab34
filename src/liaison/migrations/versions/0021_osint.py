# SPDX-License-Identifier: Apache-2.0
"""osint: sources, articles, stories, entities, events, claims, contradictions, DISARM tags,
assessments and watch terms (issue 19)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 17:00:00

Open-source material (sources, articles, stories, extraction results, contradictions) carries
no marking: it is PUBLIC. An analyst's DISARM tags and assessments carry a ``marking_id``
read through the one policy; a watch term is its owner's alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import liaison.db.base

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "osint_entity",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("country_iso3", sa.String(length=3), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_osint_entity")),
        sa.UniqueConstraint("kind", "name", name=op.f("uq_osint_entity_kind")),
    )
    with op.batch_alter_table("osint_entity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_osint_entity_country_iso3"), ["country_iso3"], unique=False
        )

    op.create_table(
        "osint_source",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "feed", "page", "files", name="osint_source_kind", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("outlet", sa.String(length=200), nullable=False),
        sa.Column("poll_minutes", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(length=500), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("last_polled_at", liaison.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_osint_source")),
        sa.UniqueConstraint("name", name=op.f("uq_osint_source_name")),
    )
    op.create_table(
        "osint_story",
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("first_published", sa.Date(), nullable=True),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_osint_story")),
    )
    with op.batch_alter_table("osint_story", schema=None) as batch_op:
        batch_op.create_index("ix_osint_story_updated_at_id", ["updated_at", "id"], unique=False)

    op.create_table(
        "osint_watch_term",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("term", sa.String(length=100), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_osint_watch_term")),
        sa.UniqueConstraint("owner", "term", name=op.f("uq_osint_watch_term_owner")),
    )
    with op.batch_alter_table("osint_watch_term", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_osint_watch_term_owner"), ["owner"], unique=False)

    op.create_table(
        "osint_article",
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("outlet", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("canonical_url", sa.String(length=2000), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("author", sa.String(length=300), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column(
            "published_granularity",
            sa.Enum("day", "month", "year", name="osint_granularity", native_enum=False, length=40),
            nullable=True,
        ),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column("story_reason", sa.String(length=1000), nullable=True),
        sa.Column("copy_of_id", sa.Integer(), nullable=True),
        sa.Column("copy_reason", sa.String(length=500), nullable=True),
        sa.Column("extracted", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["copy_of_id"],
            ["osint_article.id"],
            name=op.f("fk_osint_article_copy_of_id_osint_article"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["osint_source.id"], name=op.f("fk_osint_article_source_id_osint_source")
        ),
        sa.ForeignKeyConstraint(
            ["story_id"], ["osint_story.id"], name=op.f("fk_osint_article_story_id_osint_story")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_osint_article")),
        sa.UniqueConstraint("canonical_url", name=op.f("uq_osint_article_canonical_url")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_osint_article_content_hash")),
    )
    with op.batch_alter_table("osint_article", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_osint_article_published_on"), ["published_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_osint_article_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_osint_article_story_id"), ["story_id"], unique=False)

    op.create_table(
        "osint_assessment",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("stix_id", sa.String(length=100), nullable=True),
        sa.Column("collection", sa.String(length=100), nullable=True),
        sa.Column("published", sa.JSON(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["marking_id"], ["marking.id"], name=op.f("fk_osint_assessment_marking_id_marking")
        ),
        sa.ForeignKeyConstraint(
            ["story_id"], ["osint_story.id"], name=op.f("fk_osint_assessment_story_id_osint_story")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_osint_assessment")),
    )
    with op.batch_alter_table("osint_assessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_osint_assessment_marking_id"), ["marking_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_osint_assessment_story_id"), ["story_id"], unique=False
        )

    op.create_table(
        "osint_technique_tag",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("technique_id", sa.String(length=20), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "suggested",
                "confirmed",
                "rejected",
                name="osint_tag_status",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["marking_id"], ["marking.id"], name=op.f("fk_osint_technique_tag_marking_id_marking")
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["osint_story.id"],
            name=op.f("fk_osint_technique_tag_story_id_osint_story"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_osint_technique_tag")),
        sa.UniqueConstraint(
            "story_id", "technique_id", name=op.f("uq_osint_technique_tag_story_id")
        ),
    )
    with op.batch_alter_table("osint_technique_tag", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_osint_technique_tag_marking_id"), ["marking_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_osint_technique_tag_story_id"), ["story_id"], unique=False
        )

    op.create_table(
        "osint_article_entity",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["osint_article.id"],
            name=op.f("fk_osint_article_entity_article_id_osint_article"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["osint_entity.id"],
            name=op.f("fk_osint_article_entity_entity_id_osint_entity"),
        ),
        sa.PrimaryKeyConstraint("article_id", "entity_id", name=op.f("pk_osint_article_entity")),
    )
    op.create_table(
        "osint_claim",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(length=300), nullable=True),
        sa.Column("proposition", sa.String(length=200), nullable=False),
        sa.Column("stance", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("count_low", sa.Float(), nullable=True),
        sa.Column("count_high", sa.Float(), nullable=True),
        sa.Column("count_text", sa.String(length=200), nullable=True),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["osint_article.id"],
            name=op.f("fk_osint_claim_article_id_osint_article"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_osint_claim")),
    )
    with op.batch_alter_table("osint_claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_osint_claim_article_id"), ["article_id"], unique=False)

    op.create_table(
        "osint_contradiction",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "date",
                "count",
                "stance",
                "registry",
                name="osint_contradiction_kind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("left_ref", sa.String(length=40), nullable=False),
        sa.Column("right_ref", sa.String(length=40), nullable=False),
        sa.Column("left_article_id", sa.Integer(), nullable=False),
        sa.Column("right_article_id", sa.Integer(), nullable=True),
        sa.Column("left_text", sa.Text(), nullable=False),
        sa.Column("right_text", sa.Text(), nullable=False),
        sa.Column("left_value", sa.String(length=200), nullable=False),
        sa.Column("right_value", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liaison.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["left_article_id"],
            ["osint_article.id"],
            name=op.f("fk_osint_contradiction_left_article_id_osint_article"),
        ),
        sa.ForeignKeyConstraint(
            ["right_article_id"],
            ["osint_article.id"],
            name=op.f("fk_osint_contradiction_right_article_id_osint_article"),
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["osint_story.id"],
            name=op.f("fk_osint_contradiction_story_id_osint_story"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_osint_contradiction")),
        sa.UniqueConstraint(
            "story_id",
            "kind",
            "left_ref",
            "right_ref",
            name=op.f("uq_osint_contradiction_story_id"),
        ),
    )
    with op.batch_alter_table("osint_contradiction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_osint_contradiction_story_id"), ["story_id"], unique=False
        )

    op.create_table(
        "osint_event",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("date_start", sa.Date(), nullable=False),
        sa.Column("date_end", sa.Date(), nullable=False),
        sa.Column(
            "granularity",
            sa.Enum("day", "month", "year", name="osint_granularity", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("date_text", sa.String(length=200), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["osint_article.id"],
            name=op.f("fk_osint_event_article_id_osint_article"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_osint_event")),
    )
    with op.batch_alter_table("osint_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_osint_event_article_id"), ["article_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("osint_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_osint_event_article_id"))

    op.drop_table("osint_event")
    with op.batch_alter_table("osint_contradiction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_osint_contradiction_story_id"))

    op.drop_table("osint_contradiction")
    with op.batch_alter_table("osint_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_osint_claim_article_id"))

    op.drop_table("osint_claim")
    op.drop_table("osint_article_entity")
    with op.batch_alter_table("osint_technique_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_osint_technique_tag_story_id"))
        batch_op.drop_index(batch_op.f("ix_osint_technique_tag_marking_id"))

    op.drop_table("osint_technique_tag")
    with op.batch_alter_table("osint_assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_osint_assessment_story_id"))
        batch_op.drop_index(batch_op.f("ix_osint_assessment_marking_id"))

    op.drop_table("osint_assessment")
    with op.batch_alter_table("osint_article", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_osint_article_story_id"))
        batch_op.drop_index(batch_op.f("ix_osint_article_source_id"))
        batch_op.drop_index(batch_op.f("ix_osint_article_published_on"))

    op.drop_table("osint_article")
    with op.batch_alter_table("osint_watch_term", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_osint_watch_term_owner"))

    op.drop_table("osint_watch_term")
    with op.batch_alter_table("osint_story", schema=None) as batch_op:
        batch_op.drop_index("ix_osint_story_updated_at_id")

    op.drop_table("osint_story")
    op.drop_table("osint_source")
    with op.batch_alter_table("osint_entity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_osint_entity_country_iso3"))

    op.drop_table("osint_entity")
