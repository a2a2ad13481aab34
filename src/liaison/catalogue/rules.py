# SPDX-License-Identifier: Apache-2.0
"""Catalogue rules with no framework in them: kinds, modes, the nomination state machine,
quarters, and the value of a seat to a partner's priority (diminishing returns per area).

Invariants:
- a nomination moves only along ``TRANSITIONS``; ``accepted`` and ``wait_listed`` are decided
  by seats (``decide_on_accept``), never chosen freely; an ``offered`` seat (a published plan's)
  holds its seat until the partner accepts it (naming the person) or declines it;
- the k-th seat a partner gets in one area is worth ``seat_value(weight, k)``, which never grows
  with k: the planner's objective and the greedy baseline use this one function.
"""

from __future__ import annotations

import datetime as dt
import enum


class ItemKind(enum.StrEnum):
    COURSE = "course"
    MOBILE_TRAINING_TEAM = "mobile_training_team"
    E_LEARNING = "e_learning"
    SEMINAR = "seminar"
    WORKSHOP = "workshop"
    CONFERENCE = "conference"
    EXERCISE = "exercise"
    OBSERVER_SLOT = "observer_slot"
    FAMILIARISATION = "familiarisation"
    STAFF_TALKS = "staff_talks"
    EXPERT_VISIT = "expert_visit"
    FELLOWSHIP = "fellowship"


class DeliveryMode(enum.StrEnum):
    RESIDENT = "resident"
    MOBILE = "mobile"
    ONLINE = "online"


class NominationState(enum.StrEnum):
    OFFERED = "offered"  # a seat of a published plan, held for the partner until it answers
    NOMINATED = "nominated"
    ACCEPTED = "accepted"
    WAIT_LISTED = "wait_listed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class PlanState(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"


class RunState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


S = NominationState
TRANSITIONS: dict[NominationState, frozenset[NominationState]] = {
    S.OFFERED: frozenset({S.ACCEPTED, S.DECLINED, S.WITHDRAWN}),
    S.NOMINATED: frozenset({S.ACCEPTED, S.WAIT_LISTED, S.DECLINED, S.WITHDRAWN}),
    S.WAIT_LISTED: frozenset({S.ACCEPTED, S.DECLINED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.ATTENDED, S.NO_SHOW, S.WITHDRAWN}),
    S.DECLINED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.ATTENDED: frozenset(),
    S.NO_SHOW: frozenset(),
}
HOLDS_SEAT = frozenset({S.OFFERED, S.ACCEPTED, S.ATTENDED, S.NO_SHOW})
REGIONS = ("europe", "asia-pacific", "middle-east-africa", "americas", "online")


def can_move(current: NominationState, target: NominationState) -> bool:
    return target in TRANSITIONS[current]


def decide_on_accept(seats: int, held: int) -> NominationState:
    """What an accepted nomination becomes: a seat if one is free, else the wait list."""
    return S.ACCEPTED if held < seats else S.WAIT_LISTED


def quarter_of(day: dt.date) -> int:
    """0..3: the quarter of the year a session starts in (people are counted per quarter)."""
    return (day.month - 1) // 3


# The value of the k-th seat in one area, as a share of the first: 100, 60, 40, 30, 25, 20...
_DECAY = (100, 60, 40, 30, 25)


def seat_value(weight: int, k: int) -> int:
    """The value of a partner's ``k``-th seat (1-based) in an area it weighs ``weight`` (0-5)."""
    if weight <= 0 or k <= 0:
        return 0
    factor = _DECAY[k - 1] if k <= len(_DECAY) else 20
    return weight * factor


def check_session_facts(start: dt.date, end: dt.date, seats: int, fee: int) -> list[str]:
    """What is wrong with a session's dates, seats and fee (field: message)."""
    problems = []
    if end < start:
        problems.append(f"end_on: the session ends ({end}) before it starts ({start})")
    if seats < 0:
        problems.append(f"seats: a seat count cannot be negative ({seats})")
    if fee < 0:
        problems.append(f"fee: a fee cannot be negative ({fee})")
    return problems
