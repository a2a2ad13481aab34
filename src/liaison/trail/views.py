# SPDX-License-Identifier: Apache-2.0
"""The audit page: events the user may see, filterable, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from liaison.kit.pagination import PageRequest
from liaison.security.permissions import Permission
from liaison.security.principal import Principal
from liaison.trail.service import AuditService
from liaison.web.deps import AppSettings, DbSession, require
from liaison.web.templating import render

router = APIRouter(include_in_schema=False)
AuditReader = Annotated[Principal, Depends(require(Permission.AUDIT_EVENT_READ))]


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: DbSession,
    principal: AuditReader,
    settings: AppSettings,
    actor: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=80)] = None,
    object_type: Annotated[str | None, Query(max_length=60)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    page = PageRequest(limit=settings.page_size, offset=offset)
    events, total = AuditService(session, principal).events(
        actor=actor or None, action=action or None, object_type=object_type or None, page=page
    )
    return render(
        request,
        "audit/events.html",
        {
            "events": events,
            "total": total,
            "page": page,
            "filters": {
                "actor": actor or "",
                "action": action or "",
                "object_type": object_type or "",
            },
        },
        fragment="audit/_table.html",
    )
