# SPDX-License-Identifier: Apache-2.0
"""Demo programmes for ``liaison init --demo`` (DOMAIN.md §1, §4): the AP4's ITPPs.

- Australia, Japan and the Republic of Korea: ITPPs 2023-2026 in force (agreed at or around the
  Vilnius summit, July 2023), each superseding the partner's IPCPs. They end on 2026-12-31, so
  on 2026-11-23 the dashboard shows their renewal due.
- New Zealand: ITPP 2024-2027 agreed in 2024 (exact date not public; modelled as the
  Washington summit, 10 July 2024), not yet in force; its 2012 IPCP (updated later, dates
  not public) is modelled as expired in 2018.

Areas follow the public reporting in DOMAIN.md §4; the goals, indicators and activities are
written to read like the real thing but are illustrative (real ITPP annexes are not public),
at several markings so each demo account sees a different programme. The programmes are data
(``data/demo.json``, as the registry's are); every one is built through ``ProgrammeService``
and driven along its real lifecycle (draft → negotiating → submitted → approved → agreed → in
force), so the audit trail tells its history.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from liaison.programmes.repository import ProgrammeRepository
from liaison.programmes.rules import (
    ActivityKind,
    ActivityStatus,
    GoalStatus,
    ProgrammeKind,
    ProgrammeStatus,
)
from liaison.programmes.schemas import (
    ActivityCreate,
    GoalCreate,
    ObjectiveCreate,
    ProgrammeCreate,
    SectionCreate,
    SectionUpdate,
)
from liaison.programmes.service import ProgrammeService
from liaison.security.principal import SYSTEM

AS = ActivityStatus
DATA = resources.files("liaison.programmes") / "data" / "demo.json"


@dataclass(frozen=True, slots=True)
class Act:
    title: str
    kind: ActivityKind
    start: dt.date
    end: dt.date | None = None
    status: ActivityStatus = AS.DONE
    owner: str = ""
    location: str = ""
    marking: str | None = None


@dataclass(frozen=True, slots=True)
class Goal:
    objective: int  # index into the spec's objectives
    area: str
    title: str
    wording: str
    indicator: str
    target: str
    due: dt.date
    status: GoalStatus = GoalStatus.ON_TRACK
    marking: str | None = None
    activities: tuple[Act, ...] = ()


@dataclass(frozen=True, slots=True)
class Spec:
    partner: str
    kind: ProgrammeKind
    start: dt.date
    end: dt.date
    marking: str
    approved_on: dt.date
    approval_reference: str
    agreed_on: dt.date
    in_force_on: dt.date | None
    supersedes: str | None = None
    objectives: tuple[tuple[str, str], ...] = ()
    sections: tuple[tuple[str, str, str | None], ...] = ()
    redrafts: tuple[tuple[int, str, str], ...] = ()  # section index, new body, why
    goals: tuple[Goal, ...] = ()
    title: str | None = None
    expired_on: dt.date | None = None  # an old programme nothing superseded


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _act(raw: dict[str, Any]) -> Act:
    return Act(
        **{
            **raw,
            "kind": ActivityKind(raw["kind"]),
            "start": dt.date.fromisoformat(raw["start"]),
            "end": _date(raw.get("end")),
            "status": ActivityStatus(raw.get("status", AS.DONE)),
        }
    )


def _goal_spec(raw: dict[str, Any]) -> Goal:
    return Goal(
        **{
            **raw,
            "due": dt.date.fromisoformat(raw["due"]),
            "status": GoalStatus(raw.get("status", GoalStatus.ON_TRACK)),
            "activities": tuple(_act(a) for a in raw.get("activities", ())),
        }
    )


def _spec(raw: dict[str, Any]) -> Spec:
    dates = ("start", "end", "approved_on", "agreed_on", "in_force_on", "expired_on")
    return Spec(
        **{
            **raw,
            **{name: _date(raw[name]) for name in dates if name in raw},
            "kind": ProgrammeKind(raw["kind"]),
            "objectives": tuple(tuple(o) for o in raw.get("objectives", ())),
            "sections": tuple(tuple(s) for s in raw.get("sections", ())),
            "redrafts": tuple(tuple(r) for r in raw.get("redrafts", ())),
            "goals": tuple(_goal_spec(g) for g in raw.get("goals", ())),
        }
    )


def _specs() -> tuple[list[Spec], list[Spec]]:
    """The demo's IPCPs and ITPPs, oldest first, as ``data/demo.json`` writes them."""
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return [_spec(s) for s in raw["ipcps"]], [_spec(s) for s in raw["itpps"]]


IPCPS, ITPPS = _specs()


def create_demo_programmes(session: Session) -> int:
    """Create the demo programmes (idempotent by reference); return how many exist now."""
    service = ProgrammeService(session, SYSTEM)
    repo = ProgrammeRepository(session, SYSTEM)
    for spec in [*IPCPS, *ITPPS]:
        ref = f"{spec.kind.value}-{spec.partner}-{spec.start.year}"
        if repo.unfiltered_by_reference(ref) is None:
            _build(service, repo, spec)
    return len(IPCPS) + len(ITPPS)


def _build(service: ProgrammeService, repo: ProgrammeRepository, spec: Spec) -> None:
    view = service.create(
        ProgrammeCreate(
            partner=spec.partner,
            kind=spec.kind,
            title=spec.title,
            period_start=spec.start,
            period_end=spec.end,
            marking=spec.marking,
        )
    )
    ref = view.programme.reference
    if spec.supersedes:
        previous = repo.unfiltered_by_reference(spec.supersedes)
        view.programme.supersedes_id = previous.id if previous else None
    objective_ids = [
        service.add_objective(ref, ObjectiveCreate(title=t, description=d)).row.id
        for t, d in spec.objectives
    ]
    section_ids = [
        service.add_section(ref, SectionCreate(heading=h, body=b, marking=m)).row.id
        for h, b, m in spec.sections
    ]
    for goal in spec.goals:
        _goal(service, ref, goal, objective_ids)
    service.transition(ref, ProgrammeStatus.NEGOTIATING, spec.approved_on - dt.timedelta(days=60))
    for index, body, why in spec.redrafts:
        service.update_section(ref, section_ids[index], SectionUpdate(body=body, note=why))
    service.transition(ref, ProgrammeStatus.SUBMITTED, spec.approved_on - dt.timedelta(days=14))
    service.record_approval(ref, spec.approved_on, spec.approval_reference)
    service.transition(ref, ProgrammeStatus.AGREED, spec.agreed_on)
    if spec.in_force_on is not None:
        service.transition(ref, ProgrammeStatus.IN_FORCE, spec.in_force_on)
    if spec.expired_on is not None:
        service.transition(ref, ProgrammeStatus.EXPIRED, spec.expired_on)


def _goal(service: ProgrammeService, ref: str, goal: Goal, objective_ids: list[int]) -> None:
    created = service.add_goal(
        ref,
        GoalCreate(
            objective_id=objective_ids[goal.objective],
            area=goal.area,
            title=goal.title,
            wording=goal.wording,
            indicator=goal.indicator,
            target=goal.target,
            due_on=goal.due,
            status=goal.status,
            marking=goal.marking,
        ),
    )
    for act in goal.activities:
        service.add_activity(
            ref,
            ActivityCreate(
                goal_id=created.row.id,
                title=act.title,
                kind=act.kind,
                start_on=act.start,
                end_on=act.end,
                status=act.status,
                owner=act.owner,
                location=act.location,
                marking=act.marking,
            ),
        )
