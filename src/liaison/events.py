# SPDX-License-Identifier: Apache-2.0
"""In-process domain events and decision subjects: how features learn of each other's facts.

Features never import each other (import-linter keeps them apart). When one feature's fact
concerns another — the allies adopt a proposal to approve an ITPP, to open an office, to release
a document — the feature that owns the fact *publishes* an event, and the feature that owns the
subject *subscribes* a handler. Handlers run synchronously inside the publisher's unit of work,
so the effect commits or rolls back with the fact that caused it, exactly once.

A decision needs to name its subject before it is decided (the ITPP to approve, the office to
open). The owning feature registers a *describer* for each subject kind: given a reference it
answers the subject's title, page address, state and whether it can be decided now, as the
principal may see them, or raises ``NotFound`` (unknown or hidden from the principal).

Subscriptions and describers are registered by ``liaison.wiring.install()``, called by the
application, the CLI and the tests; registering the same function twice is a no-op.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from liaison.errors import InvalidInput
from liaison.security.principal import Principal


class SubjectKind(enum.StrEnum):
    """What a proposal decides on. ``free_text`` has no subject outside the proposal."""

    ITPP_APPROVAL = "itpp_approval"  # ref: the programme's reference, e.g. "ITPP-JPN-2023"
    OFFICE_OPENING = "office_opening"  # ref: the office's id; a name or city is resolved to it
    DOCUMENT_RELEASE = "document_release"  # ref: the document id
    PLAN_APPROVAL = "plan_approval"  # ref: the seat plan's id (catalogue.planning)
    FREE_TEXT = "free_text"


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Base of every event. ``occurred_on`` is the business date the fact took effect."""

    occurred_on: dt.date


@dataclass(frozen=True, slots=True)
class ProposalOpened(DomainEvent):
    proposal_id: int
    reference: str
    subject_kind: SubjectKind
    subject_ref: str | None


@dataclass(frozen=True, slots=True)
class ProposalAdopted(DomainEvent):
    """Consensus reached: the subject's owner applies the effect (once, idempotently)."""

    proposal_id: int
    reference: str  # the decision's reference, recorded by the subject as its approval
    subject_kind: SubjectKind
    subject_ref: str | None
    # For DOCUMENT_RELEASE: the partner nations (ISO alpha-3) or groups to add to releasability.
    release_to: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProposalFailed(DomainEvent):
    """Silence broken, withdrawn or lapsed: the subject may record it (an office is shelved)."""

    proposal_id: int
    reference: str
    subject_kind: SubjectKind
    subject_ref: str | None
    outcome: str  # "broken" | "withdrawn" | "lapsed"


@dataclass(frozen=True, slots=True)
class Tick(DomainEvent):
    """The periodic tick (``liaison decisions tick``, the worker under ``liaison serve``), in
    its own unit of work: features whose records change with the calendar alone (a programme
    entering into force when its period starts) subscribe. ``occurred_on`` is the tick's day;
    handlers append what they did to ``done``, for the operator."""

    done: list[str] = field(default_factory=list)


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Session, Any], None]

_handlers: defaultdict[type[DomainEvent], list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[Session, E], None]) -> None:
    """Run ``handler(session, event)`` for every published ``event_type`` (idempotent)."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def publish(session: Session, event: DomainEvent) -> None:
    """Run every handler of ``type(event)`` now, in the caller's transaction; errors propagate."""
    for handler in list(_handlers[type(event)]):
        handler(session, event)


@dataclass(frozen=True, slots=True)
class SubjectInfo:
    """A subject as the principal may see it. ``decidable`` is False when its state admits no new
    proposal (a programme not submitted, an office not proposed); ``why`` says why. A new
    proposal on an undecidable subject is refused; recording a past decision is not."""

    title: str
    href: str | None = None
    state: str | None = None
    decidable: bool = True
    why: str = ""
    ref: str | None = None  # the reference as stored, when the caller named it otherwise


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A subject a form may offer: the text to type and what it is."""

    value: str
    label: str


class Describer(Protocol):
    def __call__(self, session: Session, principal: Principal, ref: str) -> SubjectInfo: ...


class Suggester(Protocol):
    def __call__(self, session: Session, principal: Principal) -> list[Suggestion]: ...


_describers: dict[SubjectKind, Describer] = {}
_suggesters: dict[SubjectKind, Suggester] = {}


def register_subject(
    kind: SubjectKind, describer: Describer, suggester: Suggester | None = None
) -> None:
    """``describer`` answers one subject by its reference, or by a name it resolves (then
    ``SubjectInfo.ref`` is the reference to store); ``suggester`` lists the subjects that can
    be decided now, as the principal may see them, for a form's suggestions."""
    _describers[kind] = describer
    if suggester is not None:
        _suggesters[kind] = suggester


def subject_suggestions(session: Session, principal: Principal) -> list[Suggestion]:
    """Every kind's decidable subjects the principal may see, kind by kind."""
    return [
        suggestion
        for kind in SubjectKind
        if kind in _suggesters
        for suggestion in _suggesters[kind](session, principal)
    ]


def describe_subject(
    session: Session, principal: Principal, kind: SubjectKind, ref: str | None
) -> SubjectInfo | None:
    """The subject as ``principal`` may see it; None for free text. Raises if unknown."""
    if kind is SubjectKind.FREE_TEXT:
        return None
    if ref is None:
        raise InvalidInput(f"A {kind.value} proposal needs a subject reference.")
    describer = _describers.get(kind)
    if describer is None:
        raise InvalidInput(f"No feature handles {kind.value} subjects in this installation.")
    return describer(session, principal, ref)


def reset_for_tests() -> None:
    """Forget every subscription and describer (tests that install their own)."""
    _handlers.clear()
    _describers.clear()
    _suggesters.clear()
