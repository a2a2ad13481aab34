# SPDX-License-Identifier: Apache-2.0
"""Views into API shapes: one conversion for the API and the CLI's ``--format json`` (the same
fields on both)."""

from __future__ import annotations

from liaison.catalogue.base import ItemView, SessionView
from liaison.catalogue.models import (
    CatalogueItem,
    CatalogueSession,
    PlanAllocation,
    PlanExplanation,
)
from liaison.catalogue.nominations import NominationView
from liaison.catalogue.planning.service import PlanView
from liaison.catalogue.schemas import (
    AllocationRead,
    ExplanationRead,
    ItemRead,
    NominationRead,
    PlanRead,
    PublishRead,
    SessionRead,
)


def session_read(v: SessionView) -> SessionRead:
    s, i = v.session, v.item
    return SessionRead(
        id=s.id,
        item_id=i.id,
        item_code=i.code,
        title=i.title,
        area_code=i.area_code,
        code=s.code,
        start_on=s.start_on,
        end_on=s.end_on,
        location=s.location,
        host_country=s.host_country,
        region=s.region,
        mode=s.mode,
        language=s.language,
        seats=s.seats,
        seats_held=v.held,
        fee=s.fee,
        eligible=v.eligible,
        min_level=s.min_level.value if s.min_level else None,
        marking=v.short,
    )


def item_read(v: ItemView, sessions: list[SessionView] | None = None) -> ItemRead:
    i = v.item
    return ItemRead(
        id=i.id,
        code=i.code,
        title=i.title,
        area_code=i.area_code,
        area=v.area,
        kind=i.kind,
        provider=i.provider,
        description=i.description,
        prerequisites=v.prerequisites,
        demo=i.demo,
        marking=v.short,
        sessions=[session_read(s) for s in sessions] if sessions is not None else None,
    )


def nomination_read(v: NominationView) -> NominationRead:
    n = v.nomination
    return NominationRead(
        id=n.id,
        session_id=n.session_id,
        item_code=v.item.code,
        title=v.item.title,
        start_on=v.session.start_on,
        partner=n.partner_iso3,
        person_name=n.person_name,
        person_role=n.person_role,
        nationality=n.nationality,
        state=n.state,
        wait_position=v.wait_position,
        feedback=n.feedback,
        marking=v.short,
        created_at=n.created_at,
        updated_at=n.updated_at,
    )


def plan_read(v: PlanView) -> PlanRead:
    p, r = v.plan, v.run
    return PlanRead(
        id=p.id,
        period=p.period,
        version=p.version,
        state=p.state,
        objective=p.objective,
        bound=p.bound,
        gap=p.gap,
        greedy_objective=p.greedy_objective,
        solver_status=p.solver_status,
        time_limit=p.time_limit,
        seed=p.seed,
        run_state=r.state.value if r else None,
        job_id=r.job_id if r else None,
        progress_done=r.progress_done if r else 0,
        progress_total=r.progress_total if r else 0,
        note=r.note if r else "",
        proposal_reference=p.proposal_reference,
        marking=v.short,
        created_at=p.created_at,
        created_by=p.created_by,
    )


def allocation_read(row: tuple[PlanAllocation, CatalogueSession, CatalogueItem]) -> AllocationRead:
    a, s, i = row
    return AllocationRead(
        session_id=s.id,
        item_code=i.code,
        title=i.title,
        start_on=s.start_on,
        partner=a.partner_iso3,
        seats=a.seats,
        fixed=a.fixed,
        value=a.value,
    )


def explanation_read(e: PlanExplanation) -> ExplanationRead:
    return ExplanationRead(
        partner=e.partner_iso3,
        session_id=e.session_id,
        area_code=e.area_code,
        kind=e.kind,
        binding=e.binding,
        text=e.text,
        change=e.change,
    )


def publish_read(view: PlanView, offered: int, missed: list[tuple[int, str, int]]) -> PublishRead:
    """What ``PlanService.publish`` did: the seats offered and those no longer free."""
    rows = [{"session_id": s, "partner": p, "seats": n} for s, p, n in missed]
    return PublishRead(plan_id=view.plan.id, offered=offered, not_offered=rows)
