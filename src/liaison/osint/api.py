# SPDX-License-Identifier: Apache-2.0
"""OSINT REST API under ``/api/v1/osint``.

Open-source material (sources, stories, articles, entities) is PUBLIC and answers anyone the
routes admit; an analyst's tags and assessments answer only a reader the policy allows, and a
hidden one is the same 404 problem as a missing id, on every route. Writes need
``osint:source:manage`` or ``osint:assessment:write`` (401 anonymous, 403 without it — checked
before anything is looked up). Fetching and NLP never run in a request: sources are polled by
``liaison osint poll`` (the job queue's body).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status
from pydantic import BaseModel, Field

from liaison.kit.pagination import Page
from liaison.osint import jobs, present
from liaison.osint.schemas import (
    ArticleRead,
    AssessmentCreate,
    AssessmentRead,
    EventRead,
    PublishRequest,
    SourceCreate,
    SourceRead,
    StoryRead,
    StorySummary,
    TagRead,
    TagReview,
)
from liaison.osint.service import OsintService
from liaison.security.permissions import Permission
from liaison.security.principal import Principal
from liaison.sharing.service import SharingService
from liaison.web.deps import (
    AppSettings,
    AuthenticatedPrincipal,
    CurrentPrincipal,
    DbSession,
    Limit,
    Offset,
    RowId,
    require,
    writes_own_state,
)
from liaison.web.templating import NO_STORE

router = APIRouter(prefix="/api/v1/osint", tags=["osint"])

SourceManager = Annotated[Principal, Depends(require(Permission.OSINT_SOURCE_MANAGE))]
Analyst = Annotated[Principal, Depends(require(Permission.OSINT_ASSESSMENT_WRITE))]
Q = Annotated[str | None, Query(max_length=200, description="Words in an article.")]


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


@router.get("/sources", summary="The open sources polled or imported")
def list_sources(session: DbSession, principal: CurrentPrincipal) -> list[SourceRead]:
    return [present.source_read(s) for s in OsintService(session, principal).sources()]


@router.post("/sources", status_code=status.HTTP_201_CREATED, summary="Add a feed or a page")
def add_source(data: SourceCreate, session: DbSession, principal: SourceManager) -> SourceRead:
    source = OsintService(session, principal).add_source(
        data.name, data.kind, data.url, data.outlet, data.poll_minutes
    )
    return present.source_read(source)


class PollQueued(BaseModel):
    job_id: int


@router.post(
    "/poll",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Poll the sources now, as a job (GET /api/v1/jobs/{id} shows its progress)",
)
def poll_sources(session: DbSession, principal: SourceManager) -> PollQueued:
    return PollQueued(job_id=jobs.schedule_poll(session, principal))


@router.get("/stories", summary="Stories, newest first, with outlets and contradictions")
def list_stories(
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    q: Q = None,
    limit: Limit = None,
    offset: Offset = 0,
) -> Page[StorySummary]:
    size = min(limit or settings.page_size, settings.max_page_size)
    rows, total = OsintService(session, principal).stories(size, offset, q)
    return Page[StorySummary](
        items=[present.summary(r) for r in rows], total=total, limit=size, offset=offset
    )


@router.get("/stories/{story_id}", summary="A story: timeline, outlets, contradictions, tags")
def get_story(
    story_id: RowId, session: DbSession, principal: CurrentPrincipal, response: Response
) -> StoryRead:
    response.headers.update(NO_STORE)
    return present.story_read(OsintService(session, principal).story(story_id))


@router.get("/articles", summary="Search the articles")
def search_articles(
    session: DbSession,
    principal: CurrentPrincipal,
    q: Annotated[str, Query(min_length=1, max_length=200)],
) -> list[ArticleRead]:
    found = OsintService(session, principal).search(q)
    return [present.article_read(a) for a in found]


@router.get("/entities/{ref}", summary="An entity (a country, person, organisation)")
def get_entity(
    ref: Annotated[str, Path(max_length=200)], session: DbSession, principal: CurrentPrincipal
) -> EntityPage:
    entity, stories, events = OsintService(session, principal).entity_page(ref)
    outlets: dict[int, str] = {}
    return EntityPage(
        id=entity.id,
        kind=entity.kind,
        name=entity.name,
        country_iso3=entity.country_iso3,
        stories=[s.id for s in stories],
        events=[present.event_read(e, outlets) for e in events],
    )


class WatchTermRead(BaseModel):
    id: int
    term: str
    hits: int
    latest: list[ArticleRead]


class WatchTermCreate(BaseModel):
    term: str = Field(min_length=2, max_length=100)


@router.get("/watch", summary="Your watch terms and their hits")
def list_watch_terms(session: DbSession, principal: AuthenticatedPrincipal) -> list[WatchTermRead]:
    rows = OsintService(session, principal).watch_terms()
    return [
        WatchTermRead(
            id=t.id, term=t.term, hits=n, latest=[present.article_read(a) for a in latest]
        )
        for t, n, latest in rows
    ]


@router.post("/watch", status_code=status.HTTP_201_CREATED, summary="Watch a word or phrase")
@writes_own_state  # a user's watch terms are their own
def add_watch_term(
    data: WatchTermCreate, session: DbSession, principal: AuthenticatedPrincipal
) -> WatchTermRead:
    row = OsintService(session, principal).add_watch_term(data.term)
    return WatchTermRead(id=row.id, term=row.term, hits=0, latest=[])


@router.delete("/watch/{term_id}", status_code=status.HTTP_204_NO_CONTENT)
@writes_own_state  # another user's term is the same 404 as a missing one
def remove_watch_term(
    term_id: RowId, session: DbSession, principal: AuthenticatedPrincipal
) -> Response:
    OsintService(session, principal).remove_watch_term(term_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/assessments", summary="The assessments you may read")
def list_assessments(
    session: DbSession, principal: CurrentPrincipal, response: Response
) -> list[AssessmentRead]:
    response.headers.update(NO_STORE)
    rows = OsintService(session, principal).assessments()
    return [present.assessment_read(a, m) for a, m in rows]


@router.get("/assessments/{assessment_id}")
def get_assessment(
    assessment_id: RowId, session: DbSession, principal: CurrentPrincipal, response: Response
) -> AssessmentRead:
    response.headers.update(NO_STORE)
    row, marking = OsintService(session, principal).assessment(assessment_id)
    return present.assessment_read(row, marking)


@router.post(
    "/stories/{story_id}/assessments",
    status_code=status.HTTP_201_CREATED,
    summary="Write a marked assessment of a story",
)
def create_assessment(
    story_id: RowId, data: AssessmentCreate, session: DbSession, principal: Analyst
) -> AssessmentRead:
    service = OsintService(session, principal)
    row = service.create_assessment(story_id, data.title, data.body, data.marking, data.confidence)
    _, marking = service.assessment(row.id)
    return present.assessment_read(row, marking)


@router.post(
    "/assessments/{assessment_id}/publish",
    summary="Publish as a marked STIX 2.1 report into a sharing collection",
)
def publish(
    assessment_id: RowId,
    data: PublishRequest,
    session: DbSession,
    principal: Analyst,
    settings: AppSettings,
) -> Published:
    sharing = SharingService(session, principal, settings.taxii_cursor_key.encode())
    stix_id = OsintService(session, principal).publish(assessment_id, data.collection, sharing)
    return Published(assessment_id=assessment_id, stix_id=stix_id, collection=data.collection)


@router.get("/tags/{tag_id}", summary="A DISARM technique tag")
def get_tag(tag_id: RowId, session: DbSession, principal: CurrentPrincipal) -> TagRead:
    tag, marking = OsintService(session, principal).tag(tag_id)
    return present.tag_read(tag, marking)


@router.post("/tags/{tag_id}/review", summary="Confirm or reject a suggested technique")
def review_tag(tag_id: RowId, data: TagReview, session: DbSession, principal: Analyst) -> TagRead:
    service = OsintService(session, principal)
    service.review_tag(tag_id, data.status, data.marking)
    tag, marking = service.tag(tag_id)
    return present.tag_read(tag, marking)
