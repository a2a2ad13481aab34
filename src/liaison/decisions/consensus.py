# SPDX-License-Identifier: Apache-2.0
"""Consensus, pure: a proposal's outcome from its positions and the clock (no database, no web).

The allies decide by consensus, never by vote (DOMAIN.md §2). A proposal's electorate is frozen
when it opens: the allies that are members that day. Each elector's *standing* is its latest
position:

- ``concur`` and ``footnote`` consent (a footnote records a national position beside consent);
- ``reservation`` withholds consent until ``withdraw_reservation``, which then consents;
- ``break_silence`` objects (under a silence procedure only).

**Silence procedure**: broken the moment an elector breaks silence before the deadline; at the
deadline, broken if a reservation still stands, otherwise adopted — by everyone, silence being
consent. **Meeting**: adopted when every elector consents on the current version of the text
(an amendment asks again); lapsed if an optional deadline passes first. A proposal may also be
withdrawn while open.

An adoption's reason names the electors whose consent carries a footnote. Concurring again on
the version one already concurs with is refused (it would change nothing).

**Links**: a proposal that *depends on* another is adopted only once that one is adopted, and
lapses if it fails (never at a time before it opened); proposals in one *package* are decided
together — adopted when every member has reached consensus (and its dependencies are adopted),
all lapsing when one fails.

Everything here is a function of its arguments, ``now`` included: the same facts and the same
clock give the same outcome, whoever asks and however often.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class Procedure(enum.StrEnum):
    MEETING = "meeting"
    SILENCE = "silence"


class Stance(enum.StrEnum):
    CONCUR = "concur"
    BREAK_SILENCE = "break_silence"
    RESERVATION = "reservation"
    FOOTNOTE = "footnote"
    WITHDRAW_RESERVATION = "withdraw_reservation"


class Outcome(enum.StrEnum):
    PENDING = "pending"
    ADOPTED = "adopted"
    BROKEN = "broken"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"


FAILED = frozenset({Outcome.BROKEN, Outcome.WITHDRAWN, Outcome.LAPSED})
CONSENTING = frozenset({Stance.CONCUR, Stance.FOOTNOTE, Stance.WITHDRAW_RESERVATION})
NEEDS_STATEMENT = frozenset({Stance.BREAK_SILENCE, Stance.RESERVATION, Stance.FOOTNOTE})


@dataclass(frozen=True, slots=True)
class Stand:
    """One recorded position: ``ally`` (ISO alpha-3) took ``stance`` at ``at`` on a version."""

    ally: str
    stance: Stance
    at: dt.datetime
    version: int = 1


@dataclass(frozen=True, slots=True)
class Facts:
    """What decides one proposal on its own. ``positions`` in the order they were recorded."""

    procedure: Procedure
    opened_at: dt.datetime
    deadline: dt.datetime | None
    electorate: frozenset[str]
    positions: tuple[Stand, ...] = ()
    version: int = 1
    withdrawn_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    at: dt.datetime | None = None  # when the outcome took effect
    reason: str = ""

    @property
    def failed(self) -> bool:
        return self.outcome in FAILED


PENDING = Verdict(Outcome.PENDING)


def standing(facts: Facts, until: dt.datetime | None = None) -> dict[str, Stand]:
    """Each elector's latest position (up to ``until``, inclusive), by ally."""
    latest: dict[str, Stand] = {}
    for stand in facts.positions:
        if until is None or stand.at <= until:
            latest[stand.ally] = stand
    return latest


def consents(facts: Facts, stand: Stand | None) -> bool:
    """Whether a standing counts as consent: at a meeting, only on the current version."""
    if stand is None or stand.stance not in CONSENTING:
        return False
    return facts.procedure is Procedure.SILENCE or stand.version == facts.version


def own_verdict(facts: Facts, now: dt.datetime) -> Verdict:
    """The outcome of one proposal at ``now``, leaving its links aside."""
    if facts.withdrawn_at is not None and facts.withdrawn_at <= now:
        return Verdict(Outcome.WITHDRAWN, facts.withdrawn_at, "withdrawn by its author")
    if facts.procedure is Procedure.SILENCE:
        return _silence(facts, now)
    return _meeting(facts, now)


def _silence(facts: Facts, now: dt.datetime) -> Verdict:
    deadline = facts.deadline
    assert deadline is not None  # noqa: S101 - a silence procedure always has one
    for stand in facts.positions:
        if stand.stance is Stance.BREAK_SILENCE and stand.at <= deadline and stand.at <= now:
            return Verdict(Outcome.BROKEN, stand.at, f"{stand.ally} broke silence")
    if now < deadline:
        return PENDING
    reserved = sorted(
        ally
        for ally, stand in standing(facts, deadline).items()
        if stand.stance is Stance.RESERVATION
    )
    if reserved:
        return Verdict(
            Outcome.BROKEN, deadline, f"a reservation stood at the deadline: {', '.join(reserved)}"
        )
    why = "nobody broke silence before the deadline" + _footnotes(facts, deadline)
    return Verdict(Outcome.ADOPTED, deadline, why)


def _meeting(facts: Facts, now: dt.datetime) -> Verdict:
    current = standing(facts, now)
    agreed = [current[a] for a in facts.electorate if consents(facts, current.get(a))]
    if facts.electorate and len(agreed) == len(facts.electorate):
        at = max(s.at for s in agreed)
        return Verdict(Outcome.ADOPTED, at, "every ally concurred" + _footnotes(facts, at))
    if facts.deadline is not None and now >= facts.deadline:
        missing = len(facts.electorate) - len(agreed)
        return Verdict(
            Outcome.LAPSED, facts.deadline, f"no consensus by the deadline ({missing} not agreed)"
        )
    return PENDING


def _footnotes(facts: Facts, until: dt.datetime) -> str:
    """ " (footnotes: FRA, TUR)" when some electors consented with a footnote, else ""."""
    noted = sorted(a for a, s in standing(facts, until).items() if s.stance is Stance.FOOTNOTE)
    return f" (footnotes: {', '.join(noted)})" if noted else ""


@dataclass(frozen=True, slots=True)
class Node:
    """A proposal in a link graph: its facts (or its settled verdict), what it depends on and
    its package. ``label`` names it in reasons ("DEC-2023-0007")."""

    label: str
    facts: Facts | None = None
    settled: Verdict | None = None
    depends_on: int | None = None
    package: str | None = None


@dataclass
class _Resolver:
    nodes: Mapping[int, Node]
    now: dt.datetime
    own: dict[int, Verdict] = field(default_factory=dict)
    memo: dict[int, Verdict] = field(default_factory=dict)

    def own_of(self, pid: int) -> Verdict:
        if pid not in self.own:
            node = self.nodes[pid]
            if node.settled is not None:
                self.own[pid] = node.settled
            else:
                assert node.facts is not None  # noqa: S101 - an unsettled node has its facts
                self.own[pid] = own_verdict(node.facts, self.now)
        return self.own[pid]

    def members(self, pid: int) -> list[int]:
        package = self.nodes[pid].package
        if package is None:
            return [pid]
        return sorted(k for k, n in self.nodes.items() if n.package == package)

    def outcome(self, pid: int, stack: frozenset[int] = frozenset()) -> Verdict:
        if pid in self.memo:
            return self.memo[pid]
        node = self.nodes[pid]
        if node.settled is not None:
            return node.settled
        if pid in stack:
            return Verdict(Outcome.PENDING, None, "linked proposals wait on each other")
        verdict = self._outcome(pid, stack | {pid})
        self.memo[pid] = verdict
        return verdict

    def _outcome(self, pid: int, stack: frozenset[int]) -> Verdict:
        """The linked outcome; a lapse caused by a link never predates this proposal's
        opening (a dependency that failed while this one was being opened)."""
        verdict = self._linked(pid, stack)
        facts = self.nodes[pid].facts
        if verdict.at is not None and facts is not None and verdict.at < facts.opened_at:
            return Verdict(verdict.outcome, facts.opened_at, verdict.reason)
        return verdict

    def _linked(self, pid: int, stack: frozenset[int]) -> Verdict:  # noqa: PLR0911 - one return per rule of the docstring
        own = self.own_of(pid)
        if own.failed:
            return own
        members = self.members(pid)
        waits: list[dt.datetime] = []
        for member in members:
            if member != pid and self.own_of(member).failed:
                failed = self.own_of(member)
                reason = f"its package partner {self.nodes[member].label} was {failed.outcome}"
                return Verdict(Outcome.LAPSED, failed.at, reason)
            dep = self.nodes[member].depends_on
            if dep is None or dep not in self.nodes:
                continue
            dep_verdict = self.outcome(dep, stack)
            if dep_verdict.failed:
                whose = "it" if member == pid else f"its package partner {self.nodes[member].label}"
                label = self.nodes[dep].label
                reason = f"{whose} depended on {label}, which was {dep_verdict.outcome}"
                return Verdict(Outcome.LAPSED, dep_verdict.at, reason)
            if dep_verdict.outcome is not Outcome.ADOPTED:
                return Verdict(Outcome.PENDING, None, f"waits for {label_of(self.nodes, dep)}")
            assert dep_verdict.at is not None  # noqa: S101 - an adoption has its time
            waits.append(dep_verdict.at)
        if own.outcome is Outcome.PENDING:
            return own
        for member in members:
            verdict = self.own_of(member)
            if verdict.outcome is not Outcome.ADOPTED:
                label = self.nodes[member].label
                return Verdict(Outcome.PENDING, None, f"agreed; its package waits for {label}")
            assert verdict.at is not None  # noqa: S101 - an adoption has its time
            waits.append(verdict.at)
        why = own.reason if len(members) == 1 else "every proposal of its package was agreed"
        return Verdict(Outcome.ADOPTED, max(waits), why)


def label_of(nodes: Mapping[int, Node], pid: int) -> str:
    return nodes[pid].label


def resolve(nodes: Mapping[int, Node], now: dt.datetime) -> dict[int, Verdict]:
    """The outcome of every node at ``now``, links included."""
    resolver = _Resolver(nodes, now)
    return {pid: resolver.outcome(pid) for pid in nodes}


def check_position(
    facts: Facts, verdict: Verdict, ally: str, stance: Stance, statement: str, now: dt.datetime
) -> str | None:
    """Why ``ally`` may not take ``stance`` now, or None."""
    return check_stance(facts, verdict, ally, stance, now) or check_statement(stance, statement)


def check_stance(  # noqa: PLR0911 - one return per rule
    facts: Facts, verdict: Verdict, ally: str, stance: Stance, now: dt.datetime
) -> str | None:
    """Why ``ally`` may not take ``stance`` now whatever it writes, or None."""
    if ally not in facts.electorate:
        return f"{ally} is not among the electors of this proposal"
    if verdict.outcome is not Outcome.PENDING:
        return f"the proposal is already {verdict.outcome}; no position can change it"
    if facts.deadline is not None and now >= facts.deadline:
        return f"the deadline passed at {facts.deadline:%Y-%m-%d %H:%M} UTC"
    if stance is Stance.BREAK_SILENCE and facts.procedure is Procedure.MEETING:
        return "a meeting has no silence to break; enter a reservation instead"
    current = standing(facts, now).get(ally)
    concurs = current is not None and current.stance is Stance.CONCUR
    if stance is Stance.CONCUR and concurs and consents(facts, current):
        return f"{ally} already concurs on version {facts.version}"
    reserved = current is not None and current.stance is Stance.RESERVATION
    if stance is Stance.WITHDRAW_RESERVATION and not reserved:
        return f"{ally} has no reservation to withdraw"
    if stance is Stance.RESERVATION and reserved:
        return f"{ally} already has a reservation; withdraw it or keep it"
    return None


def check_statement(stance: Stance, statement: str) -> str | None:
    """Why ``statement`` does not do for ``stance`` (some stances must say why), or None."""
    if stance in NEEDS_STATEMENT and not statement.strip():
        return f"a {stance.value.replace('_', ' ')} needs a statement saying why"
    return None


def open_stances(facts: Facts, verdict: Verdict, ally: str, now: dt.datetime) -> list[Stance]:
    """The stances ``ally`` may take now: what a form offers (``check_stance`` allows it)."""
    return [s for s in Stance if check_stance(facts, verdict, ally, s, now) is None]


def check_procedure(
    procedure: Procedure, opened_at: dt.datetime, deadline: dt.datetime | None
) -> str | None:
    """Why a procedure's dates are wrong, or None."""
    if procedure is Procedure.SILENCE and deadline is None:
        return "a silence procedure needs a deadline"
    if deadline is not None and deadline <= opened_at:
        return "the deadline must come after the proposal opens"
    return None
