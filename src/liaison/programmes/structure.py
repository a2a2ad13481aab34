# SPDX-License-Identifier: Apache-2.0
"""Programme structure and wording: objectives, goals, activities, sections (every save of a
wording a new version), versions, redlines, and comments from both sides."""

from __future__ import annotations

import datetime as dt

from liaison.db.base import columns_of
from liaison.errors import InvalidInput
from liaison.programmes import models, redline, rules
from liaison.programmes.base import ProgrammeBase
from liaison.programmes.errors import (
    ElementNotFound,
    IllegalTransition,
)
from liaison.programmes.models import (
    Comment,
    PartnershipGoal,
    ProgrammeActivity,
    ProgrammeSection,
    StrategicObjective,
)
from liaison.programmes.repository import ProgrammeRepository
from liaison.programmes.schemas import (
    ActivityCreate,
    ActivityUpdate,
    CommentCreate,
    GoalCreate,
    GoalUpdate,
    ObjectiveCreate,
    ObjectiveUpdate,
    SectionCreate,
    SectionUpdate,
)
from liaison.programmes.shown import (
    Redline,
    Shown,
)
from liaison.security.permissions import Permission
from liaison.security.principal import SYSTEM


class Structure(ProgrammeBase):
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
        return self._created(programme, row, marking)

    def update_objective(
        self, ref: str, ident: int, data: ObjectiveUpdate
    ) -> Shown[StrategicObjective]:
        programme = self._writable(ref, wording=True)
        shown = self._element(StrategicObjective, programme, ident)
        row, before = shown.row, columns_of(shown.row)
        if data.title is not None:
            row.title = data.title
        if data.description is not None:
            row.description = data.description
        self._audit_write("update", row, before, columns_of(row))
        return shown

    def add_goal(self, ref: str, data: GoalCreate) -> Shown[PartnershipGoal]:
        programme = self._writable(ref, wording=True)
        area = self._area(data.area)
        self._in_period(programme, data.due_on, "the due date", "due_on")
        if data.objective_id is not None:
            self._element(StrategicObjective, programme, data.objective_id)
        marking, marking_id = self._element_marking(programme, data.marking)
        count = len(
            ProgrammeRepository(self.session, SYSTEM).children(PartnershipGoal, programme.id)
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
        self._revise(programme, row)
        return self._created(programme, row, marking)

    def update_goal(self, ref: str, ident: int, data: GoalUpdate) -> Shown[PartnershipGoal]:
        """Wording, title, area, target and due date change only while negotiating (a new
        version each save); status and indicator are progress, recorded while live."""
        wording_fields = {"title", "wording", "area", "target", "due_on", "objective_id"}
        changes = data.model_dump(exclude_unset=True, exclude={"note"})
        programme = self._writable(ref, wording=bool(wording_fields & set(changes)))
        shown = self._element(PartnershipGoal, programme, ident)
        row, before = shown.row, columns_of(shown.row)
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
            self._revise(programme, row, data.note)
        self._audit_write("update", row, before, columns_of(row))
        return shown

    def add_activity(self, ref: str, data: ActivityCreate) -> Shown[ProgrammeActivity]:
        programme = self._writable(ref)
        goal = self._element(PartnershipGoal, programme, data.goal_id)
        end = data.end_on or data.start_on
        self._check_activity_dates(programme, data.start_on, end)
        # The goal is the activity's container: its marking caps the activity's.
        given = self.marks.checked(data.marking) if data.marking else goal.marking
        marking = rules.cap(goal.marking, given, self.marks.groups_of)
        marking_id = self.markings.intern(marking)
        fields = data.model_dump(exclude={"end_on", "marking"})
        row = ProgrammeActivity(
            **fields, programme_id=programme.id, end_on=end, marking_id=marking_id
        )
        return self._created(programme, row, marking)

    def _check_activity_dates(
        self, programme: models.Programme, start: dt.date, end: dt.date
    ) -> None:
        if end < start:
            raise InvalidInput("an activity cannot end before it starts", field="end_on")
        self._in_period(programme, start, "the start", "start_on")
        self._in_period(programme, end, "the end", "end_on")

    def update_activity(
        self, ref: str, ident: int, data: ActivityUpdate
    ) -> Shown[ProgrammeActivity]:
        programme = self._writable(ref)
        shown = self._element(ProgrammeActivity, programme, ident)
        row, before = shown.row, columns_of(shown.row)
        start, end = data.start_on or row.start_on, data.end_on or row.end_on
        self._check_activity_dates(programme, start, end)
        row.start_on, row.end_on = start, end
        for name in ("title", "kind", "status", "owner", "location"):
            value = getattr(data, name)
            if value is not None:
                setattr(row, name, value)
        self._audit_write("update", row, before, columns_of(row))
        return shown

    def add_section(self, ref: str, data: SectionCreate) -> Shown[ProgrammeSection]:
        programme = self._writable(ref, wording=True)
        marking, marking_id = self._element_marking(programme, data.marking)
        system = ProgrammeRepository(self.session, SYSTEM)
        position = len(system.children(ProgrammeSection, programme.id)) + 1
        row = self._save_section(programme, data.heading, data.body, marking_id, position)
        return self._created(programme, row, marking)

    def update_section(self, ref: str, ident: int, data: SectionUpdate) -> Shown[ProgrammeSection]:
        """Save a new wording: a new version, kept for redlines."""
        programme = self._writable(ref, wording=True)
        shown = self._element(ProgrammeSection, programme, ident)
        row, before = shown.row, columns_of(shown.row)
        heading = data.heading if data.heading is not None else row.heading
        body = data.body if data.body is not None else row.body
        if (heading, body) == (row.heading, row.body):
            return shown
        row.heading, row.body = heading, body
        row.version += 1
        row.updated_by = self.principal.username
        self._revise(programme, row, data.note)
        self._audit_write("update", row, before, columns_of(row))
        return shown

    def revisions(self, ref: str, subject: str, ident: int) -> list[Shown[models.Revision]]:
        view = self.get(ref)
        self._check_subject(view.programme, subject, ident)
        rows = self.repo.revisions(view.programme.id, subject, ident)
        shown = self._shown(rows, (r.marking_id for r in rows))
        self._record_reads(s.row for s in shown)
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
        self._record_reads(s.row for s in shown)
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
        given = self.marks.checked(data.marking) if data.marking else section.marking
        capped = rules.cap(section.marking, given, self.marks.groups_of)
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
        return self._created(programme, row, capped)
