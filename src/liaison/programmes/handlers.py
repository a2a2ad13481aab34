# SPDX-License-Identifier: Apache-2.0
"""How programmes meet the decisions feature (``liaison.events``), without importing it.

- ITPP approvals are decision subjects: ``describe`` names a programme by its reference
  (``ITPP-JPN-2023``) as the principal may see it, and says it is decidable only while
  submitted; an unknown or hidden reference is ``ProgrammeNotFound`` (404, same words).
- ``on_adopted``: when the allies adopt an ITPP approval, the programme records the approval
  (date = the decision's date, reference = the decision's reference) and moves submitted →
  approved. Idempotent: a programme already approved or later — historic decisions replayed by
  the demo — is left as it is. It runs in the publisher's unit of work, audited as the system.
- ``on_tick``: on each periodic tick, agreed programmes whose scheduled entry into force has
  come enter into force (``Lifecycle.enter_scheduled``), audited as the system.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.events import (
    ProposalAdopted,
    SubjectInfo,
    SubjectKind,
    Tick,
    register_subject,
    subscribe,
)
from liaison.programmes.rules import ProgrammeStatus
from liaison.programmes.service import ProgrammeService
from liaison.security.principal import SYSTEM, Principal


def describe(session: Session, principal: Principal, ref: str) -> SubjectInfo:
    view = ProgrammeService(session, principal).get(ref.strip())
    p = view.programme
    decidable = p.status is ProgrammeStatus.SUBMITTED
    why = (
        ""
        if decidable
        else f"{p.reference} is {p.status.value}; only a submitted programme can be approved"
    )
    return SubjectInfo(
        title=f"{p.reference}: {p.title}",
        href=f"/programmes/{p.reference}",
        state=p.status.value,
        decidable=decidable,
        why=why,
    )


def on_adopted(session: Session, event: ProposalAdopted) -> None:
    if event.subject_kind is not SubjectKind.ITPP_APPROVAL:
        return
    ProgrammeService(session, SYSTEM).apply_adopted_approval(
        event.subject_ref, event.occurred_on, event.reference
    )


def on_tick(session: Session, event: Tick) -> None:
    entered = ProgrammeService(session, SYSTEM).enter_scheduled(event.occurred_on)
    event.done.extend(f"{ref} entered into force" for ref in entered)


def install() -> None:
    register_subject(SubjectKind.ITPP_APPROVAL, describe)
    subscribe(ProposalAdopted, on_adopted)
    subscribe(Tick, on_tick)
