# SPDX-License-Identifier: Apache-2.0
"""``/api/v1/audit``: events (filtered by the policy, paginated) and export. Needs
``audit:event:read``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from liaison.db.session import snapshot_session
from liaison.kit.pagination import Page
from liaison.security.permissions import Permission
from liaison.security.principal import Principal
from liaison.trail.schemas import AuditEventRead
from liaison.trail.service import AuditService
from liaison.web.deps import AppSettings, DbSession, Limit, Offset, page_request, require

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
AuditReader = Annotated[Principal, Depends(require(Permission.AUDIT_EVENT_READ))]


@router.get("/events", summary="Audit events you may see, newest first")
def list_events(
    session: DbSession,
    principal: AuditReader,
    settings: AppSettings,
    actor: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=80, description="Tag prefix.")] = None,
    object_type: Annotated[str | None, Query(max_length=60)] = None,
    since: dt.datetime | None = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Annotated[str | None, Query(max_length=40)] = None,
) -> Page[AuditEventRead]:
    page = page_request(settings, limit, offset, sort)
    items, total = AuditService(session, principal).events(
        actor=actor, action=action, object_type=object_type, since=since, page=page
    )
    return Page[AuditEventRead](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/export", summary="Every audit event you may see, as JSON lines or CSV")
def export_events(
    request: Request,
    session: DbSession,
    principal: AuditReader,
    fmt: Annotated[str, Query(alias="format", pattern="^(jsonl|csv)$")] = "jsonl",
) -> StreamingResponse:
    """Streamed in batches from one snapshot of the trail, read on a connection of its own
    that holds no lock; the export (with the number of events in that snapshot) is audited
    before the first byte is sent."""
    reader = snapshot_session(request.app.state.engine)
    try:
        exporter = AuditService(reader, principal)
        count = exporter.count()  # the snapshot begins here
        AuditService(session, principal).record_export(fmt, count)
    except BaseException:
        reader.close()
        raise
    media = "text/csv" if fmt == "csv" else "application/jsonl"
    return StreamingResponse(
        _streamed(exporter, reader, fmt),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="liaison-audit.{fmt}"'},
    )


def _streamed(exporter: AuditService, reader: Session, fmt: str) -> Iterator[str]:
    try:
        yield from exporter.export_chunks(fmt)
    finally:
        reader.close()
