# SPDX-License-Identifier: Apache-2.0
"""API shapes: ``ProposalCreate``/``PositionCreate``/``Amendment``/``Revision``/``Withdrawal``
in; ``ProposalRead`` (with its marking's short form and banner), ``StandingRead`` (one row per
elector), ``PositionRead``, ``VersionRead``, ``NotificationRead`` out.

Times are timezone-aware (UTC in, UTC out). Titles, notes and reasons are single lines.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from liaison.decisions.consensus import Outcome, Procedure, Stance
from liaison.decisions.models import NotificationKind
from liaison.events import SubjectKind
from liaison.kit.text import normalise_text
from liaison.security.classification import Classification

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_TEXT = 200_000


def single_line(value: str) -> str:
    if _CONTROL.search(value):
        msg = "must be one line without control characters"
        raise ValueError(msg)
    return value


OneLine = Annotated[str, AfterValidator(single_line)]
Text = Annotated[str, AfterValidator(normalise_text)]  # negotiated text, as it is stored


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PastPosition(_In):
    """A position taken in a past procedure, recorded with it (``ProposalCreate.positions``)."""

    ally: str = Field(min_length=1, max_length=60, description="The ally (code or name).")
    stance: Stance
    at: AwareDatetime = Field(description="When the ally took it.")
    statement: str = Field(default="", max_length=20_000)


class ProposalCreate(_In):
    subject_kind: SubjectKind = SubjectKind.FREE_TEXT
    subject_ref: str | None = Field(
        default=None,
        max_length=100,
        description="The subject: an ITPP reference (ITPP-JPN-2023), an office id, a document "
        "id; none for free text.",
    )
    title: Annotated[str, Field(max_length=300), AfterValidator(single_line)] | None = Field(
        default=None, description="Default: the subject's title."
    )
    text: Text = Field(min_length=1, max_length=MAX_TEXT, description="The text to decide.")
    marking: str = Field(min_length=1, max_length=500, examples=["NU", "NR // REL JPN"])
    procedure: Procedure = Procedure.SILENCE
    deadline: AwareDatetime | None = Field(
        default=None, description="Silence: when silence ends (required). Meeting: optional."
    )
    release_to: list[str] = Field(
        default_factory=list,
        max_length=40,
        description="For a document release: the partner nations or groups to add.",
    )
    depends_on: str | None = Field(
        default=None,
        max_length=40,
        description="Adopt only if this proposal (reference or id) is adopted.",
    )
    package: str | None = Field(
        default=None,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.\-]*$",
        description="Decide together with the other proposals of this package.",
    )
    sources: str = Field(default="", max_length=5000)
    opened_at: AwareDatetime | None = Field(
        default=None,
        description="Record a past decision: when it opened (its electorate is that day's "
        "allies). Administrators only (decisions:proposal:backdate); audited as such.",
    )
    positions: list[PastPosition] = Field(
        default_factory=list,
        max_length=100,
        description="With opened_at: the positions taken in that procedure.",
    )


class PositionCreate(_In):
    stance: Stance
    statement: str = Field(default="", max_length=20_000)
    ally: str | None = Field(
        default=None,
        max_length=60,
        description="The ally whose position this is; default: your delegation's.",
    )


class Amendment(_In):
    text: Text = Field(min_length=1, max_length=MAX_TEXT)
    note: OneLine = Field(default="", max_length=500)


class Revision(Amendment):
    """A revised text after a broken silence or a lapse: a new proposal, linked to the old."""

    procedure: Procedure = Procedure.SILENCE
    deadline: AwareDatetime | None = None


class Withdrawal(_In):
    reason: OneLine = Field(min_length=1, max_length=1000)


class SubjectRead(BaseModel):
    kind: SubjectKind
    ref: str | None
    title: str | None
    href: str | None


class Tally(BaseModel):
    electors: int
    consent: int
    reservations: int
    broke_silence: int
    silent: int


class ProposalRead(BaseModel):
    id: int
    reference: str
    title: str
    subject: SubjectRead
    release_to: list[str]
    procedure: Procedure
    opened_at: dt.datetime
    deadline: dt.datetime | None
    opened_by: str
    outcome: Outcome = Field(description="Computed from positions and the clock: always current.")
    outcome_reason: str
    decided_at: dt.datetime | None
    settled: bool = Field(description="Whether the outcome is recorded and its effect applied.")
    version: int
    depends_on: str | None
    revises: str | None
    package: str | None
    level: Classification
    marking: str
    banner: str
    tally: Tally
    sources: str


class StandingRead(BaseModel):
    ally: str
    name: str
    stance: Stance | None
    statement: str
    recorded_at: dt.datetime | None
    counts_as_consent: bool


class PositionRead(BaseModel):
    """Read from a ``Position`` row (``PositionRead.model_validate(position)``)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    ally: str = Field(validation_alias="ally_iso3")
    stance: Stance
    statement: str
    version: int = Field(validation_alias="version_number")
    recorded_at: dt.datetime
    recorded_by: str


class VersionRead(BaseModel):
    """Read from a ``ProposalVersion`` row (``VersionRead.model_validate(version)``)."""

    model_config = ConfigDict(from_attributes=True)

    number: int
    text: str
    note: str
    created_at: dt.datetime
    created_by: str


class NotificationRead(BaseModel):
    id: int
    kind: NotificationKind
    proposal_id: int
    reference: str
    title: str
    outcome: Outcome
    created_at: dt.datetime
    read: bool
