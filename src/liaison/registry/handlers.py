# SPDX-License-Identifier: Apache-2.0
"""The registry's side of decisions (``liaison.events``): office openings.

- describer for ``SubjectKind.OFFICE_OPENING`` (ref: the office id as a string; a form may name
  the office or its city, ``RegistryService.find_office``): the office's name, page and status;
  decidable only while it is *proposed*; the proposed offices are the form's suggestions;
- on ``ProposalAdopted`` for an office: proposed → approved, ``approved_on`` the decision's day;
- on a *broken* ``ProposalFailed``: proposed → shelved, ``shelved_on`` the day silence broke.

Both go through ``RegistryService.transition_office`` (its lifecycle rules and audit), as the
console (SYSTEM: the decision is the authority). Both are idempotent: an office no longer
proposed — already approved, open, shelved — is left as it is.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session

from liaison.errors import NotFound
from liaison.events import (
    ProposalAdopted,
    ProposalFailed,
    SubjectInfo,
    SubjectKind,
    Suggestion,
    register_subject,
    subscribe,
)
from liaison.kit.ids import parse_id
from liaison.registry.errors import BadTransition
from liaison.registry.rules import OfficeStatus
from liaison.registry.schemas import OfficeTransition
from liaison.registry.service import RegistryService
from liaison.security.principal import SYSTEM, Principal

log = logging.getLogger(__name__)


def describe_office(session: Session, principal: Principal, ref: str) -> SubjectInfo:
    office = RegistryService(session, principal).find_office(ref, field="subject_ref")
    decidable = office.status is OfficeStatus.PROPOSED
    why = (
        ""
        if decidable
        else f"the office is {office.status.value}; only a proposed office is decided"
    )
    return SubjectInfo(
        title=f"Opening of the {office.name}",
        href=f"/offices/{office.id}",
        state=office.status.value,
        decidable=decidable,
        why=why,
        ref=str(office.id),
    )


def suggest_offices(session: Session, principal: Principal) -> list[Suggestion]:
    offices = RegistryService(session, principal).all_offices()
    return [
        Suggestion(o.name, f"office opening · {o.city}, {o.status.value}")
        for o in offices
        if o.status is OfficeStatus.PROPOSED
    ]


def _move(
    session: Session, ref: str | None, target: OfficeStatus, event_ref: str, on: dt.date
) -> None:
    service = RegistryService(session, SYSTEM)
    office_id = parse_id((ref or "").strip())
    try:
        office = service.office(office_id) if office_id else None
    except NotFound:
        return
    if office is None or office.status is not OfficeStatus.PROPOSED:
        return  # idempotent: nothing to do once the office has left "proposed"
    try:
        service.transition_office(office.id, OfficeTransition(status=target, on=on))
    except BadTransition as exc:  # the dates disagree with the office's record: leave it
        log.warning("decision %s: %s", event_ref, exc.message)


def on_adopted(session: Session, event: ProposalAdopted) -> None:
    if event.subject_kind is SubjectKind.OFFICE_OPENING:
        _move(session, event.subject_ref, OfficeStatus.APPROVED, event.reference, event.occurred_on)


def on_failed(session: Session, event: ProposalFailed) -> None:
    if event.subject_kind is SubjectKind.OFFICE_OPENING and event.outcome == "broken":
        _move(session, event.subject_ref, OfficeStatus.SHELVED, event.reference, event.occurred_on)


def install() -> None:
    register_subject(SubjectKind.OFFICE_OPENING, describe_office, suggest_offices)
    subscribe(ProposalAdopted, on_adopted)
    subscribe(ProposalFailed, on_failed)
