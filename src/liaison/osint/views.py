# SPDX-License-Identifier: Apache-2.0
"""OSINT pages: stories (``/osint``), sources, a story (timeline, outlets side by side,
contradictions highlighted, DISARM tags, assessments), an entity, article search.

Invariants: every page reads through ``OsintService`` as the request's principal; a page that
shows an analyst's tags or assessments carries, top and bottom, the banner of the most
restrictive marking it shows (``security.markings.page_marking``), and shows none of those the
reader may not read; a hidden or missing id is the same 404 page. The DISARM attribution is
on every page that names a technique.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from liaison.osint import disarm
from liaison.osint.errors import StoryNotFound
from liaison.osint.service import OsintService
from liaison.registry.service import nation_profile
from liaison.security.markings import Marking, banner, page_marking, short
from liaison.web.deps import AppSettings, CurrentPrincipal, DbSession, Offset, path_id
from liaison.web.templating import render_marked

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=200)]


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


@router.get("/osint/sources", response_class=HTMLResponse)
def sources(request: Request, session: DbSession, principal: CurrentPrincipal) -> HTMLResponse:
    rows = OsintService(session, principal).sources()
    return render_marked(request, "osint/sources.html", {"rows": rows})


@router.get("/osint/stories/{raw_id}", response_class=HTMLResponse)
def story(
    raw_id: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> HTMLResponse:
    service = OsintService(session, principal)
    detail = service.story(path_id(raw_id, StoryNotFound))
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
    }
    return render_marked(request, "osint/story.html", context)


@router.get("/osint/entities/{ref}", response_class=HTMLResponse)
def entity(
    ref: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> HTMLResponse:
    found, stories_, events = OsintService(session, principal).entity_page(ref[:200])
    context = {"entity": found, "stories": stories_, "events": events}
    return render_marked(request, "osint/entity.html", context)
