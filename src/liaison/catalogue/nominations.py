# SPDX-License-Identifier: Apache-2.0
"""Nominations: a partner mission puts a person forward for a session; alliance staff accept
(a seat if one is free, else the wait list), decline, and record attendance.

    offered → accepted | declined | withdrawn         (a published plan's seat: the partner
                                                        answers, naming the person to accept)
    nominated → accepted | wait_listed | declined | withdrawn
    wait_listed → accepted | declined | withdrawn
    accepted → attended | no_show | withdrawn          (rules.TRANSITIONS)

Invariants:
- seats are never over-booked: every change that takes or frees a seat first locks the
  session's row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite runs one writer at a time,
  every transaction beginning IMMEDIATE) and counts the seats held after the lock;
- a freed seat goes to the first of the wait list (lowest ``wait_position``), in the same
  transaction;
- a partner nominates only for itself, only people of its nationality, only to sessions it may
  read and is eligible for; it sees and withdraws only its own nominations (their marking is
  releasable to it alone: ``base.about_partner``);
- every change is audited with before/after.
"""

from __future__ import annotations

from typing import Any

from liaison.audit.reads import record_reads
from liaison.audit.recorder import record_write
from liaison.catalogue.base import CatalogueBase, about_partner
from liaison.catalogue.eligibility import partner_facts
from liaison.catalogue.errors import BadTransition, NominationNotFound, SessionNotFound
from liaison.catalogue.models import CatalogueItem, CatalogueSession, Nomination
from liaison.catalogue.rules import HOLDS_SEAT, NominationState, can_move, decide_on_accept
from liaison.catalogue.schemas import NominationCreate, OfferAnswer
from liaison.errors import InvalidInput, LiaisonError
from liaison.kit.ids import parse_id
from liaison.kit.pagination import PageRequest
from liaison.security.markings import Marking, short
from liaison.security.permissions import Permission
from liaison.security.principal import Side

S = NominationState


class NominationView:
    __slots__ = ("item", "marking", "nomination", "session", "short", "wait_position")

    def __init__(
        self,
        nomination: Nomination,
        session: CatalogueSession,
        item: CatalogueItem,
        marking: Marking,
        staff: bool = True,
    ) -> None:
        # the place on the wait list counts other partners' nominations: staff only
        self.wait_position = nomination.wait_position if staff else None
        self.nomination = nomination
        self.session = session
        self.item = item
        self.marking = marking
        self.short = short(marking)


class NominationService(CatalogueBase):
    def _views(
        self, rows: list[tuple[Nomination, CatalogueSession, CatalogueItem]]
    ) -> list[NominationView]:
        marks = self.markings.many(n.marking_id for n, _, _ in rows)
        views = [NominationView(n, s, i, marks[n.marking_id], self.staff) for n, s, i in rows]
        nominations = [v.nomination for v in views]
        record_reads(self.session, self.principal, "catalogue:nomination:read", nominations)
        return views

    def find(
        self,
        page: PageRequest,
        *,
        session_id: int | None = None,
        partner: str | None = None,
        state: NominationState | None = None,
    ) -> tuple[list[NominationView], int]:
        code = self.partner_code(partner) if partner else None
        rows, total = self.repo.nominations(page, session_id=session_id, partner=code, state=state)
        return self._views(rows), total

    def _row(self, nomination_id: int) -> Nomination:
        found = self.repo.nomination(nomination_id) if parse_id(str(nomination_id)) else None
        if found is None:
            raise NominationNotFound(nomination_id)
        return found

    def get(self, nomination_id: int) -> NominationView:
        n = self._row(nomination_id)
        s = self.repo.session_row(n.session_id)
        i = self.repo.item(s.item_id) if s is not None else None
        if s is None or i is None:
            raise NominationNotFound(nomination_id)
        return self._views([(n, s, i)])[0]

    # writes -----------------------------------------------------------------------------------
    def nominate(self, data: NominationCreate) -> NominationView:
        self.require(Permission.CATALOGUE_NOMINATION_WRITE)
        partner = self._nominating_partner(data.partner)
        session = self.repo.session_row(data.session_id)
        item = self.repo.item(session.item_id) if session is not None else None
        if session is None or item is None:
            raise SessionNotFound(data.session_id)
        session_marking = self.markings.get(session.marking_id)
        self._check_partner_may_attend(partner, session, session_marking)
        nationality = self._nationality(data.nationality, partner)
        marking = about_partner(session_marking, partner)
        nomination = Nomination(
            session_id=session.id,
            partner_iso3=partner,
            person_name=" ".join(data.person_name.split()),
            person_role=" ".join(data.person_role.split()),
            nationality=nationality,
            state=S.NOMINATED,
            created_by=self.principal.username,
            updated_by=self.principal.username,
            marking_id=self.markings.intern(marking),
        )
        self.session.add(nomination)
        self.session.flush()  # the id, for the audit and the check after write
        if self.repo.nomination(nomination.id) is None:
            raise SessionNotFound(data.session_id)
        self._audit("create", nomination, None)
        return NominationView(nomination, session, item, marking)

    def _nominating_partner(self, given: str | None) -> str:
        if self.principal.side is Side.PARTNER:
            if not self.principal.nation:
                raise InvalidInput("your account names no nation", field="partner")
            if given and self.partner_code(given) != self.principal.nation:
                raise InvalidInput(
                    "a partner mission nominates for its own nation only", field="partner"
                )
            return self.principal.nation
        if not given:
            raise InvalidInput("name the partner that nominates", field="partner")
        return self.partner_code(given)

    def _check_partner_may_attend(
        self, partner: str, session: CatalogueSession, marking: Marking
    ) -> None:
        facts = partner_facts(self.session, partner)
        eligible = self.repo.eligibility([session.id])[session.id]
        reason = facts.refusal(session, marking, eligible)
        if reason:
            raise InvalidInput(
                f"{self.marks.name_of(partner)} cannot attend this session: {reason}",
                field="session_id",
            )

    def _nationality(self, text: str, partner: str) -> str:
        try:
            code = self.registry.country(text.strip()).iso3
        except LiaisonError:
            raise InvalidInput(f"unknown nationality {text!r}", field="nationality") from None
        if code != partner:
            raise InvalidInput(
                f"the person's nationality ({code}) is not the nominating partner's ({partner})",
                field="nationality",
            )
        return code

    def move(
        self, nomination_id: int, target: NominationState, feedback: str = ""
    ) -> NominationView:
        """Change a nomination's state. Accepting takes a seat or joins the wait list;
        withdrawing an accepted nomination gives its seat to the first of the wait list."""
        nomination = self._row(nomination_id)
        self._require_move(nomination, target)
        session = self.repo.session_row(nomination.session_id, lock=True)
        if session is None:
            raise NominationNotFound(nomination_id)
        # re-read after the lock: another transaction may have moved it meanwhile
        self.session.refresh(nomination)
        if not can_move(nomination.state, target):
            raise BadTransition(
                f"a nomination that is {nomination.state.value} cannot become {target.value}"
            )
        before = _snapshot(nomination)
        freed = nomination.state in HOLDS_SEAT and target not in HOLDS_SEAT
        if target is S.ACCEPTED:
            held = self.repo.held([session.id])[session.id]
            target = decide_on_accept(session.seats, held)
        nomination.state = target
        nomination.wait_position = (
            self.repo.last_wait_position(session.id) + 1 if target is S.WAIT_LISTED else None
        )
        if feedback:
            nomination.feedback = feedback
        nomination.updated_by = self.principal.username
        self.session.flush()  # the new state counts before the wait list is looked at
        self._audit("state", nomination, before)
        if freed:
            self._promote(session)
        return self.get(nomination.id)

    # offers (a published plan's seats) ------------------------------------------------------
    def offer(self, plan_id: int, seats: list[tuple[int, str, int]]) -> list[tuple[int, str, int]]:
        """Offer planned seats — (session, partner, seats) — as nominations in ``offered``,
        each session locked and its seats counted after the lock, so an offer never
        over-books; returns what could not be offered (seats taken since the plan was made).
        The caller (``PlanService.publish``) checked the right to publish."""
        missed: list[tuple[int, str, int]] = []
        # every session locked first, in id order, before any write or audit record: a
        # concurrent accept holds one session's lock and then waits for the audit's
        locked = {
            sid: self.repo.session_row(sid, lock=True) for sid in sorted({s for s, _, _ in seats})
        }
        for sid, partner, wanted in sorted(seats):
            session = locked[sid]
            if session is None:
                missed.append((sid, partner, wanted))
                continue
            free = session.seats - self.repo.held([sid])[sid]
            given = max(0, min(wanted, free))
            if given < wanted:
                missed.append((sid, partner, wanted - given))
            marking_id = self.markings.intern(
                about_partner(self.markings.get(session.marking_id), partner)
            )
            for _ in range(given):
                offer = Nomination(
                    session_id=sid,
                    partner_iso3=partner,
                    person_name="",
                    person_role="",
                    nationality=partner,
                    state=S.OFFERED,
                    offered_by_plan_id=plan_id,
                    created_by=self.principal.username,
                    updated_by=self.principal.username,
                    marking_id=marking_id,
                )
                self.session.add(offer)
                self.session.flush()  # counted by the next session's check; the audit's id
                self._audit("offer", offer, None)
        return missed

    def answer(self, nomination_id: int, data: OfferAnswer) -> NominationView:
        """A partner's answer to a seat offered to it: accept (naming the person, of its
        nationality; the seat is already held) or decline (the seat goes to the wait list).
        Only the partner offered the seat answers (alliance staff with the right to decide
        may answer for it); another partner is told the offer does not exist."""
        nomination = self._row(nomination_id)
        own = (
            self.principal.side is Side.PARTNER and self.principal.nation == nomination.partner_iso3
        )
        self.require(
            Permission.CATALOGUE_NOMINATION_WRITE if own else Permission.CATALOGUE_NOMINATION_DECIDE
        )
        session = self.repo.session_row(nomination.session_id, lock=True)
        if session is None:
            raise NominationNotFound(nomination_id)
        self.session.refresh(nomination)
        if nomination.state is not S.OFFERED:
            raise BadTransition(
                f"a nomination that is {nomination.state.value} is not an offer to answer"
            )
        before = _snapshot(nomination)
        if data.accept:
            name = " ".join(data.person_name.split())
            if not name:
                raise InvalidInput("name the person who takes the seat", field="person_name")
            nomination.person_name = name
            nomination.person_role = " ".join(data.person_role.split())
            nomination.nationality = self._nationality(data.nationality, nomination.partner_iso3)
            nomination.state = S.ACCEPTED
        else:
            nomination.state = S.DECLINED
        nomination.updated_by = self.principal.username
        self.session.flush()
        self._audit("answer", nomination, before)
        if not data.accept:
            self._promote(session)
        return self.get(nomination.id)

    def _require_move(self, nomination: Nomination, target: NominationState) -> None:
        if target is S.WITHDRAWN:
            own = (
                self.principal.side is Side.PARTNER
                and self.principal.nation == nomination.partner_iso3
            )
            if not own:
                self.require(Permission.CATALOGUE_NOMINATION_DECIDE)
            else:
                self.require(Permission.CATALOGUE_NOMINATION_WRITE)
        else:
            self.require(Permission.CATALOGUE_NOMINATION_DECIDE)
        if nomination.state is S.OFFERED and target is S.ACCEPTED:
            raise BadTransition(
                "an offered seat is accepted by answering the offer (naming the person)"
            )
        if not can_move(nomination.state, target):
            raise BadTransition(
                f"a nomination that is {nomination.state.value} cannot become {target.value}"
            )

    def _promote(self, session: CatalogueSession) -> None:
        """Give free seats to the wait list, first come first served."""
        while self.repo.held([session.id])[session.id] < session.seats:
            waiting = self.repo.first_waiting(session.id)
            if waiting is None:
                return
            before = _snapshot(waiting)
            waiting.state = S.ACCEPTED
            waiting.wait_position = None
            waiting.updated_by = self.principal.username
            self.session.flush()  # counted by the next turn of the loop
            self._audit("promote", waiting, before)

    def _audit(self, action: str, nomination: Nomination, before: dict[str, Any] | None) -> None:
        record_write(
            self.session,
            self.principal,
            f"catalogue:nomination:{action}",
            nomination,
            before=before,
            after=_snapshot(nomination),
        )


def _snapshot(n: Nomination) -> dict[str, Any]:
    return {
        "id": n.id,
        "session_id": n.session_id,
        "partner": n.partner_iso3,
        "person_name": n.person_name,
        "state": n.state.value,
        "wait_position": n.wait_position,
    }
