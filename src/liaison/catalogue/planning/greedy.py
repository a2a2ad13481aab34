# SPDX-License-Identifier: Apache-2.0
"""The baseline a partnership office would do by hand: sessions first come first served (by
start date), each session's seats to the partners who value them most (their priority's
weight, less for repeats in an area), one seat each, while seats, budget, people, demand and
prerequisites allow. Pure: no database, no solver."""

from __future__ import annotations

import datetime as dt

from liaison.catalogue.planning.instance import Instance, Pair, Room, Slot, room
from liaison.catalogue.rules import seat_value


class Ledger:
    """What a partial plan has used beside the fixed seats; ``fits`` says whether one more
    seat is allowed."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.rooms: dict[str, Room] = {p: room(instance, p) for p in instance.needs}
        self.taken: dict[int, int] = {}
        self.spent: dict[str, int] = {}
        self.people: dict[tuple[str, int], int] = {}
        self.areas: dict[tuple[str, str], int] = {}
        self.planned: set[Pair] = set()
        self.ends: dict[tuple[str, int], list[dt.date]] = {}  # (partner, item) → session ends
        self.fixed_in: dict[tuple[str, str], int] = {
            (p, a): instance.needs[p].demand.get(a, 0) - r.areas.get(a, 0)
            for p, r in self.rooms.items()
            for a in instance.needs[p].demand
        }
        for (p, sid), n in instance.fixed.items():
            slot = instance.slots[sid]
            self.taken[sid] = self.taken.get(sid, 0) + n
            self.ends.setdefault((p, slot.item_id), []).append(slot.end)

    def marginal(self, partner: str, slot: Slot) -> int:
        key = (partner, slot.area)
        k = self.fixed_in.get(key, 0) + self.areas.get(key, 0) + 1
        return seat_value(self.instance.needs[partner].weights.get(slot.area, 0), k)

    def wants_more(self, partner: str, area: str) -> bool:
        """Whether ``partner`` has demand left in ``area`` (else no seat there can fit)."""
        return self.areas.get((partner, area), 0) < self.rooms[partner].areas.get(area, 0)

    def prerequisites_met(self, partner: str, slot: Slot) -> bool:
        for required in self.instance.prerequisites.get(slot.item_id, ()):
            if (partner, required) in self.instance.attended:
                continue
            if not any(end < slot.start for end in self.ends.get((partner, required), [])):
                return False
        return True

    def blocker(self, partner: str, slot: Slot) -> str | None:  # noqa: PLR0911 - one per limit
        """The first limit a seat for ``partner`` on ``slot`` would break, or None."""
        inst, need, free = self.instance, self.instance.needs[partner], self.rooms[partner]
        if not inst.candidate(partner, slot) or (partner, slot.id) in self.planned:
            return "refused"
        if self.taken.get(slot.id, 0) >= slot.seats:
            return "seats"
        if self.spent.get(partner, 0) + need.cost(slot) > free.budget:
            return "budget"
        if self.people.get((partner, slot.quarter), 0) >= free.people[slot.quarter]:
            return "people"
        if self.areas.get((partner, slot.area), 0) >= free.areas.get(slot.area, 0):
            return "demand"
        if not self.prerequisites_met(partner, slot):
            return "prerequisite"
        return None

    def fits(self, partner: str, slot: Slot) -> bool:
        return self.blocker(partner, slot) is None

    def take(self, partner: str, slot: Slot) -> None:
        self.planned.add((partner, slot.id))
        self.taken[slot.id] = self.taken.get(slot.id, 0) + 1
        self.spent[partner] = self.spent.get(partner, 0) + self.instance.needs[partner].cost(slot)
        q = (partner, slot.quarter)
        self.people[q] = self.people.get(q, 0) + 1
        a = (partner, slot.area)
        self.areas[a] = self.areas.get(a, 0) + 1
        self.ends.setdefault((partner, slot.item_id), []).append(slot.end)


def replay(instance: Instance, plan: set[Pair]) -> Ledger:
    """A ledger holding ``plan`` (taken in date order), for explanations."""
    ledger = Ledger(instance)
    for partner, sid in sorted(plan, key=lambda ps: (instance.slots[ps[1]].start, ps[1], ps[0])):
        ledger.take(partner, instance.slots[sid])
    return ledger


def greedy(instance: Instance) -> set[Pair]:
    ledger = Ledger(instance)
    wanting: dict[str, list[str]] = {}  # area → partners that weigh it and want seats in it
    for p, need in sorted(instance.needs.items()):
        for area, demand in need.demand.items():
            if demand > 0 and need.weights.get(area, 0) > 0:
                wanting.setdefault(area, []).append(p)
    for slot in sorted(instance.slots.values(), key=lambda s: (s.start, s.id)):
        # partners with no demand left in the area, or no value for it, would not fit: they
        # are left out before ranking (the order of the others is the same)
        ranked = sorted(
            (-ledger.marginal(p, slot), p)
            for p in wanting.get(slot.area, ())
            if ledger.wants_more(p, slot.area)
        )
        for worth, partner in ranked:
            if ledger.taken.get(slot.id, 0) >= slot.seats:
                break
            if worth < 0 and ledger.fits(partner, slot):
                ledger.take(partner, slot)
    return ledger.planned
