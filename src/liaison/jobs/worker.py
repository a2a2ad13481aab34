# SPDX-License-Identifier: Apache-2.0
"""Workers: claim a due job, hold it on a renewed lease while its handler runs, record the
outcome.

A claim is one short transaction: the first due job (queued or failed with ``run_after`` come,
or running with an expired lease), read ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so that
workers on any number of machines never wait for each other nor take the same job; SQLite
serialises claims by its write lock. The claim writes a new token: heartbeats, progress and the
outcome only touch the row while it still holds that token, so a worker that lost its lease
(stopped for longer than the lease, then woke up) cannot finish a job another worker took.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import threading
import traceback
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import OperationalError

from liaison.db.session import SessionFactory, unit_of_work
from liaison.jobs.models import DUE_STATES, Job, JobState
from liaison.jobs.queue import JobContext, Payload, handler_for, known_kinds, wakeup
from liaison.kit.clock import utcnow
from liaison.kit.context import request_id

log = logging.getLogger(__name__)

ERROR_LENGTH = 4000
MAX_BACKOFF_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    kind: str
    payload: Payload
    attempt: int
    max_attempts: int
    claim: str
    created_by: str
    created_by_user_id: int | None


def backoff(attempt: int, base: float) -> float:
    """Seconds before retrying after failed attempt number ``attempt`` (1, 2, ...)."""
    return float(min(base * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS))


class Worker:
    """Runs due jobs one at a time; several workers (threads or processes) may share a queue."""

    def __init__(
        self,
        factory: SessionFactory,
        *,
        name: str | None = None,
        lease_seconds: float = 60.0,
        poll_seconds: float = 1.0,
        retry_base_seconds: float = 2.0,
    ) -> None:
        self.factory = factory
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease = dt.timedelta(seconds=lease_seconds)
        self.poll_seconds = poll_seconds
        self.retry_base_seconds = retry_base_seconds

    def claim(self) -> Claimed | None:
        """Take the first due job this process has a handler for, or None."""
        kinds = known_kinds()
        if not kinds:
            return None
        with unit_of_work(self.factory) as session:
            while True:
                now = utcnow()
                due = or_(
                    and_(Job.state.in_(DUE_STATES), Job.run_after <= now),
                    and_(Job.state == JobState.RUNNING, Job.lease_until < now),
                )
                row = session.execute(
                    select(Job.id, Job.state, Job.attempts, Job.max_attempts)
                    .where(due, Job.kind.in_(sorted(kinds)))
                    .order_by(Job.run_after, Job.id)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                ).first()
                if row is None:
                    return None
                if row.state == JobState.RUNNING and row.attempts >= row.max_attempts:
                    # Its last attempt's worker is gone: nothing retries it any more.
                    session.execute(
                        update(Job)
                        .where(Job.id == row.id)
                        .values(
                            state=JobState.DEAD,
                            claim=None,
                            lease_until=None,
                            finished_at=now,
                            error="the worker of its last attempt stopped (lease expired)",
                        )
                    )
                    continue
                token = uuid.uuid4().hex
                session.execute(
                    update(Job)
                    .where(Job.id == row.id)
                    .values(
                        state=JobState.RUNNING,
                        attempts=Job.attempts + 1,
                        claim=token,
                        lease_until=now + self.lease,
                        worker=self.name[:120],
                        started_at=now,
                    )
                )
                job = (
                    session.execute(
                        select(
                            Job.kind,
                            Job.payload,
                            Job.attempts.label("attempt"),
                            Job.created_by,
                            Job.created_by_user_id,
                        ).where(Job.id == row.id)
                    )
                    .mappings()
                    .one()
                )
                return Claimed(id=row.id, max_attempts=row.max_attempts, claim=token, **job)

    def run_once(self) -> bool:
        """Claim one due job and run it; False when there was none."""
        claimed = self.claim()
        if claimed is None:
            return False
        self.run(claimed)
        return True

    def run(self, claimed: Claimed) -> None:
        handler = handler_for(claimed.kind)
        if handler is None:  # claim only takes kinds with a handler; defensive
            self._failed(claimed, f"no handler for the job kind {claimed.kind!r}")
            return
        request_id.set(f"job-{claimed.id}-{claimed.attempt}")
        context = JobContext(
            self.factory,
            job_id=claimed.id,
            kind=claimed.kind,
            attempt=claimed.attempt,
            claim=claimed.claim,
            created_by=claimed.created_by,
            created_by_user_id=claimed.created_by_user_id,
        )
        stop = threading.Event()
        beat = threading.Thread(
            target=self._heartbeat, args=(claimed, stop), name=f"job-{claimed.id}-lease"
        )
        beat.daemon = True
        beat.start()
        try:
            result = handler(context, dict(claimed.payload))
            if result is not None:
                json.dumps(result)  # a result that cannot be stored fails the attempt
        except Exception as exc:  # any handler failure is retried, then the job is dead
            log.warning("job %s (%s) failed", claimed.id, claimed.kind, exc_info=True)
            text = "".join(traceback.format_exception_only(exc)).strip()
            self._failed(claimed, text)
        else:
            self._done(claimed, result)
        finally:
            stop.set()
            beat.join()

    def _heartbeat(self, claimed: Claimed, stop: threading.Event) -> None:
        every = max(self.lease.total_seconds() / 3, 0.05)
        while not stop.wait(every):
            try:
                with unit_of_work(self.factory) as session:
                    session.execute(
                        update(Job)
                        .where(Job.id == claimed.id, Job.claim == claimed.claim)
                        .values(lease_until=utcnow() + self.lease)
                    )
            except OperationalError:  # the next beat tries again; the lease has slack
                log.warning("job %s: lease not renewed", claimed.id, exc_info=True)

    def _done(self, claimed: Claimed, result: Payload | None) -> None:
        self._finish(
            claimed,
            state=JobState.DONE,
            result=result,
            error=None,
            finished_at=utcnow(),
        )

    def _failed(self, claimed: Claimed, error: str) -> None:
        now = utcnow()
        if claimed.attempt >= claimed.max_attempts:
            self._finish(claimed, state=JobState.DEAD, error=error[:ERROR_LENGTH], finished_at=now)
            return
        delay = dt.timedelta(seconds=backoff(claimed.attempt, self.retry_base_seconds))
        self._finish(
            claimed, state=JobState.FAILED, error=error[:ERROR_LENGTH], run_after=now + delay
        )

    def _finish(self, claimed: Claimed, **values: Any) -> None:  # noqa: ANN401
        with unit_of_work(self.factory) as session:
            changed = session.execute(
                update(Job)
                .where(
                    Job.id == claimed.id,
                    Job.claim == claimed.claim,
                    Job.state == JobState.RUNNING,
                )
                .values(claim=None, lease_until=None, **values)
            ).rowcount  # type: ignore[attr-defined]
        if not changed:
            log.warning(
                "job %s: lease lost before the end of attempt %s", claimed.id, claimed.attempt
            )

    def loop(self, stop: threading.Event) -> None:
        """Run due jobs until ``stop`` is set; between them wait for work (or the poll)."""
        while not stop.is_set():
            try:
                ran = self.run_once()
            except Exception:  # a database hiccup must not end the worker; it polls again
                log.exception("job worker %s: claim failed", self.name)
                ran = False
            if not ran:
                wakeup.wait(self.poll_seconds)
                wakeup.clear()


class WorkerThread:
    """A worker in a daemon thread of this process (``liaison serve`` on SQLite)."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self._stop = threading.Event()
        self._thread = threading.Thread(target=worker.loop, args=(self._stop,), name="jobs")
        self._thread.daemon = True

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the worker to stop after its current job; wait ``timeout`` at most (a job still
        running then is taken again by a worker when its lease expires)."""
        self._stop.set()
        wakeup.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
