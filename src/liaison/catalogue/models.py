# SPDX-License-Identifier: Apache-2.0
"""Catalogue tables (DOMAIN.md §1 "Partnership Cooperation Menu", §6 CatalogueItem).

    catalogue_item ─┬─ catalogue_prerequisite (item → the item it requires)
                    └─ catalogue_session ── catalogue_eligibility (nation or group codes)
                                         └─ nomination
    partner_profile ─┬─ partner_priority (per cooperation area)
                     └─ partner_profile_revision (every saved version, for history)
    plan ─┬─ plan_allocation (seats of a session given to a partner)
          ├─ plan_explanation (a sentence per seat given and per demand left unmet)
          └─ plan_run (one solver run: state, progress, objective, bound, gap)

Invariants:
- every row that carries information is ``Marked``; a session's stored marking is already
  capped by its item's, and reads filter on the session *and* its item (a container caps its
  contents, in the SQL too);
- a nomination, an allocation and an explanation about a partner are marked with the
  session's marking capped by "NATO UNCLASSIFIED releasable to that partner": another partner
  never reads them, and the nominating partner only while it may read the session;
- a partner profile is marked NATO UNCLASSIFIED releasable to its partner: allies read all,
  each partner its own;
- seats held (accepted, attended, no-show nominations) never exceed a session's seats: the
  service decides under a lock on the session row (``SELECT ... FOR UPDATE`` on PostgreSQL;
  SQLite runs one writer at a time), and the database checks ``seats >= 0``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.catalogue.rules import (
    DeliveryMode,
    ItemKind,
    NominationState,
    PlanState,
    RunState,
)
from liaison.db.base import Base, IdMixin, TimestampMixin, UTCDateTime, str_enum
from liaison.security.classification import Classification
from liaison.security.models import Marked


class CatalogueItem(IdMixin, TimestampMixin, Marked, Base):
    """An activity on the menu: a course, exercise, seminar... in one cooperation area."""

    __tablename__ = "catalogue_item"

    # not unique: an import of a code hidden from the importer makes an item of its own
    code: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(300), index=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("cooperation_area.code"), index=True)
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind, "item_kind"), index=True)
    provider: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    demo: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(64))


class CataloguePrerequisite(Base):
    """``item_id`` may be taken only after ``requires_id`` (planned earlier or attended)."""

    __tablename__ = "catalogue_prerequisite"
    __table_args__ = (
        PrimaryKeyConstraint("item_id", "requires_id"),
        CheckConstraint("item_id <> requires_id", name="not_itself"),
    )

    item_id: Mapped[int] = mapped_column(ForeignKey("catalogue_item.id", ondelete="CASCADE"))
    requires_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_item.id", ondelete="CASCADE"), index=True
    )


class CatalogueSession(IdMixin, TimestampMixin, Marked, Base):
    """One dated run of an item. ``min_level``: the lowest security agreement level a partner
    needs in force on ``start_on`` when the session is above PUBLIC (None: none needed)."""

    __tablename__ = "catalogue_session"
    __table_args__ = (
        CheckConstraint("end_on >= start_on", name="ends_after_start"),
        CheckConstraint("seats >= 0", name="seats_not_negative"),
        CheckConstraint("fee >= 0", name="fee_not_negative"),
        # not unique: an import naming a session code the importer may not read makes a session
        # of its own, as for a code that exists nowhere (migration 0022)
        Index("ix_catalogue_session_item_id_code", "item_id", "code"),
    )

    item_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_item.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    start_on: Mapped[dt.date] = mapped_column(Date, index=True)
    end_on: Mapped[dt.date] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(200), default="")
    host_country: Mapped[str | None] = mapped_column(ForeignKey("country.iso3"))
    region: Mapped[str] = mapped_column(String(40), default="europe")
    mode: Mapped[DeliveryMode] = mapped_column(str_enum(DeliveryMode, "delivery_mode"))
    language: Mapped[str] = mapped_column(String(8), default="en")
    seats: Mapped[int] = mapped_column(Integer)
    fee: Mapped[int] = mapped_column(Integer, default=0)  # per seat, in euros
    min_level: Mapped[Classification | None] = mapped_column(
        str_enum(Classification, "classification")
    )


class CatalogueEligibility(Base):
    """A nation (ISO alpha-3) or partner group (framework code) a session is open to; a
    session with no rows is open to every partner."""

    __tablename__ = "catalogue_eligibility"
    __table_args__ = (PrimaryKeyConstraint("session_id", "code"),)

    session_id: Mapped[int] = mapped_column(ForeignKey("catalogue_session.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))


class PartnerProfile(IdMixin, TimestampMixin, Marked, Base):
    """What a partner wants and can do in one year: people per quarter, languages, budget for
    fees and travel, travel cost per host region (euros per seat)."""

    __tablename__ = "partner_profile"
    __table_args__ = (UniqueConstraint("partner_iso3", "year"),)

    partner_iso3: Mapped[str] = mapped_column(ForeignKey("country.iso3"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    people_q1: Mapped[int] = mapped_column(Integer, default=0)
    people_q2: Mapped[int] = mapped_column(Integer, default=0)
    people_q3: Mapped[int] = mapped_column(Integer, default=0)
    people_q4: Mapped[int] = mapped_column(Integer, default=0)
    languages: Mapped[str] = mapped_column(String(100), default="en")  # comma-separated
    budget: Mapped[int] = mapped_column(Integer, default=0)
    travel_costs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(String(64))


class PartnerPriority(Base):
    """How much a partner weighs an area (0-5) and how many seats it wants there."""

    __tablename__ = "partner_priority"
    __table_args__ = (
        PrimaryKeyConstraint("profile_id", "area_code"),
        CheckConstraint("weight >= 0 AND weight <= 5", name="weight_range"),
        CheckConstraint("demand >= 0", name="demand_not_negative"),
    )

    profile_id: Mapped[int] = mapped_column(ForeignKey("partner_profile.id", ondelete="CASCADE"))
    area_code: Mapped[str] = mapped_column(ForeignKey("cooperation_area.code"))
    weight: Mapped[int] = mapped_column(Integer)
    demand: Mapped[int] = mapped_column(Integer)
    goal: Mapped[str] = mapped_column(String(300), default="")  # the goal it serves, if any


class PartnerProfileRevision(IdMixin, Marked, Base):
    """A saved version of a profile (its priorities included), for its history."""

    __tablename__ = "partner_profile_revision"

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("partner_profile.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    saved_by: Mapped[str] = mapped_column(String(64))


class Nomination(IdMixin, TimestampMixin, Marked, Base):
    """A person a partner puts forward for a session. ``wait_position`` orders the wait list."""

    __tablename__ = "nomination"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_session.id", ondelete="CASCADE"), index=True
    )
    partner_iso3: Mapped[str] = mapped_column(ForeignKey("country.iso3"), index=True)
    person_name: Mapped[str] = mapped_column(String(200))
    person_role: Mapped[str] = mapped_column(String(200), default="")
    nationality: Mapped[str] = mapped_column(String(3))
    state: Mapped[NominationState] = mapped_column(
        str_enum(NominationState, "nomination_state"), index=True
    )
    wait_position: Mapped[int | None] = mapped_column(Integer)
    feedback: Mapped[str] = mapped_column(Text, default="")
    offered_by_plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"))
    created_by: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(64))


class Plan(IdMixin, TimestampMixin, Marked, Base):
    """A seat plan for a period (a year). Plans are records: draft → approved → published;
    ``version`` counts the plans of one period."""

    __tablename__ = "plan"
    __table_args__ = (UniqueConstraint("period", "version"),)

    period: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[PlanState] = mapped_column(str_enum(PlanState, "plan_state"), index=True)
    objective: Mapped[float | None] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)
    gap: Mapped[float | None] = mapped_column(Float)
    greedy_objective: Mapped[float | None] = mapped_column(Float)
    solver_status: Mapped[str] = mapped_column(String(40), default="")
    time_limit: Mapped[float] = mapped_column(Float)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    proposal_reference: Mapped[str | None] = mapped_column(String(120))
    created_by: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(64))


class PlanAllocation(IdMixin, Marked, Base):
    __tablename__ = "plan_allocation"
    __table_args__ = (
        UniqueConstraint("plan_id", "session_id", "partner_iso3"),
        CheckConstraint("seats > 0", name="seats_positive"),
    )

    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_session.id", ondelete="CASCADE"), index=True
    )
    partner_iso3: Mapped[str] = mapped_column(ForeignKey("country.iso3"), index=True)
    seats: Mapped[int] = mapped_column(Integer)
    fixed: Mapped[bool] = mapped_column(default=False)  # an accepted nomination, kept
    value: Mapped[int] = mapped_column(Integer, default=0)


class PlanExplanation(IdMixin, Marked, Base):
    """Why a seat was given (``kind`` "seat") or a demand left unmet ("unmet")."""

    __tablename__ = "plan_explanation"

    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    partner_iso3: Mapped[str] = mapped_column(ForeignKey("country.iso3"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalogue_session.id", ondelete="CASCADE"), index=True
    )
    area_code: Mapped[str] = mapped_column(ForeignKey("cooperation_area.code"))
    kind: Mapped[str] = mapped_column(String(10))
    binding: Mapped[str] = mapped_column(String(40), default="")
    text: Mapped[str] = mapped_column(Text)
    change: Mapped[str] = mapped_column(Text, default="")


class PlanRun(IdMixin, Marked, Base):
    """One solver run of a plan: where it stands, and what it found."""

    __tablename__ = "plan_run"

    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    state: Mapped[RunState] = mapped_column(str_enum(RunState, "run_state"), index=True)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(String(300), default="")
    job_id: Mapped[int | None] = mapped_column(Integer)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
