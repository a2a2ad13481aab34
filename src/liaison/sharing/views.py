# SPDX-License-Identifier: Apache-2.0
"""Sharing pages: the collections (``/sharing``), one collection's objects (browse and search,
keyset-paged), and one object with its versions and relationship graph.

Invariants:
- every page reads through ``SharingService`` as the request's principal: what it lists,
  counts, searches or draws is what the policy lets that principal read, and the reads are
  audited; a hidden or missing collection or object is the same 404 page;
- a page that shows objects carries, top and bottom, the banner of the strictest marking it
  shows (``stix.strictest`` over the rows of the page, the graph's nodes and edges included);
- the graph is SVG rendered on the server (``sharing.graph``) from visible objects only.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from liaison.security.markings import Marking, short
from liaison.sharing import graph, stix
from liaison.sharing.deps import Sharing
from liaison.sharing.errors import BadRequest
from liaison.sharing.repository import ObjectQuery
from liaison.sharing.schemas import BODY, MARKING_ID, STIX_ID, VERSION, ObjectPage, added_of
from liaison.sharing.service import SharingService
from liaison.web.templating import render_marked

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=200)]
PAGE_SIZE = 50


def _banner(service: SharingService, markings: list[Marking]) -> str:
    """The banner of a page showing ``markings`` (tests/security/test_page_marking.py
    compares it with every other feature's)."""
    return service.page_banner(markings)


@router.get("/sharing", response_class=HTMLResponse)
def collections(request: Request, service: Sharing) -> HTMLResponse:
    rows = [
        {
            "view": v,
            "count": service.count(v.row.id) if v.can_read else None,
            "default": short(service.marking(v.row.default_marking_id)),
        }
        for v in service.collections()
    ]
    return render_marked(request, "sharing/collections.html", {"rows": rows})


def _rows(service: SharingService, page: ObjectPage) -> list[dict[str, Any]]:
    out = []
    for r in page.rows:
        body = orjson.loads(r[BODY] or "{}")
        marking = service.marking(r[MARKING_ID])
        out.append(
            {
                "id": r[STIX_ID],
                "type": body.get("type", ""),
                "name": body.get("name") or body.get("value") or "",
                "version": stix.display_timestamp(r[VERSION]),
                "added": stix.format_datetime(added_of(r))[:19].replace("T", " "),
                "marking": short(marking),
                "level": marking.level.value,
            }
        )
    return out


@router.get("/sharing/{collection_ref}", response_class=HTMLResponse)
def browse(
    request: Request,
    collection_ref: str,
    service: Sharing,
    q: Text = None,
    type: Text = None,  # noqa: A002 - the TAXII filter's name
    next: Annotated[str | None, Query(max_length=200)] = None,  # noqa: A002 - TAXII's name
) -> HTMLResponse:
    view = service.readable_collection(collection_ref)
    query = ObjectQuery(types=(type.strip(),) if type and type.strip() else (), text=q or None)
    try:
        page = service.page(view.row.id, query, limit=PAGE_SIZE, next_token=next, kind="browse")
    except BadRequest:
        page = service.page(view.row.id, query, limit=PAGE_SIZE, next_token=None, kind="browse")
    rows = _rows(service, page)
    context = {
        "collection": view,
        "rows": rows,
        "page": page,
        "form": {"q": q or "", "type": type or ""},
        "total": service.count(view.row.id),
        "marking": _banner(service, [service.marking(r[MARKING_ID]) for r in page.rows]),
    }
    return render_marked(request, "sharing/browse.html", context)


@router.get("/sharing/{collection_ref}/objects/{stix_id}", response_class=HTMLResponse)
def detail(
    request: Request,
    collection_ref: str,
    stix_id: str,
    service: Sharing,
) -> HTMLResponse:
    view = service.readable_collection(collection_ref)
    versions = service.object_page(
        view.row.id, stix_id, ObjectQuery(), limit=1000, next_token=None, versions=True
    )
    latest = service.object_page(view.row.id, stix_id, ObjectQuery(), limit=1, next_token=None)
    centre, edges = service.neighbours(view.row.id, stix_id)
    base = f"/sharing/{view.row.id}/objects/"
    hrefs = {e.other.stix_id: base + e.other.stix_id for e in edges}
    row = latest.rows[0]
    body = orjson.loads(row[BODY] or "{}")
    shown_ids = {row[MARKING_ID]} | {r[MARKING_ID] for r in versions.rows}
    markings = [service.marking(m) for m in shown_ids]
    context = {
        "collection": view,
        "object": body,
        "name": centre.name,
        "json": orjson.dumps(body, option=orjson.OPT_INDENT_2).decode(),
        "marking_short": short(service.marking(row[MARKING_ID])),
        "versions": [stix.display_timestamp(r[VERSION]) for r in versions.rows],
        "graph": graph.render(centre, edges, hrefs),
        "edges": edges,
        "marking": _banner(service, markings),
    }
    return render_marked(request, "sharing/detail.html", context)
