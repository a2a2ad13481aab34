# SPDX-License-Identifier: Apache-2.0
"""How programmes meet the decisions feature (``liaison.events``), without importing it.

- ITPP approvals are decision subjects: ``describe`` names a programme by its reference
  (``ITPP-JPN-2023``, any case) as the principal may see it, and says it is decidable only while
  submitted; an unknown or hidden reference is ``ProgrammeNotFound`` (404, same words), with
  the submitted programmes it may have meant among those the principal reads (``suggest``,
  also the new-proposal form's suggestions).
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
    Suggestion,
    Tick,
    register_subject,
    subscribe,
)
from liaison.kit.pagination import PageRequest
from liaison.kit.text import did_you_mean
from liaison.programmes.errors import ProgrammeNotFound
from liaison.programmes.repository import ProgrammeFilters
from liaison.programmes.rules import ProgrammeStatus
from liaison.programmes.service import ProgrammeService
from liaison.security.principal import SYSTEM, Principal

SUGGESTED = 50  # submitted programmes offered at most (a handful in practice)


def describe(session: Session, principal: Principal, ref: str) -> SubjectInfo:
    try:
        view = ProgrammeService(session, principal).get(ref.strip().upper())
    except ProgrammeNotFound as exc:
        hint = did_you_mean(ref, [s.value for s in suggest(session, principal)])
        raise ProgrammeNotFound(f"{ref.strip()}{hint}") from exc
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
        ref=p.reference,
    )


def suggest(session: Session, principal: Principal) -> list[Suggestion]:
    """The submitted programmes the principal reads: those an approval can decide now."""
    service = ProgrammeService(session, principal)
    views, _ = service.find(
        ProgrammeFilters(status=ProgrammeStatus.SUBMITTED), PageRequest(limit=SUGGESTED)
    )
    return [
        Suggestion(v.programme.reference, f"ITPP approval · {v.programme.title}") for v in views
    ]


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
    register_subject(SubjectKind.ITPP_APPROVAL, describe, suggest)
    subscribe(ProposalAdopted, on_adopted)
    subscribe(Tick, on_tick)
