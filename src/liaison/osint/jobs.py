# SPDX-License-Identifier: Apache-2.0
"""The OSINT job bodies: ``osint.analyse`` (extraction, copies, stories, contradictions,
DISARM suggestions for the articles not yet analysed) and ``osint.poll`` (fetch the feeds and
pages that are due, store new articles, then analyse).

Both are registered on the one job queue (``liaison.jobs``) as ``osint.poll`` and
``osint.analyse`` (wired by ``liaison.wiring``): ``liaison worker`` runs them on PostgreSQL,
``liaison serve`` in process on SQLite. A queued poll runs as SYSTEM (the schedule's own
work) and enqueues the next one at the time the first source falls due again, so polling
goes on by itself once started (``liaison osint poll --queue`` or ``POST
/api/v1/osint/poll``). ``liaison osint poll`` without ``--queue`` and ``import`` run the same
bodies in the command's process with ``DirectContext`` (a Rich progress bar).

Invariants: fetching, parsing and NLP run outside every transaction; each source's poll is
stored in its own short transaction, so a bad feed (not XML, too large, a redirect loop)
records its error on that source and the others go on; the spaCy pipeline and the DISARM
index are loaded once per process.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.db.session import SessionFactory, unit_of_work
from liaison.errors import LiaisonError
from liaison.jobs import JobContext, enqueue, job_handler
from liaison.kit.clock import utcnow
from liaison.osint import embed, extract, ingest, stories
from liaison.osint.errors import DuplicateArticle, FetchFailed
from liaison.osint.models import SourceKind
from liaison.osint.service import Analysed, OsintService
from liaison.security.principal import SYSTEM, Principal

BATCH = 200  # articles analysed per round
POLL_BUDGET = 600.0  # seconds one poll may spend fetching; what is left waits for the next


class Context(Protocol):
    def progress(self, done: int, total: int | None = None, note: str | None = None) -> None: ...
    def session(self) -> AbstractContextManager[Session]: ...


@dataclass
class DirectContext:
    """Runs a job body in this process (the CLI), reporting progress to a callback."""

    factory: SessionFactory
    report: Callable[[int, int, str], None] = lambda _d, _t, _n: None

    def progress(self, done: int, total: int | None = None, note: str | None = None) -> None:
        self.report(done, total or 0, note or "")

    @contextmanager
    def session(self) -> Iterator[Session]:
        with unit_of_work(self.factory) as session:
            yield session


def analyse(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    """Analyse every article not analysed yet, in rounds of ``BATCH``."""
    principal: Principal = payload.get("principal", SYSTEM)
    done = 0
    stories_touched: set[int] = set()
    while True:
        with ctx.session() as session:
            service = OsintService(session, principal)
            pending = [
                (a.id, a.title, a.text, a.published_on, a.published_granularity)
                for a in service.pending(BATCH)
            ]
            if not pending:
                break
            total = done + len(pending)
            names, frameworks = service.ruler_terms()
            oldest = min((p[3] for p in pending if p[3]), default=None)
            since = oldest - dt.timedelta(days=stories.WINDOW_DAYS) if oldest else None
            earlier = service.grouped_since(since)
            entity_names = service.entity_names([a.id for a in earlier])
            history = [
                (
                    stories.Item(
                        a.id,
                        a.text,
                        a.title,
                        frozenset(entity_names.get(a.id, set())),
                        a.published_on,
                        embed.from_bytes(a.embedding),
                    ),
                    a.copy_of_id or a.story_id,
                    a.story_id,
                )
                for a in earlier
            ]
            first_of_story: dict[int, int] = {}
            for a in earlier:
                if a.story_id is not None:
                    first_of_story.setdefault(a.story_id, a.id)
        # outside any transaction: NLP and grouping
        extractor = extract.Extractor(
            extract.Terms(extract.registry_patterns(names, frameworks), lambda _n: None)
        )
        items = [
            (text, _interval(published, granularity))
            for _i, _t, text, published, granularity in pending
        ]
        ctx.progress(done, total, f"extracting {len(pending)} articles")
        found = extractor.extract_many(items)
        grouper = stories.Grouper()
        ctx.progress(done, total, f"grouping {len(pending)} articles")
        earlier_items = grouper.embed_items([item for item, _copy, _story in history])
        for item, (_item, _copy, story_id) in zip(earlier_items, history, strict=True):
            grouper.add(item, story=first_of_story.get(story_id or 0, item.key))
        fresh = grouper.embed_items(
            [
                stories.Item(
                    ident,
                    text,
                    title,
                    frozenset(
                        m.name
                        for m in extraction.entities
                        if m.kind in {"PERSON", "ORG", "GPE", "FRAMEWORK"}
                    ),
                    published,
                )
                for (ident, title, text, published, _g), extraction in zip(
                    pending, found, strict=True
                )
            ]
        )
        results = []
        for item, extraction in zip(fresh, found, strict=True):
            decision = grouper.add(item)
            results.append(
                Analysed(
                    item.key,
                    extraction,
                    decision.story,
                    decision.reason,
                    decision.copy_of,
                    decision.copy_reason,
                    embed.to_bytes(item.vector),
                )
            )
        missing = {
            item.key: vector
            for item, (stored, _c, _s) in zip(earlier_items, history, strict=True)
            if stored.vector is None and (vector := embed.to_bytes(item.vector)) is not None
        }
        with ctx.session() as session:
            stories_touched |= OsintService(session, principal).store_analysis(results, missing)
        done += len(pending)
        ctx.progress(done, total, f"{done} articles analysed")
    return {"analysed": done, "stories": sorted(stories_touched)}


def _interval(day: dt.date | None, granularity: Any) -> Any:  # noqa: ANN401
    from liaison.osint import dates  # noqa: PLC0415

    if day is None or granularity is None:
        return None
    if granularity.value == "month":
        return dates.month_interval(day.year, day.month)
    if granularity.value == "year":
        return dates.year_interval(day.year)
    return dates.Interval(day, day, dates.DAY)


def poll(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    """Poll the sources that are due (or those named in ``source_ids``), then analyse.
    ``min_interval``: seconds between two requests to one host (default ``ingest.RATE``)."""
    ingest.allow_private(Settings().osint_private_hosts.split(","))
    until = time.monotonic() + POLL_BUDGET
    wanted = payload.get("source_ids")
    interval = payload.get("min_interval")
    rate = ingest.HostRate(float(interval)) if interval is not None else ingest.RATE
    with ctx.session() as session:
        service = OsintService(session, SYSTEM)
        sources = [service.source(i) for i in wanted] if wanted else service.due_sources(utcnow())
        plan = [
            (s.id, s.kind, s.url or "", s.outlet, s.etag, s.last_modified)
            for s in sources
            if s.kind is not SourceKind.FILES
        ]
    stored = errors = 0
    for index, (source_id, kind, url, outlet, etag, modified) in enumerate(plan):
        ctx.progress(index, len(plan), f"polling {url}")
        try:
            if time.monotonic() > until:
                raise FetchFailed(f"{url}: not polled, the poll's {POLL_BUDGET:.0f} s were spent")
            fetched = ingest.fetch(url, etag=etag, last_modified=modified, rate=rate, until=until)
            parsed, problems = _articles(fetched, kind, outlet, rate, until)
            error = "; ".join(problems[:3]) or None
        except LiaisonError as exc:
            fetched, parsed, error = None, [], exc.message
        with ctx.session() as session:
            service = OsintService(session, SYSTEM)
            source = service.source(source_id)
            for item in parsed:
                try:
                    with session.begin_nested():
                        service.store(item, source)
                    stored += 1
                except DuplicateArticle:
                    continue
            if error:
                errors += 1
            service.polled(
                source_id,
                error=error,
                etag=fetched.etag if fetched else None,
                last_modified=fetched.last_modified if fetched else None,
            )
    ctx.progress(len(plan), len(plan), "polled")
    result = analyse(ctx, {})
    return {"sources": len(plan), "stored": stored, "errors": errors, **result}


def _articles(
    fetched: ingest.Fetched,
    kind: SourceKind,
    outlet: str,
    rate: ingest.HostRate,
    until: float,
) -> tuple[list[ingest.Parsed], list[str]]:
    if fetched.status == 304:  # noqa: PLR2004 - not modified
        return [], []
    if kind is SourceKind.PAGE:
        parsed = ingest.parse_html(
            ingest.decode(fetched.body, fetched.url), fetched.url, fetched.url
        )
        parsed.outlet = parsed.outlet or outlet
        return [parsed], []
    out, problems = [], []
    for entry in ingest.parse_feed(fetched.body, fetched.url)[:200]:
        try:
            item = ingest.entry_article(entry, outlet)
            if item is None and entry.get("link"):
                page = ingest.fetch(entry["link"], rate=rate, until=until)
                item = ingest.parse_html(ingest.decode(page.body, page.url), page.url, page.url)
                item.outlet = outlet
            if item is not None:
                out.append(item)
        except LiaisonError as exc:
            problems.append(exc.message)
    return out, problems


def install() -> None:
    """The job handlers register at import (``job_handler``): ``liaison.wiring`` imports this
    module; nothing else to do."""


POLL = "osint.poll"
ANALYSE = "osint.analyse"


def schedule_poll(
    session: Session,
    principal: Principal = SYSTEM,
    at: dt.datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    """Enqueue a poll (now, or at ``at``; ``payload``: ``source_ids``, ``min_interval``); one
    scheduled poll per due time."""
    key = f"{POLL}@{at.isoformat()}" if at else None
    return enqueue(session, POLL, payload or {}, run_after=at, dedupe_key=key, principal=principal)


@job_handler(POLL)
def poll_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """The queued poll: poll what is due, then schedule the next poll."""
    allowed = {k: payload[k] for k in ("source_ids", "min_interval") if payload.get(k) is not None}
    result = poll(ctx, allowed)
    with ctx.session() as session:
        service = OsintService(session, SYSTEM)
        times = [
            (s.last_polled_at or utcnow()) + dt.timedelta(minutes=s.poll_minutes)
            for s in service.sources()
            if s.kind is not SourceKind.FILES
        ]
        if times:
            result["next_poll_job"] = schedule_poll(session, SYSTEM, max(min(times), utcnow()))
    return result


@job_handler(ANALYSE)
def analyse_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:  # noqa: ARG001
    """The queued analysis of every article not analysed yet."""
    return analyse(ctx, {})
