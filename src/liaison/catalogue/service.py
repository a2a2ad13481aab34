# SPDX-License-Identifier: Apache-2.0
"""Catalogue use cases: find, read, calendar, import and export. Services never commit.

Invariants (see also ``base``):
- reads go through ``CatalogueRepository`` (the policy inside the SQL, on a session and on its
  item); a hidden item or session is ``ItemNotFound``/``SessionNotFound``, like a missing one,
  and is absent from lists, counts, facets, calendars and exports;
- seat counts (``held``) are shown to alliance staff only: they count every partner's
  nominations;
- an import is all or nothing: every row is checked first, every problem is reported with its
  row and field (``ImportRejected``), and only a clean file writes anything, in the caller's
  transaction; a session's stored marking is capped by its item's;
- writes need ``catalogue:item:write``; each item written is audited with before/after.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete

from liaison.audit.reads import record_reads
from liaison.audit.recorder import record_write
from liaison.catalogue import exchange
from liaison.catalogue.base import CatalogueBase, ItemView, SessionView
from liaison.catalogue.errors import ImportRejected, ItemNotFound, RowError, SessionNotFound
from liaison.catalogue.models import (
    CatalogueEligibility,
    CatalogueItem,
    CataloguePrerequisite,
    CatalogueSession,
)
from liaison.catalogue.repository import CatalogueFilters
from liaison.catalogue.rules import REGIONS, DeliveryMode, ItemKind, check_session_facts
from liaison.errors import InvalidInput, LiaisonError
from liaison.kit import clock
from liaison.kit.ids import parse_id
from liaison.kit.pagination import PageRequest
from liaison.security.classification import Classification
from liaison.security.ical import MarkedEvent, add_event, marked_calendar
from liaison.security.markings import Marking, short
from liaison.security.permissions import Permission

LEVELS = {key.casefold(): c for c in Classification for key in (c.value, c.abbreviation)}


@dataclass
class ImportReport:
    items_created: int = 0
    items_updated: int = 0
    sessions_created: int = 0
    sessions_updated: int = 0


@dataclass
class _ItemIn:
    row: int
    code: str
    title: str
    area: str
    kind: ItemKind
    provider: str
    description: str
    prerequisites: list[str]
    marking: Marking
    sessions: list[_SessionIn] = field(default_factory=list)


@dataclass
class _SessionIn:
    row: int
    code: str
    columns: dict[str, Any]  # the ``CatalogueSession`` columns as checked (dates to min_level)
    eligible: list[str]
    marking: Marking


class CatalogueService(CatalogueBase):
    # reads ------------------------------------------------------------------------------------
    def filters(
        self,
        *,
        area: str | None = None,
        kind: str | None = None,
        query: str | None = None,
        start_from: dt.date | None = None,
        start_to: dt.date | None = None,
        mode: str | None = None,
        language: str | None = None,
    ) -> CatalogueFilters:
        area_code = None
        if area and area.strip():
            area_code = self._area_code(area.strip())
            if area_code is None:
                raise InvalidInput(f"unknown cooperation area {area!r}", field="area")
        return CatalogueFilters(
            area_code,
            _enum(ItemKind, kind, "kind"),
            (query or "").strip() or None,
            start_from,
            start_to,
            _enum(DeliveryMode, mode, "mode"),
            (language or "").strip().lower() or None,
        )

    def _area_code(self, text: str) -> str | None:
        names = self.area_names()
        if text in names:
            return text
        folded = {n.casefold(): c for c, n in names.items()}
        return folded.get(text.casefold())

    def _audit_items(self, views: list[ItemView]) -> None:
        items = [v.item for v in views]
        record_reads(
            self.session, self.principal, "catalogue:item:read", items, object_type="catalogue_item"
        )

    def _audit_sessions(self, views: list[SessionView]) -> None:
        rows = [v.session for v in views]
        record_reads(
            self.session,
            self.principal,
            "catalogue:session:read",
            rows,
            object_type="catalogue_session",
        )

    def find(self, filters: CatalogueFilters, page: PageRequest) -> tuple[list[ItemView], int]:
        items, total = self.repo.items(filters, page)
        views = self.item_views(items)
        self._audit_items(views)
        return views, total

    def facets(self, filters: CatalogueFilters) -> dict[str, dict[str, int]]:
        return self.repo.facets(filters)

    def _item_row(self, ref: str | int) -> CatalogueItem:
        text = str(ref).strip()
        ident = parse_id(text)
        found = self.repo.item(ident) if ident is not None else None
        if found is None and len(text) <= 40:  # noqa: PLR2004 - the code column's length
            found = self.repo.item_by_code(text)
        if found is None:
            raise ItemNotFound(ref)
        return found

    def item(self, ref: str | int) -> tuple[ItemView, list[SessionView]]:
        """An item (by id or code) and its sessions the reader may read (audited)."""
        item = self._item_row(ref)
        view = self.item_views([item])[0]
        sessions = self.session_views([(s, item) for s in self.repo.sessions_of([item.id])])
        self._audit_items([view])
        self._audit_sessions(sessions)
        return view, sessions

    def session_view(self, session_id: int) -> SessionView:
        found = self.repo.session_row(session_id) if parse_id(str(session_id)) else None
        if found is None:
            raise SessionNotFound(session_id)
        item = self.repo.item(found.item_id)
        if item is None:  # the item went in between: the same answer as a hidden one
            raise SessionNotFound(session_id)
        view = self.session_views([(found, item)])[0]
        self._audit_sessions([view])
        return view

    def calendar(
        self,
        start: dt.date | None,
        end: dt.date | None,
        filters: CatalogueFilters | None = None,
    ) -> list[SessionView]:
        views = self.session_views(self.repo.sessions_between(start, end, filters))
        self._audit_sessions(views)
        return views

    def ical(self, views: list[SessionView], base_url: str) -> bytes:
        """An iCalendar (RFC 5545) of sessions; each summary starts with its marking."""
        calendar = marked_calendar("Catalogue", "Liaison: cooperation catalogue")
        stamp = clock.utcnow()
        for v in views:
            s, i = v.session, v.item
            banner = self.marks.banner(v.marking)
            details = f"{i.code}: {i.title}\n{s.mode.value}, {s.language}, {s.seats} seats"
            event = MarkedEvent(
                uid=f"session-{s.id}@liaison.catalogue",
                start=s.start_on,
                end=s.end_on + dt.timedelta(days=1),
                summary=f"({v.short}) {i.code} {i.title}",
                description=f"{banner}\n{details}\n{banner}",
                level=v.marking.level,
                url=f"{base_url.rstrip('/')}/catalogue/sessions/{s.id}",
                location=s.location,
            )
            add_event(calendar, stamp, event)
        data: bytes = calendar.to_ical()
        return data

    # export -----------------------------------------------------------------------------------
    def export(self, filters: CatalogueFilters, fmt: exchange.FileFormat) -> tuple[bytes, str]:
        """Every readable item matching ``filters`` with its readable sessions, and the
        banner of the most restrictive marking exported (audited like a read)."""
        items = self.repo.all_items(filters)
        views = self.item_views(items)
        by_item: dict[int, list[SessionView]] = {}
        sessions = self.session_views(
            [(s, i) for s, i in _pairs(self.repo.sessions_of(i.id for i in items), items)]
        )
        for s in sessions:
            by_item.setdefault(s.item.id, []).append(s)
        self._audit_items(views)
        self._audit_sessions(sessions)
        rows: list[dict[str, str]] = []
        for v in views:
            base = _item_cells(v)
            rows.extend(
                [{**base, **_session_cells(s)} for s in by_item.get(v.item.id, [])] or [base]
            )
        banner = self.marks.page_banner(
            [*(v.marking for v in views), *(s.marking for s in sessions)]
        )
        return exchange.write_rows(rows, fmt, banner), banner

    # import -----------------------------------------------------------------------------------
    def import_file(self, data: bytes, fmt: exchange.FileFormat) -> ImportReport:
        """A file parsed in the bounded child (``exchange.read_rows_bounded``), then imported;
        a request parses before its transaction instead and calls ``import_rows``."""
        self.require(Permission.CATALOGUE_ITEM_WRITE)
        return self.import_rows(exchange.read_rows_bounded(data, fmt))

    def import_rows(self, rows: list[dict[str, str]], *, demo: bool = False) -> ImportReport:
        """All or nothing: check every row, then write (``ImportRejected`` lists problems)."""
        self.require(Permission.CATALOGUE_ITEM_WRITE)
        problems: list[RowError] = []
        items = self._parse(rows, problems)
        self._check_prerequisites(items, problems)
        if problems:
            raise ImportRejected(problems)
        return self._write(items, demo=demo)

    def _parse(self, rows: list[dict[str, str]], problems: list[RowError]) -> dict[str, _ItemIn]:
        items: dict[str, _ItemIn] = {}
        parser = _RowParser(self, problems)
        for number, row in enumerate(rows, start=1):
            code = row.get("item_code", "").strip()
            if not code or len(code) > 40:  # noqa: PLR2004 - the column's length
                problems.append(
                    RowError(number, "item_code", "give an item code of 1 to 40 characters")
                )
                continue
            if code not in items:
                parsed = parser.item(number, code, row)
                if parsed is None:
                    continue
                items[code] = parsed
            if row.get("session_code", "").strip():
                session = parser.session(number, row, items[code].marking)
                if session is not None:
                    if any(s.code == session.code for s in items[code].sessions):
                        problems.append(
                            RowError(
                                number,
                                "session_code",
                                f"session {session.code!r} of {code} appears twice",
                            )
                        )
                    items[code].sessions.append(session)
        return items

    def _check_prerequisites(self, items: dict[str, _ItemIn], problems: list[RowError]) -> None:
        for item in items.values():
            for code in item.prerequisites:
                if code == item.code:
                    problems.append(
                        RowError(item.row, "prerequisites", "an item cannot require itself")
                    )
                elif code not in items and self.repo.item_by_code(code) is None:
                    problems.append(RowError(item.row, "prerequisites", f"unknown item {code!r}"))

    def _write(self, items: dict[str, _ItemIn], *, demo: bool) -> ImportReport:
        report = ImportReport()
        rows: dict[str, CatalogueItem] = {}
        for parsed in items.values():
            rows[parsed.code] = self._write_item(parsed, report, demo=demo)
        self.session.flush()  # ids for prerequisites and sessions
        for parsed in items.values():
            item = rows[parsed.code]
            self.session.execute(
                delete(CataloguePrerequisite).where(CataloguePrerequisite.item_id == item.id)
            )
            for code in dict.fromkeys(parsed.prerequisites):
                required = rows.get(code) or self.repo.item_by_code(code)
                if required is not None:
                    self.session.add(
                        CataloguePrerequisite(item_id=item.id, requires_id=required.id)
                    )
            self._write_sessions(item, parsed, report)
        self.session.flush()  # the rows must be in place for the check after write
        for item in rows.values():
            if self.repo.item(item.id) is None:
                raise InvalidInput("you cannot mark a record above what you may read yourself")
        return report

    def _write_item(self, parsed: _ItemIn, report: ImportReport, *, demo: bool) -> CatalogueItem:
        # an item of that code the importer may not read does not count: the row creates an
        # item, exactly as for a code that exists nowhere (hidden = absent, in writes too)
        existing = self.repo.item_by_code(parsed.code)
        marking_id = self.markings.intern(parsed.marking)
        values: dict[str, Any] = {
            "title": parsed.title,
            "area_code": parsed.area,
            "kind": parsed.kind,
            "provider": parsed.provider,
            "description": parsed.description,
            "marking_id": marking_id,
            "updated_by": self.principal.username,
        }
        if existing is None:
            item = CatalogueItem(
                code=parsed.code, demo=demo, created_by=self.principal.username, **values
            )
            self.session.add(item)
            self.session.flush()  # the id, for the audit
            report.items_created += 1
            before = None
        else:
            item = existing
            before = _snapshot(item, self.markings.get(item.marking_id))
            for key, value in values.items():
                setattr(item, key, value)
            report.items_updated += 1
        after = {**_snapshot(item, parsed.marking), "sessions": len(parsed.sessions)}
        record_write(
            self.session,
            self.principal,
            "catalogue:item:create" if before is None else "catalogue:item:update",
            item,
            before=before,
            after=after,
            object_type="catalogue_item",
        )
        return item

    def _write_sessions(self, item: CatalogueItem, parsed: _ItemIn, report: ImportReport) -> None:
        existing = {s.code: s for s in self.repo.sessions_of([item.id])}
        for s in parsed.sessions:
            marking_id = self.markings.intern(parsed.marking.cap(s.marking))
            values: dict[str, Any] = {**s.columns, "marking_id": marking_id}
            row = existing.get(s.code)
            if row is None:
                row = CatalogueSession(item_id=item.id, code=s.code, **values)
                self.session.add(row)
                self.session.flush()  # the id, for the eligibility rows
                report.sessions_created += 1
            else:
                for key, value in values.items():
                    setattr(row, key, value)
                self.session.execute(
                    delete(CatalogueEligibility).where(CatalogueEligibility.session_id == row.id)
                )
                report.sessions_updated += 1
            self.session.add_all(
                CatalogueEligibility(session_id=row.id, code=c) for c in dict.fromkeys(s.eligible)
            )


class _RowParser:
    """Reads one row's cells, appending a ``RowError`` per wrong field."""

    def __init__(self, service: CatalogueService, problems: list[RowError]) -> None:
        self.service = service
        self.problems = problems
        self.areas = service.area_names()
        self._codes: dict[str, str | None] = {}

    def _bad(self, row: int, field_name: str, message: str) -> None:
        self.problems.append(RowError(row, field_name, message))

    def _marking(self, row: int, field_name: str, text: str) -> Marking | None:
        if not text.strip():
            self._bad(row, field_name, "give a marking (imported rows are never left unmarked)")
            return None
        try:
            return self.service.marks.checked(text)
        except LiaisonError as exc:
            self._bad(row, field_name, exc.message)
            return None

    def item(self, row: int, code: str, cells: dict[str, str]) -> _ItemIn | None:
        before = len(self.problems)
        title = " ".join(cells.get("title", "").split())
        if not title or len(title) > 300:  # noqa: PLR2004
            self._bad(row, "title", "give a title of 1 to 300 characters")
        area = self.service._area_code(cells.get("area", "").strip()) if cells.get("area") else None  # noqa: SLF001
        if area is None:
            self._bad(row, "area", f"unknown cooperation area {cells.get('area', '')!r}")
        kind = _parse_enum(ItemKind, cells.get("kind", ""))
        if kind is None:
            self._bad(
                row,
                "kind",
                f"unknown kind {cells.get('kind', '')!r}; use one of {', '.join(ItemKind)}",
            )
        marking = self._marking(row, "item_marking", cells.get("item_marking", ""))
        if len(self.problems) > before or area is None or kind is None or marking is None:
            return None
        prerequisites = [p.strip() for p in cells.get("prerequisites", "").split(";") if p.strip()]
        return _ItemIn(
            row,
            code,
            title,
            area,
            kind,
            cells.get("provider", "")[:200],
            cells.get("description", ""),
            prerequisites,
            marking,
        )

    def _date(self, row: int, field_name: str, text: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(text.strip()[:10])
        except ValueError:
            self._bad(row, field_name, f"not a date: {text!r} (write YYYY-MM-DD)")
            return None

    def _int(self, row: int, field_name: str, text: str, default: int | None = None) -> int | None:
        if not text.strip() and default is not None:
            return default
        try:
            return int(text.strip())
        except ValueError:
            self._bad(row, field_name, f"not a whole number: {text!r}")
            return None

    def _code(self, text: str) -> str | None:
        if text not in self._codes:
            self._codes[text] = self.service.registry.release_code(text)
        return self._codes[text]

    def session(self, row: int, cells: dict[str, str], item_marking: Marking) -> _SessionIn | None:
        before = len(self.problems)
        code = cells["session_code"].strip()[:40]
        start = self._date(row, "start_on", cells.get("start_on", ""))
        end = self._date(row, "end_on", cells.get("end_on", ""))
        seats = self._int(row, "seats", cells.get("seats", ""))
        fee = self._int(row, "fee", cells.get("fee", ""), 0)
        if start and end and seats is not None and fee is not None:
            for problem in check_session_facts(start, end, seats, fee):
                name, _, message = problem.partition(": ")
                self._bad(row, name, message)
        mode = _parse_enum(DeliveryMode, cells.get("mode", "") or "resident")
        if mode is None:
            self._bad(
                row,
                "mode",
                f"unknown delivery mode {cells.get('mode')!r}; use resident, mobile or online",
            )
        region = (cells.get("region", "") or "europe").strip().lower()
        if region not in REGIONS:
            self._bad(row, "region", f"unknown region {region!r}; use one of {', '.join(REGIONS)}")
        host = cells.get("host_country", "").strip() or None
        if host is not None:
            try:
                host = self.service.registry.country(host).iso3
            except LiaisonError:
                self._bad(row, "host_country", f"unknown country {host!r}")
        eligible: list[str] = []
        for name in (p.strip() for p in cells.get("eligible", "").split(";")):
            if name:
                found = self._code(name)
                if found is None:
                    self._bad(row, "eligible", f"unknown nation or partner group {name!r}")
                else:
                    eligible.append(found)
        level_text = cells.get("min_level", "").strip()
        min_level = LEVELS.get(" ".join(level_text.split()).casefold()) if level_text else None
        if level_text and min_level is None:
            self._bad(row, "min_level", f"unknown level {level_text!r}")
        marking = self._marking(
            row, "session_marking", cells.get("session_marking", "") or short(item_marking)
        )
        language = (cells.get("language", "") or "en").strip().lower()[:8]
        if (
            len(self.problems) > before
            or start is None
            or end is None
            or seats is None
            or fee is None
            or mode is None
            or marking is None
        ):
            return None
        columns = {
            "start_on": start,
            "end_on": end,
            "location": cells.get("location", "")[:200],
            "host_country": host,
            "region": region,
            "mode": mode,
            "language": language,
            "seats": seats,
            "fee": fee,
            "min_level": min_level,
        }
        return _SessionIn(row, code, columns, eligible, marking)


def _parse_enum(cls: Any, text: str) -> Any:  # noqa: ANN401 - any StrEnum
    try:
        return cls(text.strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError:
        return None


def _enum(cls: Any, text: str | None, field_name: str) -> Any:  # noqa: ANN401 - any StrEnum
    if not text or not text.strip():
        return None
    found = _parse_enum(cls, text)
    if found is None:
        raise InvalidInput(
            f"unknown {field_name} {text!r}; use one of {', '.join(cls)}", field=field_name
        )
    return found


def _pairs(
    sessions: list[CatalogueSession], items: list[CatalogueItem]
) -> list[tuple[CatalogueSession, CatalogueItem]]:
    by_id = {i.id: i for i in items}
    return [(s, by_id[s.item_id]) for s in sessions if s.item_id in by_id]


def _snapshot(item: CatalogueItem, marking: Marking) -> dict[str, Any]:
    return {
        "id": item.id,
        "code": item.code,
        "title": item.title,
        "area": item.area_code,
        "kind": str(item.kind),
        "marking": short(marking),
    }


def _item_cells(v: ItemView) -> dict[str, str]:
    i = v.item
    return {
        "item_code": i.code,
        "title": i.title,
        "area": i.area_code,
        "kind": i.kind.value,
        "provider": i.provider,
        "description": i.description,
        "prerequisites": ";".join(v.prerequisites),
        "item_marking": v.short,
    }


def _session_cells(v: SessionView) -> dict[str, str]:
    s = v.session
    return {
        "session_code": s.code,
        "start_on": s.start_on.isoformat(),
        "end_on": s.end_on.isoformat(),
        "location": s.location,
        "host_country": s.host_country or "",
        "region": s.region,
        "mode": s.mode.value,
        "language": s.language,
        "seats": str(s.seats),
        "fee": str(s.fee),
        "eligible": ";".join(v.eligible),
        "min_level": s.min_level.value if s.min_level else "",
        "session_marking": v.short,
    }
