# SPDX-License-Identifier: Apache-2.0
"""The audit page: events the user may see, filterable, newest first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from liaison.trail.api import Auditing, Filters
from liaison.web.deps import ListPage
from liaison.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, service: Auditing, page: ListPage, filters: Filters
) -> HTMLResponse:
    events, total = service.events(filters, page)
    return render(
        request,
        "audit/events.html",
        {
            "events": events,
            "total": total,
            "page": page,
            "filters": {k: v or "" for k, v in filters.query().items()},
        },
        fragment="audit/_table.html",
    )
