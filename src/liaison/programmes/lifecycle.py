# SPDX-License-Identifier: Apache-2.0
"""Programme lifecycle use cases: create, change a draft, move along the lifecycle (one in
force per partner), record the allies' approval, renew, turn an IPCP into an ITPP, expire.

Entry into force waits for the programme's period and for the end of the one it replaces
(``rules.entry_day``): asked before that day, an agreed programme is *scheduled* (``in_force_on``
set, still agreed) and the periodic tick (``events.Tick``, ``enter_scheduled``) moves it on its
day, superseding its predecessor then."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from liaison.db.base import columns_of
from liaison.errors import InvalidInput, LiaisonError
from liaison.kit import clock
from liaison.kit.pagination import PageRequest
from liaison.programmes import rules
from liaison.programmes.base import ProgrammeBase
from liaison.programmes.errors import (
    IllegalTransition,
)
from liaison.programmes.models import (
    PartnershipGoal,
    Programme,
    ProgrammeSection,
    StrategicObjective,
)
from liaison.programmes.repository import E, ProgrammeFilters, ProgrammeRepository
from liaison.programmes.rules import GoalStatus, ProgrammeKind, ProgrammeStatus
from liaison.programmes.schemas import (
    ProgrammeCreate,
    ProgrammeUpdate,
)
from liaison.programmes.shown import (
    ProgrammeView,
)
from liaison.security.markings import short
from liaison.security.permissions import Permission
from liaison.security.principal import SYSTEM

S = ProgrammeStatus
log = logging.getLogger(__name__)


class Lifecycle(ProgrammeBase):
    def create(self, data: ProgrammeCreate) -> ProgrammeView:
        self._may_create()
        partner = self.registry.partner(data.partner)
        iso3 = partner.country_iso3
        end = data.period_end or rules.default_end(data.kind, data.period_start)
        if problem := rules.period_problem(data.period_start, end):
            raise InvalidInput(problem, field="period_end")
        ref = rules.reference(data.kind, iso3, data.period_start)
        if self.repo.unfiltered_reference_taken(ref):
            raise IllegalTransition(f"a programme {ref} already exists; one per kind and year")
        text = data.marking or f"NATO UNCLASSIFIED Releasable to {iso3}"
        marking = self.marks.checked(text)
        title = data.title or (
            f"{partner.country.name}\N{EN DASH}NATO "
            f"{'Individually Tailored Partnership Programme' if data.kind is ProgrammeKind.ITPP else 'Individual Partnership and Cooperation Programme'}"  # noqa: E501
            f" {data.period_start.year}\N{EN DASH}{end.year}"
        )
        programme = Programme(
            reference=ref,
            partner_iso3=iso3,
            kind=data.kind,
            title=title,
            period_start=data.period_start,
            period_end=end,
            status=S.DRAFT,
            marking_id=self.markings.intern(marking),
            created_by=self.principal.username,
            updated_by=self.principal.username,
        )
        self.session.add(programme)
        self._audit_write("create", programme, None, columns_of(programme))
        self._recheck(programme)
        return self._view(programme, marking)

    def update(self, ref: str, data: ProgrammeUpdate) -> ProgrammeView:
        programme = self._writable(ref, wording=True)
        before = columns_of(programme)
        start = data.period_start or programme.period_start
        end = data.period_end or programme.period_end
        if problem := rules.period_problem(start, end):
            raise InvalidInput(problem, field="period_end")
        if start.year != programme.period_start.year:
            raise InvalidInput(
                "the start year names the programme; create a new programme instead",
                field="period_start",
            )
        self._check_children_in_period(programme, start, end)
        programme.period_start, programme.period_end = start, end
        if data.title:
            programme.title = data.title
        programme.updated_by = self.principal.username
        self._audit_write("update", programme, before, columns_of(programme))
        return self._view(programme)

    def _check_children_in_period(self, programme: Programme, start: dt.date, end: dt.date) -> None:
        system = ProgrammeRepository(self.session, SYSTEM)
        for goal in system.children(PartnershipGoal, programme.id):
            if not start <= goal.due_on <= end:
                raise InvalidInput(
                    f"goal {goal.code} is due {goal.due_on}, outside the new period",
                    field="period_end",
                )

    def transition(
        self,
        ref: str,
        to: ProgrammeStatus,
        on: dt.date | None = None,
        reference: str | None = None,
    ) -> ProgrammeView:
        """Move a programme along its lifecycle; 409 saying why when the rules forbid it."""
        programme = self._programme(ref)
        permission = (
            Permission.PROGRAMMES_PROGRAMME_APPROVE
            if to is S.APPROVED
            else Permission.PROGRAMMES_PROGRAMME_WRITE
        )
        self._may_change(programme, permission)
        if to is S.IN_FORCE:  # the tick may be moving it at this moment
            programme = self.repo.locked(programme.id) or programme
        day = on or clock.today()
        before = columns_of(programme)
        approved_on, approval_ref = programme.approved_on, programme.approval_reference
        if to is S.APPROVED and reference:
            approved_on, approval_ref = day, reference
        facts = rules.LifecycleFacts(
            programme.status,
            approved_on,
            approval_ref,
            day if to is S.AGREED else programme.agreed_on,
            programme.period_start,
            programme.period_end,
        )
        if problem := rules.transition_problem(facts, to, day, clock.today()):
            raise IllegalTransition(problem)
        if to is S.IN_FORCE:
            replaced = self._replaced(programme)
            day = rules.entry_day(day, programme.period_start, [o.period_end for o in replaced])
            if day > programme.period_end:
                raise IllegalTransition(
                    f"the programme it replaces runs until {day - dt.timedelta(days=1)}, "
                    f"after this one's period ends on {programme.period_end}"
                )
            if day > clock.today():
                return self._schedule(programme, day, before)
            self._supersede(replaced, day)
        self._apply(programme, to, day, approved_on, approval_ref)
        self._audit_write("transition", programme, before, columns_of(programme))
        return self._view(programme)

    @staticmethod
    def _apply(
        programme: Programme,
        to: ProgrammeStatus,
        day: dt.date,
        approved_on: dt.date | None,
        approval_ref: str | None,
    ) -> None:
        programme.status = to
        programme.approved_on, programme.approval_reference = approved_on, approval_ref
        if to is S.AGREED:
            programme.agreed_on = day
        elif to is S.IN_FORCE:
            programme.in_force_on = day
        elif to in rules.ENDED:
            programme.ended_on = day

    def _schedule(
        self, programme: Programme, day: dt.date, before: dict[str, Any]
    ) -> ProgrammeView:
        """Agreed, entering into force on ``day`` (a future day): the tick moves it then."""
        programme.in_force_on = day
        programme.updated_by = self.principal.username
        self._audit_write("schedule", programme, before, columns_of(programme))
        return self._view(programme)

    def enter_scheduled(self, day: dt.date) -> list[str]:
        """Every agreed programme whose scheduled entry into force has come (on or before
        ``day``) enters into force, on its scheduled day, superseding what it replaces; the
        references. Each in its own savepoint: one that cannot (another programme in force) is
        logged and stays scheduled. Needs ``programmes:programme:write``."""
        self._require(Permission.PROGRAMMES_PROGRAMME_WRITE)
        done = []
        for candidate in self.repo.unfiltered_scheduled(day):
            try:
                with self.session.begin_nested():
                    if self._enter_scheduled(candidate.id, day):
                        done.append(candidate.reference)
            except LiaisonError as exc:
                log.warning("%s stays scheduled: %s", candidate.reference, exc.message)
        return done

    def _enter_scheduled(self, programme_id: int, day: dt.date) -> bool:
        programme = self.repo.locked(programme_id)  # a concurrent tick waits here, then skips
        when = programme.in_force_on if programme is not None else None
        if programme is None or programme.status is not S.AGREED or when is None or when > day:
            return False
        before = columns_of(programme)
        self._enter_into_force(programme, when)
        self._apply(
            programme, S.IN_FORCE, when, programme.approved_on, programme.approval_reference
        )
        self._audit_write("transition", programme, before, columns_of(programme))
        return True

    def _enter_into_force(self, programme: Programme, day: dt.date) -> None:
        self._supersede(self._replaced(programme), day)

    def _supersede(self, replaced: list[Programme], day: dt.date) -> None:
        for other in replaced:
            before = columns_of(other)
            other.status, other.ended_on = S.SUPERSEDED, day
            self._audit_write("transition", other, before, columns_of(other))
        self.session.flush()  # the superseded row must leave the in-force index first

    def _replaced(self, programme: Programme) -> list[Programme]:
        """One programme in force per partner: the one this supersedes (or the partner's IPCP,
        when an ITPP enters into force) is replaced; any other is a conflict."""
        replaced = []
        for other in self.repo.unfiltered_in_force(programme.partner_iso3):
            if other.id == programme.id:
                continue
            replaces = other.id == programme.supersedes_id or (
                programme.kind is ProgrammeKind.ITPP and other.kind is ProgrammeKind.IPCP
            )
            if not replaces:
                visible = self.repo.programme_by_id(other.id) is not None
                name = other.reference if visible else "another programme"
                raise IllegalTransition(
                    f"{name} is in force for this partner until {other.period_end}; "
                    "one programme in force per partner (renew it, or let it expire first)"
                )
            replaced.append(other)
        return replaced

    def record_approval(self, ref: str, approved_on: dt.date, reference: str) -> ProgrammeView:
        """The allies' approval recorded by hand (until a decision records it)."""
        return self.transition(ref, S.APPROVED, approved_on, reference)

    def apply_adopted_approval(self, ref: str | None, on: dt.date, reference: str) -> bool:
        """The decisions feature adopted an ITPP approval: submitted → approved, idempotently.
        A programme already approved or later (or in any other state) is left as it is."""
        programme = self.repo.unfiltered_by_reference(ref or "")
        if programme is None or programme.status is not S.SUBMITTED:
            return False
        before = columns_of(programme)
        programme.status = S.APPROVED
        programme.approved_on, programme.approval_reference = on, reference
        self._audit_write("transition", programme, before, columns_of(programme))
        return True

    def from_ipcp(self, partner_ref: str, start: dt.date | None = None) -> ProgrammeView:
        """Turn a partner's IPCP into a draft ITPP: objectives, areas and open goals carried
        over; the IPCP is superseded when the ITPP enters into force."""
        self._may_create()
        partner = self.registry.partner(partner_ref)
        ipcps, _ = self.repo.find(
            ProgrammeFilters(partner.country_iso3, ProgrammeKind.IPCP), PageRequest(limit=100)
        )
        usable = [p for p in ipcps if p.status not in {S.REJECTED, S.WITHDRAWN}]
        if not usable:
            raise IllegalTransition(
                f"{partner.country.name} has no IPCP to turn into an ITPP; create an ITPP instead"
            )
        source = max(usable, key=lambda p: (p.status is S.IN_FORCE, p.period_start))
        begin = start or dt.date(clock.today().year + 1, 1, 1)
        return self._successor(source, ProgrammeKind.ITPP, begin, "transition")

    def renew(self, ref: str, start: dt.date | None = None) -> ProgrammeView:
        """A new programme for the next period, linked by ``supersedes``, carrying over the
        objectives, the narrative and the open goals."""
        source = self._programme(ref)
        self._may_change(source)
        problem = self.renewal_problem(source)
        if problem:
            raise IllegalTransition(problem)
        begin = start or source.period_end + dt.timedelta(days=1)
        return self._successor(source, source.kind, begin, "renewal")

    def renewal_problem(self, programme: Programme) -> str | None:
        """Why ``programme`` cannot be renewed now (``rules.renewal_problem``), or None."""
        live = [p for p in self.repo.successors(programme.id) if p.status not in rules.ENDED]
        successor = live[0].reference if live else None
        return rules.renewal_problem(programme.reference, programme.status, successor)

    def _successor(
        self, source: Programme, kind: ProgrammeKind, start: dt.date, how: str
    ) -> ProgrammeView:
        live = [p for p in self.repo.successors(source.id) if p.status not in rules.ENDED]
        if live:
            raise IllegalTransition(
                f"{source.reference} already has a successor: {live[0].reference}"
            )
        if start <= source.period_start:
            raise InvalidInput("the new period must start after the old one", field="period_start")
        marking = self.markings.get(source.marking_id)
        created = self.create(
            ProgrammeCreate(
                partner=source.partner_iso3,
                kind=kind,
                period_start=start,
                marking=short(marking),
            )
        )
        new = created.programme
        new.supersedes_id = source.id
        self._carry_over(source, new)
        self._audit_write(how, new, None, columns_of(new))
        return self._view(new)

    def _carry_over(self, source: Programme, new: Programme) -> None:
        objectives = {}
        for o in self.repo.children(StrategicObjective, source.id):
            copy = _copy(o, programme_id=new.id)
            self.session.add(copy)
            self.session.flush()  # the id links the carried-over goals
            objectives[o.id] = copy.id
        for s in self.repo.children(ProgrammeSection, source.id):
            self._save_section(
                new,
                s.heading,
                s.body,
                s.marking_id,
                s.position,
                f"carried over from {source.reference}",
            )
        for g in self.repo.children(PartnershipGoal, source.id):
            if g.status not in rules.OPEN_GOALS:
                continue
            due = g.due_on if new.period_start <= g.due_on <= new.period_end else new.period_end
            goal = _copy(
                g,
                programme_id=new.id,
                objective_id=objectives.get(g.objective_id) if g.objective_id else None,
                due_on=due,
                status=GoalStatus.OPEN,
                version=1,
            )
            self.session.add(goal)
            self.session.flush()  # the revision names the goal's id
            self._revise(new, goal, f"carried over from {source.reference}")

    def expire_due(self) -> list[str]:
        """Every programme in force whose period has ended becomes expired (on its last day);
        the references, for the operator. Needs ``programmes:programme:write``."""
        self._may_create()
        today = clock.today()
        done = []
        for view in self.find(ProgrammeFilters(status=S.IN_FORCE), PageRequest(limit=1000))[0]:
            p = view.programme
            if p.period_end < today:
                self.transition(p.reference, S.EXPIRED, p.period_end)
                done.append(p.reference)
        return done


def _copy(row: E, **changes: Any) -> E:  # noqa: ANN401 - any column's value
    """A new row of ``row``'s table with its columns (not its id), ``changes`` applied."""
    values = {key: value for key, value in columns_of(row).items() if key != "id"}
    return type(row)(**(values | changes))
