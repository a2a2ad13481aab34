# SPDX-License-Identifier: Apache-2.0
"""``/api/v1/audit``: events (filtered by the policy, paginated) and export. Needs
``audit:event:read``. ``Auditing`` is the feature's service dependency (the page's too)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from liaison.db.session import snapshot_session
from liaison.kit.pagination import Page
from liaison.security.permissions import Permission
from liaison.trail.repository import EventFilters
from liaison.trail.schemas import AuditEventRead
from liaison.trail.service import AuditService
from liaison.web.deps import SortedPage, serves

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
Auditing = Annotated[AuditService, Depends(serves(AuditService, Permission.AUDIT_EVENT_READ))]


def _filters(
    actor: Annotated[
        str | None, Query(max_length=64, description="Only this user's events.")
    ] = None,
    action: Annotated[str | None, Query(max_length=80, description="Tag prefix.")] = None,
    object_type: Annotated[str | None, Query(max_length=60)] = None,
) -> EventFilters:
    return EventFilters(actor or None, action or None, object_type or None)


Filters = Annotated[EventFilters, Depends(_filters)]  # the API's and the page's


@router.get("/events", summary="Audit events you may see, newest first")
def list_events(
    service: Auditing, page: SortedPage, filters: Filters, since: dt.datetime | None = None
) -> Page[AuditEventRead]:
    """Sort by seq, at or actor (newest first when no sort is given)."""
    items, total = service.events(replace(filters, since=since), page)
    return Page[AuditEventRead].of(items, total, page)


@router.get("/export", summary="Every audit event you may see, as JSON lines or CSV")
def export_events(
    request: Request,
    service: Auditing,
    fmt: Annotated[str, Query(alias="format", pattern="^(jsonl|csv)$")] = "jsonl",
) -> StreamingResponse:
    """Streamed in batches from one snapshot of the trail, read on a connection of its own
    that holds no lock; the export (with the number of events in that snapshot) is audited
    before the first byte is sent."""
    reader = snapshot_session(request.app.state.engine)
    try:
        exporter = AuditService(reader, service.principal)
        count = exporter.count()  # the snapshot begins here
        service.record_export(fmt, count)
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
