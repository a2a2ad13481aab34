# SPDX-License-Identifier: Apache-2.0
"""Pure programme rules (no database, no web): kinds, states, the lifecycle, periods, the
reference, and how a programme's marking caps its elements.

Lifecycle (DOMAIN.md §6)::

    draft → negotiating → submitted → approved → agreed → in_force → expired | superseded
      ╰────────────────────╯ (draft may go straight to submitted; submitted may go back to
                              negotiating when the allies send it back)
    rejected | withdrawn  from any state before agreed

- approved needs the allies' approval: a date and a reference (a decision, or by hand);
- agreed needs the partner's agreement date, on or after the approval;
- in force needs both, and no other programme of the partner in force — except the one it
  supersedes, or the partner's IPCP when an ITPP enters into force, which become superseded;
- a programme enters into force no earlier than its period starts and the day after the end of
  the period of what it replaces (``entry_day``): the predecessor runs to its end.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass

from liaison.security.classification import Classification
from liaison.security.markings import Marking, Tlp


class ProgrammeKind(enum.StrEnum):
    IPCP = "IPCP"
    ITPP = "ITPP"


class ProgrammeStatus(enum.StrEnum):
    DRAFT = "draft"
    NEGOTIATING = "negotiating"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    AGREED = "agreed"
    IN_FORCE = "in_force"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class GoalStatus(enum.StrEnum):
    OPEN = "open"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


class ActivityKind(enum.StrEnum):
    POLITICAL_CONSULTATION = "political_consultation"
    MILITARY_STAFF_TALKS = "military_staff_talks"
    COURSE = "course"
    EXERCISE = "exercise"
    WORKING_GROUP = "working_group"
    INFORMATION_EXCHANGE = "information_exchange"
    OPERATION_PARTICIPATION = "operation_participation"
    SEMINAR = "seminar"
    EXPERT_VISIT = "expert_visit"


class ActivityStatus(enum.StrEnum):
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    DONE = "done"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


S = ProgrammeStatus
OPEN_GOALS = frozenset({GoalStatus.OPEN, GoalStatus.ON_TRACK, GoalStatus.AT_RISK})
OPEN_ACTIVITIES = frozenset({ActivityStatus.PLANNED, ActivityStatus.CONFIRMED})
BEFORE_AGREED = frozenset({S.DRAFT, S.NEGOTIATING, S.SUBMITTED, S.APPROVED})
EDITABLE = frozenset({S.DRAFT, S.NEGOTIATING})
LIVE = frozenset({S.APPROVED, S.AGREED, S.IN_FORCE})
ENDED = frozenset({S.EXPIRED, S.SUPERSEDED, S.REJECTED, S.WITHDRAWN})

TRANSITIONS: dict[ProgrammeStatus, frozenset[ProgrammeStatus]] = {
    S.DRAFT: frozenset({S.NEGOTIATING, S.SUBMITTED, S.WITHDRAWN, S.REJECTED}),
    S.NEGOTIATING: frozenset({S.SUBMITTED, S.WITHDRAWN, S.REJECTED}),
    S.SUBMITTED: frozenset({S.NEGOTIATING, S.APPROVED, S.WITHDRAWN, S.REJECTED}),
    S.APPROVED: frozenset({S.AGREED, S.WITHDRAWN, S.REJECTED}),
    S.AGREED: frozenset({S.IN_FORCE}),
    S.IN_FORCE: frozenset({S.EXPIRED, S.SUPERSEDED}),
    S.EXPIRED: frozenset(),
    S.SUPERSEDED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

DEFAULT_YEARS = {ProgrammeKind.IPCP: 2, ProgrammeKind.ITPP: 4}


def renewal_problem(
    reference: str, status: ProgrammeStatus, live_successor: str | None
) -> str | None:
    """Why the programme cannot be renewed for the next period now, or None (the service
    refuses with it; the programme page offers "Renew" only when it is None)."""
    if status in {S.REJECTED, S.WITHDRAWN}:
        return f"{reference} was {status.value}; nothing to renew"
    if live_successor is not None:
        return f"{reference} already has a successor: {live_successor}"
    return None


def reference(kind: ProgrammeKind, partner_iso3: str, start: dt.date) -> str:
    """The programme's human reference: ``ITPP-JPN-2023``."""
    return f"{kind.value}-{partner_iso3.upper()}-{start.year}"


def default_end(kind: ProgrammeKind, start: dt.date) -> dt.date:
    """The last day of a default period: IPCP two years, ITPP four (calendar years from a
    1 January start: 2023 → 2026-12-31)."""
    years = DEFAULT_YEARS[kind]
    try:
        return start.replace(year=start.year + years) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


@dataclass(frozen=True, slots=True)
class LifecycleFacts:
    """What a transition needs to know about a programme."""

    status: ProgrammeStatus
    approved_on: dt.date | None
    approval_reference: str | None
    agreed_on: dt.date | None
    period_start: dt.date
    period_end: dt.date


def transition_problem(
    facts: LifecycleFacts, to: ProgrammeStatus, on: dt.date, today: dt.date
) -> str | None:
    """Why ``facts.status → to`` on ``on`` is not allowed, or None."""
    if to is facts.status:
        return f"the programme is already {to.value}"
    if to not in TRANSITIONS[facts.status]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[facts.status])) or "nothing"
        return (
            f"a programme cannot go from {facts.status.value} to {to.value}; "
            f"from {facts.status.value} it may go to: {allowed}"
        )
    if on > today and to is not S.IN_FORCE:
        return f"{on.isoformat()} is in the future; record a change when it has happened"
    return _facts_problem(facts, to, on)


def _facts_problem(facts: LifecycleFacts, to: ProgrammeStatus, on: dt.date) -> str | None:  # noqa: PLR0911 - one return per rule of the module docstring
    """Why the programme's own facts forbid ``to`` on ``on``, or None."""
    if to is S.APPROVED and not (facts.approved_on and facts.approval_reference):
        return "approval needs the allies' decision: an approval date and reference"
    if to is S.AGREED:
        if facts.approved_on is None:
            return "the partner can agree only after the allies approved the programme"
        if on < facts.approved_on:
            return "the partner's agreement cannot precede the allies' approval"
    if to is S.IN_FORCE:
        if facts.approved_on is None or facts.agreed_on is None:
            return "in force needs both the allies' approval and the partner's agreement"
        if on < facts.agreed_on:
            return "a programme cannot enter into force before the partner agreed it"
        if on > facts.period_end:
            return "a programme cannot enter into force after its period ended"
    if to is S.EXPIRED and on < facts.period_end:
        return f"the period runs until {facts.period_end.isoformat()}; it has not expired"
    return None


def entry_day(requested: dt.date, period_start: dt.date, replaced_ends: list[dt.date]) -> dt.date:
    """The day a programme enters into force when asked to on ``requested``: not before its
    period starts, nor before every programme it replaces has run to the end of its period."""
    return max([requested, period_start, *(end + dt.timedelta(days=1) for end in replaced_ends)])


def period_problem(start: dt.date, end: dt.date) -> str | None:
    if end <= start:
        return "the period must end after it starts"
    if (end - start).days > 6 * 366:
        return "a programme period is at most six years"
    return None


def overlaps(a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date) -> bool:
    return a_start <= b_end and b_start <= a_end


def renewal_period(end: dt.date, kind: ProgrammeKind) -> tuple[dt.date, dt.date]:
    """The period of a renewal: from the day after ``end``, for the kind's default length."""
    new_start = end + dt.timedelta(days=1)
    return new_start, default_end(kind, new_start)


def expiring(end: dt.date, today: dt.date, horizon_days: int) -> bool:
    """Whether a programme ending on ``end`` ends within ``horizon_days`` from ``today``."""
    return today <= end <= today + dt.timedelta(days=horizon_days)


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


# markings -----------------------------------------------------------------------------------
GroupsOf = Callable[[str], frozenset[str]]
_TLP_ORDER = list(Tlp)


def _covers(release: frozenset[str], code: str, groups_of: GroupsOf) -> bool:
    return code in release or bool(groups_of(code) & release)


def cap(container: Marking, inner: Marking, groups_of: GroupsOf) -> Marking:
    """The effective marking of ``inner`` inside ``container``: the higher level, every
    caveat, both need-to-know conditions, and only the release codes both reach — group-aware,
    so ``NU // REL IP4`` capping ``NR // REL JPN`` keeps JPN (Japan is in IP4)."""
    level = max(container.level, inner.level, key=lambda c: c.rank)
    caveats = container.caveats | inner.caveats
    if level is Classification.PUBLIC:
        return Marking(Classification.PUBLIC)
    if container.level is Classification.PUBLIC:
        release = inner.releasable_to
    elif inner.level is Classification.PUBLIC:
        release = container.releasable_to
    else:
        release = frozenset(
            c
            for c in container.releasable_to | inner.releasable_to
            if _covers(container.releasable_to, c, groups_of)
            and _covers(inner.releasable_to, c, groups_of)
        )
    if caveats:
        release = frozenset()
    if container.communities and inner.communities:
        communities = container.communities & inner.communities or frozenset({"∅"})
    else:
        communities = container.communities | inner.communities
    tlps = [t for t in (container.tlp, inner.tlp) if t]
    tlp = max(tlps, key=_TLP_ORDER.index) if tlps else None
    if tlp is Tlp.CLEAR:
        tlp = None
    if tlp is Tlp.RED and not communities:
        tlp = Tlp.AMBER_STRICT
    return Marking(level, release, caveats, communities, tlp)


def overdue(due_on: dt.date, status: GoalStatus, today: dt.date) -> bool:
    """A goal is overdue once its due date has passed while it is still open (open, on track
    or at risk); the dashboard's query (``repository.overdue_goals``) is its SQL face."""
    return due_on < today and status in OPEN_GOALS


def stuck_in_agreed(status: ProgrammeStatus, period_start: dt.date, today: dt.date) -> bool:
    """Agreed by the partner, its period begun, yet not in force: something was forgotten (New
    Zealand's ITPP-NZL-2024 stayed "agreed" from 2024-07-10 on and nothing pointed it out)."""
    return status is ProgrammeStatus.AGREED and period_start <= today
