# SPDX-License-Identifier: Apache-2.0
"""Settling outcomes: recording, once, what the positions and the clock have decided, and
publishing its domain event in the same transaction.

Invariants:
- ``outcomes`` computes the outcome of any proposals at ``now`` from the stored facts (the
  settled outcome of a linked proposal stands as settled); reading a proposal's status never
  waits for a worker;
- ``settle_due`` settles every pending proposal whose outcome is decided: a conditional update
  (``WHERE outcome = 'pending'``) makes exactly one caller win even when the worker, the CLI
  and a request race; only the winner audits, publishes ``ProposalAdopted`` or
  ``ProposalFailed`` and notifies — so the effect is applied once;
- each proposal settles in its own savepoint: a subject's handler that fails leaves that
  proposal pending (and logged) without undoing the others or the caller's write;
- reasons name linked proposals as ``{ref:ID}``, rendered per reader by ``explain`` (a linked
  proposal the reader may not see is "a linked proposal", never its reference).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from liaison.audit.recorder import Entry, record
from liaison.decisions.consensus import Node, Outcome, Verdict, resolve
from liaison.decisions.models import Proposal
from liaison.decisions.repository import LinkGraph
from liaison.errors import LiaisonError
from liaison.events import DomainEvent, ProposalAdopted, ProposalFailed, publish
from liaison.security.principal import SYSTEM

log = logging.getLogger(__name__)
_REF = re.compile(r"\{ref:(\d+)\}")
Notifier = Callable[[Session, Proposal], None]


def token(proposal_id: int) -> str:
    return f"{{ref:{proposal_id}}}"


def mentions(reason: str) -> list[str]:
    """The proposal ids a reason names."""
    return _REF.findall(reason)


def explain(reason: str, references: Callable[[int], str | None]) -> str:
    """``reason`` with each ``{ref:ID}`` as the reference the reader may see, or not."""

    def name(match: re.Match[str]) -> str:
        return references(int(match.group(1))) or "a linked proposal"

    return _REF.sub(name, reason)


def outcomes(
    session: Session, proposals: Sequence[Proposal], now: dt.datetime
) -> dict[int, Verdict]:
    """The outcome of each of ``proposals`` at ``now``, linked proposals taken into account."""
    if not proposals:
        return {}
    graph = LinkGraph(session)
    closure = graph.closure(proposals)
    open_ones = [p for p in closure.values() if p.outcome is Outcome.PENDING]
    facts = graph.facts(open_ones)
    nodes = {
        pid: Node(
            label=token(pid),
            facts=facts.get(pid),
            settled=None
            if p.outcome is Outcome.PENDING
            else Verdict(p.outcome, p.decided_at, p.outcome_reason),
            depends_on=p.depends_on_id,
            package=p.package,
        )
        for pid, p in closure.items()
    }
    verdicts = resolve(nodes, now)
    return {p.id: verdicts[p.id] for p in proposals}


def settle_due(
    session: Session,
    now: dt.datetime,
    notify: Notifier,
    touched: Sequence[Proposal] | None = None,
    *,
    due_only: bool = False,
) -> list[Proposal]:
    """Settle every pending proposal whose outcome is decided at ``now`` — or, after a write,
    only those ``touched`` and the ones hanging on them; with ``due_only``, those whose
    deadline has come and the ones hanging on them. Return those this call settled (a
    concurrent caller that won one is not counted twice)."""
    graph = LinkGraph(session)
    if touched is not None:
        pending = graph.affected(touched)
    elif due_only:
        pending = graph.affected(graph.due(now))
    else:
        pending = graph.pending()
    verdicts = outcomes(session, pending, now)
    due = [p for p in pending if verdicts[p.id].outcome is not Outcome.PENDING]
    due.sort(key=lambda p: (verdicts[p.id].at or now, p.id))
    settled: list[Proposal] = []
    for proposal in due:
        try:
            with session.begin_nested():
                if _settle(session, proposal, verdicts[proposal.id], notify):
                    settled.append(proposal)
        except LiaisonError as exc:
            log.warning("could not settle %s: %s", proposal.reference, exc.message)
    return settled


def _settle(session: Session, proposal: Proposal, verdict: Verdict, notify: Notifier) -> bool:
    at = verdict.at
    assert at is not None  # noqa: S101 - a decided verdict has its time
    won = session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.outcome == Outcome.PENDING)
        .values(outcome=verdict.outcome, decided_at=at, outcome_reason=verdict.reason)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(proposal)
    record(
        session,
        SYSTEM,
        [
            Entry(
                action=f"decisions:proposal:{verdict.outcome.value}",
                object_type="proposal",
                object_id=str(proposal.id),
                marking_id=proposal.marking_id,
                before={"outcome": Outcome.PENDING.value},
                after={
                    "outcome": verdict.outcome.value,
                    "decided_at": at.isoformat(),
                    "reason": verdict.reason,
                },
            )
        ],
    )
    about = event_facts(proposal, at)
    if verdict.outcome is Outcome.ADOPTED:
        event: DomainEvent = ProposalAdopted(**about, release_to=tuple(proposal.release_to))
    else:
        event = ProposalFailed(**about, outcome=verdict.outcome.value)
    publish(session, event)
    notify(session, proposal)
    return True


def event_facts(proposal: Proposal, at: dt.datetime) -> dict[str, Any]:
    """What every event about ``proposal`` says: the day, the proposal, its subject."""
    return {
        "occurred_on": at.date(),
        "proposal_id": proposal.id,
        "reference": proposal.reference,
        "subject_kind": proposal.subject_kind,
        "subject_ref": proposal.subject_ref,
    }
