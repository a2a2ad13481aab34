# SPDX-License-Identifier: Apache-2.0
"""Service views as API/CLI shapes (``schemas``): one mapping for both surfaces."""

from __future__ import annotations

from liaison.osint import disarm
from liaison.osint.models import Article, Assessment, Event, Source, TechniqueTag
from liaison.osint.schemas import (
    ArticleRead,
    AssessmentRead,
    ClaimRead,
    ContradictionRead,
    EntityRead,
    EventRead,
    SourceRead,
    StoryRead,
    StorySummary,
    TagRead,
)
from liaison.osint.service import StoryDetail, StoryRow
from liaison.security.markings import Marking, short


def source_read(s: Source) -> SourceRead:
    return SourceRead(
        id=s.id,
        name=s.name,
        kind=s.kind,
        url=s.url,
        outlet=s.outlet,
        poll_minutes=s.poll_minutes,
        last_polled_at=s.last_polled_at,
        last_error=s.last_error,
    )


def article_read(a: Article) -> ArticleRead:
    return ArticleRead(
        id=a.id,
        title=a.title,
        outlet=a.outlet,
        url=a.url,
        canonical_url=a.canonical_url,
        published_on=a.published_on,
        published_granularity=a.published_granularity,
        story_id=a.story_id,
        story_reason=a.story_reason,
        copy_of_id=a.copy_of_id,
        copy_reason=a.copy_reason,
    )


def event_read(e: Event, outlet: dict[int, str]) -> EventRead:
    return EventRead(
        id=e.id,
        article_id=e.article_id,
        outlet=outlet.get(e.article_id, ""),
        kind=e.kind,
        place=e.place,
        participants=list(e.participants),
        date_start=e.date_start,
        date_end=e.date_end,
        granularity=e.granularity,
        date_text=e.date_text,
        sentence=e.sentence,
    )


def summary(row: StoryRow) -> StorySummary:
    s = row.story
    return StorySummary(
        id=s.id,
        title=s.title,
        first_published=s.first_published,
        article_count=s.article_count,
        outlets=row.outlets,
        countries=row.countries,
        contradictions=row.contradictions,
    )


def tag_read(tag: TechniqueTag, marking: Marking) -> TagRead:
    technique = disarm.technique(tag.technique_id)
    return TagRead(
        id=tag.id,
        story_id=tag.story_id,
        technique_id=tag.technique_id,
        technique_name=technique.name if technique else tag.technique_id,
        tactic=technique.tactic if technique else "",
        status=tag.status,
        score=tag.score,
        reason=tag.reason,
        reviewed_by=tag.reviewed_by,
        marking=short(marking),
        attribution=disarm.ATTRIBUTION,
    )


def assessment_read(a: Assessment, marking: Marking) -> AssessmentRead:
    return AssessmentRead(
        id=a.id,
        story_id=a.story_id,
        title=a.title,
        body=a.body,
        confidence=a.confidence,
        marking=short(marking),
        created_by=a.created_by,
        created_at=a.created_at,
        stix_id=a.stix_id,
        collection=a.collection,
    )


def story_read(d: StoryDetail) -> StoryRead:
    outlet = {a.id: a.outlet for a in d.articles}
    published = {a.id: a.published_on for a in d.articles}
    countries = sorted({e.country_iso3 for e, _ in d.entities if e.country_iso3})
    return StoryRead(
        id=d.story.id,
        title=d.story.title,
        first_published=d.story.first_published,
        article_count=d.story.article_count,
        outlets=sorted(set(outlet.values())),
        countries=countries,
        contradictions=len(d.contradictions),
        articles=[article_read(a) for a in d.articles],
        events=[event_read(e, outlet) for e in d.events],
        claims=[
            ClaimRead(
                id=c.id,
                article_id=c.article_id,
                speaker=c.speaker,
                proposition=c.proposition,
                stance=c.stance,
                count=c.count,
                sentence=c.sentence,
            )
            for c in d.claims
        ],
        entities=[
            EntityRead(id=e.id, kind=e.kind, name=e.name, country_iso3=e.country_iso3, mentions=n)
            for e, n in d.entities
        ],
        contradictions_found=[
            ContradictionRead(
                id=c.id,
                kind=c.kind,
                subject=c.subject,
                left_article_id=c.left_article_id,
                left_outlet=outlet.get(c.left_article_id, ""),
                left_published_on=published.get(c.left_article_id),
                left_text=c.left_text,
                left_value=c.left_value,
                right_article_id=c.right_article_id,
                right_outlet=outlet.get(c.right_article_id or 0, "registry"),
                right_published_on=published.get(c.right_article_id or 0),
                right_text=c.right_text,
                right_value=c.right_value,
            )
            for c in d.contradictions
        ],
        tags=[tag_read(t, m) for t, m in d.tags],
        assessments=[assessment_read(a, m) for a, m in d.assessments],
        attribution=disarm.ATTRIBUTION,
    )
