# SPDX-License-Identifier: Apache-2.0
"""OSINT tables.

Open-source material is PUBLIC by nature: sources, articles, stories, entities, events,
claims, stated counts and contradictions carry no marking of their own and are read by anyone
the routes admit. What an analyst adds carries a marking under the one policy (``Marked``):
a DISARM technique tag (suggested ones are PUBLIC; the analyst marks a confirmation or a
rejection) and an assessment of a story (a finding, published to a sharing collection as a
marked STIX report).

Invariants:
- an article is unique by its canonical URL (when it has one) and by the SHA-256 of its
  normalised text (``content_hash``): a second copy is refused as a duplicate at ingest;
- ``published_on`` is the first day of the publication date's interval and
  ``published_granularity`` says how much of it is known (day, month or year);
- an event's date is an interval ``date_start``..``date_end`` (inclusive) at a granularity:
  "in June 2023" is 2023-06-01..2023-06-30 at ``month``; "11-12 July" is two days at ``day``;
- an article's ``copy_of_id`` names the article it is a syndicated or truncated copy of
  (MinHash, with ``copy_reason``); its ``story_id`` the story it joined, with ``story_reason``.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.base import Base, IdMixin, TimestampMixin, UTCDateTime, str_enum
from liaison.security.models import Marked, Owned


class SourceKind(enum.StrEnum):
    FEED = "feed"  # an RSS or Atom feed, polled
    PAGE = "page"  # one web page, polled
    FILES = "files"  # files imported from a folder (``liaison osint import DIR``)


class Granularity(enum.StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class TagStatus(enum.StrEnum):
    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class ContradictionKind(enum.StrEnum):
    DATE = "date"  # one event, date intervals that cannot overlap
    COUNT = "count"  # one fact, different numbers
    STANCE = "stance"  # one proposition, opposite stances
    REGISTRY = "registry"  # a stated fact against the registry (members on a date)


class Source(IdMixin, TimestampMixin, Base):
    __tablename__ = "osint_source"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[SourceKind] = mapped_column(str_enum(SourceKind, "osint_source_kind"))
    url: Mapped[str | None] = mapped_column(String(2000))
    outlet: Mapped[str] = mapped_column(String(200))
    poll_minutes: Mapped[int] = mapped_column(Integer, default=60)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_polled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_by: Mapped[str] = mapped_column(String(64))


class Story(IdMixin, TimestampMixin, Base):
    __tablename__ = "osint_story"
    __table_args__ = (Index("ix_osint_story_updated_at_id", "updated_at", "id"),)

    title: Mapped[str] = mapped_column(String(500))
    first_published: Mapped[dt.date | None] = mapped_column(Date)
    article_count: Mapped[int] = mapped_column(Integer, default=0)


class Article(IdMixin, TimestampMixin, Base):
    __tablename__ = "osint_article"

    source_id: Mapped[int | None] = mapped_column(ForeignKey("osint_source.id"), index=True)
    outlet: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2000))
    canonical_url: Mapped[str | None] = mapped_column(String(2000), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    author: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    published_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    published_granularity: Mapped[Granularity | None] = mapped_column(
        str_enum(Granularity, "osint_granularity")
    )
    story_id: Mapped[int | None] = mapped_column(ForeignKey("osint_story.id"), index=True)
    story_reason: Mapped[str | None] = mapped_column(String(1000))
    copy_of_id: Mapped[int | None] = mapped_column(ForeignKey("osint_article.id"))
    copy_reason: Mapped[str | None] = mapped_column(String(500))
    extracted: Mapped[bool] = mapped_column(default=False)
    # the MiniLM embedding of title and lede (osint.embed: 384 float32), for story grouping
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)


class Entity(IdMixin, Base):
    __tablename__ = "osint_entity"
    __table_args__ = (UniqueConstraint("kind", "name"),)

    kind: Mapped[str] = mapped_column(String(20))  # PERSON, ORG, GPE, LOC, NORP, FRAMEWORK
    name: Mapped[str] = mapped_column(String(300))
    country_iso3: Mapped[str | None] = mapped_column(String(3), index=True)


class ArticleEntity(Base):
    __tablename__ = "osint_article_entity"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("osint_article.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[int] = mapped_column(ForeignKey("osint_entity.id"), primary_key=True)
    mentions: Mapped[int] = mapped_column(Integer, default=1)


class Event(IdMixin, Base):
    __tablename__ = "osint_event"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("osint_article.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))  # summit, visit, meeting, signing, ...
    key: Mapped[str] = mapped_column(String(200))  # what makes two reports one event
    place: Mapped[str | None] = mapped_column(String(200))
    participants: Mapped[list[str]] = mapped_column(JSON, default=list)
    date_start: Mapped[dt.date] = mapped_column(Date)
    date_end: Mapped[dt.date] = mapped_column(Date)
    granularity: Mapped[Granularity] = mapped_column(str_enum(Granularity, "osint_granularity"))
    date_text: Mapped[str] = mapped_column(String(200))
    sentence: Mapped[str] = mapped_column(Text)


class Claim(IdMixin, Base):
    """A reported statement with its speaker and stance on a proposition (+1 for, -1 against),
    or a stated count (``count`` set: "31-member bloc" is ``members`` = 31)."""

    __tablename__ = "osint_claim"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("osint_article.id", ondelete="CASCADE"), index=True
    )
    speaker: Mapped[str | None] = mapped_column(String(300))
    proposition: Mapped[str] = mapped_column(String(200))
    stance: Mapped[int] = mapped_column(Integer, default=0)
    count: Mapped[int | None] = mapped_column(Integer)
    count_low: Mapped[float | None] = mapped_column(Float)  # the range the words allow
    count_high: Mapped[float | None] = mapped_column(Float)  # None: no upper bound
    count_text: Mapped[str | None] = mapped_column(String(200))
    sentence: Mapped[str] = mapped_column(Text)


class Contradiction(IdMixin, TimestampMixin, Base):
    """Two statements in one story (or one statement and the registry) that cannot both hold.
    ``right_article_id`` is None for a contradiction with the registry."""

    __tablename__ = "osint_contradiction"
    __table_args__ = (UniqueConstraint("story_id", "kind", "left_ref", "right_ref"),)

    story_id: Mapped[int] = mapped_column(ForeignKey("osint_story.id"), index=True)
    kind: Mapped[ContradictionKind] = mapped_column(
        str_enum(ContradictionKind, "osint_contradiction_kind")
    )
    subject: Mapped[str] = mapped_column(String(300))
    left_ref: Mapped[str] = mapped_column(String(40))
    right_ref: Mapped[str] = mapped_column(String(40))
    left_article_id: Mapped[int] = mapped_column(ForeignKey("osint_article.id"))
    right_article_id: Mapped[int | None] = mapped_column(ForeignKey("osint_article.id"))
    left_text: Mapped[str] = mapped_column(Text)
    right_text: Mapped[str] = mapped_column(Text)
    left_value: Mapped[str] = mapped_column(String(200))
    right_value: Mapped[str] = mapped_column(String(200))


class TechniqueTag(IdMixin, TimestampMixin, Marked, Owned, Base):
    """A DISARM technique on a story: suggested (PUBLIC, by rules and similarity, with its
    score and reason), then confirmed or rejected by an analyst, who marks that judgement.
    A suggestion is alliance material (the console made it); a tag a partner's analyst added
    is its organisation's: only the owner's side reviews or re-marks it (``security.writes``,
    migration 0025)."""

    __tablename__ = "osint_technique_tag"
    __table_args__ = (UniqueConstraint("story_id", "technique_id"),)

    story_id: Mapped[int] = mapped_column(ForeignKey("osint_story.id"), index=True)
    technique_id: Mapped[str] = mapped_column(String(20))  # DISARM external id, e.g. T0022
    status: Mapped[TagStatus] = mapped_column(str_enum(TagStatus, "osint_tag_status"))
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reason: Mapped[str] = mapped_column(String(1000))
    reviewed_by: Mapped[str | None] = mapped_column(String(64))


class Assessment(IdMixin, TimestampMixin, Marked, Base):
    """An analyst's assessment of a story (a finding): marked; published as a STIX 2.1 report
    into a sharing collection (``stix_id`` and ``collection`` once published)."""

    __tablename__ = "osint_assessment"

    story_id: Mapped[int] = mapped_column(ForeignKey("osint_story.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    confidence: Mapped[int] = mapped_column(Integer, default=50)  # STIX confidence 0-100
    created_by: Mapped[str] = mapped_column(String(64))
    stix_id: Mapped[str | None] = mapped_column(String(100))
    collection: Mapped[str | None] = mapped_column(String(100))
    published: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class WatchTerm(IdMixin, Base):
    """A word or phrase a user watches: articles that contain it are its hits. A user's own:
    read and deleted only by its owner (another user's term is the same 404 as a missing id)."""

    __tablename__ = "osint_watch_term"
    __table_args__ = (UniqueConstraint("owner", "term"),)

    owner: Mapped[str] = mapped_column(String(64), index=True)
    term: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
