# SPDX-License-Identifier: Apache-2.0
"""``GET /api/v1/jobs/{id}``: a job's state and progress, for its creator or an administrator
(``jobs:job:manage``); anybody else gets the 404 of a job that does not exist."""

from __future__ import annotations

from fastapi import APIRouter

from liaison.errors import NotFound
from liaison.jobs.queue import get_job
from liaison.jobs.schemas import JobRead
from liaison.security.permissions import Permission
from liaison.web.deps import AuthenticatedPrincipal, DbSession, RowId

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])


@router.get("/{job_id}", summary="A job you started: its state, progress and result")
def read_job(job_id: RowId, session: DbSession, principal: AuthenticatedPrincipal) -> JobRead:
    view = get_job(session, job_id)
    if view is None or not view.visible_to(
        principal, admin=principal.can(Permission.JOBS_JOB_MANAGE)
    ):
        raise NotFound(f"no job {job_id}")
    return JobRead.of(view)
