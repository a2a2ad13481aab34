# SPDX-License-Identifier: Apache-2.0
"""Counting rows, to prove a refused request wrote nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from liaison.audit.models import AuditEvent
from liaison.db.session import session_factory, unit_of_work
from liaison.programmes import models

TABLES = [
    models.Programme,
    models.StrategicObjective,
    models.PartnershipGoal,
    models.ProgrammeActivity,
    models.ProgrammeSection,
    models.Revision,
    models.Comment,
    AuditEvent,
]


def count_rows(engine, model=None, **where):
    with unit_of_work(session_factory(engine)) as session:
        if model is not None:
            stmt = select(func.count()).select_from(model).filter_by(**where)
            return session.scalar(stmt)
        return {
            m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in TABLES
        }


BASE = "/api/v1/programmes"
HTML = {"accept": "text/html"}
