# SPDX-License-Identifier: Apache-2.0
"""The one job queue (DESIGN: Background work): everything long runs here, never in a request.

    @job_handler("planner.run")
    def run_plan(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any] | None: ...

    job_id = enqueue(session, "planner.run", {"plan_id": 3})   # in the caller's transaction
    view = get_job(session, job_id)

Workers (``liaison worker``, or the thread ``liaison serve`` runs on SQLite) claim due jobs
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL), hold them on a lease they renew while the handler
runs, and record the outcome: done with its result, or retried with exponential backoff, or
'dead' after ``max_attempts``. A job whose worker died (kill -9) is claimed again when its lease
expires; only the claim that holds the job's token can finish it, so a job is finished once.
Handlers must be idempotent: a job may start more than once (a retry, a lost worker).
"""

from __future__ import annotations

from liaison.jobs.models import Job, JobState
from liaison.jobs.queue import (
    JobContext,
    JobView,
    enqueue,
    get_job,
    handler_for,
    job_handler,
    list_jobs,
)
from liaison.jobs.worker import Worker, WorkerThread

__all__ = [
    "Job",
    "JobContext",
    "JobState",
    "JobView",
    "Worker",
    "WorkerThread",
    "enqueue",
    "get_job",
    "handler_for",
    "job_handler",
    "list_jobs",
]
