# SPDX-License-Identifier: Apache-2.0
"""Handlers, ``enqueue`` (in the caller's transaction) and what a job looks like to readers."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeAlias

from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from liaison.db.session import SessionFactory, unit_of_work
from liaison.errors import InvalidInput
from liaison.jobs.models import ACTIVE_STATES, Job, JobState
from liaison.jobs.schemas import JobRead
from liaison.kit.clock import utcnow
from liaison.security.principal import SYSTEM, Principal

log = logging.getLogger(__name__)

Payload: TypeAlias = dict[str, Any]
Handler: TypeAlias = Callable[["JobContext", Payload], Payload | None]

_HANDLERS: dict[str, Handler] = {}
NOTE_LENGTH = 200
DEFAULT_MAX_ATTEMPTS = 5

# Set after a transaction that enqueued a job commits: a worker of this process waiting for
# work looks at once instead of at its next poll.
wakeup = threading.Event()


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of jobs of ``kind`` (at import)."""

    def register(handler: Handler) -> Handler:
        known = _HANDLERS.get(kind)
        if known is not None and known is not handler and _name(known) != _name(handler):
            msg = f"two handlers for the job kind {kind!r}: {_name(known)}, {_name(handler)}"
            raise RuntimeError(msg)
        _HANDLERS[kind] = handler
        return handler

    return register


def _name(handler: Handler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def handler_for(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)


def known_kinds() -> frozenset[str]:
    return frozenset(_HANDLERS)


class JobView(JobRead):
    """A job as the queue reads it: what the API shows, and who created it."""

    created_by: str
    created_by_user_id: int | None

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.DEAD)

    def visible_to(self, principal: Principal, *, admin: bool) -> bool:
        """Only the job's creator (or an administrator) sees a job."""
        if admin:
            return True
        return principal.user_id is not None and principal.user_id == self.created_by_user_id


def _view(job: Job) -> JobView:
    return JobView.model_validate(job)


def enqueue(
    session: Session,
    kind: str,
    payload: Payload,
    run_after: dt.datetime | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    dedupe_key: str | None = None,
    *,
    principal: Principal = SYSTEM,
) -> int:
    """Add a job in the caller's transaction (it runs once that commits) and return its id.
    With ``dedupe_key``, a job with that key that is not finished is returned instead of a
    new one. ``principal`` is the job's creator: only it (or an admin) may see the job."""
    if handler_for(kind) is None:
        msg = f"no handler for the job kind {kind!r}"
        raise ValueError(msg)
    if max_attempts < 1:
        raise InvalidInput("a job needs at least one attempt", field="max_attempts")
    try:
        json.dumps(payload)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"a job's payload must be JSON: {exc}", field="payload") from exc
    if run_after is not None and run_after.tzinfo is None:
        msg = "run_after must be timezone-aware (UTC)"
        raise ValueError(msg)
    if dedupe_key is not None:
        found = _active_with_key(session, dedupe_key)
        if found is not None:
            return found
    now = utcnow()
    job = Job(
        kind=kind,
        state=JobState.QUEUED,
        payload=payload,
        attempts=0,
        max_attempts=max_attempts,
        run_after=run_after or now,
        dedupe_key=dedupe_key,
        created_by=principal.username,
        created_by_user_id=principal.user_id,
        created_at=now,
    )
    if dedupe_key is None:
        session.add(job)
        session.flush()
    else:
        try:
            with session.begin_nested():  # another transaction may add the same key first
                session.add(job)
                session.flush()
        except IntegrityError:
            found = _active_with_key(session, dedupe_key)
            if found is None:
                raise
            return found
    if not session.info.get("liaison_jobs_wake"):
        session.info["liaison_jobs_wake"] = True
        event.listen(session, "after_commit", _wake, once=True)
    return job.id


def _wake(session: Session) -> None:
    session.info.pop("liaison_jobs_wake", None)
    wakeup.set()


def _active_with_key(session: Session, key: str) -> int | None:
    return session.scalar(
        select(Job.id).where(Job.dedupe_key == key, Job.state.in_(ACTIVE_STATES)).limit(1)
    )


def get_job(session: Session, job_id: int) -> JobView | None:
    job = session.get(Job, job_id, populate_existing=True)
    return None if job is None else _view(job)


def list_jobs(
    session: Session,
    *,
    state: JobState | None = None,
    kind: str | None = None,
    created_by_user_id: int | None = None,
    limit: int = 50,
) -> list[JobView]:
    """The newest jobs first, narrowed by state, kind and creator."""
    stmt = select(Job).order_by(Job.id.desc()).limit(limit)
    if state is not None:
        stmt = stmt.where(Job.state == state)
    if kind is not None:
        stmt = stmt.where(Job.kind == kind)
    if created_by_user_id is not None:
        stmt = stmt.where(Job.created_by_user_id == created_by_user_id)
    return [_view(job) for job in session.scalars(stmt)]


class JobContext:
    """What a handler gets besides its payload: who asked, which attempt this is, a way to
    report progress (committed at once, on its own short transaction) and fresh sessions."""

    def __init__(
        self,
        factory: SessionFactory,
        *,
        job_id: int,
        kind: str,
        attempt: int,
        claim: str,
        created_by: str,
        created_by_user_id: int | None,
    ) -> None:
        self.factory = factory
        self.job_id = job_id
        self.kind = kind
        self.attempt = attempt
        self.created_by = created_by
        self.created_by_user_id = created_by_user_id
        self._claim = claim

    def progress(self, done: int, total: int | None = None, note: str | None = None) -> None:
        """Record how far the job got. Best effort: a failure to record it (a database busy
        for longer than its timeout) is logged and does not fail the job. On SQLite, call it
        outside ``session()`` blocks: the block holds the write lock this needs."""
        values: dict[str, Any] = {"progress_done": done, "progress_total": total}
        if note is not None:
            values["note"] = note[:NOTE_LENGTH]
        try:
            with unit_of_work(self.factory) as session:
                session.execute(
                    update(Job)
                    .where(Job.id == self.job_id, Job.claim == self._claim)
                    .values(**values)
                )
        except OperationalError:
            log.warning("job %s: progress not recorded", self.job_id, exc_info=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A fresh unit of work: commits when the block ends, rolls back if it raises."""
        with unit_of_work(self.factory) as session:
            yield session
