# SPDX-License-Identifier: Apache-2.0
"""An independent checker of seat plans: every constraint of a plan, written from the issue's
words over the instance's plain facts, without the solver's model, the greedy ledger or
``instance.objective``. ``violations`` lists what is broken (empty: a valid plan);
``value`` recomputes the objective."""

from __future__ import annotations

from collections import defaultdict

DECAY = [100, 60, 40, 30, 25]


def _seat_value(weight, k):
    if weight <= 0:
        return 0
    return weight * (DECAY[k - 1] if k <= len(DECAY) else 20)


def violations(instance, plan):  # noqa: C901, PLR0912 - one block per constraint
    found = []
    fixed_cost = defaultdict(int)
    fixed_people = defaultdict(int)
    fixed_area = defaultdict(int)
    taken = defaultdict(int)
    for (p, sid), n in instance.fixed.items():
        slot = instance.slots[sid]
        taken[sid] += n
        if p in instance.needs:
            need = instance.needs[p]
            fixed_cost[p] += n * (slot.fee + need.travel.get(slot.region, 0))
        fixed_people[(p, slot.quarter)] += n
        fixed_area[(p, slot.area)] += n
    cost = defaultdict(int)
    people = defaultdict(int)
    area = defaultdict(int)
    for p, sid in plan:
        if p not in instance.needs or sid not in instance.slots:
            found.append(f"unknown partner or session {p} {sid}")
            continue
        slot, need = instance.slots[sid], instance.needs[p]
        taken[sid] += 1
        if (p, sid) in instance.refusals:
            found.append(f"{p} may not attend {sid}: {instance.refusals[(p, sid)]}")
        if slot.language not in need.languages:
            found.append(f"{p} speaks no {slot.language} ({sid})")
        if need.weights.get(slot.area, 0) <= 0:
            found.append(f"{p} has no priority in {slot.area} ({sid})")
        if (p, sid) in instance.fixed:
            found.append(f"{p} planned again on {sid}, where it holds an accepted seat")
        cost[p] += slot.fee + need.travel.get(slot.region, 0)
        people[(p, slot.quarter)] += 1
        area[(p, slot.area)] += 1
        for required in instance.prerequisites.get(slot.item_id, ()):
            if (p, required) in instance.attended:
                continue
            earlier = [
                s
                for s in instance.slots.values()
                if s.item_id == required
                and s.end < slot.start
                and ((p, s.id) in plan or (p, s.id) in instance.fixed)
            ]
            if not earlier:
                found.append(f"{p} on {sid} without its prerequisite item {required}")
    for sid, n in taken.items():
        if n > instance.slots[sid].seats:
            found.append(f"session {sid} over-booked: {n} > {instance.slots[sid].seats}")
    for p, need in instance.needs.items():
        if cost[p] > max(0, need.budget - fixed_cost[p]):
            found.append(f"{p} over budget: {cost[p]} + {fixed_cost[p]} > {need.budget}")
        found.extend(
            f"{p} has too few people in Q{q + 1}"
            for q in range(4)
            if people[(p, q)] > max(0, need.people[q] - fixed_people[(p, q)])
        )
        for a, demand in need.demand.items():
            if area[(p, a)] > max(0, demand - fixed_area[(p, a)]):
                found.append(f"{p} gets more than its demand in {a}")
        found.extend(
            f"{p} gets seats in {a}, where it asked for none"
            for (q, a), n in area.items()
            if q == p and a not in need.demand and n
        )
    return found


def value(instance, plan, fairness=2):
    seats = defaultdict(int)
    for (p, sid), n in instance.fixed.items():
        seats[(p, instance.slots[sid].area)] += n
    for p, sid in plan:
        seats[(p, instance.slots[sid].area)] += 1
    total = 0
    met = defaultdict(int)
    for (p, a), n in seats.items():
        if p not in instance.needs:
            continue
        need = instance.needs[p]
        w = need.weights.get(a, 0)
        total += sum(_seat_value(w, k) for k in range(1, n + 1))
        if w > 0:
            met[p] += min(n, need.demand.get(a, 0))
    shares = []
    for p, need in instance.needs.items():
        wanted = sum(n for a, n in need.demand.items() if need.weights.get(a, 0) > 0)
        if wanted:
            shares.append(min(1000, 1000 * met[p] // wanted))
    return total + fairness * (min(shares) if shares else 0)
