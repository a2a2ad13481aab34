# SPDX-License-Identifier: Apache-2.0
"""The job table (migration 0016). One row per job; a worker's claim is the row's ``claim``
token and its ``lease_until``, renewed while the handler runs."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.base import Base, UTCDateTime, partial_index, str_enum
from liaison.kit.clock import utcnow


class JobState(enum.StrEnum):
    QUEUED = "queued"  # waiting for a worker (``run_after`` says from when)
    RUNNING = "running"  # claimed by a worker holding a lease
    FAILED = "failed"  # an attempt failed; retried at ``run_after`` (backoff)
    DONE = "done"  # finished, ``result`` holds what the handler returned
    DEAD = "dead"  # failed ``max_attempts`` times; never retried


DUE_STATES = (JobState.QUEUED, JobState.FAILED)
ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING, JobState.FAILED)


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (
        # What a claim reads: due jobs by ``run_after``; running ones by their lease.
        Index("ix_job_state_run_after", "state", "run_after"),
        # A dedupe key names at most one job that is not finished.
        partial_index(
            "uq_job_dedupe_key_active",
            "dedupe_key",
            unique=True,
            where="state IN ('queued', 'running', 'failed')",
        ),
        Index("ix_job_created_by_user_id", "created_by_user_id"),
        {"sqlite_autoincrement": True},  # a job id is never given to another job
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(80))
    state: Mapped[JobState] = mapped_column(str_enum(JobState, "job_state"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_after: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claim: Mapped[str | None] = mapped_column(String(40), nullable=True)
    worker: Mapped[str | None] = mapped_column(String(120), nullable=True)
    progress_done: Mapped[int | None] = mapped_column(Integer, nullable=True)
    progress_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
