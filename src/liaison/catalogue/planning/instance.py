# SPDX-License-Identifier: Apache-2.0
"""A planning instance as plain data (no database, no solver), and the one objective.

The service builds an ``Instance`` from what the running principal may read; the CP-SAT model,
the greedy baseline, the explanations and the tests' independent checker all take it as is.

Rules the instance carries (each a constraint of every plan):
- ``Slot.free``: seats of a session not held by accepted nominations (never negative);
- a partner gets at most one planned seat per session, only where ``allowed`` (no refusal:
  eligible, releasable, agreement level in force on the first day) and the session's language
  is one of the partner's;
- per partner: fees and travel within ``budget`` (less what fixed seats cost), planned seats in
  a quarter within ``people`` (less fixed ones), seats in an area within its demand;
- a session of an item with prerequisites only after each prerequisite is attended, fixed or
  planned on a session that ends before it starts.

The objective (``objective``): the sum over partners and areas of ``seat_value(weight, k)`` for
the k-th seat in the area (fixed seats first), plus ``FAIRNESS`` times the lowest share, in
thousandths, of a partner's demand met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from liaison.catalogue.rules import seat_value

FAIRNESS = 2  # objective points per thousandth of the lowest partner's share of its demand
Pair = tuple[str, int]  # (partner, session id)


@dataclass(frozen=True, slots=True)
class Slot:
    id: int
    item_id: int
    area: str
    start: dt.date
    end: dt.date
    quarter: int
    seats: int
    free: int
    fee: int
    region: str
    language: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class Need:
    partner: str
    weights: Mapping[str, int]
    demand: Mapping[str, int]
    budget: int
    people: tuple[int, int, int, int]
    languages: frozenset[str]
    travel: Mapping[str, int]
    goals: Mapping[str, str] = field(default_factory=dict)

    def cost(self, slot: Slot) -> int:
        return slot.fee + int(self.travel.get(slot.region, 0))

    @property
    def total_demand(self) -> int:
        return sum(n for a, n in self.demand.items() if self.weights.get(a, 0) > 0)


@dataclass(frozen=True, slots=True)
class Instance:
    slots: dict[int, Slot]
    needs: dict[str, Need]
    refusals: dict[Pair, str]  # why a partner may not attend a session (absent: it may)
    prerequisites: dict[int, tuple[int, ...]]  # item → items it requires
    attended: frozenset[tuple[str, int]]  # (partner, item) already attended
    fixed: dict[Pair, int]  # seats held by accepted nominations

    def sessions_of_item(self) -> dict[int, list[Slot]]:
        found: dict[int, list[Slot]] = {}
        for slot in self.slots.values():
            found.setdefault(slot.item_id, []).append(slot)
        return found

    def language_ok(self, partner: str, slot: Slot) -> bool:
        return slot.language in self.needs[partner].languages

    def candidate(self, partner: str, slot: Slot) -> bool:
        """Whether a planned seat is possible at all (before seats, budget, people, order)."""
        need = self.needs[partner]
        return (
            (partner, slot.id) not in self.refusals
            and self.language_ok(partner, slot)
            and need.weights.get(slot.area, 0) > 0
            and need.demand.get(slot.area, 0) > 0
            and (partner, slot.id) not in self.fixed
        )

    def fixed_use(self, partner: str) -> tuple[int, list[int], dict[str, int]]:
        """What a partner's fixed seats already use: cost, people per quarter, per area."""
        cost, people, areas = 0, [0, 0, 0, 0], dict[str, int]()
        for (p, sid), n in self.fixed.items():
            if p != partner:
                continue
            slot = self.slots[sid]
            cost += n * self.needs[p].cost(slot) if p in self.needs else 0
            people[slot.quarter] += n
            areas[slot.area] = areas.get(slot.area, 0) + n
        return cost, people, areas


@dataclass(frozen=True, slots=True)
class Room:
    """What a partner may still plan after its fixed seats: money, people per quarter, seats
    per area (never negative: fixed seats beyond a limit leave no room, they are not undone)."""

    budget: int
    people: tuple[int, int, int, int]
    areas: dict[str, int]


def room(instance: Instance, partner: str) -> Room:
    need = instance.needs[partner]
    cost, people, areas = instance.fixed_use(partner)
    return Room(
        max(0, need.budget - cost),
        (
            max(0, need.people[0] - people[0]),
            max(0, need.people[1] - people[1]),
            max(0, need.people[2] - people[2]),
            max(0, need.people[3] - people[3]),
        ),
        {a: max(0, n - areas.get(a, 0)) for a, n in need.demand.items()},
    )


def counts(instance: Instance, plan: Iterable[Pair]) -> dict[tuple[str, str], int]:
    """Seats per (partner, area), fixed ones included."""
    found: dict[tuple[str, str], int] = {}
    for (p, sid), n in instance.fixed.items():
        key = (p, instance.slots[sid].area)
        found[key] = found.get(key, 0) + n
    for p, sid in plan:
        key = (p, instance.slots[sid].area)
        found[key] = found.get(key, 0) + 1
    return found


def objective(instance: Instance, plan: Iterable[Pair]) -> int:
    """The value of a plan (planned seats plus the fixed ones) with its fairness term."""
    per_area = counts(instance, plan)
    value = 0
    seats_of: dict[str, int] = {}
    for (p, area), n in per_area.items():
        need = instance.needs.get(p)
        if need is None:
            continue
        weight = need.weights.get(area, 0)
        cap = max(need.demand.get(area, 0), _fixed_in(instance, p, area))
        value += sum(seat_value(weight, k) for k in range(1, min(n, cap) + 1))
        if weight > 0:
            seats_of[p] = seats_of.get(p, 0) + min(n, need.demand.get(area, 0))
    return value + FAIRNESS * lowest_share(instance, seats_of)


def lowest_share(instance: Instance, seats_of: Mapping[str, int]) -> int:
    shares = [
        min(1000, 1000 * seats_of.get(p, 0) // need.total_demand)
        for p, need in instance.needs.items()
        if need.total_demand > 0
    ]
    return min(shares) if shares else 0


def _fixed_in(instance: Instance, partner: str, area: str) -> int:
    return sum(
        n
        for (p, sid), n in instance.fixed.items()
        if p == partner and instance.slots[sid].area == area
    )
