# SPDX-License-Identifier: Apache-2.0
"""Explanations a liaison officer can forward: one per seat given, one per demand left unmet.

A seat: which priority (and goal) it serves and which seat in the area it is. An unmet demand
(a partner got fewer seats in an area than it asked for): for each session of the area, the
first limit that stops one more seat there in the final plan (``greedy.Ledger.blocker``: refused
— not eligible, not releasable, agreement too low —, language, seats, budget, people,
prerequisite), the limit that binds most often, and what would change it: one more seat on the
session it would value most, the budget short by so much, one more person in a quarter, an
agreement at a level, a prerequisite planned earlier. Pure: no database.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from liaison.catalogue.planning.greedy import Ledger, replay
from liaison.catalogue.planning.instance import Instance, Pair, Slot, counts
from liaison.catalogue.rules import seat_value

ORDINAL = {1: "1st", 2: "2nd", 3: "3rd"}
BINDING_WORDS = {
    "refused": "not open to it",
    "language": "in a language it does not speak",
    "seats": "full",
    "budget": "beyond its budget",
    "people": "in a quarter with no one free",
    "demand": "beyond its demand",
    "prerequisite": "missing a prerequisite",
    "none": "given to partners who valued them more",
}


@dataclass(frozen=True, slots=True)
class Explanation:
    partner: str
    session_id: int | None
    area: str
    kind: str  # "seat" or "unmet"
    binding: str
    text: str
    change: str


def _nth(k: int) -> str:
    return ORDINAL.get(k, f"{k}th")


def explain(
    instance: Instance,
    plan: set[Pair],
    names: dict[str, str],
    areas: dict[str, str],
) -> list[Explanation]:
    ledger = replay(instance, plan)
    found = _seats(instance, plan, names, areas)
    per_area = counts(instance, plan)
    for p, need in sorted(instance.needs.items()):
        for area, demand in sorted(need.demand.items()):
            got = per_area.get((p, area), 0)
            if need.weights.get(area, 0) > 0 and got < demand:
                found.append(_unmet(instance, ledger, p, area, got, names, areas))
    return found


def _seats(
    instance: Instance, plan: set[Pair], names: dict[str, str], areas: dict[str, str]
) -> list[Explanation]:
    found = []
    seen: Counter[tuple[str, str]] = Counter()
    for (p, sid), n in sorted(instance.fixed.items()):
        seen[(p, instance.slots[sid].area)] += n
    for p, sid in sorted(plan, key=lambda ps: (instance.slots[ps[1]].start, ps[1], ps[0])):
        slot, need = instance.slots[sid], instance.needs[p]
        seen[(p, slot.area)] += 1
        k = seen[(p, slot.area)]
        goal = need.goals.get(slot.area)
        serves = f" (goal: {goal})" if goal else ""
        text = (
            f"{names.get(p, p)} gets a seat on {slot.label} ({slot.start}): it serves its priority "
            f"{need.weights.get(slot.area, 0)} in {areas.get(slot.area, slot.area)}{serves}, its "
            f"{_nth(k)} seat of {need.demand.get(slot.area, 0)} wanted there, worth "
            f"{seat_value(need.weights.get(slot.area, 0), k)}."
        )
        found.append(Explanation(p, sid, slot.area, "seat", "", text, ""))
    return found


def _why_not(instance: Instance, ledger: Ledger, p: str, slot: Slot) -> str:
    if (p, slot.id) in ledger.planned or (p, slot.id) in instance.fixed:
        return "taken"
    if (p, slot.id) in instance.refusals:
        return "refused"
    if not instance.language_ok(p, slot):
        return "language"
    return ledger.blocker(p, slot) or "none"


def _unmet(
    instance: Instance,
    ledger: Ledger,
    p: str,
    area: str,
    got: int,
    names: dict[str, str],
    areas: dict[str, str],
) -> Explanation:
    need = instance.needs[p]
    demand = need.demand[area]
    reasons: dict[str, list[Slot]] = {}
    for slot in sorted(instance.slots.values(), key=lambda s: (s.start, s.id)):
        if slot.area == area:
            why = _why_not(instance, ledger, p, slot)
            if why != "taken":
                reasons.setdefault(why, []).append(slot)
    who, area_name = names.get(p, p), areas.get(area, area)
    head = f"{who} wanted {demand} seat(s) in {area_name} and got {got}"
    if not reasons:
        text = f"{head}: no session in the area this period."
        return Explanation(p, None, area, "unmet", "no session", text, "A session in the area.")
    binding = _binding(reasons)
    parts = [
        f"{len(slots)} {BINDING_WORDS.get(why, why)}"
        for why, slots in sorted(reasons.items(), key=lambda kv: -len(kv[1]))
    ]
    text = f"{head}. Of the area's sessions it could still use: " + "; ".join(parts) + "."
    target = reasons[binding][0]
    change = _change(instance, ledger, p, binding, target, reasons[binding])
    if binding == "seats":
        holders = sorted(
            {
                names.get(q, q)
                for q, sid in (ledger.planned | set(instance.fixed))
                if sid == target.id
            }
        )
        text += f" {target.label} is full, held by {', '.join(holders) or 'accepted nominations'}."
    if binding == "refused":
        text += f" {target.label}: {instance.refusals.get((p, target.id), 'not open to it')}."
    return Explanation(p, target.id, area, "unmet", binding, text, change)


def _binding(reasons: dict[str, list[Slot]]) -> str:
    """The limit that binds: seats or budget or people first (re-solving would change them),
    else the most frequent."""
    for key in ("seats", "budget", "people", "prerequisite"):
        if key in reasons:
            return key
    return max(reasons, key=lambda k: len(reasons[k]))


def _change(  # noqa: PLR0911 - one answer per limit
    instance: Instance, ledger: Ledger, p: str, binding: str, target: Slot, slots: list[Slot]
) -> str:
    need = instance.needs[p]
    if binding == "seats":
        best = max(slots, key=lambda s: (ledger.marginal(p, s), -s.id))
        worth = ledger.marginal(p, best)
        return f"One more seat on {best.label} ({best.start}) would be worth {worth} to it."
    if binding == "budget":
        short = min(ledger.spent.get(p, 0) + need.cost(s) - ledger.rooms[p].budget for s in slots)
        return f"A budget higher by €{short:,} (a seat costs €{need.cost(target):,} with travel)."
    if binding == "people":
        return f"One more person free in Q{target.quarter + 1} of {target.start.year}."
    if binding == "prerequisite":
        required = ", ".join(str(i) for i in instance.prerequisites.get(target.item_id, ()))
        return f"A seat on its prerequisite (item {required}) before {target.start}."
    if binding == "language":
        return f"A participant who speaks '{target.language}'."
    if binding == "refused":
        return "Eligibility, releasability or a security agreement in force on the first day."
    return "A higher priority for the area, or more seats in it."
