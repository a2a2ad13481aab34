# SPDX-License-Identifier: Apache-2.0
"""What the API shows of a job (never its payload, nor who created it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from liaison.jobs.models import JobState


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

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
    def of(cls, view: JobRead) -> JobRead:
        """Only the fields shown (``view`` may be a ``queue.JobView``, which knows more)."""
        return cls(**view.model_dump(include=set(cls.model_fields)))
