# SPDX-License-Identifier: Apache-2.0
"""A job as one reader sees it: its creator, or an administrator (``jobs:job:manage``);
anybody else gets the 404 of a job that does not exist."""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.errors import NotFound
from liaison.jobs.queue import JobView, get_job
from liaison.security.permissions import Permission
from liaison.security.principal import Principal


class JobService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def job(self, job_id: int) -> JobView:
        view = get_job(self.session, job_id)
        admin = self.principal.can(Permission.JOBS_JOB_MANAGE)
        if view is None or not view.visible_to(self.principal, admin=admin):
            raise NotFound(f"no job {job_id}")
        return view
