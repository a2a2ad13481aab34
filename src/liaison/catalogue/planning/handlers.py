# SPDX-License-Identifier: Apache-2.0
"""How seat plans meet the decisions feature (``liaison.events``).

- Plan approvals are decision subjects (``SubjectKind.PLAN_APPROVAL``, ref: the plan's id):
  ``describe`` names the plan as the principal may see it (``PlanNotFound`` — 404, the words of
  a missing plan — when unknown or hidden), decidable only while it is a solved draft;
- ``on_adopted``: when the allies adopt a plan's approval, the plan moves draft → approved and
  records the decision's reference; idempotent, in the publisher's unit of work, audited as
  the system (the decision is the authority).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.catalogue.errors import PlanNotFound
from liaison.catalogue.planning.service import PlanService
from liaison.events import ProposalAdopted, SubjectInfo, SubjectKind, register_subject, subscribe
from liaison.kit.ids import parse_id
from liaison.security.principal import SYSTEM, Principal


def describe(session: Session, principal: Principal, ref: str) -> SubjectInfo:
    text = ref.strip()
    plan_id = parse_id(text)
    if plan_id is None:
        raise PlanNotFound(text)
    view, why = PlanService(session, principal).decidable(plan_id)
    p = view.plan
    return SubjectInfo(
        title=f"Seat plan {p.id} for {p.period}, version {p.version}",
        href=f"/plans/{p.id}",
        state=p.state.value,
        decidable=not why,
        why=why,
    )


def on_adopted(session: Session, event: ProposalAdopted) -> None:
    if event.subject_kind is SubjectKind.PLAN_APPROVAL:
        PlanService(session, SYSTEM).apply_adopted_approval(event.subject_ref, event.reference)


def install() -> None:
    register_subject(SubjectKind.PLAN_APPROVAL, describe)
    subscribe(ProposalAdopted, on_adopted)
