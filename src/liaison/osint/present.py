# SPDX-License-Identifier: Apache-2.0
"""Service views as API/CLI shapes (``schemas``): one mapping for the API, the CLI and jobs.

A schema whose fields are all columns of its row is ``X.model_validate(row)`` (the read
schemas take attributes); one that adds computed fields (a marking's text, an outlet) is
``_read(X, row, field=value)``: the row's attributes of the schema's other field names.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from liaison.osint import disarm
from liaison.osint.models import (
    Article,
    Assessment,
    Contradiction,
    Entity,
    Event,
    Source,
    Story,
    TechniqueTag,
    WatchTerm,
)
from liaison.osint.schemas import (
    ArticleRead,
    AssessmentRead,
    ClaimRead,
    ContradictionRead,
    EntityPage,
    EntityRead,
    EventRead,
    SourceRead,
    StoryRead,
    StorySummary,
    TagRead,
    WatchTermRead,
)
from liaison.osint.service import StoryDetail, StoryRow
from liaison.security.markings import Marking, short

M = TypeVar("M", bound=BaseModel)


def _read(schema: type[M], row: object, **computed: Any) -> M:  # noqa: ANN401 - field values
    """``schema`` from ``row``'s attributes of its field names, and the ``computed`` fields."""
    names = schema.model_fields.keys() - computed.keys()
    return schema.model_validate({**{n: getattr(row, n) for n in names}, **computed})


def source_read(s: Source) -> SourceRead:
    return SourceRead.model_validate(s)


def article_read(a: Article) -> ArticleRead:
    return ArticleRead.model_validate(a)


def event_read(e: Event, outlet: dict[int, str]) -> EventRead:
    return _read(EventRead, e, outlet=outlet.get(e.article_id, ""))


def summary(row: StoryRow) -> StorySummary:
    return _read(
        StorySummary,
        row.story,
        outlets=row.outlets,
        countries=row.countries,
        contradictions=row.contradictions,
    )


def tag_read(tag: TechniqueTag, marking: Marking) -> TagRead:
    technique = disarm.technique(tag.technique_id)
    return _read(
        TagRead,
        tag,
        technique_name=technique.name if technique else tag.technique_id,
        tactic=technique.tactic if technique else "",
        marking=short(marking),
        attribution=disarm.ATTRIBUTION,
    )


def assessment_read(a: Assessment, marking: Marking) -> AssessmentRead:
    return _read(AssessmentRead, a, marking=short(marking))


def contradiction_read(c: Contradiction, articles: dict[int, Article]) -> ContradictionRead:
    left, right = articles.get(c.left_article_id), articles.get(c.right_article_id or 0)
    return _read(
        ContradictionRead,
        c,
        left_outlet=left.outlet if left else "",
        left_published_on=left.published_on if left else None,
        right_outlet=right.outlet if right else "registry",
        right_published_on=right.published_on if right else None,
    )


def story_read(d: StoryDetail) -> StoryRead:
    outlet = {a.id: a.outlet for a in d.articles}
    return _read(
        StoryRead,
        d.story,
        outlets=sorted(set(outlet.values())),
        countries=sorted({e.country_iso3 for e, _ in d.entities if e.country_iso3}),
        contradictions=len(d.contradictions),
        articles=[article_read(a) for a in d.articles],
        events=[event_read(e, outlet) for e in d.events],
        claims=[ClaimRead.model_validate(c) for c in d.claims],
        entities=[_read(EntityRead, e, mentions=n) for e, n in d.entities],
        contradictions_found=[contradiction_read(c, d.by_id) for c in d.contradictions],
        tags=[tag_read(t, m) for t, m in d.tags],
        assessments=[assessment_read(a, m) for a, m in d.assessments],
        attribution=disarm.ATTRIBUTION,
    )


def entity_page(entity: Entity, stories: list[Story], events: list[Event]) -> EntityPage:
    stories_ = [s.id for s in stories]
    return _read(EntityPage, entity, stories=stories_, events=[event_read(e, {}) for e in events])


def watch_read(
    term: WatchTerm, hits: int = 0, latest: list[Article] | None = None
) -> WatchTermRead:
    found = [article_read(a) for a in latest or []]
    return WatchTermRead(id=term.id, term=term.term, hits=hits, latest=found)
