# SPDX-License-Identifier: Apache-2.0
"""Plans as records: create a draft and its run, build the instance a run solves (from what
the running principal may read), store what the run found, read, compare and approve plans.
Services never commit; the solver never runs here (``planning.run`` does, outside any
request's transaction).

Invariants:
- a plan is marked NATO UNCLASSIFIED (alliance staff only); its allocations and explanations
  carry their own markings (an allocation: the session's, releasable to its partner alone; an
  explanation, which names other partners' seats: the session's level, NATO only), and are
  read through the policy with their session and its item;
- the instance holds only sessions, profiles, nominations and prerequisites the running
  principal may read; refusals come from ``eligibility`` (the rule nominations apply);
- running and approving need ``planning:plan:run`` / ``planning:plan:approve``; every write is
  audited;
- a plan is approved only by the allies: ``propose_approval`` opens a decision proposal on it
  (subject ``plan_approval``), and the plan moves draft → approved when that decision is
  adopted (``handlers.on_adopted``), never directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete

from liaison.audit.reads import record_reads
from liaison.audit.recorder import record_write
from liaison.catalogue.base import CatalogueBase, about_partner
from liaison.catalogue.eligibility import partner_facts
from liaison.catalogue.errors import BadTransition, PlanNotFound
from liaison.catalogue.models import (
    CatalogueItem,
    CatalogueSession,
    Plan,
    PlanAllocation,
    PlanExplanation,
    PlanRun,
)
from liaison.catalogue.nominations import NominationService
from liaison.catalogue.planning.explain import Explanation
from liaison.catalogue.planning.instance import Instance, Need, Pair, Slot
from liaison.catalogue.rules import PlanState, RunState, quarter_of, seat_value
from liaison.decisions.consensus import Procedure
from liaison.decisions.schemas import ProposalCreate
from liaison.decisions.service import DecisionService
from liaison.events import SubjectKind
from liaison.jobs import enqueue
from liaison.kit import clock
from liaison.kit.ids import parse_id
from liaison.security.classification import Classification
from liaison.security.markings import Marking, short
from liaison.security.permissions import Permission

PLAN_MARKING = Marking(Classification.NATO_UNCLASSIFIED)
APPROVAL_SILENCE = dt.timedelta(days=5)  # a plan's approval: silence ends after five days


@dataclass(frozen=True, slots=True)
class PlanView:
    plan: Plan
    run: PlanRun | None
    marking: Marking
    short: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a run found, ready to store."""

    plan: set[Pair]
    objective: float
    bound: float
    gap: float
    greedy: float
    status: str
    stats: dict[str, Any]
    explanations: list[Explanation]


class PlanService(CatalogueBase):
    # records ----------------------------------------------------------------------------------
    def create(
        self, period: int, time_limit: float, seed: int = 0, *, enqueue_job: bool = True
    ) -> PlanView:
        """A draft plan and its run; with ``enqueue_job``, the job ``planner.run`` that solves
        it, in this transaction (it starts once the transaction commits)."""
        self.require(Permission.PLANNING_PLAN_RUN)
        marking_id = self.markings.intern(PLAN_MARKING)
        plan = Plan(
            period=period,
            version=self.repo.next_version(period),
            state=PlanState.DRAFT,
            time_limit=time_limit,
            seed=seed,
            created_by=self.principal.username,
            updated_by=self.principal.username,
            marking_id=marking_id,
        )
        self.session.add(plan)
        self.session.flush()  # the id, for the run and the audit
        run = PlanRun(
            plan_id=plan.id,
            state=RunState.QUEUED,
            created_by=self.principal.username,
            marking_id=marking_id,
        )
        self.session.add(run)
        self.session.flush()  # the run's id, for the job
        if enqueue_job:
            from liaison.catalogue.planning import run as job  # noqa: PLC0415 - the handler imports this module

            run.job_id = enqueue(
                self.session, job.JOB_KIND, {"plan_id": plan.id}, principal=self.principal
            )
        after = {"period": period, "version": plan.version, "time_limit": time_limit, "seed": seed}
        record_write(self.session, self.principal, "planning:plan:create", plan, after=after)
        return PlanView(plan, run, PLAN_MARKING, short(PLAN_MARKING))

    def _plan(self, plan_id: int) -> Plan:
        found = self.repo.plan(plan_id) if parse_id(str(plan_id)) else None
        if found is None:
            raise PlanNotFound(plan_id)
        return found

    def get(self, plan_id: int) -> PlanView:
        plan = self._plan(plan_id)
        marking = self.markings.get(plan.marking_id)
        record_reads(self.session, self.principal, "catalogue:plan:read", [plan])
        return PlanView(plan, self.repo.latest_run(plan.id), marking, short(marking))

    def find(self, period: int | None = None) -> list[PlanView]:
        plans = self.repo.plans(period)
        marks = self.markings.many(p.marking_id for p in plans)
        record_reads(self.session, self.principal, "catalogue:plan:read", plans)
        return [
            PlanView(p, self.repo.latest_run(p.id), marks[p.marking_id], short(marks[p.marking_id]))
            for p in plans
        ]

    def allocations(
        self, plan_id: int
    ) -> list[tuple[PlanAllocation, CatalogueSession, CatalogueItem]]:
        self._plan(plan_id)
        rows = self.repo.allocations(plan_id)
        allocations = [a for a, _, _ in rows]
        record_reads(
            self.session,
            self.principal,
            "catalogue:allocation:read",
            allocations,
            object_type="plan_allocation",
        )
        return rows

    def explanations(self, plan_id: int, partner: str | None = None) -> list[PlanExplanation]:
        self._plan(plan_id)
        code = self.partner_code(partner) if partner else None
        rows = self.repo.explanations(plan_id, code)
        record_reads(
            self.session,
            self.principal,
            "catalogue:explanation:read",
            rows,
            object_type="plan_explanation",
        )
        return rows

    def diff(self, first: int, second: int) -> list[dict[str, Any]]:
        """Seats that differ between two plans: (session, partner, seats in each)."""
        a = {(s.id, x.partner_iso3): (x.seats, i.code, s) for x, s, i in self.allocations(first)}
        b = {(s.id, x.partner_iso3): (x.seats, i.code, s) for x, s, i in self.allocations(second)}
        changed = []
        for key in sorted(set(a) | set(b), key=lambda k: (k[0], k[1])):
            before = a.get(key, (0, "", None))
            after = b.get(key, (0, "", None))
            if before[0] != after[0]:
                slot = before[2] or after[2]
                changed.append(
                    {
                        "session_id": key[0],
                        "item_code": before[1] or after[1],
                        "start_on": slot.start_on.isoformat() if slot else "",
                        "partner": key[1],
                        "first": before[0],
                        "second": after[0],
                    }
                )
        return changed

    def _approvable(self, plan: Plan) -> str:
        """Why ``plan`` cannot be brought to the allies for approval ("" when it can)."""
        if plan.state is not PlanState.DRAFT:
            return f"plan {plan.id} is {plan.state.value}; only a draft can be approved"
        run = self.repo.latest_run(plan.id)
        if run is None or run.state is not RunState.DONE:
            return f"plan {plan.id} has no finished run; only a solved draft can be approved"
        return ""

    def decidable(self, plan_id: int) -> tuple[PlanView, str]:
        """The plan as a decision's subject: its view and why it cannot be decided now."""
        view = self.get(plan_id)
        return view, self._approvable(view.plan)

    def propose_approval(
        self,
        plan_id: int,
        deadline: dt.datetime | None = None,
        procedure: Procedure = Procedure.SILENCE,
    ) -> PlanView:
        """Bring a solved draft to the allies: a decision proposal on it (silence procedure by
        default, ending ``deadline`` or in ``APPROVAL_SILENCE`` days). The plan stays a draft;
        it becomes approved when the decision is adopted (``apply_adopted_approval``, run by
        the event the decisions feature publishes). A non-draft is refused (409)."""
        plan = self._plan(plan_id)
        self.require(Permission.PLANNING_PLAN_APPROVE)
        why = self._approvable(plan)
        if why:
            raise BadTransition(why)
        if deadline is None and procedure is Procedure.SILENCE:
            deadline = clock.utcnow() + APPROVAL_SILENCE
        text = (
            f"The allies approve seat plan {plan.id} for {plan.period} (version {plan.version}, "
            f"objective {plan.objective or 0:,.0f}, greedy baseline "
            f"{plan.greedy_objective or 0:,.0f}) for publication as offers to partners."
        )
        opened = DecisionService(self.session, self.principal).open(
            ProposalCreate(
                subject_kind=SubjectKind.PLAN_APPROVAL,
                subject_ref=str(plan.id),
                text=text,
                marking=short(PLAN_MARKING),
                procedure=procedure,
                deadline=deadline,
            )
        )
        before = {"state": plan.state.value, "proposal_reference": plan.proposal_reference}
        if plan.state is PlanState.DRAFT:  # not adopted at once (every ally already agreed)
            plan.proposal_reference = opened.proposal.reference
        plan.updated_by = self.principal.username
        after = {"state": plan.state.value, "proposal_reference": opened.proposal.reference}
        record_write(
            self.session, self.principal, "planning:plan:propose", plan, before=before, after=after
        )
        return self.get(plan.id)

    def apply_adopted_approval(self, ref: str | None, reference: str) -> None:
        """The allies adopted the approval of plan ``ref``: draft → approved, recording the
        decision. Idempotent: a plan no longer a draft (or gone) is left as it is."""
        ident = parse_id((ref or "").strip())
        plan = self.repo.plan(ident) if ident is not None else None
        if plan is None or plan.state is not PlanState.DRAFT:
            return
        before = {"state": plan.state.value, "proposal_reference": plan.proposal_reference}
        plan.state = PlanState.APPROVED
        plan.proposal_reference = reference
        plan.updated_by = self.principal.username
        after = {"state": plan.state.value, "proposal_reference": reference}
        record_write(
            self.session, self.principal, "planning:plan:approve", plan, before=before, after=after
        )

    def publish(self, plan_id: int) -> tuple[PlanView, int, list[tuple[int, str, int]]]:
        """Publish an approved plan: its planned seats (not those already held by accepted
        nominations) become offers on the nominations, each session counted under its lock
        (never over-booked). Returns the plan, the seats offered and those no longer free."""
        plan = self._plan(plan_id)
        self.require(Permission.PLANNING_PLAN_APPROVE)
        if plan.state is not PlanState.APPROVED:
            raise BadTransition(
                f"plan {plan.id} is {plan.state.value}; only an approved plan can be published"
            )
        seats = [
            (a.session_id, a.partner_iso3, a.seats)
            for a, _, _ in self.repo.allocations(plan.id)
            if not a.fixed
        ]
        missed = NominationService(self.session, self.principal).offer(plan.id, seats)
        offered = sum(n for _, _, n in seats) - sum(n for _, _, n in missed)
        before = {"state": plan.state.value}
        plan.state = PlanState.PUBLISHED
        plan.updated_by = self.principal.username
        after = {"state": plan.state.value, "offered": offered, "not_offered": len(missed)}
        record_write(
            self.session, self.principal, "planning:plan:publish", plan, before=before, after=after
        )
        return self.get(plan.id), offered, missed

    # runs -------------------------------------------------------------------------------------
    def run_of(self, plan_id: int) -> PlanRun:
        run = self.repo.latest_run(self._plan(plan_id).id)
        if run is None:
            raise PlanNotFound(plan_id)
        return run

    def mark_run(self, plan_id: int, state: RunState, note: str = "", **stats: Any) -> None:  # noqa: ANN401
        run = self.run_of(plan_id)
        run.state = state
        run.note = note[:300]
        if state is RunState.RUNNING:
            run.started_at = clock.utcnow()
        if state in {RunState.DONE, RunState.FAILED}:
            run.finished_at = clock.utcnow()
        if stats:
            run.stats = {**(run.stats or {}), **stats}

    def instance(self, period: int) -> Instance:
        start, end = dt.date(period, 1, 1), dt.date(period, 12, 31)
        rows = self.repo.sessions_between(start, end)
        held = self.repo.held(s.id for s, _ in rows)
        slots = {s.id: _slot(s, i, held.get(s.id, 0)) for s, i in rows}
        profiles = self.repo.profiles(period)
        priorities = self.repo.priorities([p.id for p in profiles])
        needs = {}
        for p in profiles:
            prio = priorities[p.id]
            needs[p.partner_iso3] = Need(
                p.partner_iso3,
                {r.area_code: r.weight for r in prio},
                {r.area_code: r.demand for r in prio},
                p.budget,
                (p.people_q1, p.people_q2, p.people_q3, p.people_q4),
                frozenset(x for x in p.languages.split(",") if x),
                {str(k): int(v) for k, v in (p.travel_costs or {}).items()},
                {r.area_code: r.goal for r in prio if r.goal},
            )
        refusals = self._refusals(rows, needs)
        prerequisites: dict[int, tuple[int, ...]] = {}
        for item_id, required in self.repo.prerequisite_pairs():
            prerequisites[item_id] = (*prerequisites.get(item_id, ()), required)
        fixed: dict[Pair, int] = {}
        for n, s in self.repo.accepted(start, end):
            if s.id in slots:
                fixed[(n.partner_iso3, s.id)] = fixed.get((n.partner_iso3, s.id), 0) + 1
        attended = frozenset(self.repo.attended_items())
        return Instance(slots, needs, refusals, prerequisites, attended, fixed)

    def _refusals(
        self, rows: list[tuple[CatalogueSession, CatalogueItem]], needs: dict[str, Need]
    ) -> dict[Pair, str]:
        marks = self.markings.many(s.marking_id for s, _ in rows)
        eligible = self.repo.eligibility(s.id for s, _ in rows)
        found: dict[Pair, str] = {}
        for partner in needs:
            facts = partner_facts(self.session, partner)
            for s, _ in rows:
                reason = facts.refusal(s, marks[s.marking_id], eligible.get(s.id, []))
                if reason:
                    found[(partner, s.id)] = reason
        return found

    def store(self, plan_id: int, instance: Instance, outcome: Outcome) -> None:
        """Write what a run found: allocations (fixed seats too), explanations, figures."""
        plan = self._plan(plan_id)
        # a retried job replaces what an earlier attempt stored
        self.session.execute(delete(PlanAllocation).where(PlanAllocation.plan_id == plan.id))
        self.session.execute(delete(PlanExplanation).where(PlanExplanation.plan_id == plan.id))
        sessions = {
            s.id: s
            for s, _ in self.repo.sessions_between(
                dt.date(plan.period, 1, 1), dt.date(plan.period, 12, 31)
            )
        }
        marks = self.markings.many(s.marking_id for s in sessions.values())
        nato_only: dict[int, int] = {}
        seen: dict[tuple[str, str], int] = {}
        rows = [(p, sid, n, True) for (p, sid), n in sorted(instance.fixed.items())]
        rows += [
            (p, sid, 1, False)
            for p, sid in sorted(
                outcome.plan, key=lambda ps: (instance.slots[ps[1]].start, ps[1], ps[0])
            )
        ]
        for partner, sid, n, fixed in rows:
            slot, need = instance.slots[sid], instance.needs.get(partner)
            key = (partner, slot.area)
            value = 0
            for _ in range(n):
                seen[key] = seen.get(key, 0) + 1
                value += seat_value(need.weights.get(slot.area, 0), seen[key]) if need else 0
            marking = about_partner(marks[sessions[sid].marking_id], partner)
            self.session.add(
                PlanAllocation(
                    plan_id=plan.id,
                    session_id=sid,
                    partner_iso3=partner,
                    seats=n,
                    fixed=fixed,
                    value=value,
                    marking_id=self.markings.intern(marking),
                )
            )
        for e in outcome.explanations:
            level = (
                marks[sessions[e.session_id].marking_id]
                if e.session_id in sessions
                else PLAN_MARKING
            )
            at = e.session_id or 0
            if at not in nato_only:
                nato_only[at] = self.markings.intern(
                    Marking(
                        max(level.level, Classification.NATO_UNCLASSIFIED, key=lambda c: c.rank),
                        frozenset(),
                        level.caveats,
                        level.communities,
                    )
                )
            self.session.add(
                PlanExplanation(
                    plan_id=plan.id,
                    partner_iso3=e.partner,
                    session_id=e.session_id,
                    area_code=e.area,
                    kind=e.kind,
                    binding=e.binding,
                    text=e.text,
                    change=e.change,
                    marking_id=nato_only[at],
                )
            )
        plan.objective, plan.bound, plan.gap = outcome.objective, outcome.bound, outcome.gap
        plan.greedy_objective, plan.solver_status = outcome.greedy, outcome.status
        plan.updated_by = self.principal.username
        self.mark_run(
            plan.id,
            RunState.DONE,
            f"{outcome.status}: objective {outcome.objective:,.0f}",
            **outcome.stats,
        )
        after = {
            "objective": outcome.objective,
            "bound": outcome.bound,
            "gap": outcome.gap,
            "greedy": outcome.greedy,
            "seats": len(outcome.plan),
        }
        record_write(self.session, self.principal, "planning:plan:solve", plan, after=after)


def _slot(s: CatalogueSession, i: CatalogueItem, held: int) -> Slot:
    return Slot(
        s.id,
        i.id,
        i.area_code,
        s.start_on,
        s.end_on,
        quarter_of(s.start_on),
        s.seats,
        max(0, s.seats - held),
        s.fee,
        s.region,
        s.language,
        f"{i.code} {i.title}",
    )
