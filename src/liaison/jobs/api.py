# SPDX-License-Identifier: Apache-2.0
"""``GET /api/v1/jobs/{id}``: a job's state and progress, for its creator or an administrator
(``jobs:job:manage``); anybody else gets the 404 of a job that does not exist."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from liaison.jobs.schemas import JobRead
from liaison.jobs.service import JobService
from liaison.web.deps import RowId, authenticated, serves

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])
Jobs = Annotated[JobService, Depends(serves(JobService, authenticated))]


@router.get("/{job_id}", summary="A job you started: its state, progress and result")
def read_job(job_id: RowId, service: Jobs) -> JobRead:
    return JobRead.of(service.job(job_id))
