# SPDX-License-Identifier: Apache-2.0
"""OSINT API shapes (also the CLI's ``--format json``: the same fields)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from liaison.osint.models import ContradictionKind, Granularity, SourceKind, TagStatus


class SourceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: SourceKind
    url: str | None
    outlet: str
    poll_minutes: int
    last_polled_at: dt.datetime | None
    last_error: str | None


class SourceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: SourceKind
    url: str | None = Field(default=None, max_length=2000)
    outlet: str | None = Field(default=None, max_length=200)
    poll_minutes: int = Field(default=60, ge=5, le=10_080)


class ArticleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    outlet: str
    url: str | None
    canonical_url: str | None
    published_on: dt.date | None
    published_granularity: Granularity | None
    story_id: int | None
    story_reason: str | None
    copy_of_id: int | None
    copy_reason: str | None


class EventRead(BaseModel):
    id: int
    article_id: int
    outlet: str
    kind: str
    place: str | None
    participants: list[str]
    date_start: dt.date
    date_end: dt.date
    granularity: Granularity
    date_text: str
    sentence: str


class ClaimRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    article_id: int
    speaker: str | None
    proposition: str
    stance: int
    count: int | None
    sentence: str


class EntityRead(BaseModel):
    id: int
    kind: str
    name: str
    country_iso3: str | None
    mentions: int


class ContradictionRead(BaseModel):
    id: int
    kind: ContradictionKind
    subject: str
    left_article_id: int
    left_outlet: str
    left_published_on: dt.date | None
    left_text: str
    left_value: str
    right_article_id: int | None
    right_outlet: str
    right_published_on: dt.date | None
    right_text: str
    right_value: str


class TagRead(BaseModel):
    id: int
    story_id: int
    technique_id: str
    technique_name: str
    tactic: str
    status: TagStatus
    score: float
    reason: str
    reviewed_by: str | None
    marking: str
    attribution: str


class TagReview(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: TagStatus
    marking: str = Field(default="PUBLIC", max_length=500)


class AssessmentRead(BaseModel):
    id: int
    story_id: int
    title: str
    body: str
    confidence: int
    marking: str
    created_by: str
    created_at: dt.datetime
    stix_id: str | None
    collection: str | None


class AssessmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=100_000)
    marking: str = Field(min_length=1, max_length=500)
    confidence: int = Field(default=50, ge=0, le=100)


class PublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collection: str = Field(min_length=1, max_length=100)


class StorySummary(BaseModel):
    id: int
    title: str
    first_published: dt.date | None
    article_count: int
    outlets: list[str]
    countries: list[str]
    contradictions: int


class StoryRead(StorySummary):
    articles: list[ArticleRead]
    events: list[EventRead]
    claims: list[ClaimRead]
    entities: list[EntityRead]
    contradictions_found: list[ContradictionRead]
    tags: list[TagRead]
    assessments: list[AssessmentRead]
    attribution: str


class EntityPage(BaseModel):
    id: int
    kind: str
    name: str
    country_iso3: str | None
    stories: list[int]
    events: list[EventRead]


class Published(BaseModel):
    assessment_id: int
    stix_id: str
    collection: str


class PollQueued(BaseModel):
    job_id: int


class WatchTermRead(BaseModel):
    id: int
    term: str
    hits: int
    latest: list[ArticleRead]


class WatchTermCreate(BaseModel):
    term: str = Field(min_length=2, max_length=100)
