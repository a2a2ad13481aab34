# SPDX-License-Identifier: Apache-2.0
"""Programme tables (DOMAIN.md §1, §6).

    programme ─┬─ strategic_objective ── partnership_goal ── programme_activity
               ├─ programme_section (narrative)
               ├─ programme_revision (every saved wording of a section or goal)
               └─ programme_comment (threaded per section, from both sides)

Invariants:
- every row that carries information is ``Marked``; an element's stored marking is already
  capped by its programme's (``rules.cap``), and reads filter on the element *and* on its
  programme, so the container caps its contents in the SQL too;
- ``reference`` is ``f"{kind}-{partner}-{start year}"`` (``ITPP-JPN-2023``): the name other
  features (decisions) use for a programme;
- at most one programme per partner is in force (a partial unique index says so to the
  database; the service checks it first, to say why);
- ``cooperation_area`` is reference data loaded by the migration.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from liaison.db.base import Base, IdMixin, TimestampMixin, UTCDateTime, str_enum
from liaison.programmes.rules import (
    ActivityKind,
    ActivityStatus,
    GoalStatus,
    ProgrammeKind,
    ProgrammeStatus,
)
from liaison.security.models import Marked


class InProgramme:
    """Mixin for a programme's elements, versions and comments: the programme they are in
    (deleted with it)."""

    @declared_attr
    def programme_id(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy's declared_attr signature
        return mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)


class CooperationArea(Base):
    """A cooperation area ("cyber-defence", "maritime-security"); reference data."""

    __tablename__ = "cooperation_area"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


class Programme(IdMixin, TimestampMixin, Marked, Base):
    __tablename__ = "programme"
    __table_args__ = (
        Index(
            "uq_programme_in_force_partner",
            "partner_iso3",
            unique=True,
            sqlite_where=text("status = 'in_force'"),
            postgresql_where=text("status = 'in_force'"),
        ),
    )

    reference: Mapped[str] = mapped_column(String(40), unique=True)
    partner_iso3: Mapped[str] = mapped_column(ForeignKey("country.iso3"), index=True)
    kind: Mapped[ProgrammeKind] = mapped_column(str_enum(ProgrammeKind, "programme_kind"))
    title: Mapped[str] = mapped_column(String(300))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[ProgrammeStatus] = mapped_column(
        str_enum(ProgrammeStatus, "programme_status"), index=True
    )
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"))
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    approval_reference: Mapped[str | None] = mapped_column(String(120))
    agreed_on: Mapped[dt.date | None] = mapped_column(Date)
    in_force_on: Mapped[dt.date | None] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(64))


class StrategicObjective(IdMixin, TimestampMixin, Marked, InProgramme, Base):
    """An end the programme serves ("Enhance dialogue and consultation")."""

    __tablename__ = "strategic_objective"

    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")


class PartnershipGoal(IdMixin, TimestampMixin, Marked, InProgramme, Base):
    """A way to an objective: an area, the negotiated wording, an indicator, a target, a due
    date inside the programme's period. ``version`` counts its saved wordings."""

    __tablename__ = "partnership_goal"

    objective_id: Mapped[int | None] = mapped_column(
        ForeignKey("strategic_objective.id", ondelete="SET NULL"), index=True
    )
    code: Mapped[str] = mapped_column(String(20))
    area_code: Mapped[str] = mapped_column(ForeignKey("cooperation_area.code"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    wording: Mapped[str] = mapped_column(Text, default="")
    indicator: Mapped[str] = mapped_column(String(500), default="")
    target: Mapped[str] = mapped_column(String(500), default="")
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[GoalStatus] = mapped_column(str_enum(GoalStatus, "goal_status"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ProgrammeActivity(IdMixin, TimestampMixin, Marked, InProgramme, Base):
    """A means: a consultation, course, exercise... serving a goal."""

    __tablename__ = "programme_activity"

    goal_id: Mapped[int] = mapped_column(
        ForeignKey("partnership_goal.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[ActivityKind] = mapped_column(str_enum(ActivityKind, "activity_kind"))
    start_on: Mapped[dt.date] = mapped_column(Date, index=True)
    end_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[ActivityStatus] = mapped_column(
        str_enum(ActivityStatus, "activity_status"), index=True
    )
    owner: Mapped[str] = mapped_column(String(200), default="")
    location: Mapped[str] = mapped_column(String(200), default="")


class ProgrammeSection(IdMixin, TimestampMixin, Marked, InProgramme, Base):
    """A narrative section ("Part 1 - The Japan-NATO partnership"), its current wording."""

    __tablename__ = "programme_section"

    position: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(String(64))


class Revision(IdMixin, Marked, InProgramme, Base):
    """One saved wording of a section (``subject = "section"``) or a goal (``"goal"``), with
    the marking it had, who saved it and when."""

    __tablename__ = "programme_revision"

    subject: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column(Integer, index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(500), default="")


class Comment(IdMixin, TimestampMixin, Marked, InProgramme, Base):
    """A comment on a section, answering ``parent_id`` or opening a thread."""

    __tablename__ = "programme_comment"

    section_id: Mapped[int] = mapped_column(
        ForeignKey("programme_section.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_comment.id", ondelete="CASCADE")
    )
    author: Mapped[str] = mapped_column(String(64))
    author_side: Mapped[str] = mapped_column(String(16))
    author_nation: Mapped[str | None] = mapped_column(String(3))
    body: Mapped[str] = mapped_column(Text)


class CalendarFeed(Base):
    """A user's calendar-feed secret (stored as SHA-256 only): the address a calendar client
    polls without a bearer header. Rotating it replaces the row."""

    __tablename__ = "programme_calendar_feed"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
