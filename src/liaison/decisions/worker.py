# SPDX-License-Identifier: Apache-2.0
"""Deadlines take effect on time without anyone opening a page.

``tick`` settles every due outcome in one unit of work (as the console), then — after that
commits — publishes ``events.Tick`` in a unit of work of its own (features whose records change
with the calendar alone subscribe: a programme entering into force when its period starts),
then e-mails pending notifications when SMTP is configured. It is idempotent: a second
tick, or a tick racing a request, settles nothing twice (``settlement.settle_due``).

``DeadlineWorker`` runs ``tick`` every ``LIAISON_DECISIONS_TICK_SECONDS`` inside the app's
lifespan (``liaison serve``), in a thread so the event loop never waits on the database; it
looks at deadlines that came (writes settle what they touch themselves) and, every 20th tick,
recomputes every pending outcome (a subject's handler that failed is retried);
``liaison decisions tick`` runs it once, for a cron timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.db.session import SessionFactory, unit_of_work
from liaison.decisions import notify, settlement
from liaison.decisions.models import NotificationKind, Proposal
from liaison.events import Tick, publish
from liaison.kit import clock
from liaison.kit.context import request_id

log = logging.getLogger(__name__)
FULL_EVERY = 20  # every 20th tick recomputes every pending outcome, not only due deadlines


@dataclass(frozen=True, slots=True)
class TickReport:
    settled: list[tuple[str, str]]  # (reference, outcome)
    emailed: int
    done: list[str] = field(default_factory=list)  # what other features did on the tick


def tick(
    factory: SessionFactory,
    settings: Settings,
    now: dt.datetime | None = None,
    *,
    due_only: bool = False,
) -> TickReport:
    """Settle what is due at ``now`` (default: the clock), then send pending e-mail. A full
    tick recomputes every pending outcome; ``due_only`` looks only at deadlines that came."""
    when = now or clock.utcnow()
    request_id.set(f"tick-{uuid.uuid4().hex[:16]}")

    def tell(session: Session, proposal: Proposal) -> None:
        notify.notify(session, proposal, NotificationKind.DECIDED, when)

    with unit_of_work(factory) as session:
        done = settlement.settle_due(session, when, tell, due_only=due_only)
        settled = [(p.reference, p.outcome.value) for p in done]
    with unit_of_work(factory) as session:
        event = Tick(occurred_on=when.date())
        publish(session, event)  # date-driven effects of other features (programmes)
        effects = list(event.done)
    with unit_of_work(factory) as session:
        emailed = notify.send_pending(session, settings, when)
    return TickReport(settled, emailed, effects)


class DeadlineWorker:
    """``tick`` every ``interval`` seconds until stopped (errors are logged, never fatal)."""

    def __init__(self, factory: SessionFactory, settings: Settings) -> None:
        self.factory = factory
        self.settings = settings
        self.interval = settings.decisions_tick_seconds
        self._task: asyncio.Task[None] | None = None
        self.ticks = 0

    def start(self) -> None:
        if self.interval > 0 and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="decisions")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                full = self.ticks % FULL_EVERY == 0  # now and then, recompute everything
                report = await asyncio.to_thread(
                    tick, self.factory, self.settings, due_only=not full
                )
                self.ticks += 1
                for reference, outcome in report.settled:
                    log.info("decision %s %s", reference, outcome)
                for line in report.done:
                    log.info("tick: %s", line)
            except Exception:  # a bad tick must not stop the worker; the next one retries
                log.exception("decisions tick failed")
            await asyncio.sleep(self.interval)
