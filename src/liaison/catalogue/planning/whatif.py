# SPDX-License-Identifier: Apache-2.0
"""What would change an unmet demand, found by re-solving: for the unmet demands whose binding
limit is a number (a full session, a budget, people in a quarter), the planner relaxes that
one limit — one more seat on the session the partner values most, the budget raised by what
the cheapest seat lacks, one more person in the quarter — and solves again from the plan as a
hint, with a short time limit (greedy on the relaxed instance too: the better plan counts).
The sentence then says what the re-solved plan gives the partner in the area and what the
whole plan gains, or that the relaxation alone would not do.

Bounded: at most ``MAX_RESOLVES`` re-solves (the partners' highest priorities first), each of
``seconds``; the job runs them after the main solve (never a request). Pure: no database.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from liaison.catalogue.planning.explain import Explanation
from liaison.catalogue.planning.greedy import greedy, replay
from liaison.catalogue.planning.instance import Instance, Pair, counts, objective
from liaison.catalogue.planning.model import solve

MAX_RESOLVES = 5
RELAXABLE = ("seats", "budget", "people")


def relaxed(instance: Instance, plan: set[Pair], e: Explanation) -> tuple[Instance, str] | None:
    """``instance`` with the limit binding ``e`` relaxed once, and the words for it."""
    p, area = e.partner, e.area
    need = instance.needs[p]
    ledger = replay(instance, plan)
    blocked = [
        s
        for s in sorted(instance.slots.values(), key=lambda s: (s.start, s.id))
        if s.area == area and (p, s.id) not in plan and ledger.blocker(p, s) == e.binding
    ]
    if not blocked:
        return None
    if e.binding == "seats":
        best = max(blocked, key=lambda s: (ledger.marginal(p, s), -s.id))
        more = dataclasses.replace(best, seats=best.seats + 1, free=best.free + 1)
        words = f"one more seat on {best.label} ({best.start})"
        return dataclasses.replace(instance, slots={**instance.slots, best.id: more}), words
    if e.binding == "budget":
        short = min(ledger.spent.get(p, 0) + need.cost(s) - ledger.rooms[p].budget for s in blocked)
        richer = dataclasses.replace(need, budget=need.budget + short)
        words = f"a budget higher by €{short:,}"
        return dataclasses.replace(instance, needs={**instance.needs, p: richer}), words
    quarter = blocked[0].quarter
    people = list(need.people)
    people[quarter] += 1
    busier = dataclasses.replace(need, people=(people[0], people[1], people[2], people[3]))
    words = f"one more person free in Q{quarter + 1}"
    return dataclasses.replace(instance, needs={**instance.needs, p: busier}), words


def what_would_change(
    instance: Instance,
    plan: set[Pair],
    explanations: list[Explanation],
    names: dict[str, str],
    areas: dict[str, str],
    *,
    seconds: float,
    seed: int = 0,
    on_step: Callable[[int, int], None] | None = None,
) -> list[Explanation]:
    """``explanations`` with the ``change`` of up to ``MAX_RESOLVES`` unmet demands replaced
    by what a re-solve with their binding limit relaxed found."""
    unmet = [
        (k, e) for k, e in enumerate(explanations) if e.kind == "unmet" and e.binding in RELAXABLE
    ]
    unmet.sort(key=lambda ke: (-instance.needs[ke[1].partner].weights.get(ke[1].area, 0), ke[0]))
    chosen = unmet[:MAX_RESOLVES]
    before_value = objective(instance, plan)
    before = counts(instance, plan)
    found = list(explanations)
    for step, (k, e) in enumerate(chosen, start=1):
        if on_step is not None:
            on_step(step, len(chosen))
        change = relaxed(instance, plan, e)
        if change is None:
            continue
        other, words = change
        # the better of the re-solve and greedy on the relaxed instance (the re-solve may end
        # with nothing in its short time on a busy machine; greedy always answers)
        solution = solve(other, time_limit=seconds, seed=seed, hint=plan)
        found_plan = max(
            (solution.plan, greedy(other), plan), key=lambda candidate: objective(other, candidate)
        )
        got = counts(other, found_plan).get((e.partner, e.area), 0)
        had = before.get((e.partner, e.area), 0)
        delta = objective(other, found_plan) - before_value
        who, area = names.get(e.partner, e.partner), areas.get(e.area, e.area)
        if got > had:
            text = (
                f"Re-solved with {words}: {who} would get {got} seat(s) in {area} instead of "
                f"{had}, the plan's value {'+' if delta >= 0 else ''}{delta:,}."
            )
        else:
            text = (
                f"Re-solved with {words}: not enough alone, {who} would still get {had} in "
                f"{area} (another limit binds too)."
            )
        found[k] = dataclasses.replace(e, change=text)
    return found
