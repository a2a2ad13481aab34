# SPDX-License-Identifier: Apache-2.0
"""OSINT pages: stories (``/osint``), sources, a story (timeline, outlets side by side,
contradictions highlighted, DISARM tags, assessments), an entity, article search.

Invariants: every page reads through ``OsintService`` as the request's principal; a page that
shows an analyst's tags or assessments carries, top and bottom, the banner of the most
restrictive marking it shows (``security.markings.page_marking``), and shows none of those the
reader may not read; a hidden or missing id is the same 404 page. The DISARM attribution is
on every page that names a technique.

Forms (POST with the session's CSRF token, like every page form): add a source
(``osint:source:manage``); on a story, confirm or reject a DISARM technique, write a marked
assessment, publish an assessment into a sharing collection (``osint:assessment:write``).
Each calls the same ``OsintService`` write as the API, so the same checks hold: a tag or
assessment the writer may not read is the same 404 as a missing one, a marking above what
the writer reads is refused, a partner never overturns an ally's review, only the author or
the alliance side publishes. Success is a 303 back to the page; a refused write re-renders
the page with the reason next to the form (403, 409 or 422), and writes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.errors import InvalidInput, LiaisonError, NotFound
from liaison.osint import disarm
from liaison.osint.errors import AssessmentNotFound, StoryNotFound, TagNotFound
from liaison.osint.models import SourceKind, TagStatus
from liaison.osint.service import OsintService
from liaison.registry.service import nation_profile
from liaison.security.markings import Marking, banner, page_marking, short
from liaison.security.permissions import Permission
from liaison.security.principal import Principal
from liaison.security.writes import Owner, can_write
from liaison.sharing.service import SharingService
from liaison.web.deps import (
    AppSettings,
    CurrentPrincipal,
    DbSession,
    Offset,
    path_id,
    require,
)
from liaison.web.templating import render_marked

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=200)]
FormText = Annotated[str, Form(max_length=100_000)]
SourceManager = Annotated[Principal, Depends(require(Permission.OSINT_SOURCE_MANAGE))]
Analyst = Annotated[Principal, Depends(require(Permission.OSINT_ASSESSMENT_WRITE))]


def _banner(service: OsintService, markings: list[Marking]) -> str | None:
    if not markings:
        return None
    groups: dict[str, frozenset[str]] = {}

    def groups_of(code: str) -> frozenset[str]:
        if code not in groups:
            groups[code] = nation_profile(service.session, code).groups
        return groups[code]

    return banner(page_marking(markings, groups_of), service.registry.release_name)


@router.get("/osint", response_class=HTMLResponse)
def stories(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    q: Text = None,
    offset: Offset = 0,
) -> HTMLResponse:
    service = OsintService(session, principal)
    rows, total = service.stories(settings.page_size, offset, q)
    found = service.search(q) if q else []
    context: dict[str, Any] = {
        "rows": rows,
        "total": total,
        "offset": offset,
        "limit": settings.page_size,
        "q": q or "",
        "articles": found,
        "watch": service.watch_terms() if principal.authenticated else [],
    }
    return render_marked(request, "osint/stories.html", context)


def _sources_page(
    request: Request,
    service: OsintService,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "rows": service.sources(),
        "kinds": [SourceKind.FEED.value, SourceKind.PAGE.value],
        "can_manage": service.principal.can(Permission.OSINT_SOURCE_MANAGE),
        "form": form or {"kind": SourceKind.FEED.value, "poll_minutes": "60"},
        "error": error,
    }
    page = render_marked(request, "osint/sources.html", context)
    page.status_code = status_code
    return page


@router.get("/osint/sources", response_class=HTMLResponse)
def sources(request: Request, session: DbSession, principal: CurrentPrincipal) -> HTMLResponse:
    return _sources_page(request, OsintService(session, principal))


@router.post("/osint/sources", response_class=HTMLResponse)
def add_source(
    request: Request,
    session: DbSession,
    principal: SourceManager,
    name: FormText = "",
    kind: FormText = "feed",
    url: FormText = "",
    outlet: FormText = "",
    poll_minutes: FormText = "60",
) -> Response:
    form = {"name": name, "kind": kind, "url": url, "outlet": outlet, "poll_minutes": poll_minutes}
    service = OsintService(session, principal)
    try:
        if kind not in {SourceKind.FEED.value, SourceKind.PAGE.value}:
            raise InvalidInput("a source is a feed or a page", field="kind")
        if not poll_minutes.strip().isdigit():
            raise InvalidInput("poll every 5 to 10,080 minutes", field="poll_minutes")
        service.add_source(
            name, SourceKind(kind), url.strip(), outlet.strip() or None, int(poll_minutes)
        )
    except LiaisonError as exc:
        session.rollback()
        return _sources_page(request, service, form, exc.message, exc.status_code)
    return RedirectResponse("/osint/sources", status_code=303)


@router.get("/osint/stories/{raw_id}", response_class=HTMLResponse)
def story(
    raw_id: str,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
) -> HTMLResponse:
    service = OsintService(session, principal)
    return _story_page(request, service, path_id(raw_id, StoryNotFound), settings)


def _story_page(
    request: Request,
    service: OsintService,
    story_id: int,
    settings: Settings,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    detail = service.story(story_id)
    principal = service.principal
    analyst = principal.can(Permission.OSINT_ASSESSMENT_WRITE)
    shown = [m for _, m in detail.tags] + [m for _, m in detail.assessments]
    outlets: dict[str, list[Any]] = {}
    for article in detail.articles:
        outlets.setdefault(article.outlet, []).append(article)
    context = {
        "d": detail,
        "outlets": outlets,
        "techniques": {t.technique_id: disarm.technique(t.technique_id) for t, _ in detail.tags},
        "attribution": disarm.ATTRIBUTION,
        "marking": _banner(service, shown),
        "short": short,
        "analyst": analyst,
        # only the tags this reader may review offer the form (the owner's side: security.writes)
        "reviewable": {
            t.id
            for t, m in detail.tags
            if can_write(
                principal,
                Owner.of(t.owner_side, t.owner_organisation_id),
                m,
                Permission.OSINT_ASSESSMENT_WRITE,
            )
        },
        "errors": errors or {},
        "collections": _writable_collections(service.session, principal, settings)
        if analyst
        else [],
    }
    page = render_marked(request, "osint/story.html", context)
    page.status_code = status_code
    return page


def _writable_collections(
    session: Session, principal: Principal, settings: Settings
) -> list[tuple[str, str]]:
    sharing = SharingService(session, principal, settings.taxii_cursor_key.encode())
    return [(v.row.id, v.row.title) for v in sharing.collections() if v.can_write]


def _refused(
    request: Request,
    session: Session,
    principal: Principal,
    story_id: int,
    form: str,
    exc: LiaisonError,
    settings: Settings,
) -> HTMLResponse:
    """The story page again with the reason next to ``form``; hidden or missing: the 404."""
    if isinstance(exc, NotFound):
        raise exc
    session.rollback()
    service = OsintService(session, principal)
    return _story_page(request, service, story_id, settings, {form: exc.message}, exc.status_code)


@router.post("/osint/tags/{raw_id}/review", response_class=HTMLResponse)
def review_tag(
    raw_id: str,
    request: Request,
    session: DbSession,
    principal: Analyst,
    settings: AppSettings,
    status: FormText = "",
    marking: FormText = "PUBLIC",
) -> Response:
    service = OsintService(session, principal)
    tag, _ = service.tag(path_id(raw_id, TagNotFound))  # hidden or missing: 404
    story_id = tag.story_id
    try:
        if status not in {TagStatus.CONFIRMED.value, TagStatus.REJECTED.value}:
            raise InvalidInput("review a tag as confirmed or rejected", field="status")
        service.review_tag(tag.id, TagStatus(status), marking)
    except LiaisonError as exc:
        return _refused(request, session, principal, story_id, "review", exc, settings)
    return RedirectResponse(f"/osint/stories/{story_id}#disarm-heading", status_code=303)


@router.post("/osint/stories/{raw_id}/assessments", response_class=HTMLResponse)
def create_assessment(
    raw_id: str,
    request: Request,
    session: DbSession,
    principal: Analyst,
    settings: AppSettings,
    title: FormText = "",
    body: FormText = "",
    marking: FormText = "",
    confidence: FormText = "50",
) -> Response:
    service = OsintService(session, principal)
    story_id = path_id(raw_id, StoryNotFound)
    service.story(story_id)  # missing: 404
    try:
        if not confidence.strip().isdigit():
            raise InvalidInput("confidence is 0 to 100", field="confidence")
        service.create_assessment(story_id, title, body, marking, int(confidence))
    except LiaisonError as exc:
        return _refused(request, session, principal, story_id, "assess", exc, settings)
    return RedirectResponse(f"/osint/stories/{story_id}#assessments-heading", status_code=303)


@router.post("/osint/assessments/{raw_id}/publish", response_class=HTMLResponse)
def publish(
    raw_id: str,
    request: Request,
    session: DbSession,
    principal: Analyst,
    settings: AppSettings,
    collection: FormText = "",
) -> Response:
    service = OsintService(session, principal)
    row, _ = service.assessment(path_id(raw_id, AssessmentNotFound))  # hidden or missing: 404
    story_id = row.story_id
    sharing = SharingService(session, principal, settings.taxii_cursor_key.encode())
    try:
        if not collection.strip():
            raise InvalidInput("choose a collection", field="collection")
        service.publish(row.id, collection.strip(), sharing)
    except LiaisonError as exc:
        return _refused(request, session, principal, story_id, f"publish-{row.id}", exc, settings)
    return RedirectResponse(f"/osint/stories/{story_id}#assessments-heading", status_code=303)


@router.get("/osint/entities/{ref}", response_class=HTMLResponse)
def entity(
    ref: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> HTMLResponse:
    found, stories_, events = OsintService(session, principal).entity_page(ref[:200])
    context = {"entity": found, "stories": stories_, "events": events}
    return render_marked(request, "osint/entity.html", context)
