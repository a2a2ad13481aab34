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

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from liaison.config import Settings
from liaison.errors import InvalidInput, LiaisonError, NotFound
from liaison.osint import disarm
from liaison.osint.api import Analysing, Osint, SourceManaging, sharing_for
from liaison.osint.errors import AssessmentNotFound, StoryNotFound, TagNotFound
from liaison.osint.models import SourceKind, TagStatus
from liaison.osint.service import OsintService
from liaison.security.markings import short
from liaison.security.permissions import Permission
from liaison.security.writes import Owner, can_write
from liaison.web.deps import AppSettings, DbSession, ListPage, path_id
from liaison.web.forms import FORM, PostedForm, refusal
from liaison.web.templating import render_marked

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=200)]
KINDS = (SourceKind.FEED.value, SourceKind.PAGE.value)  # what a page adds (files: the CLI)


@router.get("/osint", response_class=HTMLResponse)
def stories(request: Request, service: Osint, page: ListPage, q: Text = None) -> HTMLResponse:
    rows, total = service.stories(page, q)
    context: dict[str, Any] = {
        "rows": rows,
        "total": total,
        "offset": page.offset,
        "limit": page.limit,
        "q": q or "",
        "articles": service.search(q) if q else [],
        "watch": service.watch_terms() if service.principal.authenticated else [],
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
        "kinds": list(KINDS),
        "can_manage": service.principal.can(Permission.OSINT_SOURCE_MANAGE),
        "form": form or {"kind": SourceKind.FEED.value, "poll_minutes": "60"},
        "error": error,
    }
    page = render_marked(request, "osint/sources.html", context)
    page.status_code = status_code
    return page


@router.get("/osint/sources", response_class=HTMLResponse)
def sources(request: Request, service: Osint) -> HTMLResponse:
    return _sources_page(request, service)


@router.post("/osint/sources", response_class=HTMLResponse)
def add_source(
    request: Request, session: DbSession, service: SourceManaging, posted: PostedForm
) -> Response:
    form = posted.fields(name="", kind="feed", url="", outlet="", poll_minutes="60")
    try:
        if form["kind"] not in KINDS:
            raise InvalidInput("a source is a feed or a page", field="kind")
        if not form["poll_minutes"].strip().isdigit():
            raise InvalidInput("poll every 5 to 10,080 minutes", field="poll_minutes")
        service.add_source(
            form["name"],
            SourceKind(form["kind"]),
            form["url"].strip(),
            form["outlet"].strip() or None,
            int(form["poll_minutes"]),
        )
    except LiaisonError as exc:
        refused = refusal(session, exc, ())
        return _sources_page(request, service, form, refused.errors[FORM], refused.status_code)
    return RedirectResponse("/osint/sources", status_code=303)


@router.get("/osint/stories/{raw_id}", response_class=HTMLResponse)
def story(raw_id: str, request: Request, service: Osint, settings: AppSettings) -> HTMLResponse:
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
        "marking": service.marks.page_banner(shown) if shown else None,
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
        "collections": _writable_collections(service, settings) if analyst else [],
    }
    page = render_marked(request, "osint/story.html", context)
    page.status_code = status_code
    return page


def _writable_collections(service: OsintService, settings: Settings) -> list[tuple[str, str]]:
    return [
        (v.row.id, v.row.title) for v in sharing_for(service, settings).collections() if v.can_write
    ]


class StoryForm:
    """A form posted on a story's page (``osint:assessment:write``): its fields, and the one
    answer — back to the page at the form's heading, or, refused, the page again with the
    reason next to the form (a hidden or missing record: the 404 page)."""

    def __init__(
        self,
        request: Request,
        session: DbSession,
        service: Analysing,
        settings: AppSettings,
        posted: PostedForm,
    ) -> None:
        self.request, self.session, self.settings = request, session, settings
        self.service, self.posted = service, posted

    def answer(self, story_id: int, form: str, anchor: str, act: Callable[[], object]) -> Response:
        try:
            act()
        except NotFound:
            raise
        except LiaisonError as exc:
            refused = refusal(self.session, exc, ())
            errors = {form: refused.errors[FORM]}
            return _story_page(
                self.request, self.service, story_id, self.settings, errors, refused.status_code
            )
        return RedirectResponse(f"/osint/stories/{story_id}#{anchor}", status_code=303)


StoryPost = Annotated[StoryForm, Depends()]
REVIEWS = (TagStatus.CONFIRMED.value, TagStatus.REJECTED.value)


@router.post("/osint/tags/{raw_id}/review", response_class=HTMLResponse)
def review_tag(raw_id: str, post: StoryPost) -> Response:
    form, service = post.posted.fields(status="", marking="PUBLIC"), post.service
    tag, _ = service.tag(path_id(raw_id, TagNotFound))  # hidden or missing: 404

    def act() -> None:
        if form["status"] not in REVIEWS:
            raise InvalidInput("review a tag as confirmed or rejected", field="status")
        service.review_tag(tag.id, TagStatus(form["status"]), form["marking"])

    return post.answer(tag.story_id, "review", "disarm-heading", act)


@router.post("/osint/stories/{raw_id}/assessments", response_class=HTMLResponse)
def create_assessment(raw_id: str, post: StoryPost) -> Response:
    form, service = post.posted.fields(title="", body="", marking="", confidence="50"), post.service
    story_id = path_id(raw_id, StoryNotFound)
    service.story(story_id)  # missing: 404

    def act() -> None:
        if not form["confidence"].strip().isdigit():
            raise InvalidInput("confidence is 0 to 100", field="confidence")
        confidence = int(form["confidence"])
        service.create_assessment(
            story_id, form["title"], form["body"], form["marking"], confidence
        )

    return post.answer(story_id, "assess", "assessments-heading", act)


@router.post("/osint/assessments/{raw_id}/publish", response_class=HTMLResponse)
def publish(raw_id: str, post: StoryPost) -> Response:
    collection, service = post.posted.get("collection").strip(), post.service
    row, _ = service.assessment(path_id(raw_id, AssessmentNotFound))  # hidden or missing: 404

    def act() -> None:
        if not collection:
            raise InvalidInput("choose a collection", field="collection")
        service.publish(row.id, collection, sharing_for(service, post.settings))

    return post.answer(row.story_id, f"publish-{row.id}", "assessments-heading", act)


@router.get("/osint/entities/{ref}", response_class=HTMLResponse)
def entity(ref: str, request: Request, service: Osint) -> HTMLResponse:
    found, stories_, events = service.entity_page(ref[:200])
    context = {"entity": found, "stories": stories_, "events": events}
    return render_marked(request, "osint/entity.html", context)
