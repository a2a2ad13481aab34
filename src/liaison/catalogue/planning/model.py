# SPDX-License-Identifier: Apache-2.0
"""The planner's CP-SAT model: the constraints of ``instance`` as linear constraints over one
0/1 variable per possible (partner, session) seat, the objective of ``instance.objective``
(diminishing returns as ordered 0/1 steps per partner and area, fairness as the lowest share),
solved with a time limit and a fixed seed, from the greedy plan as a hint.

Pure: no database. ``solve`` returns the best plan found with the proven bound; the caller
keeps the greedy plan instead should the solver end with nothing better (so a plan is never
worse than the baseline).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from liaison.catalogue.planning.instance import FAIRNESS, Instance, Pair, room
from liaison.catalogue.rules import seat_value

LARGE = 100_000  # variables beyond which the model is searched without presolve
Progress = Callable[[float, float | None, float | None], None]  # seconds, objective, bound


@dataclass(frozen=True, slots=True)
class Solution:
    plan: set[Pair]
    objective: float
    bound: float
    status: str
    seconds: float
    first_feasible: float | None
    variables: int

    @property
    def gap(self) -> float:
        return max(0.0, (self.bound - self.objective) / max(1.0, abs(self.bound)))


class _Model:
    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.model = cp_model.CpModel()
        self.x: dict[Pair, cp_model.IntVar] = {}
        self.constant = 0
        self.terms: list[tuple[cp_model.IntVar, int]] = []
        self.steps: dict[tuple[str, str], list[cp_model.IntVar]] = {}
        self.shares: list[tuple[int, list[Pair], int]] = []
        self.fair: cp_model.IntVar | None = None

    def build(self) -> None:
        inst = self.instance
        for p in sorted(inst.needs):
            for slot in inst.slots.values():
                if inst.candidate(p, slot) and slot.free > 0:
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
    workers: int = 2,
    target_gap: float = 0.0,
) -> Solution:
    started = time.perf_counter()
    built = _Model(instance)
    built.build()
    built.objective()
    if hint:
        built.hint(hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit - (time.perf_counter() - started))
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    solver.parameters.relative_gap_limit = target_gap
    if len(built.x) > LARGE:
        # presolving half a million variables took the whole time limit (200 partners x
        # 10,000 sessions, 60 s: no solution); without it the hint is a solution at once
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
    return Solution(plan, value, bound, name, time.perf_counter() - started, first, len(built.x))
