# SPDX-License-Identifier: Apache-2.0
"""Programmes as the API shows them (model -> schema), for the API, the pages and the CLI.

A schema's fields are the row's columns of the same names, plus what the row does not hold
(the portion mark, names looked up): ``_from_row`` copies the one and takes the other."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from liaison.kit import clock
from liaison.programmes import models, rules
from liaison.programmes import redline as words
from liaison.programmes.schemas import (
    ActivityRead,
    CommentRead,
    CompareRead,
    DashboardRead,
    GoalRead,
    ObjectiveRead,
    ProgrammeDetail,
    ProgrammeRead,
    RedlinePiece,
    RedlineRead,
    RevisionRead,
    SectionRead,
)
from liaison.programmes.shown import Comparison, Dashboard, Dossier, ProgrammeView, Redline, Shown

R = TypeVar("R", bound=BaseModel)


def _from_row(schema: type[R], row: object, **extra: object) -> R:
    """``schema`` with the row's attributes of its field names, ``extra`` for the others."""
    values: dict[str, Any] = {n: getattr(row, n) for n in schema.model_fields if n not in extra}
    return schema.model_validate(values | extra)


def _shown(schema: type[R], s: Shown[Any], **extra: object) -> R:
    return _from_row(schema, s.row, marking=s.short, **extra)


def programme_read(v: ProgrammeView) -> ProgrammeRead:
    return _from_row(
        ProgrammeRead,
        v.programme,
        partner=v.programme.partner_iso3,
        partner_name=v.partner_name,
        supersedes=v.supersedes,
        marking=v.short,
        banner=v.banner,
    )


def objective_read(s: Shown[models.StrategicObjective]) -> ObjectiveRead:
    return _shown(ObjectiveRead, s)


def goal_read(s: Shown[models.PartnershipGoal], areas: dict[str, str]) -> GoalRead:
    r = s.row
    return _shown(
        GoalRead,
        s,
        area=r.area_code,
        area_name=areas.get(r.area_code, r.area_code),
        overdue=rules.overdue(r.due_on, r.status, clock.today()),
    )


def activity_read(s: Shown[models.ProgrammeActivity]) -> ActivityRead:
    return _shown(ActivityRead, s)


def section_read(s: Shown[models.ProgrammeSection]) -> SectionRead:
    return _shown(SectionRead, s)


def revision_read(s: Shown[models.Revision]) -> RevisionRead:
    return _shown(RevisionRead, s)


def comment_read(s: Shown[models.Comment]) -> CommentRead:
    return _shown(CommentRead, s)


def redline_read(r: Redline) -> RedlineRead:
    return RedlineRead(
        subject=r.subject,
        subject_id=r.subject_id,
        from_version=revision_read(r.old),
        to_version=revision_read(r.new),
        title=[RedlinePiece(op=p.op, text=p.text) for p in r.title],
        body=[RedlinePiece(op=p.op, text=p.text) for p in r.body],
        html=str(words.to_html(r.body)),
        inserted=r.counts["inserted"],
        deleted=r.counts["deleted"],
    )


def detail_read(d: Dossier) -> ProgrammeDetail:
    return ProgrammeDetail(
        programme=programme_read(d.view),
        objectives=[objective_read(o) for o in d.objectives],
        goals=[goal_read(g, d.areas) for g in d.goals],
        activities=[activity_read(a) for a in d.activities],
        sections=[section_read(s) for s in d.sections],
        banner=d.banner,
    )


def dashboard_read(d: Dashboard, areas: dict[str, str]) -> DashboardRead:
    return DashboardRead(
        today=d.today,
        horizon_days=d.horizon_days,
        expiring=[programme_read(v) for v in d.expiring],
        expiring_total=d.expiring_total,
        renewal_started=d.renewal_started,
        overdue_goals=[
            {"programme": ref, **goal_read(g, areas).model_dump(mode="json")}
            for g, ref in d.overdue
        ],
        overdue_total=d.overdue_total,
        activities_this_month=[
            {"programme": ref, **activity_read(a).model_dump(mode="json")}
            for a, ref in d.this_month
        ],
        activities_total=d.this_month_total,
    )


def compare_read(c: Comparison) -> CompareRead:
    return CompareRead(
        partners=c.partners,
        areas=[
            {
                "area": code,
                "name": name,
                "goals": {p: cells.get(p, (0, 0))[0] for p in c.partners},
                "achieved": {p: cells.get(p, (0, 0))[1] for p in c.partners},
            }
            for code, name, cells in c.rows
        ],
    )
