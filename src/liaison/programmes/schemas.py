# SPDX-License-Identifier: Apache-2.0
"""API shapes: ``*Create``/``*Update`` in, ``*Read`` out. Every ``*Read`` carries its
marking's short form, so the marking travels with every copy. Markings in are text as people
write them ("NR // REL JPN"); the service parses, checks and caps them.
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from liaison.kit.dates import IsoDate
from liaison.kit.text import normalise_text
from liaison.programmes.rules import (
    ActivityKind,
    ActivityStatus,
    GoalStatus,
    ProgrammeKind,
    ProgrammeStatus,
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(value: str | None) -> str | None:
    return None if value is None else normalise_text(value)


def _one_line(value: str | None) -> str | None:
    if value is not None and _CONTROL.search(value):
        msg = "must be one line without control characters"
        raise ValueError(msg)
    return value


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Title = Field(min_length=1, max_length=300)
MarkingText = Field(default=None, min_length=1, max_length=500, examples=["NR // REL JPN"])


class ProgrammeCreate(_In):
    partner: str = Field(min_length=2, max_length=120, description="A partner name or ISO code.")
    kind: ProgrammeKind = ProgrammeKind.ITPP
    title: str | None = Field(default=None, max_length=300)
    period_start: IsoDate
    period_end: IsoDate | None = Field(
        default=None, description="Default: two years for an IPCP, four for an ITPP."
    )
    marking: str | None = MarkingText

    _title = field_validator("title")(_one_line)


class ProgrammeUpdate(_In):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    period_start: IsoDate | None = None
    period_end: IsoDate | None = None

    _title = field_validator("title")(_one_line)


class TransitionIn(_In):
    to: ProgrammeStatus
    on: IsoDate | None = Field(default=None, description="When it happened; default today.")
    reference: str | None = Field(
        default=None, max_length=120, description="For approved: the allies' decision reference."
    )

    _reference = field_validator("reference")(_one_line)


class ApprovalIn(_In):
    approved_on: IsoDate
    reference: str = Field(min_length=1, max_length=120)

    _reference = field_validator("reference")(_one_line)


class FromIpcpIn(_In):
    partner: str = Field(min_length=2, max_length=120)
    period_start: IsoDate | None = Field(
        default=None, description="Default: 1 January of next year."
    )


class RenewalIn(_In):
    period_start: IsoDate | None = Field(
        default=None, description="Default: the day after the current period ends."
    )


class ObjectiveCreate(_In):
    title: str = Title
    description: str = Field(default="", max_length=5000)
    marking: str | None = MarkingText

    _title = field_validator("title")(_one_line)


class ObjectiveUpdate(_In):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=5000)

    _title = field_validator("title")(_one_line)


class GoalCreate(_In):
    objective_id: int | None = None
    code: str | None = Field(default=None, max_length=20)
    area: str = Field(min_length=1, max_length=40, examples=["cyber-defence"])
    title: str = Title
    wording: str = Field(default="", max_length=20_000)
    indicator: str = Field(default="", max_length=500)
    target: str = Field(default="", max_length=500)
    due_on: IsoDate
    status: GoalStatus = GoalStatus.OPEN
    marking: str | None = MarkingText

    _title = field_validator("title", "code", "indicator", "target")(_one_line)


class GoalUpdate(_In):
    objective_id: int | None = None
    area: str | None = Field(default=None, max_length=40)
    title: str | None = Field(default=None, min_length=1, max_length=300)
    wording: str | None = Field(default=None, max_length=20_000)
    indicator: str | None = Field(default=None, max_length=500)
    target: str | None = Field(default=None, max_length=500)
    due_on: IsoDate | None = None
    status: GoalStatus | None = None
    note: str = Field(default="", max_length=500, description="Why the wording changed.")

    _title = field_validator("title", "indicator", "target", "note")(_one_line)


class ActivityCreate(_In):
    goal_id: int
    title: str = Title
    kind: ActivityKind
    start_on: IsoDate
    end_on: IsoDate | None = None
    status: ActivityStatus = ActivityStatus.PLANNED
    owner: str = Field(default="", max_length=200)
    location: str = Field(default="", max_length=200)
    marking: str | None = MarkingText

    _title = field_validator("title", "owner", "location")(_one_line)


class ActivityUpdate(_In):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    kind: ActivityKind | None = None
    start_on: IsoDate | None = None
    end_on: IsoDate | None = None
    status: ActivityStatus | None = None
    owner: str | None = Field(default=None, max_length=200)
    location: str | None = Field(default=None, max_length=200)

    _title = field_validator("title", "owner", "location")(_one_line)


class SectionCreate(_In):
    heading: str = Title
    body: str = Field(default="", max_length=100_000)
    marking: str | None = MarkingText

    _heading = field_validator("heading")(_one_line)
    _body = field_validator("body")(_text)


class SectionUpdate(_In):
    heading: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, max_length=100_000)
    note: str = Field(default="", max_length=500, description="Why the wording changed.")

    _heading = field_validator("heading", "note")(_one_line)
    _body = field_validator("body")(_text)


class CommentCreate(_In):
    body: str = Field(min_length=1, max_length=10_000)
    parent_id: int | None = None
    marking: str | None = MarkingText


# out ---------------------------------------------------------------------------------------------
class ProgrammeRead(BaseModel):
    id: int
    reference: str
    partner: str
    partner_name: str
    kind: ProgrammeKind
    title: str
    period_start: IsoDate
    period_end: IsoDate
    status: ProgrammeStatus
    supersedes: str | None
    approved_on: IsoDate | None
    approval_reference: str | None
    agreed_on: IsoDate | None
    in_force_on: IsoDate | None
    ended_on: IsoDate | None
    marking: str
    banner: str
    updated_at: dt.datetime


class ObjectiveRead(BaseModel):
    id: int
    position: int
    title: str
    description: str
    marking: str


class GoalRead(BaseModel):
    id: int
    objective_id: int | None
    code: str
    area: str
    area_name: str
    title: str
    wording: str
    indicator: str
    target: str
    due_on: IsoDate
    status: GoalStatus
    overdue: bool
    version: int
    marking: str


class ActivityRead(BaseModel):
    id: int
    goal_id: int
    title: str
    kind: ActivityKind
    start_on: IsoDate
    end_on: IsoDate
    status: ActivityStatus
    owner: str
    location: str
    marking: str


class SectionRead(BaseModel):
    id: int
    position: int
    heading: str
    body: str
    version: int
    updated_by: str
    updated_at: dt.datetime
    marking: str


class RevisionRead(BaseModel):
    number: int
    title: str
    body: str
    author: str
    saved_at: dt.datetime
    note: str
    marking: str


class RedlinePiece(BaseModel):
    op: str = Field(description="equal, insert or delete")
    text: str


class RedlineRead(BaseModel):
    subject: str
    subject_id: int
    from_version: RevisionRead
    to_version: RevisionRead
    title: list[RedlinePiece]
    body: list[RedlinePiece]
    html: str = Field(description="The body's redline as HTML: <ins> and <del>, text escaped.")
    inserted: int
    deleted: int


class CommentRead(BaseModel):
    id: int
    section_id: int
    parent_id: int | None
    author: str
    author_side: str
    author_nation: str | None
    body: str
    created_at: dt.datetime
    marking: str


class ProgrammeDetail(BaseModel):
    programme: ProgrammeRead
    objectives: list[ObjectiveRead]
    goals: list[GoalRead]
    activities: list[ActivityRead]
    sections: list[SectionRead]
    banner: str = Field(description="The highest marking among what you see here.")


class DashboardRead(BaseModel):
    today: IsoDate
    horizon_days: int
    expiring: list[ProgrammeRead]
    expiring_total: int
    renewal_started: dict[str, str]
    overdue_goals: list[dict[str, object]]
    overdue_total: int
    activities_this_month: list[dict[str, object]]
    activities_total: int


class CompareRead(BaseModel):
    partners: list[str]
    areas: list[dict[str, object]]


class FeedUrlRead(BaseModel):
    url: str
    note: str
