# SPDX-License-Identifier: Apache-2.0
"""The planner on generated instances, beside the greedy baseline (DESIGN.md targets:
40 partners x 1,500 sessions — a feasible plan < 1 s, within 1 % of the proven bound < 10 s,
better than greedy; 200 partners x 10,000 sessions — time and gap at 60 s).

    .venv/bin/python bench/planner.py                     # both sizes
    .venv/bin/python bench/planner.py --partners 40 --sessions 1500 --time-limit 10

Instances are generated from a seed (no database): 19 areas, each partner weighing 4-8 of
them with a demand of 1-4 seats; sessions of 4-30 seats, fees, regions, two languages, a
tenth refused per partner (eligibility, releasability, agreement level), a tenth of items
with a prerequisite, budgets and people per quarter that bind. Prints, per size: variables,
the first feasible plan (greedy's, which holds every constraint, and the solver's own first),
the time to within 1 % of the bound, the final objective, bound and gap, greedy's objective
and the ratio. Times count from the start (greedy, then the model's build, then the search),
and the time limit too (the solver gets what greedy left). A large instance is pruned (see
``planning.model``): its bound is then the relaxation's, valid for the whole problem, printed
beside the pruned model's own. The last column is the machine's load average (it is shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import time

from liaison.catalogue.planning.greedy import greedy
from liaison.catalogue.planning.instance import Instance, Need, Slot, objective
from liaison.catalogue.planning.model import PRUNE_ABOVE, possible, relaxed_bound, solve

AREAS = [f"area-{k:02d}" for k in range(19)]
REGIONS = ["europe", "asia-pacific", "middle-east-africa", "americas", "online"]


def generate(partners: int, sessions: int, seed: int = 1) -> Instance:
    rng = random.Random(seed)
    slots = {}
    items = max(1, sessions * 2 // 3)
    for sid in range(1, sessions + 1):
        item = rng.randrange(items)
        start = dt.date(2027, 1, 1) + dt.timedelta(days=rng.randrange(360))
        region = rng.choice(REGIONS)
        slots[sid] = Slot(
            sid,
            item,
            AREAS[item % len(AREAS)],
            start,
            start + dt.timedelta(days=rng.randrange(1, 10)),
            (start.month - 1) // 3,
            seats := rng.randrange(4, 31),
            seats,
            rng.choice([0, 0, 250, 500, 1000]),
            region,
            "fr" if rng.random() < 0.1 else "en",
            f"S{sid}",
        )
    needs = {}
    for k in range(partners):
        code = f"P{k:03d}"
        chosen = rng.sample(AREAS, rng.randrange(4, 9))
        needs[code] = Need(
            code,
            {a: rng.randrange(1, 6) for a in chosen},
            {a: rng.randrange(1, 5) * max(1, sessions // 1500) for a in chosen},
            rng.randrange(5_000, 40_000) * max(1, sessions // 1500),
            tuple(rng.randrange(2, 7) * max(1, sessions // 1500) for _ in range(4)),
            frozenset({"en", "fr"} if rng.random() < 0.2 else {"en"}),
            {r: (0 if r == "online" else rng.randrange(300, 2000)) for r in REGIONS},
        )
    refusals = {(p, s): "refused" for p in needs for s in slots if rng.random() < 0.1}
    prerequisites = {i: (i - 1,) for i in range(1, items) if rng.random() < 0.1}
    return Instance(slots, needs, refusals, prerequisites, frozenset(), {})


def run(partners: int, sessions: int, time_limit: float, seed: int) -> None:
    instance = generate(partners, sessions, seed)
    started = time.perf_counter()
    base = greedy(instance)
    greedy_seconds = time.perf_counter() - started
    greedy_value = objective(instance, base)
    found = possible(instance)
    large = sum(len(v) for v in found.values()) > PRUNE_ABOVE
    relaxed = relaxed_bound(instance, found)  # the solver computes it too, after its search
    within: list[float] = []
    if (relaxed - greedy_value) <= 0.01 * relaxed:
        within.append(greedy_seconds)

    def progress(seconds: float, value: float | None, bound: float | None) -> None:
        proven = relaxed if large or bound is None else min(relaxed, bound)
        if value is not None and not within and (proven - value) <= 0.01 * proven:
            within.append(seconds + greedy_seconds)

    # the time limit counts from the start: greedy's time is taken off the solver's
    solution = solve(
        instance,
        time_limit=max(0.1, time_limit - greedy_seconds),
        seed=seed,
        hint=base,
        progress=progress,
    )
    value = objective(instance, solution.plan)
    pruned = (
        f" (pruned from {solution.pruned[0]:,}; the pruned model's bound "
        f"{solution.model_bound:,.0f}, gap {solution.model_gap:.2%})"
        if solution.pruned
        else ""
    )
    print(
        f"{partners:>4} partners x {sessions:>6} sessions | "
        f"vars {solution.variables:>8,}{pruned} | "
        f"greedy {greedy_value:>9,} | "
        f"first feasible: greedy's {greedy_seconds:5.2f} s, solver's "
        f"{(solution.first_feasible or float('nan')) + greedy_seconds:6.2f} s | "
        f"within 1% {within[0] if within else float('nan'):6.2f} s | "
        f"objective {value:>9,} bound {solution.bound:>11,.0f} gap {solution.gap:6.2%} | "
        f"{solution.status} at {solution.seconds + greedy_seconds:5.1f} s | "
        f"ratio to greedy {value / max(1, greedy_value):.3f} | "
        f"load average {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int)
    parser.add_argument("--sessions", type=int)
    parser.add_argument("--time-limit", type=float)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.partners and args.sessions:
        run(args.partners, args.sessions, args.time_limit or 10, args.seed)
        return
    run(40, 1_500, args.time_limit or 10, args.seed)
    run(200, 10_000, args.time_limit or 60, args.seed)


if __name__ == "__main__":
    main()
