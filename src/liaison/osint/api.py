# SPDX-License-Identifier: Apache-2.0
"""OSINT REST API under ``/api/v1/osint``.

Open-source material (sources, stories, articles, entities) is PUBLIC and answers anyone the
routes admit; an analyst's tags and assessments answer only a reader the policy allows, and a
hidden one is the same 404 problem as a missing id, on every route. Writes need
``osint:source:manage`` or ``osint:assessment:write`` (401 anonymous, 403 without it — checked
before anything is looked up). Fetching and NLP never run in a request: sources are polled by
``liaison osint poll`` (the job queue's body).

The service aliases below are the feature's one set (the pages import them).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from liaison.config import Settings
from liaison.kit.pagination import Page
from liaison.osint import jobs, present
from liaison.osint.schemas import (
    ArticleRead,
    AssessmentCreate,
    AssessmentRead,
    EntityPage,
    PollQueued,
    Published,
    PublishRequest,
    SourceCreate,
    SourceRead,
    StoryRead,
    StorySummary,
    TagRead,
    TagReview,
    WatchTermCreate,
    WatchTermRead,
)
from liaison.osint.service import OsintService
from liaison.security.permissions import Permission
from liaison.sharing.service import SharingService
from liaison.web.deps import (
    AppSettings,
    ListPage,
    RowId,
    authenticated,
    serves,
    writes_own_state,
)

router = APIRouter(prefix="/api/v1/osint", tags=["osint"])

Osint = Annotated[OsintService, Depends(serves(OsintService))]
Watching = Annotated[OsintService, Depends(serves(OsintService, authenticated))]
SourceManaging = Annotated[
    OsintService, Depends(serves(OsintService, Permission.OSINT_SOURCE_MANAGE))
]
Analysing = Annotated[
    OsintService, Depends(serves(OsintService, Permission.OSINT_ASSESSMENT_WRITE))
]
Q = Annotated[str | None, Query(max_length=200, description="Words in an article.")]


def sharing_for(service: OsintService, settings: Settings) -> SharingService:
    """The sharing hub as the service's principal (where an assessment is published)."""
    return SharingService(service.session, service.principal, settings.taxii_cursor_key.encode())


@router.get("/sources", summary="The open sources polled or imported")
def list_sources(service: Osint) -> list[SourceRead]:
    return [present.source_read(s) for s in service.sources()]


@router.post("/sources", status_code=status.HTTP_201_CREATED, summary="Add a feed or a page")
def add_source(data: SourceCreate, service: SourceManaging) -> SourceRead:
    source = service.add_source(data.name, data.kind, data.url, data.outlet, data.poll_minutes)
    return present.source_read(source)


@router.post(
    "/poll",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Poll the sources now, as a job (GET /api/v1/jobs/{id} shows its progress)",
)
def poll_sources(service: SourceManaging) -> PollQueued:
    return PollQueued(job_id=jobs.schedule_poll(service.session, service.principal))


@router.get("/stories", summary="Stories, newest first, with outlets and contradictions")
def list_stories(service: Osint, page: ListPage, q: Q = None) -> Page[StorySummary]:
    rows, total = service.stories(page, q)
    return Page[StorySummary].of(map(present.summary, rows), total, page)


@router.get("/stories/{story_id}", summary="A story: timeline, outlets, contradictions, tags")
def get_story(story_id: RowId, service: Osint) -> StoryRead:
    return present.story_read(service.story(story_id))


@router.get("/articles", summary="Search the articles")
def search_articles(
    service: Osint, q: Annotated[str, Query(min_length=1, max_length=200)]
) -> list[ArticleRead]:
    return [present.article_read(a) for a in service.search(q)]


@router.get("/entities/{ref}", summary="An entity (a country, person, organisation)")
def get_entity(ref: Annotated[str, Path(max_length=200)], service: Osint) -> EntityPage:
    return present.entity_page(*service.entity_page(ref))


@router.get("/watch", summary="Your watch terms and their hits")
def list_watch_terms(service: Watching) -> list[WatchTermRead]:
    return [present.watch_read(*row) for row in service.watch_terms()]


@router.post("/watch", status_code=status.HTTP_201_CREATED, summary="Watch a word or phrase")
@writes_own_state  # a user's watch terms are their own
def add_watch_term(data: WatchTermCreate, service: Watching) -> WatchTermRead:
    return present.watch_read(service.add_watch_term(data.term))


@router.delete("/watch/{term_id}", status_code=status.HTTP_204_NO_CONTENT)
@writes_own_state  # another user's term is the same 404 as a missing one
def remove_watch_term(term_id: RowId, service: Watching) -> Response:
    service.remove_watch_term(term_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/assessments", summary="The assessments you may read")
def list_assessments(service: Osint) -> list[AssessmentRead]:
    return [present.assessment_read(a, m) for a, m in service.assessments()]


@router.get("/assessments/{assessment_id}")
def get_assessment(assessment_id: RowId, service: Osint) -> AssessmentRead:
    return present.assessment_read(*service.assessment(assessment_id))


@router.post(
    "/stories/{story_id}/assessments",
    status_code=status.HTTP_201_CREATED,
    summary="Write a marked assessment of a story",
)
def create_assessment(
    story_id: RowId, data: AssessmentCreate, service: Analysing
) -> AssessmentRead:
    row = service.create_assessment(story_id, data.title, data.body, data.marking, data.confidence)
    return present.assessment_read(*service.assessment(row.id))


@router.post(
    "/assessments/{assessment_id}/publish",
    summary="Publish as a marked STIX 2.1 report into a sharing collection",
)
def publish(
    assessment_id: RowId, data: PublishRequest, service: Analysing, settings: AppSettings
) -> Published:
    sharing = sharing_for(service, settings)
    stix_id = service.publish(assessment_id, data.collection, sharing)
    return Published(assessment_id=assessment_id, stix_id=stix_id, collection=data.collection)


@router.get("/tags/{tag_id}", summary="A DISARM technique tag")
def get_tag(tag_id: RowId, service: Osint) -> TagRead:
    return present.tag_read(*service.tag(tag_id))


@router.post("/tags/{tag_id}/review", summary="Confirm or reject a suggested technique")
def review_tag(tag_id: RowId, data: TagReview, service: Analysing) -> TagRead:
    service.review_tag(tag_id, data.status, data.marking)
    return present.tag_read(*service.tag(tag_id))
