# SPDX-License-Identifier: Apache-2.0
"""What the API shows of a job (never its payload)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from liaison.jobs.models import JobState
from liaison.jobs.queue import JobView


class JobRead(BaseModel):
    id: int
    kind: str
    state: JobState
    attempts: int
    max_attempts: int
    progress_done: int | None
    progress_total: int | None
    note: str | None
    result: dict[str, Any] | None
    error: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    run_after: dt.datetime

    @classmethod
    def of(cls, view: JobView) -> JobRead:
        return cls(
            id=view.id,
            kind=view.kind,
            state=view.state,
            attempts=view.attempts,
            max_attempts=view.max_attempts,
            progress_done=view.progress_done,
            progress_total=view.progress_total,
            note=view.note,
            result=view.result,
            error=view.error,
            created_at=view.created_at,
            started_at=view.started_at,
            finished_at=view.finished_at,
            run_after=view.run_after,
        )
