# SPDX-License-Identifier: Apache-2.0
"""One planner run, as the job ``planner.run`` of the one queue (``liaison.jobs``): read the
instance (a short transaction), solve with no transaction open, store the result (another
short transaction). Progress goes to the job (what ``liaison jobs show`` and the CLI's bar
read) and to the plan's run row (what the plan page shows).

The API and the pages enqueue it in the request's transaction (it starts once that commits,
on a ``liaison worker`` or the thread ``liaison serve`` runs on SQLite); ``liaison plan run``
enqueues it and follows it with a worker of its own. ``DirectContext`` runs the same body in
the caller's thread (tests, benchmarks). A run is idempotent: a retried job re-solves its plan
from the stored draft and replaces what an earlier attempt stored.

The plan kept is the solver's, or the greedy baseline's should the solver end with nothing
better, so a stored plan is never worse than greedy. Then up to ``whatif.MAX_RESOLVES``
short re-solves, each with one binding limit relaxed, say what would change an unmet demand.
A failure marks the run failed (with its reason) and is raised again for the queue to retry.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

from sqlalchemy.orm import Session

from liaison.catalogue.planning.explain import explain
from liaison.catalogue.planning.greedy import greedy
from liaison.catalogue.planning.instance import Instance, objective
from liaison.catalogue.planning.service import Outcome, PlanService
from liaison.catalogue.planning.whatif import what_would_change
from liaison.catalogue.rules import RunState
from liaison.db.session import SessionFactory, unit_of_work
from liaison.identity.service import IdentityService
from liaison.jobs import job_handler
from liaison.registry.service import nation_profile
from liaison.security.authn import principal_for
from liaison.security.principal import SYSTEM, Principal

JOB_KIND = "planner.run"
PROGRESS_EVERY = 0.5  # seconds between two progress writes


class JobContext(Protocol):
    def progress(self, done: int, total: int | None = None, note: str | None = None) -> None: ...

    def session(self) -> AbstractContextManager[Session]: ...


class DirectContext:
    """Runs a job body here and now: progress goes to the plan's run row (what a page polls)
    and to ``on_progress`` (what a CLI progress bar shows)."""

    def __init__(
        self,
        factory: SessionFactory,
        plan_id: int,
        on_progress: Callable[[int, int, str], None] | None = None,
    ) -> None:
        self.factory = factory
        self.plan_id = plan_id
        self.on_progress = on_progress

    @contextmanager
    def session(self) -> Iterator[Session]:
        with unit_of_work(self.factory) as session:
            yield session

    def progress(self, done: int, total: int | None = None, note: str | None = None) -> None:
        if self.on_progress is not None:
            self.on_progress(done, total or 0, note or "")


def install() -> None:
    """Nothing to do: importing this module registers the handler of ``planner.run``
    (``wiring.install`` calls this so the import has a use)."""


def principal_named(session: Session, username: str) -> Principal:
    if username == SYSTEM.username:
        return SYSTEM
    user = IdentityService(session, SYSTEM).user(username)
    return principal_for(session, user, nation_profile)


def report(ctx: JobContext, plan_id: int, done: int, total: int, note: str) -> None:
    """Progress to the job and to the plan's run row (each on its own short transaction)."""
    ctx.progress(done, total, note)
    with ctx.session() as session:
        run = PlanService(session, SYSTEM).run_of(plan_id)
        run.progress_done, run.progress_total, run.note = done, total, note[:300]


@job_handler(JOB_KIND)
def run_plan(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    plan_id = int(payload["plan_id"])
    try:
        return _run(ctx, plan_id)
    except Exception as exc:
        with ctx.session() as session:
            PlanService(session, SYSTEM).mark_run(plan_id, RunState.FAILED, f"failed: {exc}"[:300])
        raise


def _run(ctx: JobContext, plan_id: int) -> dict[str, Any]:
    with ctx.session() as session:
        plan = PlanService(session, SYSTEM).get(plan_id).plan
        username, period, time_limit, seed = (
            plan.created_by,
            plan.period,
            plan.time_limit,
            plan.seed,
        )
        service = PlanService(session, principal_named(session, username))
        instance = service.instance(period)
        names = {p: service.marks.name_of(p) for p in instance.needs}
        areas = service.area_names()
        service.mark_run(
            plan_id,
            RunState.RUNNING,
            f"{len(instance.slots)} sessions, {len(instance.needs)} partners",
        )
    outcome = solve_instance(instance, time_limit, seed, names, areas, ctx, plan_id)
    with ctx.session() as session:
        PlanService(session, principal_named(session, username)).store(plan_id, instance, outcome)
    return {
        "plan_id": plan_id,
        "objective": outcome.objective,
        "bound": outcome.bound,
        "gap": outcome.gap,
    }


def _tell(ctx: JobContext, plan_id: int | None, done: int, total: int, note: str) -> None:
    if plan_id is None:
        ctx.progress(done, total, note)
    else:
        report(ctx, plan_id, done, total, note)


def solve_instance(
    instance: Instance,
    time_limit: float,
    seed: int,
    names: dict[str, str],
    areas: dict[str, str],
    ctx: JobContext | None = None,
    plan_id: int | None = None,
) -> Outcome:
    """Greedy, then CP-SAT from greedy's plan; keep the better; explain it."""
    total = max(1, int(time_limit * 10))
    base = greedy(instance)
    base_value = objective(instance, base)
    last = [0.0]
    lock = threading.Lock()

    def progress(seconds: float, value: float | None, bound: float | None) -> None:
        now = time.monotonic()
        with lock:
            if ctx is None or now - last[0] < PROGRESS_EVERY:
                return
            last[0] = now
        ctx.progress(
            min(total, int(seconds * 10)),
            total,
            f"objective {value or 0:,.0f}, bound {bound or 0:,.0f}",
        )

    # OR-Tools (and the pandas and numpy it imports) on first use: every command and page that
    # registers this job's handler would otherwise pay for them at start-up.
    from liaison.catalogue.planning.model import solve  # noqa: PLC0415

    solution = solve(instance, time_limit=time_limit, seed=seed, hint=base, progress=progress)
    value = objective(instance, solution.plan)
    plan, kept = (
        (solution.plan, "cp-sat") if solution.plan and value >= base_value else (base, "greedy")
    )
    final = float(max(value, base_value)) if solution.plan else float(base_value)
    bound = solution.bound if solution.bound == solution.bound else final  # NaN: no bound proven
    bound = max(bound, final)
    stats = {
        "kept": kept,
        "variables": solution.variables,
        "seconds": round(solution.seconds, 3),
        "first_feasible": solution.first_feasible,
        "greedy": base_value,
    }
    explanations = explain(instance, plan, names, areas)

    def step(k: int, n: int) -> None:
        if ctx is not None:
            _tell(ctx, plan_id, total, total, f"what would change it: re-solve {k} of {n}")

    explanations = what_would_change(
        instance,
        plan,
        explanations,
        names,
        areas,
        seconds=what_if_seconds(time_limit),
        seed=seed,
        on_step=step,
    )
    if ctx is not None:
        _tell(ctx, plan_id, total, total, f"{solution.status}: objective {final:,.0f}")
    return Outcome(
        plan,
        final,
        bound,
        max(0.0, (bound - final) / max(1.0, abs(bound))),
        float(base_value),
        solution.status if kept == "cp-sat" else f"{solution.status} (greedy kept)",
        stats,
        explanations,
    )


def what_if_seconds(time_limit: float) -> float:
    """Each re-solve of "what would change it": a tenth of the run's limit, 0.2 to 2 s."""
    return min(2.0, max(0.2, time_limit / 10))
