# SPDX-License-Identifier: Apache-2.0
"""Reading the audit trail: pages of events (themselves audited), exports, verification."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from sqlalchemy.orm import Session

from liaison.audit.chain import Anchor, Verdict, verify
from liaison.audit.models import AuditEvent
from liaison.audit.reads import record_reads
from liaison.audit.recorder import Entry, record
from liaison.kit.pagination import PageRequest
from liaison.security.marking_store import MarkingStore
from liaison.security.markings import short
from liaison.security.principal import Principal
from liaison.trail.repository import AuditRepository, EventFilters
from liaison.trail.schemas import AuditEventRead

EXPORT_BATCH = 1000


class AuditService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.repo = AuditRepository(session, principal)

    def events(self, filters: EventFilters, page: PageRequest) -> tuple[list[AuditEventRead], int]:
        """One page of the events this principal may see (the listing itself is audited)."""
        rows, total = self.repo.events(filters, page)
        reads = self._as_read(rows)
        record_reads(
            self.session,
            self.principal,
            "audit:event:list",
            rows,
            per="page",
            object_type="audit_event",
            offset=page.offset,
            query=filters.query(),
        )
        return reads, total

    def _as_read(self, rows: list[AuditEvent]) -> list[AuditEventRead]:
        markings = MarkingStore(self.session).many(r.marking_id for r in rows if r.marking_id)
        return [
            AuditEventRead.model_validate(
                {
                    **{k: getattr(r, k) for k in AuditEventRead.model_fields if k != "marking"},
                    "marking": short(markings[r.marking_id]) if r.marking_id else None,
                }
            )
            for r in rows
        ]

    def export(self, fmt: str) -> Iterator[str]:
        """Every visible event, oldest first, as JSON lines or CSV (streamed in batches); the
        export is audited once it is written (the CLI's: its reader is the console)."""
        count = 0
        for chunk, rows in self._export_chunks(fmt):
            count += rows
            yield chunk
        self.record_export(fmt, count)

    def export_chunks(self, fmt: str) -> Iterator[str]:
        """The export's text in chunks of ``EXPORT_BATCH`` events, not audited (the API audits
        it before the first byte, with ``count`` read in the same snapshot)."""
        for chunk, _ in self._export_chunks(fmt):
            yield chunk

    def _export_chunks(self, fmt: str) -> Iterator[tuple[str, int]]:
        if fmt == "csv":
            yield _csv_row(list(AuditEventRead.model_fields)), 0
        last = 0
        while rows := self.repo.after(last, EXPORT_BATCH):
            last = rows[-1].seq
            lines: list[str] = []
            for event in self._as_read(rows):
                data = event.model_dump(mode="json")
                if fmt == "csv":
                    lines.append(
                        _csv_row(
                            [json.dumps(v) if isinstance(v, dict) else v for v in data.values()]
                        )
                    )
                else:
                    lines.append(json.dumps(data, sort_keys=True) + "\n")
            yield "".join(lines), len(rows)

    def count(self) -> int:
        return self.repo.count()

    def record_export(self, fmt: str, count: int) -> None:
        record(
            self.session,
            self.principal,
            [
                Entry(
                    action="audit:event:export",
                    object_type="audit_event",
                    object_id=fmt,
                    after={"events": count},
                )
            ],
        )

    def verify(self, *, anchors: Iterable[Anchor] = (), find: str | None = None) -> Verdict:
        return verify(self.session, anchors=anchors, find=find)


def _csv_row(values: list[object]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(["" if v is None else v for v in values])
    return out.getvalue()
