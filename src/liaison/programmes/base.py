# SPDX-License-Identifier: Apache-2.0
"""The base of ``ProgrammeService``: markings and names, audit, permission checks, and the
reads every use case starts from (each through ``ProgrammeRepository``, each audited)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any

from sqlalchemy.orm import Session

from liaison.audit.reads import record_reads
from liaison.audit.recorder import Marked, record_write
from liaison.db.base import columns_of
from liaison.errors import Forbidden, InvalidInput
from liaison.kit import clock
from liaison.kit.ids import MAX_ID
from liaison.kit.pagination import PageRequest
from liaison.programmes import models, rules
from liaison.programmes.errors import (
    ElementNotFound,
    IllegalTransition,
    NotEditable,
    ProgrammeNotFound,
    UnknownArea,
)
from liaison.programmes.models import PartnershipGoal, Programme, ProgrammeSection
from liaison.programmes.repository import E, ProgrammeFilters, ProgrammeRepository
from liaison.programmes.rules import ProgrammeKind, ProgrammeStatus
from liaison.programmes.shown import (
    OBJECT,
    Dossier,
    ProgrammeView,
    Shown,
    T,
)
from liaison.registry.marked import MarkedService
from liaison.security.markings import Marking, short
from liaison.security.permissions import Permission
from liaison.security.principal import Principal
from liaison.security.readers import MarkingAboveReader
from liaison.security.writes import ALLIANCE, guard_create, guard_write


class ProgrammeBase(MarkedService):
    """State and helpers shared by the use cases (see ``service.ProgrammeService``)."""

    def __init__(self, session: Session, principal: Principal) -> None:
        super().__init__(session, principal)
        self.repo = ProgrammeRepository(session, principal)
        self._areas: dict[str, str] | None = None

    def banner(self, marking: Marking) -> str:
        return self.marks.banner(marking)

    def highest(self, markings: Iterable[Marking]) -> Marking:
        """The page marking of what a page shows (``security.markings.page_marking``)."""
        return self.marks.page_marking(markings)

    def area_names(self) -> dict[str, str]:
        if self._areas is None:
            self._areas = {a.code: a.name for a in self.repo.areas()}
        return self._areas

    def _element_marking(self, programme: Programme, text: str | None) -> tuple[Marking, int]:
        """The capped marking of a new element (default: the programme's) and its id."""
        container = self.markings.get(programme.marking_id)
        given = self.marks.checked(text) if text else container
        capped = rules.cap(container, given, self.marks.groups_of)
        return capped, self.markings.intern(capped)

    def _shown(self, rows: Sequence[T], marking_ids: Iterable[int]) -> list[Shown[T]]:
        found = self.markings.many(marking_ids)
        out = []
        for row in rows:
            m = found[row.marking_id]  # type: ignore[attr-defined]
            out.append(Shown(row, m, short(m)))
        return out

    def _record_reads(self, rows: Iterable[Marked]) -> None:
        """Audit reads of programmes and their elements, several kinds in the order shown:
        ``audit.reads.record_reads`` for each run of one kind."""
        for kind, run in groupby(rows, key=lambda row: OBJECT[type(row)]):  # type: ignore[index]
            record_reads(self.session, self.principal, f"programmes:{kind}:read", list(run))

    def _audit_write(
        self,
        action: str,
        row: Any,  # noqa: ANN401 - any programme table
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        self.session.flush()  # a new row needs its id, and constraints fail before we record
        action = f"programmes:{OBJECT[type(row)]}:{action}"
        record_write(self.session, self.principal, action, row, before=before, after=after)

    def _require(self, permission: Permission) -> None:
        if not self.principal.can(permission):
            raise Forbidden(f"this needs the permission {permission}")

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
            self.marks.name_of(programme.partner_iso3),
            supersedes,
        )

    def _views(self, programmes: Sequence[Programme]) -> list[ProgrammeView]:
        found = self.markings.many(p.marking_id for p in programmes)
        return [self._view(p, found[p.marking_id]) for p in programmes]

    def get(self, ref: str) -> ProgrammeView:
        view = self._view(self._programme(ref))
        self._record_reads([view.programme])
        return view

    def find(self, filters: ProgrammeFilters, page: PageRequest) -> tuple[list[ProgrammeView], int]:
        rows, total = self.repo.find(filters, page)
        views = self._views(rows)
        self._record_reads(v.programme for v in views)
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

    def successors(self, programme: Programme) -> list[str]:
        """The references of the programmes that renew ``programme`` (as the reader may read)."""
        return [s.reference for s in self.repo.successors(programme.id)]

    def page_banner(self, views: Sequence[ProgrammeView]) -> str:
        return self.banner(self.highest(v.marking for v in views))

    def dossier(self, ref: str) -> Dossier:
        """The programme with every element the reader may read (each read audited)."""
        view = self.get(ref)
        pid = view.programme.id
        objectives = self._children(models.StrategicObjective, pid)
        goals = self._children(PartnershipGoal, pid)
        activities = self._children(models.ProgrammeActivity, pid)
        sections = self._children(ProgrammeSection, pid)
        shown: list[Shown[Any]] = [*objectives, *goals, *activities, *sections]
        self._record_reads(s.row for s in shown)
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
        self._record_reads([shown.row])
        return view, shown

    def elements(self, ref: str, model: type[E]) -> tuple[ProgrammeView, list[Shown[E]]]:
        view = self.get(ref)
        shown = self._children(model, view.programme.id)
        self._record_reads(s.row for s in shown)
        return view, shown

    def _recheck(self, programme: Programme) -> None:
        if self.repo.programme_by_id(programme.id) is None:
            raise MarkingAboveReader("anything")

    def _may_create(self) -> None:
        """A new programme is alliance material (``security.writes``)."""
        guard_create(
            self.principal,
            ALLIANCE,
            Permission.PROGRAMMES_PROGRAMME_WRITE,
            what="programme",
            refused=Forbidden,
        )

    def _may_change(
        self, programme: Programme, right: Permission = Permission.PROGRAMMES_PROGRAMME_WRITE
    ) -> None:
        """The write policy on a programme (alliance material) and everything in it: a partner
        never changes its programme because it was released to it."""
        reference = programme.reference
        guard_write(
            self.principal,
            ALLIANCE,
            self.markings.get(programme.marking_id),
            right,
            hidden=lambda: ProgrammeNotFound(reference),
            what="programme",
            refused=Forbidden,
        )

    def _writable(self, ref: str, *, wording: bool = False) -> Programme:
        programme = self._programme(ref)
        self._may_change(programme)
        if wording and programme.status not in rules.EDITABLE:
            raise NotEditable(programme.status.value)
        if programme.status in rules.ENDED:
            raise IllegalTransition(f"the programme is {programme.status.value}; it is closed")
        return programme

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

    def _created(self, programme: Programme, row: E, marking: Marking) -> Shown[E]:
        """A new element of ``programme``: written, audited, still readable by its writer."""
        self.session.add(row)
        self._audit_write("create", row, None, columns_of(row))
        self._recheck_element(type(row), programme, row.id)
        return Shown(row, marking, short(marking))

    def _recheck_element(self, model: type[E], programme: Programme, ident: int) -> None:
        if self.repo.element(model, programme.id, ident) is None:
            raise MarkingAboveReader("anything")

    def _revise(
        self, programme: Programme, row: ProgrammeSection | PartnershipGoal, note: str = ""
    ) -> None:
        """Keep the element's wording as its version ``row.version`` (for redlines)."""
        if isinstance(row, ProgrammeSection):
            title, body = row.heading, row.body
        else:
            title, body = row.title, row.wording
        revision = models.Revision(
            programme_id=programme.id,
            subject=OBJECT[type(row)],
            subject_id=row.id,
            number=row.version,
            title=title,
            body=body,
            author=self.principal.username,
            saved_at=clock.utcnow(),
            note=note,
            marking_id=row.marking_id,
        )
        self.session.add(revision)

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
        self._revise(programme, row, note)
        return row

    def _check_subject(self, programme: Programme, subject: str, ident: int) -> None:
        """The section or goal whose versions are asked for must be readable."""
        if subject == "goal":
            self._element(PartnershipGoal, programme, ident)
        elif subject == "section":
            self._element(ProgrammeSection, programme, ident)
        else:
            raise InvalidInput("versions exist for sections and goals", field="subject")
