# SPDX-License-Identifier: Apache-2.0
"""Programme use cases, for the API, the pages, the CLI, the demo and the event handlers.
Services never commit.

Invariants:
- reads go through ``ProgrammeRepository`` (the policy inside the SQL, on elements and their
  programme); a programme or element the principal may not read raises ``*NotFound`` with the
  words of a missing one;
- every read of something above PUBLIC appends one audit event per row, carrying its marking,
  in this transaction; every write is audited with before/after;
- an element's marking is parsed, must be readable by the writer, and is stored capped by its
  programme's marking (``rules.cap``); after every write the writer must still read what it
  wrote (else ``MarkingAboveReader`` and the unit of work rolls back);
- every save of a section's or goal's wording appends a ``Revision`` (its number is the
  element's ``version``), so any two versions can be redlined;
- lifecycle changes follow ``rules.transition_problem``; an illegal one raises
  ``IllegalTransition`` (409) saying why, before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from liaison.audit.recorder import Entry, record
from liaison.errors import InvalidInput, LiaisonError
from liaison.kit import clock
from liaison.kit.pagination import PageRequest
from liaison.programmes import redline, rules
from liaison.programmes.errors import (
    ElementNotFound,
    IllegalTransition,
    MarkingAboveReader,
    NotEditable,
    NotPermitted,
    ProgrammeNotFound,
    UnknownArea,
)
from liaison.programmes.models import (
    Comment,
    PartnershipGoal,
    Programme,
    ProgrammeActivity,
    ProgrammeSection,
    Revision,
    StrategicObjective,
)
from liaison.programmes.repository import E, ProgrammeFilters, ProgrammeRepository
from liaison.programmes.rules import GoalStatus, ProgrammeKind, ProgrammeStatus
from liaison.programmes.schemas import (
    ActivityCreate,
    ActivityUpdate,
    CommentCreate,
    GoalCreate,
    GoalUpdate,
    ObjectiveCreate,
    ObjectiveUpdate,
    ProgrammeCreate,
    ProgrammeUpdate,
    SectionCreate,
    SectionUpdate,
)
from liaison.registry.service import RegistryService, nation_profile
from liaison.security.classification import Classification
from liaison.security.marking_store import MarkingStore
from liaison.security.markings import Marking, banner, short
from liaison.security.permissions import Permission
from liaison.security.policy import can_read
from liaison.security.principal import Principal

T = TypeVar("T")
S = ProgrammeStatus
AP4 = ["AUS", "JPN", "KOR", "NZL"]
MAX_ID = 2**31 - 1
OBJECT = {
    Programme: "programme",
    StrategicObjective: "objective",
    PartnershipGoal: "goal",
    ProgrammeActivity: "activity",
    ProgrammeSection: "section",
    Comment: "comment",
    Revision: "revision",
}


@dataclass(frozen=True, slots=True)
class Shown(Generic[T]):
    """A row with its (capped) marking and the marking's short form, as a reader sees it."""

    row: T
    marking: Marking
    short: str


@dataclass(frozen=True, slots=True)
class ProgrammeView:
    programme: Programme
    marking: Marking
    short: str
    banner: str
    partner_name: str
    supersedes: str | None


@dataclass(frozen=True, slots=True)
class Dossier:
    """A programme as one reader sees it: only what the policy lets them read."""

    view: ProgrammeView
    objectives: list[Shown[StrategicObjective]]
    goals: list[Shown[PartnershipGoal]]
    activities: list[Shown[ProgrammeActivity]]
    sections: list[Shown[ProgrammeSection]]
    marking: Marking  # the highest marking among what is shown
    banner: str
    areas: dict[str, str] = field(default_factory=dict)

    def goals_of(self, objective_id: int | None) -> list[Shown[PartnershipGoal]]:
        return [g for g in self.goals if g.row.objective_id == objective_id]

    def activities_of(self, goal_id: int) -> list[Shown[ProgrammeActivity]]:
        return [a for a in self.activities if a.row.goal_id == goal_id]

    @property
    def loose_goals(self) -> list[Shown[PartnershipGoal]]:
        """Goals whose objective the reader cannot see or that have none."""
        seen = {o.row.id for o in self.objectives}
        return [g for g in self.goals if g.row.objective_id not in seen]


@dataclass(frozen=True, slots=True)
class Redline:
    subject: str
    subject_id: int
    old: Shown[Revision]
    new: Shown[Revision]
    title: list[redline.Piece]
    body: list[redline.Piece]

    @property
    def counts(self) -> dict[str, int]:
        return redline.counts(self.title + self.body)


@dataclass(frozen=True, slots=True)
class Dashboard:
    today: dt.date
    horizon_days: int
    expiring: list[ProgrammeView]
    expiring_total: int
    renewal_started: dict[str, str]
    overdue: list[tuple[Shown[PartnershipGoal], str]]
    overdue_total: int
    this_month: list[tuple[Shown[ProgrammeActivity], str]]
    this_month_total: int
    marking: Marking
    banner: str


@dataclass(frozen=True, slots=True)
class Comparison:
    partners: list[str]
    partner_names: dict[str, str]
    programmes: dict[str, str]  # partner → reference compared
    rows: list[tuple[str, str, dict[str, tuple[int, int]]]]  # area code, name, partner → goals
    marking: Marking
    banner: str


class ProgrammeService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.repo = ProgrammeRepository(session, principal)
        self.markings = MarkingStore(session)
        self.registry = RegistryService(session, principal)
        self._groups: dict[str, frozenset[str]] = {}
        self._names: dict[str, str] = {}
        self._areas: dict[str, str] | None = None

    # markings and names -----------------------------------------------------------------------
    def groups_of(self, code: str) -> frozenset[str]:
        if code not in self._groups:
            self._groups[code] = nation_profile(self.session, code).groups
        return self._groups[code]

    def name_of(self, code: str) -> str:
        if code not in self._names:
            self._names[code] = self.registry.release_name(code)
        return self._names[code]

    def banner(self, marking: Marking) -> str:
        return banner(marking, self.name_of)

    def highest(self, markings: Iterable[Marking]) -> Marking:
        return rules.highest(list(markings), self.groups_of)

    def area_names(self) -> dict[str, str]:
        if self._areas is None:
            self._areas = {a.code: a.name for a in self.repo.areas()}
        return self._areas

    def _checked_marking(self, text: str) -> Marking:
        marking = self.registry.parse_marking(text)
        if not can_read(self.principal, marking):
            raise MarkingAboveReader
        return marking

    def _element_marking(self, programme: Programme, text: str | None) -> tuple[Marking, int]:
        """The capped marking of a new element (default: the programme's) and its id."""
        container = self.markings.get(programme.marking_id)
        given = self._checked_marking(text) if text else container
        capped = rules.cap(container, given, self.groups_of)
        return capped, self.markings.intern(capped)

    def _shown(self, rows: Sequence[T], marking_ids: Iterable[int]) -> list[Shown[T]]:
        found = self.markings.many(marking_ids)
        out = []
        for row in rows:
            m = found[row.marking_id]  # type: ignore[attr-defined]
            out.append(Shown(row, m, short(m)))
        return out

    # audit ------------------------------------------------------------------------------------
    def _audit_reads(self, shown: Iterable[Shown[Any]]) -> None:
        record(
            self.session,
            self.principal,
            [
                Entry(
                    action=f"programmes:{OBJECT[type(s.row)]}:read",
                    object_type=OBJECT[type(s.row)],
                    object_id=str(s.row.id),
                    marking_id=s.row.marking_id,
                )
                for s in shown
                if s.marking.level is not Classification.PUBLIC
            ],
        )

    def _audit_write(
        self,
        action: str,
        row: Any,  # noqa: ANN401 - any programme table
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        self.session.flush()  # a new row needs its id, and constraints fail before we record
        kind = OBJECT[type(row)]
        record(
            self.session,
            self.principal,
            [
                Entry(
                    action=f"programmes:{kind}:{action}",
                    object_type=kind,
                    object_id=str(row.id),
                    marking_id=row.marking_id,
                    before=before,
                    after=after,
                )
            ],
        )

    @staticmethod
    def _snapshot(row: Any) -> dict[str, Any]:  # noqa: ANN401 - any programme table
        return {
            c.key: getattr(row, c.key)
            for c in row.__table__.columns
            if c.key not in {"created_at", "updated_at"}
        }

    def _require(self, permission: Permission) -> None:
        if not self.principal.can(permission):
            raise NotPermitted(f"this needs the permission {permission}")

    # programme reads --------------------------------------------------------------------------
    def _programme(self, ref: str) -> Programme:
        found = self.repo.programme(ref) if ref and len(ref) <= 40 else None  # noqa: PLR2004
        if found is None:
            raise ProgrammeNotFound(ref)
        return found

    def _view(self, programme: Programme, marking: Marking | None = None) -> ProgrammeView:
        m = marking or self.markings.get(programme.marking_id)
        supersedes = None
        if programme.supersedes_id is not None:
            previous = self.repo.programme_by_id(programme.supersedes_id)
            supersedes = previous.reference if previous is not None else None
        return ProgrammeView(
            programme,
            m,
            short(m),
            self.banner(m),
            self.name_of(programme.partner_iso3),
            supersedes,
        )

    def _views(self, programmes: Sequence[Programme]) -> list[ProgrammeView]:
        found = self.markings.many(p.marking_id for p in programmes)
        return [self._view(p, found[p.marking_id]) for p in programmes]

    def get(self, ref: str) -> ProgrammeView:
        view = self._view(self._programme(ref))
        self._audit_reads([Shown(view.programme, view.marking, view.short)])
        return view

    def find(self, filters: ProgrammeFilters, page: PageRequest) -> tuple[list[ProgrammeView], int]:
        rows, total = self.repo.find(filters, page)
        views = self._views(rows)
        self._audit_reads(Shown(v.programme, v.marking, v.short) for v in views)
        return views, total

    def filters(
        self,
        *,
        partner: str | None = None,
        kind: ProgrammeKind | None = None,
        status: ProgrammeStatus | None = None,
    ) -> ProgrammeFilters:
        code = self.registry.partner(partner).country_iso3 if partner else None
        return ProgrammeFilters(code, kind, status)

    def page_banner(self, views: Sequence[ProgrammeView]) -> str:
        return self.banner(self.highest(v.marking for v in views))

    def dossier(self, ref: str) -> Dossier:
        """The programme with every element the reader may read (each read audited)."""
        view = self.get(ref)
        pid = view.programme.id
        objectives = self._children(StrategicObjective, pid)
        goals = self._children(PartnershipGoal, pid)
        activities = self._children(ProgrammeActivity, pid)
        sections = self._children(ProgrammeSection, pid)
        shown: list[Shown[Any]] = [*objectives, *goals, *activities, *sections]
        self._audit_reads(shown)
        marking = self.highest([view.marking, *(s.marking for s in shown)])
        return Dossier(
            view,
            objectives,
            goals,
            activities,
            sections,
            marking,
            self.banner(marking),
            self.area_names(),
        )

    def _children(self, model: type[E], programme_id: int) -> list[Shown[E]]:
        rows = self.repo.children(model, programme_id)
        return self._shown(rows, (r.marking_id for r in rows))

    def _element(self, model: type[E], programme: Programme, ident: int) -> Shown[E]:
        found = self.repo.element(model, programme.id, ident) if 0 < ident <= MAX_ID else None
        if found is None:
            raise ElementNotFound(OBJECT[model], ident)
        marking = self.markings.get(found.marking_id)
        return Shown(found, marking, short(marking))

    def element(self, ref: str, model: type[E], ident: int) -> tuple[ProgrammeView, Shown[E]]:
        """One element as the reader sees it (audited)."""
        view = self.get(ref)
        shown = self._element(model, view.programme, ident)
        self._audit_reads([shown])
        return view, shown

    def elements(self, ref: str, model: type[E]) -> tuple[ProgrammeView, list[Shown[E]]]:
        view = self.get(ref)
        shown = self._children(model, view.programme.id)
        self._audit_reads(shown)
        return view, shown

    # programme writes -------------------------------------------------------------------------
    def create(self, data: ProgrammeCreate) -> ProgrammeView:
        self._require(Permission.PROGRAMMES_PROGRAMME_WRITE)
        partner = self.registry.partner(data.partner)
        iso3 = partner.country_iso3
        end = data.period_end or rules.default_end(data.kind, data.period_start)
        if problem := rules.period_problem(data.period_start, end):
            raise InvalidInput(problem, field="period_end")
        ref = rules.reference(data.kind, iso3, data.period_start)
        if self.repo.unfiltered_reference_taken(ref):
            raise IllegalTransition(f"a programme {ref} already exists; one per kind and year")
        text = data.marking or f"NATO UNCLASSIFIED Releasable to {iso3}"
        marking = self._checked_marking(text)
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
        self._audit_write("create", programme, None, self._snapshot(programme))
        self._recheck(programme)
        return self._view(programme, marking)

    def _recheck(self, programme: Programme) -> None:
        if self.repo.programme_by_id(programme.id) is None:
            raise MarkingAboveReader

    def _writable(self, ref: str, *, wording: bool = False) -> Programme:
        programme = self._programme(ref)
        self._require(Permission.PROGRAMMES_PROGRAMME_WRITE)
        if wording and programme.status not in rules.EDITABLE:
            raise NotEditable(programme.status.value)
        if programme.status in rules.ENDED:
            raise IllegalTransition(f"the programme is {programme.status.value}; it is closed")
        return programme

    def update(self, ref: str, data: ProgrammeUpdate) -> ProgrammeView:
        programme = self._writable(ref, wording=True)
        before = self._snapshot(programme)
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
        self._audit_write("update", programme, before, self._snapshot(programme))
        return self._view(programme)

    def _check_children_in_period(self, programme: Programme, start: dt.date, end: dt.date) -> None:
        system = ProgrammeRepository(self.session, _system_of(self.principal))
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
        self._require(permission)
        day = on or clock.today()
        before = self._snapshot(programme)
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
            self._enter_into_force(programme, day)
        self._apply(programme, to, day, approved_on, approval_ref)
        self._audit_write("transition", programme, before, self._snapshot(programme))
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

    def _enter_into_force(self, programme: Programme, day: dt.date) -> None:
        """One programme in force per partner: the one this supersedes (or the partner's IPCP,
        when an ITPP enters into force) becomes superseded; any other is a conflict."""
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
            before = self._snapshot(other)
            other.status, other.ended_on = S.SUPERSEDED, day
            self._audit_write("transition", other, before, self._snapshot(other))
        self.session.flush()  # the superseded row must leave the in-force index first

    def record_approval(self, ref: str, approved_on: dt.date, reference: str) -> ProgrammeView:
        """The allies' approval recorded by hand (until a decision records it)."""
        return self.transition(ref, S.APPROVED, approved_on, reference)

    def apply_adopted_approval(self, ref: str | None, on: dt.date, reference: str) -> bool:
        """The decisions feature adopted an ITPP approval: submitted → approved, idempotently.
        A programme already approved or later (or in any other state) is left as it is."""
        programme = self.repo.unfiltered_by_reference(ref or "")
        if programme is None or programme.status is not S.SUBMITTED:
            return False
        before = self._snapshot(programme)
        programme.status = S.APPROVED
        programme.approved_on, programme.approval_reference = on, reference
        self._audit_write("transition", programme, before, self._snapshot(programme))
        return True

    def from_ipcp(self, partner_ref: str, start: dt.date | None = None) -> ProgrammeView:
        """Turn a partner's IPCP into a draft ITPP: objectives, areas and open goals carried
        over; the IPCP is superseded when the ITPP enters into force."""
        self._require(Permission.PROGRAMMES_PROGRAMME_WRITE)
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
        self._require(Permission.PROGRAMMES_PROGRAMME_WRITE)
        if source.status in {S.REJECTED, S.WITHDRAWN}:
            raise IllegalTransition(
                f"{source.reference} was {source.status.value}; nothing to renew"
            )
        begin = start or source.period_end + dt.timedelta(days=1)
        return self._successor(source, source.kind, begin, "renewal")

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
        self._audit_write(how, new, None, self._snapshot(new))
        return self._view(new)

    def _carry_over(self, source: Programme, new: Programme) -> None:
        objectives = {}
        for o in self.repo.children(StrategicObjective, source.id):
            copy = StrategicObjective(
                programme_id=new.id,
                position=o.position,
                title=o.title,
                description=o.description,
                marking_id=o.marking_id,
            )
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
            goal = PartnershipGoal(
                programme_id=new.id,
                objective_id=objectives.get(g.objective_id) if g.objective_id else None,
                code=g.code,
                area_code=g.area_code,
                title=g.title,
                wording=g.wording,
                indicator=g.indicator,
                target=g.target,
                due_on=due,
                status=GoalStatus.OPEN,
                version=1,
                marking_id=g.marking_id,
            )
            self.session.add(goal)
            self.session.flush()  # the revision names the goal's id
            self._revise(
                new,
                "goal",
                goal.id,
                1,
                goal.title,
                goal.wording,
                goal.marking_id,
                f"carried over from {source.reference}",
            )

    # elements ---------------------------------------------------------------------------------
    def _area(self, code: str) -> str:
        key = code.strip().lower()
        names = self.area_names()
        if key in names:
            return key
        by_name = {n.lower(): c for c, n in names.items()}
        if key in by_name:
            return by_name[key]
        raise UnknownArea(code, sorted(names))

    @staticmethod
    def _in_period(programme: Programme, day: dt.date, what: str, field: str) -> None:
        if not programme.period_start <= day <= programme.period_end:
            raise InvalidInput(
                f"{what} {day.isoformat()} is outside the programme's period "
                f"({programme.period_start.isoformat()} to {programme.period_end.isoformat()})",
                field=field,
            )

    def _recheck_element(self, model: type[E], programme: Programme, ident: int) -> None:
        if self.repo.element(model, programme.id, ident) is None:
            raise MarkingAboveReader

    def add_objective(self, ref: str, data: ObjectiveCreate) -> Shown[StrategicObjective]:
        programme = self._writable(ref, wording=True)
        marking, marking_id = self._element_marking(programme, data.marking)
        position = len(self.repo.children(StrategicObjective, programme.id)) + 1
        row = StrategicObjective(
            programme_id=programme.id,
            position=position,
            title=data.title,
            description=data.description,
            marking_id=marking_id,
        )
        self.session.add(row)
        self._audit_write("create", row, None, self._snapshot(row))
        self._recheck_element(StrategicObjective, programme, row.id)
        return Shown(row, marking, short(marking))

    def update_objective(
        self, ref: str, ident: int, data: ObjectiveUpdate
    ) -> Shown[StrategicObjective]:
        programme = self._writable(ref, wording=True)
        shown = self._element(StrategicObjective, programme, ident)
        row, before = shown.row, self._snapshot(shown.row)
        if data.title is not None:
            row.title = data.title
        if data.description is not None:
            row.description = data.description
        self._audit_write("update", row, before, self._snapshot(row))
        return shown

    def _revise(
        self,
        programme: Programme,
        subject: str,
        subject_id: int,
        number: int,
        title: str,
        body: str,
        marking_id: int,
        note: str = "",
    ) -> None:
        revision = Revision(
            programme_id=programme.id,
            subject=subject,
            subject_id=subject_id,
            number=number,
            title=title,
            body=body,
            author=self.principal.username,
            saved_at=clock.utcnow(),
            note=note,
            marking_id=marking_id,
        )
        self.session.add(revision)

    def add_goal(self, ref: str, data: GoalCreate) -> Shown[PartnershipGoal]:
        programme = self._writable(ref, wording=True)
        area = self._area(data.area)
        self._in_period(programme, data.due_on, "the due date", "due_on")
        if data.objective_id is not None:
            self._element(StrategicObjective, programme, data.objective_id)
        marking, marking_id = self._element_marking(programme, data.marking)
        count = len(
            ProgrammeRepository(self.session, _system_of(self.principal)).children(
                PartnershipGoal, programme.id
            )
        )
        row = PartnershipGoal(
            programme_id=programme.id,
            objective_id=data.objective_id,
            code=data.code or f"G{count + 1}",
            area_code=area,
            title=data.title,
            wording=data.wording,
            indicator=data.indicator,
            target=data.target,
            due_on=data.due_on,
            status=data.status,
            version=1,
            marking_id=marking_id,
        )
        self.session.add(row)
        self.session.flush()  # the revision names the goal's id
        self._revise(programme, "goal", row.id, 1, row.title, row.wording, marking_id)
        self._audit_write("create", row, None, self._snapshot(row))
        self._recheck_element(PartnershipGoal, programme, row.id)
        return Shown(row, marking, short(marking))

    def update_goal(self, ref: str, ident: int, data: GoalUpdate) -> Shown[PartnershipGoal]:
        """Wording, title, area, target and due date change only while negotiating (a new
        version each save); status and indicator are progress, recorded while live."""
        wording_fields = {"title", "wording", "area", "target", "due_on", "objective_id"}
        changes = data.model_dump(exclude_unset=True, exclude={"note"})
        programme = self._writable(ref, wording=bool(wording_fields & set(changes)))
        shown = self._element(PartnershipGoal, programme, ident)
        row, before = shown.row, self._snapshot(shown.row)
        if "area" in changes and data.area is not None:
            row.area_code = self._area(data.area)
        if data.due_on is not None:
            self._in_period(programme, data.due_on, "the due date", "due_on")
            row.due_on = data.due_on
        if "objective_id" in changes and data.objective_id is not None:
            self._element(StrategicObjective, programme, data.objective_id)
            row.objective_id = data.objective_id
        for name in ("title", "wording", "indicator", "target", "status"):
            value = getattr(data, name)
            if value is not None:
                setattr(row, name, value)
        if (row.title, row.wording) != (before["title"], before["wording"]):
            row.version += 1
            self._revise(
                programme,
                "goal",
                row.id,
                row.version,
                row.title,
                row.wording,
                row.marking_id,
                data.note,
            )
        self._audit_write("update", row, before, self._snapshot(row))
        return shown

    def add_activity(self, ref: str, data: ActivityCreate) -> Shown[ProgrammeActivity]:
        programme = self._writable(ref)
        goal = self._element(PartnershipGoal, programme, data.goal_id)
        end = data.end_on or data.start_on
        self._check_activity_dates(programme, data.start_on, end)
        # The goal is the activity's container: its marking caps the activity's.
        given = self._checked_marking(data.marking) if data.marking else goal.marking
        marking = rules.cap(goal.marking, given, self.groups_of)
        marking_id = self.markings.intern(marking)
        row = ProgrammeActivity(
            programme_id=programme.id,
            goal_id=data.goal_id,
            title=data.title,
            kind=data.kind,
            start_on=data.start_on,
            end_on=end,
            status=data.status,
            owner=data.owner,
            location=data.location,
            marking_id=marking_id,
        )
        self.session.add(row)
        self._audit_write("create", row, None, self._snapshot(row))
        self._recheck_element(ProgrammeActivity, programme, row.id)
        return Shown(row, marking, short(marking))

    def _check_activity_dates(self, programme: Programme, start: dt.date, end: dt.date) -> None:
        if end < start:
            raise InvalidInput("an activity cannot end before it starts", field="end_on")
        self._in_period(programme, start, "the start", "start_on")
        self._in_period(programme, end, "the end", "end_on")

    def update_activity(
        self, ref: str, ident: int, data: ActivityUpdate
    ) -> Shown[ProgrammeActivity]:
        programme = self._writable(ref)
        shown = self._element(ProgrammeActivity, programme, ident)
        row, before = shown.row, self._snapshot(shown.row)
        start, end = data.start_on or row.start_on, data.end_on or row.end_on
        self._check_activity_dates(programme, start, end)
        row.start_on, row.end_on = start, end
        for name in ("title", "kind", "status", "owner", "location"):
            value = getattr(data, name)
            if value is not None:
                setattr(row, name, value)
        self._audit_write("update", row, before, self._snapshot(row))
        return shown

    def _save_section(
        self,
        programme: Programme,
        heading: str,
        body: str,
        marking_id: int,
        position: int,
        note: str = "",
    ) -> ProgrammeSection:
        row = ProgrammeSection(
            programme_id=programme.id,
            position=position,
            heading=heading,
            body=body,
            version=1,
            updated_by=self.principal.username,
            marking_id=marking_id,
        )
        self.session.add(row)
        self.session.flush()  # the revision names the section's id
        self._revise(programme, "section", row.id, 1, heading, body, marking_id, note)
        return row

    def add_section(self, ref: str, data: SectionCreate) -> Shown[ProgrammeSection]:
        programme = self._writable(ref, wording=True)
        marking, marking_id = self._element_marking(programme, data.marking)
        system = ProgrammeRepository(self.session, _system_of(self.principal))
        position = len(system.children(ProgrammeSection, programme.id)) + 1
        row = self._save_section(programme, data.heading, data.body, marking_id, position)
        self._audit_write("create", row, None, self._snapshot(row))
        self._recheck_element(ProgrammeSection, programme, row.id)
        return Shown(row, marking, short(marking))

    def update_section(self, ref: str, ident: int, data: SectionUpdate) -> Shown[ProgrammeSection]:
        """Save a new wording: a new version, kept for redlines."""
        programme = self._writable(ref, wording=True)
        shown = self._element(ProgrammeSection, programme, ident)
        row, before = shown.row, self._snapshot(shown.row)
        heading = data.heading if data.heading is not None else row.heading
        body = data.body if data.body is not None else row.body
        if (heading, body) == (row.heading, row.body):
            return shown
        row.heading, row.body = heading, body
        row.version += 1
        row.updated_by = self.principal.username
        self._revise(
            programme, "section", row.id, row.version, heading, body, row.marking_id, data.note
        )
        self._audit_write("update", row, before, self._snapshot(row))
        return shown

    # versions, redlines, comments -------------------------------------------------------------
    def _check_subject(self, programme: Programme, subject: str, ident: int) -> None:
        """The section or goal whose versions are asked for must be readable."""
        if subject == "goal":
            self._element(PartnershipGoal, programme, ident)
        elif subject == "section":
            self._element(ProgrammeSection, programme, ident)
        else:
            raise InvalidInput("versions exist for sections and goals", field="subject")

    def revisions(self, ref: str, subject: str, ident: int) -> list[Shown[Revision]]:
        view = self.get(ref)
        self._check_subject(view.programme, subject, ident)
        rows = self.repo.revisions(view.programme.id, subject, ident)
        shown = self._shown(rows, (r.marking_id for r in rows))
        self._audit_reads(shown)
        return shown

    def redline(
        self, ref: str, subject: str, ident: int, old: int | None = None, new: int | None = None
    ) -> Redline:
        """A word-level redline between versions ``old`` and ``new`` (default: the last two)."""
        versions = {r.row.number: r for r in self.revisions(ref, subject, ident)}
        if not versions:
            raise ElementNotFound(subject, ident)
        last = max(versions)
        new_number = new or last
        old_number = old or max([n for n in versions if n < new_number], default=new_number)
        for number, name in ((old_number, "from"), (new_number, "to")):
            if number not in versions:
                raise InvalidInput(
                    f"no version {number}; versions: {', '.join(map(str, sorted(versions)))}",
                    field=name,
                )
        a, b = versions[old_number], versions[new_number]
        return Redline(
            subject,
            ident,
            a,
            b,
            redline.diff(a.row.title, b.row.title),
            redline.diff(a.row.body, b.row.body),
        )

    def comments(self, ref: str, section_id: int) -> list[Shown[Comment]]:
        view = self.get(ref)
        self._element(ProgrammeSection, view.programme, section_id)
        rows = self.repo.comments(section_id)
        shown = self._shown(rows, (r.marking_id for r in rows))
        self._audit_reads(shown)
        return shown

    def add_comment(self, ref: str, section_id: int, data: CommentCreate) -> Shown[Comment]:
        """A comment from either side on a section it may read; marked at least as the
        section is (default: the section's marking)."""
        programme = self._programme(ref)
        self._require(Permission.PROGRAMMES_COMMENT_WRITE)
        if programme.status in rules.ENDED:
            raise IllegalTransition(f"the programme is {programme.status.value}; it is closed")
        section = self._element(ProgrammeSection, programme, section_id)
        if data.parent_id is not None:
            parent = self._element(Comment, programme, data.parent_id)
            if parent.row.section_id != section_id:
                raise InvalidInput("the reply must be on the same section", field="parent_id")
        given = self._checked_marking(data.marking) if data.marking else section.marking
        capped = rules.cap(section.marking, given, self.groups_of)
        row = Comment(
            programme_id=programme.id,
            section_id=section_id,
            parent_id=data.parent_id,
            author=self.principal.username,
            author_side=self.principal.side.value,
            author_nation=self.principal.nation,
            body=data.body,
            marking_id=self.markings.intern(capped),
        )
        self.session.add(row)
        self._audit_write("create", row, None, self._snapshot(row))
        self._recheck_element(Comment, programme, row.id)
        return Shown(row, capped, short(capped))

    def expire_due(self) -> list[str]:
        """Every programme in force whose period has ended becomes expired (on its last day);
        the references, for the operator. Needs ``programmes:programme:write``."""
        self._require(Permission.PROGRAMMES_PROGRAMME_WRITE)
        today = clock.today()
        done = []
        for view in self.find(ProgrammeFilters(status=S.IN_FORCE), PageRequest(limit=1000))[0]:
            p = view.programme
            if p.period_end < today:
                self.transition(p.reference, S.EXPIRED, p.period_end)
                done.append(p.reference)
        return done

    # dashboard, comparison --------------------------------------------------------------------
    def dashboard(self, horizon_days: int = 90, page: PageRequest | None = None) -> Dashboard:
        """Programmes ending within the horizon, goals overdue, activities this month."""
        if not 1 <= horizon_days <= 3660:  # noqa: PLR2004 - ten years
            raise InvalidInput("the horizon is 1 to 3660 days", field="horizon")
        page = page or PageRequest(limit=50)
        today = clock.today()
        rows, total = self.repo.expiring(today, today + dt.timedelta(days=horizon_days), page)
        expiring = self._views(rows)
        renewals = {}
        for v in expiring:
            successors = [
                s for s in self.repo.successors(v.programme.id) if s.status not in rules.ENDED
            ]
            if successors:
                renewals[v.programme.reference] = successors[0].reference
        goal_rows, overdue_total = self.repo.overdue_goals(today, page)
        goals = self._shown([g for g, _ in goal_rows], (g.marking_id for g, _ in goal_rows))
        first, last = rules.month_bounds(today)
        act_rows, act_total = self.repo.activities_between(first, last, page)
        acts = self._shown([a for a, _ in act_rows], (a.marking_id for a, _ in act_rows))
        shown: list[Shown[Any]] = [
            *(Shown(v.programme, v.marking, v.short) for v in expiring),
            *goals,
            *acts,
        ]
        self._audit_reads(shown)
        marking = self.highest(s.marking for s in shown)
        return Dashboard(
            today,
            horizon_days,
            expiring,
            total,
            renewals,
            list(zip(goals, [r for _, r in goal_rows], strict=True)),
            overdue_total,
            list(zip(acts, [r for _, r in act_rows], strict=True)),
            act_total,
            marking,
            self.banner(marking),
        )

    def compare(self, partners: Sequence[str] = AP4) -> Comparison:
        """Goals per cooperation area across partners' current programmes (in force, else
        agreed or approved): (goals, achieved) per area and partner, as the reader sees them."""
        codes = [self.registry.partner(p).country_iso3 for p in partners]
        candidates = self.repo.of_partners(codes, rules.LIVE)
        rank = {S.IN_FORCE: 0, S.AGREED: 1, S.APPROVED: 2}
        current: dict[str, Programme] = {}
        for p in sorted(candidates, key=lambda p: (rank[p.status], -p.period_start.toordinal())):
            current.setdefault(p.partner_iso3, p)
        goals = self.repo.goals_of([p.id for p in current.values()])
        shown_goals = self._shown(goals, (g.marking_id for g in goals))
        by_programme = {p.id: code for code, p in current.items()}
        table: dict[str, dict[str, tuple[int, int]]] = {}
        for g in shown_goals:
            code = by_programme[g.row.programme_id]
            n, done = table.setdefault(g.row.area_code, {}).get(code, (0, 0))
            table[g.row.area_code][code] = (
                n + 1,
                done + (g.row.status is GoalStatus.ACHIEVED),
            )
        names = self.area_names()
        rows = [
            (area, names.get(area, area), cells)
            for area, cells in sorted(table.items(), key=lambda kv: names.get(kv[0], kv[0]))
        ]
        programme_views = self._views(list(current.values()))
        shown: list[Shown[Any]] = [
            *(Shown(v.programme, v.marking, v.short) for v in programme_views),
            *shown_goals,
        ]
        self._audit_reads(shown)
        marking = self.highest(s.marking for s in shown)
        return Comparison(
            codes,
            {c: self.name_of(c) for c in codes},
            {c: p.reference for c, p in current.items()},
            rows,
            marking,
            self.banner(marking),
        )

    def calendar_items(
        self,
    ) -> tuple[list[ProgrammeView], list[Shown[PartnershipGoal]], list[Shown[ProgrammeActivity]]]:
        """Everything a calendar feed shows the reader: live programmes (their milestones),
        open goals (due dates) and activities (audited)."""
        programmes = [p for p in self.repo.all_readable_programmes() if p.status not in rules.ENDED]
        views = self._views(programmes)
        ids = [p.id for p in programmes]
        goals = self.repo.goals_of(ids)
        acts = self.repo.activities_of(ids)
        shown_goals = self._shown(goals, (g.marking_id for g in goals))
        shown_acts = self._shown(acts, (a.marking_id for a in acts))
        self._audit_reads(
            [*(Shown(v.programme, v.marking, v.short) for v in views), *shown_goals, *shown_acts]
        )
        return views, shown_goals, shown_acts


def _system_of(principal: Principal) -> Principal:
    """The unfiltered view the rules need (numbering, period checks), never shown."""
    from liaison.security.principal import SYSTEM  # noqa: PLC0415 - keeps the intent local

    del principal
    return SYSTEM


def ensure_error(exc: Exception) -> LiaisonError | None:
    return exc if isinstance(exc, LiaisonError) else None
