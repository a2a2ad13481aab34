# SPDX-License-Identifier: Apache-2.0
"""Decision use cases, for the API, the pages, the CLI, the worker and the demo. Services never
commit.

Invariants:
- reads go through ``ProposalRepository`` (the policy inside the SQL); a proposal the principal
  may not read raises ``ProposalNotFound``, word for word the error of a missing id; every read
  of a proposal above PUBLIC (one, each row of a list, the inbox, notifications, the calendar)
  appends an audit event carrying its marking;
- the outcome shown is computed at the moment of reading (``settlement.outcomes``);
- opening, amending, revising and withdrawing need ``decisions:proposal:manage``; a new proposal
  names a subject its owner says is decidable now (``events.describe_subject``), except a record
  of a past decision (``record=True``, the demo and imports);
- the electorate is frozen at opening: the allies that are members on the opening day;
- a position is recorded only by a user of that ally's delegation holding
  ``decisions:position:record`` (partners never; SYSTEM may, for records of the past), for an
  elector, while the procedure is open; every position is audited;
- after every write, due outcomes are settled in the same transaction (``settle_due``), so a
  broken silence or the last concurrence takes effect at once;
- a proposal is refused when it could only be decided against or without an ally (issue 21):
  on a dependency or package already decided against; on a subject and effect that already has
  a pending proposal (a database index makes this hold under concurrent requests; a revision
  opens only once its predecessor is settled); with a marking that some elector's delegation
  cannot read (see ``_electors_who_cannot_read``); a free-text proposal naming a subject;
- opening at a past date (``opened_at``) records a past decision: only a holder of
  ``decisions:proposal:backdate`` (an administrator, or the console) may, and it is audited
  as ``decisions:proposal:record_past`` with the day it was recorded.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liaison.audit.reads import record_reads
from liaison.audit.recorder import record_write
from liaison.decisions import settlement
from liaison.decisions.consensus import (
    Facts,
    Outcome,
    Procedure,
    Stance,
    Verdict,
    check_procedure,
    check_stance,
    check_statement,
    consents,
    open_stances,
    standing,
)
from liaison.decisions.errors import (
    NotAnElector,
    PositionRefused,
    ProcedureClosed,
    ProposalNotFound,
    SubjectNotDecidable,
)
from liaison.decisions.models import (
    Notification,
    NotificationKind,
    Position,
    Proposal,
    ProposalElector,
    ProposalVersion,
)
from liaison.decisions.notify import notify
from liaison.decisions.repository import (
    Elector,
    LinkGraph,
    ProposalFilters,
    ProposalRepository,
)
from liaison.decisions.schemas import (
    Amendment,
    PositionCreate,
    ProposalCreate,
    Revision,
    Withdrawal,
)
from liaison.errors import Conflict, Forbidden, InvalidInput, NotFound
from liaison.events import ProposalOpened, SubjectInfo, SubjectKind, describe_subject, publish
from liaison.kit import clock
from liaison.kit.ids import MAX_ID, parse_id
from liaison.kit.pagination import PageRequest
from liaison.registry.errors import NotAnAlly
from liaison.registry.marked import MarkedService
from liaison.registry.service import nation_profile
from liaison.security.authn import principal_for
from liaison.security.markings import Marking, short
from liaison.security.models import Organisation, OrganisationKind
from liaison.security.permissions import Permission
from liaison.security.policy import can_read
from liaison.security.principal import Principal, Side
from liaison.security.readers import MarkingAboveReader
from liaison.security.writes import ALLIANCE, guard_create, guard_write

_CODE = re.compile(r"\b[A-Z]{3}\b(?!-)")
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,39}")
OBJECT_TYPE = "proposal"
READ = "decisions:proposal:read"  # an audited read of a proposal
FEED = "decisions:proposal:feed"  # the calendar feed's


@dataclass(frozen=True, slots=True)
class Tally:
    electors: int
    consent: int
    reservations: int
    broke_silence: int

    @property
    def silent(self) -> int:
        return self.electors - self.consent - self.reservations - self.broke_silence


@dataclass(frozen=True, slots=True)
class ProposalView:
    """A proposal as one reader sees it: its marking, its outcome now, links it may see."""

    proposal: Proposal
    marking: Marking
    short: str
    banner: str
    verdict: Verdict
    reason: str
    version: int
    tally: Tally
    depends_on: str | None
    revises: str | None

    @property
    def settled(self) -> bool:
        return self.proposal.outcome is not Outcome.PENDING


@dataclass(frozen=True, slots=True)
class Standing:
    """One elector's row in the grid: its latest position, if any."""

    elector: Elector
    position: Position | None
    consent: bool

    @property
    def flag(self) -> str:
        """The elector's flag as regional-indicator letters (an emoji where fonts have it)."""
        return "".join(chr(0x1F1E6 + ord(c) - ord("A")) for c in self.elector.iso2.upper())

    @property
    def code(self) -> str:
        return self.elector.iso2.upper()


class DecisionService(MarkedService):
    def __init__(self, session: Session, principal: Principal) -> None:
        super().__init__(session, principal, "a proposal")
        self.repo = ProposalRepository(session, principal)

    # markings -------------------------------------------------------------------------------
    def name_of(self, code: str) -> str:
        return self.marks.name_of(code)

    def banner(self, marking: Marking) -> str:
        return self.marks.banner(marking)

    def page_banner(self, views: Sequence[ProposalView]) -> str:
        """The banner of a page showing ``views`` (``security.markings.page_marking``)."""
        return self.marks.page_banner(v.marking for v in views)

    # reads ----------------------------------------------------------------------------------
    def _find(self, proposal_id: int) -> Proposal:
        found = self.repo.get(proposal_id) if 0 < proposal_id <= MAX_ID else None
        if found is None:
            raise ProposalNotFound(proposal_id)
        return found

    def find_ref(self, ref: str) -> Proposal:
        """A proposal by id ("12") or reference ("DEC-2023-0012"), as the principal sees it."""
        text = ref.strip()
        key = parse_id(text)
        if key is not None:
            found = self.repo.get(key)
        else:  # only a reference's characters reach the database (no NUL, no 10 kB strings)
            found = self.repo.by_reference(text) if _REFERENCE.fullmatch(text) else None
        if found is None:
            raise ProposalNotFound(ref)
        return found

    def key(self, ref: str) -> int:
        """The id of a proposal named by id or reference, as the principal sees it (a hidden
        one is ``ProposalNotFound``, like a missing one)."""
        return self.find_ref(ref).id

    def _reference_for_reader(self, proposal_ids: set[int]) -> dict[int, str]:
        return self.repo.references(proposal_ids)

    def views(
        self, proposals: Sequence[Proposal], now: dt.datetime | None = None
    ) -> list[ProposalView]:
        """Views of readable ``proposals`` (not audited: callers audit what they show)."""
        if not proposals:
            return []
        when = now or clock.utcnow()
        verdicts = settlement.outcomes(self.session, proposals, when)
        facts = LinkGraph(self.session).facts(proposals)
        markings = self.markings.many(p.marking_id for p in proposals)
        linked = {i for p in proposals for i in (p.depends_on_id, p.revises_id) if i}
        mentioned = linked | {int(i) for v in verdicts.values() for i in _mentions(v.reason)}
        references = self._reference_for_reader(mentioned)
        views = []
        for p in proposals:
            verdict = verdicts[p.id]
            marking = markings[p.marking_id]
            views.append(
                ProposalView(
                    proposal=p,
                    marking=marking,
                    short=short(marking),
                    banner=self.banner(marking),
                    verdict=verdict,
                    reason=self._named(settlement.explain(verdict.reason, references.get)),
                    version=facts[p.id].version,
                    tally=_tally(facts[p.id]),
                    depends_on=references.get(p.depends_on_id) if p.depends_on_id else None,
                    revises=references.get(p.revises_id) if p.revises_id else None,
                )
            )
        return views

    def _named(self, reason: str) -> str:
        """A reason with allies' codes as names ("FRA broke silence" → "France ...")."""
        return _CODE.sub(lambda m: self.name_of(m.group(0)), reason)

    def get(self, proposal_id: int) -> ProposalView:
        view = self.views([self._find(proposal_id)])[0]
        record_reads(self.session, self.principal, READ, [view.proposal])
        return view

    def get_ref(self, ref: str) -> ProposalView:
        view = self.views([self.find_ref(ref)])[0]
        record_reads(self.session, self.principal, READ, [view.proposal])
        return view

    def find(self, filters: ProposalFilters, page: PageRequest) -> tuple[list[ProposalView], int]:
        rows, total = self.repo.find(filters, page)
        views = self.views(rows)
        record_reads(self.session, self.principal, READ, [v.proposal for v in views])
        return views, total

    def count(self, filters: ProposalFilters) -> int:
        return self.repo.find(filters, PageRequest(limit=1))[1]

    def standings(self, proposal_id: int) -> list[Standing]:
        """Every elector and its latest position (the grid), for a readable proposal."""
        proposal = self._find(proposal_id)
        facts = LinkGraph(self.session).facts([proposal])[proposal.id]
        latest: dict[str, Position] = {}
        for position in self.repo.positions(proposal.id):
            latest[position.ally_iso3] = position
        current = standing(facts)
        return [
            Standing(e, latest.get(e.iso3), consents(facts, current.get(e.iso3)))
            for e in self.repo.electors(proposal.id)
        ]

    def open_stances(self, proposal_id: int, ally: str) -> list[Stance]:
        """The stances ``ally`` may take on the proposal now (the rules ``record_position``
        applies), for a form to offer only those."""
        proposal = self._find(proposal_id)
        now = clock.utcnow()
        facts = LinkGraph(self.session).facts([proposal])[proposal.id]
        verdict = settlement.outcomes(self.session, [proposal], now)[proposal.id]
        return open_stances(facts, verdict, ally, now)

    def positions(self, proposal_id: int) -> list[Position]:
        return self.repo.positions(self._find(proposal_id).id)

    def versions(self, proposal_id: int) -> list[ProposalVersion]:
        return self.repo.versions(self._find(proposal_id).id)

    def electors(self, proposal_id: int) -> list[Elector]:
        return self.repo.electors(self._find(proposal_id).id)

    # A proposal named by the client (id or reference): reading it is the audited read the
    # rows belong to (pages and the CLI read the proposal first, then its rows by id).
    def standings_of(self, ref: str) -> list[Standing]:
        return self.standings(self.get_ref(ref).proposal.id)

    def positions_of(self, ref: str) -> list[Position]:
        return self.positions(self.get_ref(ref).proposal.id)

    def versions_of(self, ref: str) -> list[ProposalVersion]:
        return self.versions(self.get_ref(ref).proposal.id)

    def previous_text(self, proposal: Proposal) -> str | None:
        """The last text of the proposal this one revises, if the reader may see it."""
        if proposal.revises_id is None or self.repo.get(proposal.revises_id) is None:
            return None
        versions = self.repo.versions(proposal.revises_id)
        return versions[-1].text if versions else None

    def related(self, proposal: Proposal) -> dict[str, list[Proposal]]:
        """Readable proposals linked to this one: revisions, dependents, package members."""
        package = (
            [p for p in self.repo.package_members(proposal.package) if p.id != proposal.id]
            if proposal.package
            else []
        )
        return {
            "revisions": self.repo.revisions_of(proposal.id),
            "dependents": self.repo.dependents_of(proposal.id),
            "package": package,
        }

    def delegation_ally(self) -> str | None:
        """The ally whose delegation the principal works in, if any."""
        if self.principal.side is not Side.ALLY or self.principal.organisation_id is None:
            return None
        org = self.session.get(Organisation, self.principal.organisation_id)
        if org is None or org.kind is not OrganisationKind.ALLY_DELEGATION:
            return None
        return org.nation_iso3

    def inbox(self, page: PageRequest) -> tuple[list[ProposalView], int, str | None]:
        """Open proposals awaiting the principal's delegation; empty for anyone else."""
        ally = self.delegation_ally()
        if ally is None:
            return [], 0, None
        rows, total = self.repo.awaiting(ally, clock.utcnow(), page)
        views = self.views(rows)
        record_reads(self.session, self.principal, READ, [v.proposal for v in views])
        return views, total, ally

    # the principal's notifications, listed only through readable proposals (reads audited)
    def notifications(
        self, page: PageRequest, *, unread_only: bool = False
    ) -> tuple[list[NotificationView], int]:
        user_id = self.principal.user_id
        if user_id is None:
            return [], 0
        rows, total = self.repo.notifications(user_id, page, unread_only=unread_only)
        views = {v.proposal.id: v for v in self.views(list({p.id: p for _, p in rows}.values()))}
        record_reads(self.session, self.principal, READ, [v.proposal for v in views.values()])
        return [NotificationView(n, views[p.id]) for n, p in rows], total

    def unread(self) -> int:
        user_id = self.principal.user_id
        if user_id is None:
            return 0
        return self.repo.notifications(user_id, PageRequest(limit=1), unread_only=True)[1]

    def mark_read(self, ids: Sequence[int] | None = None) -> int:
        """Mark some (or all) of the principal's notifications read; return how many."""
        user_id = self.principal.user_id
        if user_id is None:
            return 0
        return self.repo.mark_read(user_id, ids, clock.utcnow())

    def calendar_items(self, days_back: int = 30) -> list[ProposalView]:
        since = clock.utcnow() - dt.timedelta(days=days_back)
        views = self.views(self.repo.with_deadlines(since, 1000))
        record_reads(self.session, self.principal, FEED, [v.proposal for v in views])
        return views

    def silence_ending(
        self, now: dt.datetime, within: dt.timedelta, limit: int
    ) -> tuple[list[ProposalView], int]:
        """The nearest ``limit`` pending silence procedures ending within ``within``, their
        reads audited, and how many there are in all."""
        soon, total = self.repo.silence_ending(now, now + within, limit)
        views = self.views(soon, now)
        record_reads(self.session, self.principal, READ, [v.proposal for v in views])
        return views, total

    # writes ---------------------------------------------------------------------------------
    def _require(self, permission: Permission) -> None:
        if not self.principal.can(permission):
            raise Forbidden(f"this needs the permission {permission}")

    def _audit_write(
        self,
        action: str,
        proposal: Proposal,
        after: dict[str, Any],
        before: dict[str, Any] | None = None,
    ) -> None:
        record_write(
            self.session,
            self.principal,
            f"decisions:{action}",
            proposal,
            before=before,
            after=after,
            object_type=OBJECT_TYPE,  # a position's events are the proposal's
        )

    def settle(self) -> list[Proposal]:
        """Settle every due outcome now (what the worker does), as part of this unit of work."""
        return self._settle(None)

    def _settle(self, touched: Proposal | None) -> list[Proposal]:
        """Settle what is due now: everything, or after a write to ``touched`` what hangs on
        it (the worker settles the rest on its next tick)."""
        now = clock.utcnow()
        return settlement.settle_due(
            self.session,
            now,
            lambda s, p: _notify_decided(s, p, now),
            None if touched is None else [touched],
        )

    def _subject(self, kind: SubjectKind, ref: str | None) -> SubjectInfo | None:
        """The subject as its owner describes it (a name resolved to its reference)."""
        try:
            return describe_subject(self.session, self.principal, kind, ref)
        except (NotFound, InvalidInput) as exc:  # the form's subject field is what is wrong
            raise InvalidInput(exc.message, field="subject_ref") from None

    def _decided_subject(
        self, data: ProposalCreate, *, record_past: bool
    ) -> tuple[ProposalCreate, SubjectInfo | None]:
        """The subject, named by its stored reference; what is due on it settled first (its
        state may change), then refused unless it can be decided now."""
        subject = self._subject(data.subject_kind, data.subject_ref)
        if subject is not None and subject.ref is not None:
            data = data.model_copy(update={"subject_ref": subject.ref})
        if self._settle_stale(data.subject_kind, data.subject_ref):
            subject = self._subject(data.subject_kind, data.subject_ref)
        if subject is not None and not subject.decidable and not record_past:
            raise SubjectNotDecidable(f"{subject.title} cannot be decided now: {subject.why}")
        return data, subject

    def _release_codes(self, kind: SubjectKind, names: Sequence[str]) -> list[str]:
        if kind is not SubjectKind.DOCUMENT_RELEASE:
            if names:
                raise InvalidInput(
                    "only a document release names partners to release to", field="release_to"
                )
            return []
        if not names:
            raise InvalidInput(
                "name the partners or groups to release the document to", field="release_to"
            )
        codes = []
        for name in names:
            code = self.registry.release_code(name)
            if code is None:
                raise InvalidInput(f"unknown nation or partner group {name!r}", field="release_to")
            codes.append(code)
        return sorted(set(codes))

    def _links(self, data: ProposalCreate) -> Proposal | None:
        depends_on = None
        now = clock.utcnow()
        if data.depends_on:
            try:
                depends_on = self.find_ref(data.depends_on)
            except ProposalNotFound:
                raise InvalidInput(f"no proposal {data.depends_on!r}", field="depends_on") from None
            verdict = settlement.outcomes(self.session, [depends_on], now)[depends_on.id]
            if verdict.failed:
                raise Conflict(
                    f"{depends_on.reference} is already {verdict.outcome}: a proposal that "
                    "depends on it could only lapse",
                    field="depends_on",
                )
        if data.package:
            existing = self.repo.package_members(data.package)
            verdicts = settlement.outcomes(self.session, existing, now)
            if any(p.outcome is not Outcome.PENDING or verdicts[p.id].failed for p in existing):
                raise Conflict(f"the package {data.package!r} is already decided", field="package")
            if depends_on is not None and depends_on.package == data.package:
                raise InvalidInput(
                    "a package is decided together: a proposal cannot also depend on a member "
                    "of its own package",
                    field="depends_on",
                )
        return depends_on

    def _readable_by_electors(self, marking: Marking, electorate: Sequence[str]) -> None:
        """Refuse a marking that some elector's delegation cannot read.

        An ally cannot consent to what it cannot read, and the policy hides such a proposal
        from its delegation: it could neither break silence nor concur at a meeting, so the
        proposal could only be adopted without it. Refused under either procedure (rather
        than turned into a meeting: positions are recorded only by the ally's own delegation,
        which could not see it there either). An elector's delegation cannot read when it has
        users who may record its positions and none of them may read the marking; an ally with
        no such user here takes no part through this system, and silence speaks for it.
        """
        readers: dict[str, bool] = {}
        for user in self.repo.delegation_users(electorate):
            reader = principal_for(self.session, user, nation_profile)
            nation = user.organisation.nation_iso3
            if nation is None or not reader.can(Permission.DECISIONS_POSITION_RECORD):
                continue
            readers[nation] = readers.get(nation, False) or can_read(reader, marking)
        blind = sorted(self.name_of(nation) for nation, ok in readers.items() if not ok)
        if blind:
            names = ", ".join(blind)
            raise InvalidInput(
                f"{names} cannot read a proposal marked {short(marking)}: no user of their "
                "delegation who records their position may read it, and an ally cannot consent "
                "to what it cannot read; mark it at a level every elector's delegation can read",
                field="marking",
            )

    def _settle_stale(self, kind: SubjectKind, ref: str | None) -> bool:
        """Settle what is due among the pending proposals on this subject (a deadline passed
        before the tick came), so the subject's state and the one-pending rule see it; True
        when there were any."""
        if kind is SubjectKind.FREE_TEXT or ref is None:
            return False
        stale = LinkGraph(self.session).pending_on(kind, ref, None)
        if stale:
            self._settle_these(stale)
        return bool(stale)

    def _one_pending(self, kind: SubjectKind, ref: str | None, effect: str) -> None:
        """Refuse a second pending proposal on one subject and effect, naming the first when
        the principal may read it (``_settle_stale`` ran first, so only a live one blocks)."""
        if kind is SubjectKind.FREE_TEXT or ref is None:
            return
        live = LinkGraph(self.session).pending_on(kind, ref, effect)
        if live:
            raise self._already_pending(live[0])

    def _already_pending(self, other: Proposal | None) -> Conflict:
        visible = other is not None and self.repo.get(other.id) is not None
        name = other.reference if visible and other is not None else "another proposal"
        return Conflict(
            f"{name} on this subject is still pending; one proposal per subject at a time "
            "(withdraw it, or revise it once it is decided)",
            field="subject_ref",
        )

    def _insert_pending(self, proposal: Proposal) -> None:
        """Insert, turning the index's refusal (a concurrent request won) into a 409."""
        try:
            with self.session.begin_nested():
                self.session.add(proposal)
                self.session.flush()  # the id makes the reference; the index decides here
        except IntegrityError as exc:
            if "uq_proposal_pending_subject" not in str(exc.orig):
                raise
            graph = LinkGraph(self.session)
            live = graph.pending_on(
                proposal.subject_kind, proposal.subject_ref or "", proposal.effect
            )
            raise self._already_pending(live[0] if live else None) from None

    def _settle_these(self, proposals: Sequence[Proposal]) -> None:
        now = clock.utcnow()
        settlement.settle_due(
            self.session, now, lambda s, p: _notify_decided(s, p, now), list(proposals)
        )

    def open(
        self,
        data: ProposalCreate,
        *,
        opened_at: dt.datetime | None = None,
        record_past: bool = False,
        revises: Proposal | None = None,
    ) -> ProposalView:
        """Open a proposal; ``opened_at`` records one of the past (an administrator, the demo),
        ``record_past`` also on a subject whose state already carries the outcome. A proposal
        is alliance material (``security.writes``)."""
        guard_create(
            self.principal,
            ALLIANCE,
            Permission.DECISIONS_PROPOSAL_MANAGE,
            what="proposal",
            refused=Forbidden,
        )
        backdated = data.opened_at is not None  # an administrator's record of the past
        opened_at = opened_at or data.opened_at
        record_past = record_past or backdated
        if opened_at is not None:
            self._require(Permission.DECISIONS_PROPOSAL_BACKDATE)
        if data.positions and not backdated:
            raise InvalidInput(
                "positions are given with a proposal only when recording a past one "
                "(with its opening date)",
                field="positions",
            )
        now = clock.utcnow()
        opened = opened_at or now
        if opened > now:
            raise InvalidInput("a proposal cannot open in the future", field="opened_at")
        if data.subject_kind is SubjectKind.FREE_TEXT and data.subject_ref:
            raise InvalidInput(
                "a free-text proposal has no subject: leave out the reference, or name the "
                "subject's kind (itpp_approval, office_opening, document_release)",
                field="subject_ref",
            )
        data = data.model_copy(update={"subject_ref": _canonical_ref(data)})
        marking = self.marks.checked(data.marking)
        data, subject = self._decided_subject(data, record_past=record_past)
        release_to = self._release_codes(data.subject_kind, data.release_to)
        effect = ",".join(release_to)
        problem = check_procedure(data.procedure, opened, data.deadline)
        if (
            problem is None
            and not record_past
            and data.deadline is not None
            and data.deadline <= now
        ):
            problem = "the deadline is in the past"
        if problem:
            raise InvalidInput(problem, field="deadline")
        depends_on = self._links(data)
        title = data.title or (subject.title if subject else None)
        if not title:
            raise InvalidInput(
                "give a title (a free-text proposal has no subject to name it)", field="title"
            )
        electorate = self.registry.members_on(opened.date())
        self._readable_by_electors(marking, [a.country_iso3 for a in electorate])
        self._one_pending(data.subject_kind, data.subject_ref, effect)
        proposal = Proposal(
            reference=f"tmp-{uuid.uuid4().hex[:20]}",
            title=title[:300],
            subject_kind=data.subject_kind,
            subject_ref=data.subject_ref
            if data.subject_kind is not SubjectKind.FREE_TEXT
            else None,
            subject_title=subject.title if subject else None,
            subject_href=subject.href if subject else None,
            release_to=release_to,
            effect=effect,
            procedure=data.procedure,
            opened_at=opened,
            deadline=data.deadline,
            opened_by=self.principal.username,
            marking_id=self.markings.intern(marking),
            depends_on_id=depends_on.id if depends_on else None,
            revises_id=revises.id if revises else None,
            package=data.package,
            sources=data.sources,
        )
        self._insert_pending(proposal)
        proposal.reference = f"DEC-{opened.year}-{proposal.id:04d}"
        self.session.add_all(
            ProposalElector(proposal_id=proposal.id, ally_iso3=a.country_iso3) for a in electorate
        )
        self.session.add(
            ProposalVersion(
                proposal_id=proposal.id,
                number=1,
                text=data.text,
                note="revised text" if revises else "",
                created_at=opened,
                created_by=self.principal.username,
            )
        )
        self.session.flush()  # electors and text must be in place for the check and the audit
        if self.repo.get(proposal.id) is None:
            raise MarkingAboveReader("a proposal")
        self._audit_write(
            "proposal:record_past" if opened_at is not None else "proposal:open",
            proposal,
            {
                "recorded_at": now.isoformat() if opened_at is not None else None,
                "reference": proposal.reference,
                "title": proposal.title,
                "subject": f"{data.subject_kind.value}:{data.subject_ref or ''}",
                "procedure": data.procedure.value,
                "opened_at": opened.isoformat(),
                "deadline": data.deadline.isoformat() if data.deadline else None,
                "electors": len(electorate),
                "marking": short(marking),
                "revises": revises.reference if revises else None,
            },
        )
        publish(
            self.session,
            ProposalOpened(**settlement.event_facts(proposal, opened)),
        )
        for past in sorted(data.positions, key=lambda s: s.at):
            position = PositionCreate(ally=past.ally, stance=past.stance, statement=past.statement)
            self.record_position(proposal.id, position, at=past.at, settle=False)
        live = data.deadline is None or data.deadline > now
        if not record_past or (backdated and live):
            notify(self.session, proposal, NotificationKind.OPENED, now)
        if not record_past or backdated:  # the demo's records settle once all are loaded
            self._settle(proposal)
        return self.views([proposal])[0]

    def _position_ally(self, requested: str | None, *, past: bool = False) -> str:
        """The ally the principal may record a position for (refusals say why); the past is
        recorded for a named ally (``_past_position`` checked the right)."""
        p = self.principal
        if past:
            if requested is None:
                raise InvalidInput("name the ally whose position this was", field="ally")
            return self.registry.country(requested, field="ally").iso3
        if p.side is Side.PARTNER:
            raise Forbidden(
                "partners do not take part in the allies' decisions: only an ally's "
                "delegation records that ally's position"
            )
        self._require(Permission.DECISIONS_POSITION_RECORD)
        wanted = self.registry.country(requested, field="ally").iso3 if requested else None
        if p.side is Side.SYSTEM:
            if wanted is None:
                raise InvalidInput("name the ally whose position this is", field="ally")
            return wanted
        own = self.delegation_ally()
        if own is None:
            raise Forbidden(
                "only a user of an ally's delegation records that ally's position; "
                f"you work for {p.organisation or 'no delegation'}"
            )
        if wanted is not None and wanted != own:
            raise Forbidden(
                f"you may record only {self.name_of(own)}'s position, not {self.name_of(wanted)}'s"
            )
        return own

    def _why_not_elector(self, ally: str, proposal: Proposal, electors: int) -> str:
        opened = proposal.opened_at.date().isoformat()
        name = self.name_of(ally)
        try:
            member = self.registry.ally(ally)
        except NotAnAlly:
            return f"{name} is not an ally: only allies take part in consensus"
        if member.accession_date > proposal.opened_at.date():
            return (
                f"{name} is not among the {electors} electors of {proposal.reference}: it joined "
                f"on {member.accession_date.isoformat()}, after the proposal opened on {opened}"
            )
        return (
            f"{name} is not among the {electors} electors of {proposal.reference} (opened {opened})"
        )

    def record_position(
        self,
        proposal_id: int,
        data: PositionCreate,
        *,
        at: dt.datetime | None = None,
        settle: bool = True,
    ) -> Position:
        """Record a position now, or ``at`` a past moment (administrators and the console,
        naming the ally); ``settle=False`` leaves settling to the caller (a record of the past
        settles once all its positions are in)."""
        proposal = self._find(proposal_id)
        if at is not None:
            self._past_position(proposal, at)
        ally = self._position_ally(data.ally, past=at is not None)
        now = at or clock.utcnow()
        facts = LinkGraph(self.session).facts([proposal])[proposal.id]
        if ally not in facts.electorate:
            raise NotAnElector(self._why_not_elector(ally, proposal, len(facts.electorate)))
        verdict = settlement.outcomes(self.session, [proposal], now)[proposal.id]
        problem = check_stance(facts, verdict, ally, data.stance, now)
        if problem:
            raise PositionRefused(problem, field="stance")
        problem = check_statement(data.stance, data.statement)
        if problem:
            raise PositionRefused(problem, field="statement")
        position = Position(
            proposal_id=proposal.id,
            ally_iso3=ally,
            seq=1 + sum(1 for s in facts.positions if s.ally == ally),
            stance=data.stance,
            statement=data.statement,
            version_number=facts.version,
            recorded_at=now,
            recorded_by=self.principal.username,
        )
        try:
            with self.session.begin_nested():
                self.session.add(position)
                self.session.flush()  # the position's id goes in the audit trail
        except IntegrityError as exc:
            if "uq_proposal_position_seq" not in str(exc.orig):
                raise
            raise PositionRefused(
                f"{self.name_of(ally)}'s position on {proposal.reference} was recorded by "
                "another request at the same moment; reload and try again if it still applies",
                field="stance",
            ) from None
        self._audit_write(
            "position:record",
            proposal,
            {
                "position_id": position.id,
                "ally": ally,
                "stance": data.stance.value,
                "statement": data.statement,
                "version": facts.version,
                "at": now.isoformat(),
            },
        )
        if settle:
            self._settle(proposal)
        return position

    def _past_position(self, proposal: Proposal, at: dt.datetime) -> None:
        if not self.principal.can(Permission.DECISIONS_PROPOSAL_BACKDATE):
            raise Forbidden("only an administrator records positions of the past")
        if not proposal.opened_at <= at <= clock.utcnow():
            raise PositionRefused(
                f"a position of the past is taken between the opening of {proposal.reference} "
                f"({proposal.opened_at:%Y-%m-%d %H:%M} UTC) and now",
                field="at",
            )

    def _open_proposal(self, proposal_id: int) -> tuple[Proposal, Verdict]:
        proposal = self._find(proposal_id)
        # Alliance material: a partner never withdraws, amends or revises a proposal because it
        # was released to it (security.writes), whatever its roles.
        guard_write(
            self.principal,
            ALLIANCE,
            self.markings.get(proposal.marking_id),
            Permission.DECISIONS_PROPOSAL_MANAGE,
            hidden=lambda: ProposalNotFound(proposal_id),
            what="proposal",
            refused=Forbidden,
        )
        verdict = settlement.outcomes(self.session, [proposal], clock.utcnow())[proposal.id]
        return proposal, verdict

    def withdraw(self, proposal_id: int, data: Withdrawal) -> ProposalView:
        proposal, verdict = self._open_proposal(proposal_id)
        if verdict.outcome is not Outcome.PENDING:
            raise ProcedureClosed(f"{proposal.reference} is already {verdict.outcome}")
        proposal.withdrawn_at = clock.utcnow()
        proposal.withdrawn_reason = data.reason
        self._audit_write("proposal:withdraw", proposal, {"reason": data.reason})
        self._settle(proposal)
        return self.views([proposal])[0]

    def amend(self, proposal_id: int, data: Amendment) -> ProposalView:
        """A new version of the text at a meeting; concurrences given before it lapse."""
        proposal, verdict = self._open_proposal(proposal_id)
        if verdict.outcome is not Outcome.PENDING:
            raise ProcedureClosed(f"{proposal.reference} is already {verdict.outcome}")
        if proposal.procedure is Procedure.SILENCE:
            raise ProcedureClosed(
                "under silence the text cannot change; if silence is broken, revise it into a "
                "new proposal"
            )
        versions = self.repo.versions(proposal.id)
        number = versions[-1].number + 1 if versions else 1
        self.session.add(
            ProposalVersion(
                proposal_id=proposal.id,
                number=number,
                text=data.text,
                note=data.note,
                created_at=clock.utcnow(),
                created_by=self.principal.username,
            )
        )
        self.session.flush()  # the new version decides which concurrences count
        self._audit_write("proposal:amend", proposal, {"version": number, "note": data.note})
        return self.views([proposal])[0]

    def revise(self, proposal_id: int, data: Revision) -> ProposalView:
        """After a broken silence or a lapse: the revised text opens a new, linked proposal."""
        old, verdict = self._open_proposal(proposal_id)
        if verdict.outcome not in {Outcome.BROKEN, Outcome.LAPSED}:
            raise ProcedureClosed(
                f"only a broken or lapsed proposal is revised into a new one; {old.reference} "
                f"is {verdict.outcome}"
            )
        self._settle_these([old])  # the revision may take its place as the pending one
        marking = self.markings.get(old.marking_id)
        create = ProposalCreate(
            subject_kind=old.subject_kind,
            subject_ref=old.subject_ref,
            title=old.title,
            text=data.text,
            marking=short(marking),
            procedure=data.procedure,
            deadline=data.deadline,
            release_to=list(old.release_to),
        )
        return self.open(create, revises=old)


def _canonical_ref(data: ProposalCreate) -> str | None:
    """One spelling per subject, so the one-pending index sees "011" as "11" and
    "itpp-jpn-2027" as "ITPP-JPN-2027" (ids are numbers, programme references upper case)."""
    ref = (data.subject_ref or "").strip()
    if not ref:
        return None
    key = parse_id(ref)
    if key is not None:
        return str(key)
    return ref.upper() if data.subject_kind is SubjectKind.ITPP_APPROVAL else ref


def _mentions(reason: str) -> list[str]:
    return settlement.mentions(reason)


def _tally(facts: Facts) -> Tally:
    current = standing(facts)
    consent = sum(1 for a in facts.electorate if consents(facts, current.get(a)))
    reservations = sum(
        1 for a in facts.electorate if (s := current.get(a)) and s.stance is Stance.RESERVATION
    )
    broke = sum(
        1 for a in facts.electorate if (s := current.get(a)) and s.stance is Stance.BREAK_SILENCE
    )
    return Tally(len(facts.electorate), consent, reservations, broke)


def _notify_decided(session: Session, proposal: Proposal, now: dt.datetime) -> None:
    notify(session, proposal, NotificationKind.DECIDED, now)


@dataclass(frozen=True, slots=True)
class NotificationView:
    notification: Notification
    view: ProposalView
