# SPDX-License-Identifier: Apache-2.0
"""The planner's CP-SAT model: the constraints of ``instance`` as linear constraints over one
0/1 variable per possible (partner, session) seat, the objective of ``instance.objective``
(diminishing returns as ordered 0/1 steps per partner and area, fairness as the lowest share),
solved with a time limit and a fixed seed, from the greedy plan as a hint.

Large instances (more than ``PRUNE_ABOVE`` possible seats: 200 partners x 10,000 sessions has
half a million) are pruned before the model is built: each partner keeps, per area, a few
sessions per seat it still wants (the cheapest and least contended, spread over the quarters)
and every seat of the hint. The bound reported is the lower of the solver's and a
relaxation's (``relaxed_bound``: each partner's own limits, no competition), both proven; for
a pruned model the relaxation's alone, the pruned model's own beside it.

Pure: no database. ``solve`` returns the best plan found with the proven bound; the caller
keeps the greedy plan instead should the solver end with nothing better (so a plan is never
worse than the baseline).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from liaison.catalogue.planning.instance import FAIRNESS, Instance, Pair, Slot, room
from liaison.catalogue.rules import seat_value

LARGE = 100_000  # variables beyond which the model is searched without presolve
PRUNE_ABOVE = 60_000  # possible seats beyond which each (partner, area) keeps its best few
KEEP_PER_SEAT = 3  # sessions kept per seat a partner still wants in an area, when pruning
KEEP_AT_LEAST = 8
# CP-SAT's portfolio: at 8 workers it runs its large-neighbourhood searches, which improve a
# plan far sooner than 2 (40 x 1,500, 10 s, load 14: 115,002 against 113,332), even on 2 cores
WORKERS = 8
Progress = Callable[[float, float | None, float | None], None]  # seconds, objective, bound


@dataclass(frozen=True, slots=True)
class Solution:
    """``bound`` is proven for the whole problem: the lower of the solver's (``model_bound``)
    and a relaxation's (``relaxed_bound``); when the model was pruned (``pruned``: possible
    seats, kept ones), the relaxation's alone (the solver's holds for the pruned model)."""

    plan: set[Pair]
    objective: float
    bound: float
    status: str
    seconds: float
    first_feasible: float | None
    variables: int
    model_bound: float = float("nan")
    pruned: tuple[int, int] | None = None

    @property
    def gap(self) -> float:
        return max(0.0, (self.bound - self.objective) / max(1.0, abs(self.bound)))

    @property
    def model_gap(self) -> float:
        return max(0.0, (self.model_bound - self.objective) / max(1.0, abs(self.model_bound)))


def possible(instance: Instance) -> dict[tuple[str, str], list[Slot]]:
    """Every seat a plan could give, by (partner, area): the sessions with free seats the
    partner may attend in an area it wants (before seats, budget, people and order)."""
    by_area: dict[str, list[Slot]] = {}
    for slot in sorted(instance.slots.values(), key=lambda s: s.id):
        if slot.free > 0:
            by_area.setdefault(slot.area, []).append(slot)
    found: dict[tuple[str, str], list[Slot]] = {}
    for p in sorted(instance.needs):
        need = instance.needs[p]
        for area in sorted(need.demand):
            if need.demand[area] > 0 and need.weights.get(area, 0) > 0:
                kept = [s for s in by_area.get(area, ()) if instance.candidate(p, s)]
                if kept:
                    found[(p, area)] = kept
    return found


def prune(
    instance: Instance, found: dict[tuple[str, str], list[Slot]], hint: set[Pair]
) -> set[Pair]:
    """The seats a large model keeps: per (partner, area), ``KEEP_PER_SEAT`` sessions per seat
    still wanted (at least ``KEEP_AT_LEAST``), the cheapest for the partner and the least
    contended first, taken in turn from each quarter (people are counted per quarter); and
    every seat of ``hint`` (so the greedy plan stays a solution of the pruned model)."""
    kept = {pair for pair in hint if pair[1] in instance.slots}
    for (p, area), slots in found.items():
        need, left = instance.needs[p], room(instance, p)
        n = max(KEEP_AT_LEAST, KEEP_PER_SEAT * left.areas.get(area, 0))
        if len(slots) <= n:
            kept.update((p, s.id) for s in slots)
            continue
        ranked = sorted(slots, key=lambda s: (need.cost(s), -s.free, s.start, s.id))
        quarters: list[list[Slot]] = [[], [], [], []]
        for s in ranked:
            quarters[s.quarter].append(s)
        taken: list[Slot] = []
        while len(taken) < n:
            for q in quarters:
                if q and len(taken) < n:
                    taken.append(q.pop(0))
        kept.update((p, s.id) for s in taken)
    return kept


def relaxed_bound(instance: Instance, found: dict[tuple[str, str], list[Slot]]) -> float:
    """An upper bound on every plan's objective, from a relaxation that keeps each partner's
    own limits and drops the competition for seats and the order of prerequisites: a partner
    gets at most its people (all quarters together) and as many seats as its budget buys at
    the cheapest possible sessions, at most its demand and its sessions per area, and those
    seats are its most valuable ones."""
    total, shares = 0, []
    for p, need in sorted(instance.needs.items()):
        left = room(instance, p)
        _, _, fixed_areas = instance.fixed_use(p)
        values: list[int] = []
        wanted = fixed_total = 0
        costs: set[tuple[int, int]] = set()
        for area, demand in need.demand.items():
            weight = need.weights.get(area, 0)
            fixed = fixed_areas.get(area, 0)
            slots = found.get((p, area), ())
            costs.update((need.cost(s), s.id) for s in slots)
            more = min(left.areas.get(area, 0), len(slots))
            total += sum(seat_value(weight, k) for k in range(1, fixed + 1))
            values.extend(seat_value(weight, fixed + j) for j in range(1, more + 1))
            if weight > 0:
                wanted += min(demand, fixed + more)
                fixed_total += min(demand, fixed)
        affordable, spent = 0, 0
        for cost, _ in sorted(costs):
            if spent + cost > left.budget:
                break
            spent, affordable = spent + cost, affordable + 1
        cap = min(sum(left.people), affordable)
        total += sum(sorted(values, reverse=True)[:cap])
        if need.total_demand > 0:
            seats = min(wanted, fixed_total + cap)
            shares.append(min(1000, 1000 * seats // need.total_demand))
    return float(total + FAIRNESS * (min(shares) if shares else 0))


class _Model:
    def __init__(self, instance: Instance, keep: set[Pair] | None = None) -> None:
        self.instance = instance
        self.keep = keep
        self.model = cp_model.CpModel()
        self.x: dict[Pair, cp_model.IntVar] = {}
        self.constant = 0
        self.terms: list[tuple[cp_model.IntVar, int]] = []
        self.steps: dict[tuple[str, str], list[cp_model.IntVar]] = {}
        self.shares: list[tuple[int, list[Pair], int]] = []
        self.fair: cp_model.IntVar | None = None

    def build(self, found: dict[tuple[str, str], list[Slot]]) -> None:
        for (p, _), slots in found.items():
            for slot in slots:
                if self.keep is None or (p, slot.id) in self.keep:
                    self.x[(p, slot.id)] = self.model.new_bool_var(f"x_{p}_{slot.id}")
        self._prerequisites()
        self._seats()
        self._partners()

    def _prerequisites(self) -> None:
        inst = self.instance
        by_item = inst.sessions_of_item()
        for (p, sid), var in list(self.x.items()):
            slot = inst.slots[sid]
            for required in inst.prerequisites.get(slot.item_id, ()):
                if (p, required) in inst.attended:
                    continue
                earlier = [s for s in by_item.get(required, []) if s.end < slot.start]
                if any((p, s.id) in inst.fixed for s in earlier):
                    continue
                before = [self.x[(p, s.id)] for s in earlier if (p, s.id) in self.x]
                self.model.add(var <= sum(before)) if before else self.model.add(var == 0)

    def _seats(self) -> None:
        per_slot: dict[int, list[cp_model.IntVar]] = {}
        for (_, sid), var in self.x.items():
            per_slot.setdefault(sid, []).append(var)
        for sid, vars_ in per_slot.items():
            free = self.instance.slots[sid].free
            if len(vars_) > free:
                self.model.add(sum(vars_) <= free)

    def _partners(self) -> None:
        inst = self.instance
        shares: list[tuple[int, list[cp_model.IntVar], int]] = []
        pairs_of: list[Pair] = []
        by_partner: dict[str, dict[int, cp_model.IntVar]] = {}
        for (owner, sid), v in self.x.items():
            by_partner.setdefault(owner, {})[sid] = v
        for p, need in sorted(inst.needs.items()):
            mine = by_partner.get(p, {})
            left = room(inst, p)
            self.model.add(
                sum(need.cost(inst.slots[s]) * v for s, v in mine.items()) <= left.budget
            )
            for q in range(4):
                in_q = [v for s, v in mine.items() if inst.slots[s].quarter == q]
                if len(in_q) > left.people[q]:
                    self.model.add(sum(in_q) <= left.people[q])
            seats: list[cp_model.IntVar] = []
            fixed_seats = 0
            for area, demand in need.demand.items():
                weight = need.weights.get(area, 0)
                fixed = demand - left.areas.get(area, 0)
                in_area = [v for s, v in mine.items() if inst.slots[s].area == area]
                self.constant += sum(seat_value(weight, k) for k in range(1, fixed + 1))
                if weight > 0:
                    fixed_seats += fixed
                    seats.extend(in_area)
                    pairs_of.extend((p, s) for s in mine if inst.slots[s].area == area)
                self._steps(p, area, weight, fixed, left.areas.get(area, 0), in_area)
            if need.total_demand > 0:
                shares.append((need.total_demand, seats, fixed_seats))
                self.shares.append((need.total_demand, list(pairs_of), fixed_seats))
            pairs_of = []
            self.constant += self._fixed_beyond_demand(p)
        self._fairness(shares)

    def _fixed_beyond_demand(self, partner: str) -> int:
        """Value of fixed seats in areas without demand (``instance.objective`` counts them)."""
        need = self.instance.needs[partner]
        _, _, areas = self.instance.fixed_use(partner)
        total = 0
        for area, n in areas.items():
            demand = need.demand.get(area, 0)
            if n > demand:
                weight = need.weights.get(area, 0)
                total += sum(seat_value(weight, k) for k in range(demand + 1, n + 1))
        return total

    def _steps(
        self,
        p: str,
        area: str,
        weight: int,
        fixed: int,
        room_left: int,
        in_area: list[cp_model.IntVar],
    ) -> None:
        if not in_area:
            return
        steps = [self.model.new_bool_var(f"y_{p}_{area}_{k}") for k in range(room_left)]
        self.steps[(p, area)] = steps
        if not steps:
            self.model.add(sum(in_area) == 0)
            return
        self.model.add(sum(in_area) == sum(steps))
        for a, b in itertools.pairwise(steps):
            self.model.add(a >= b)
        for k, step in enumerate(steps):
            self.terms.append((step, seat_value(weight, fixed + k + 1)))

    def _fairness(self, shares: list[tuple[int, list[cp_model.IntVar], int]]) -> None:
        if not shares:
            return
        self.fair = self.model.new_int_var(0, 1000, "lowest_share")
        for total, seats, fixed in shares:
            # total * t <= 1000 * (fixed + planned seats)
            self.model.add(total * self.fair <= 1000 * (fixed + sum(seats)))

    def objective(self) -> None:
        expr = sum(c * v for v, c in self.terms)
        if self.fair is not None:
            expr += FAIRNESS * self.fair
        self.model.maximize(expr + self.constant)

    def hint(self, plan: set[Pair]) -> None:
        """A complete hint (every variable) from a feasible plan: the solver starts from it."""
        taken: dict[tuple[str, str], int] = {}
        for pair, var in self.x.items():
            chosen = pair in plan
            self.model.add_hint(var, 1 if chosen else 0)
            if chosen:
                key = (pair[0], self.instance.slots[pair[1]].area)
                taken[key] = taken.get(key, 0) + 1
        for key, steps in self.steps.items():
            for k, step in enumerate(steps):
                self.model.add_hint(step, 1 if k < taken.get(key, 0) else 0)
        if self.fair is not None:
            lowest = min(
                (1000 * (fixed + sum(1 for pair in pairs if pair in plan))) // total
                for total, pairs, fixed in self.shares
            )
            self.model.add_hint(self.fair, min(1000, lowest))


class _Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(self, progress: Progress | None) -> None:
        super().__init__()
        self.started = time.perf_counter()
        self.first: float | None = None
        self.progress = progress

    def on_solution_callback(self) -> None:
        elapsed = time.perf_counter() - self.started
        if self.first is None:
            self.first = elapsed
        if self.progress is not None:
            self.progress(elapsed, self.objective_value, self.best_objective_bound)


def solve(
    instance: Instance,
    *,
    time_limit: float,
    seed: int = 0,
    hint: set[Pair] | None = None,
    progress: Progress | None = None,
    workers: int = WORKERS,
    target_gap: float = 0.0,
) -> Solution:
    started = time.perf_counter()
    found = possible(instance)
    count = sum(len(v) for v in found.values())
    keep = prune(instance, found, hint or set()) if count > PRUNE_ABOVE else None
    relaxation = relaxed_bound(instance, found)  # before the search: its time counts too
    built = _Model(instance, keep)
    built.build(found)
    built.objective()
    if hint:
        built.hint(hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit - (time.perf_counter() - started))
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    solver.parameters.relative_gap_limit = target_gap
    if keep is not None or len(built.x) > LARGE:
        # presolving half a million variables took the whole time limit (200 partners x
        # 10,000 sessions, 60 s: no solution); pruned to 64,000, the solver's first solution
        # still came at 50 s (load 14); without presolve the hint is a solution at once
        solver.parameters.cp_model_presolve = False
    watcher = _Watcher(progress)
    status = solver.solve(built.model, watcher)
    name = solver.status_name(status)
    plan: set[Pair] = set()
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        plan = {pair for pair, var in built.x.items() if solver.value(var)}
        value = solver.objective_value
        bound = solver.best_objective_bound
    else:
        value = bound = float("nan")
    first = None if watcher.first is None else watcher.first + (watcher.started - started)
    # two proven bounds, both valid for the whole problem when nothing was pruned: the
    # solver's and the relaxation's (often the tighter early on); pruned, the relaxation's
    proven = relaxation if keep is not None or math.isnan(bound) else min(bound, relaxation)
    pruned = None if keep is None else (count, len(built.x))
    elapsed = time.perf_counter() - started
    return Solution(plan, value, proven, name, elapsed, first, len(built.x), bound, pruned)
