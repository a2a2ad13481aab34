# SPDX-License-Identifier: Apache-2.0
"""What a reader is shown: rows with their capped markings, a programme's view, the dossier of
everything one reader may read, redlines, the dashboard and the comparison (plain data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from liaison.programmes import models, redline
from liaison.security.markings import Marking

T = TypeVar("T")
AP4 = ["AUS", "JPN", "KOR", "NZL"]
OBJECT = {
    models.Programme: "programme",
    models.StrategicObjective: "objective",
    models.PartnershipGoal: "goal",
    models.ProgrammeActivity: "activity",
    models.ProgrammeSection: "section",
    models.Comment: "comment",
    models.Revision: "revision",
}


@dataclass(frozen=True, slots=True)
class Shown(Generic[T]):
    """A row with its (capped) marking and the marking's short form, as a reader sees it."""

    row: T
    marking: Marking
    short: str


@dataclass(frozen=True, slots=True)
class ProgrammeView:
    programme: models.Programme
    marking: Marking
    short: str
    banner: str
    partner_name: str
    supersedes: str | None


@dataclass(frozen=True, slots=True)
class Dossier:
    """A programme as one reader sees it: only what the policy lets them read."""

    view: ProgrammeView
    objectives: list[Shown[models.StrategicObjective]]
    goals: list[Shown[models.PartnershipGoal]]
    activities: list[Shown[models.ProgrammeActivity]]
    sections: list[Shown[models.ProgrammeSection]]
    marking: Marking  # the highest marking among what is shown
    banner: str
    areas: dict[str, str] = field(default_factory=dict)

    def goals_of(self, objective_id: int | None) -> list[Shown[models.PartnershipGoal]]:
        return [g for g in self.goals if g.row.objective_id == objective_id]

    def activities_of(self, goal_id: int) -> list[Shown[models.ProgrammeActivity]]:
        return [a for a in self.activities if a.row.goal_id == goal_id]

    @property
    def loose_goals(self) -> list[Shown[models.PartnershipGoal]]:
        """Goals whose objective the reader cannot see or that have none."""
        seen = {o.row.id for o in self.objectives}
        return [g for g in self.goals if g.row.objective_id not in seen]


@dataclass(frozen=True, slots=True)
class Redline:
    subject: str
    subject_id: int
    old: Shown[models.Revision]
    new: Shown[models.Revision]
    title: list[redline.Piece]
    body: list[redline.Piece]

    @property
    def counts(self) -> dict[str, int]:
        return redline.counts(self.title + self.body)


@dataclass(frozen=True, slots=True)
class Dashboard:
    today: dt.date
    horizon_days: int
    expiring: list[ProgrammeView]
    expiring_total: int
    renewal_started: dict[str, str]
    overdue: list[tuple[Shown[models.PartnershipGoal], str]]
    overdue_total: int
    this_month: list[tuple[Shown[models.ProgrammeActivity], str]]
    this_month_total: int
    marking: Marking
    banner: str


@dataclass(frozen=True, slots=True)
class Comparison:
    partners: list[str]
    partner_names: dict[str, str]
    programmes: dict[str, str]  # partner → reference compared
    rows: list[tuple[str, str, dict[str, tuple[int, int]]]]  # area code, name, partner → goals
    marking: Marking
    banner: str
