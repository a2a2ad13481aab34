# SPDX-License-Identifier: Apache-2.0
"""Decision tables.

- ``proposal``: one marked proposal (``Marked``): subject, procedure, dates, the settled outcome;
- ``proposal_elector``: the electorate, frozen when the proposal opens;
- ``proposal_version``: the texts, numbered from 1;
- ``proposal_position``: every position taken, in order (the history is the record);
- ``decision_notification``: in-app notifications, per user; e-mailed later when SMTP is set;
- ``notification_address``: where a user's notifications are e-mailed.

Invariants:
- versions, positions, electors and notifications have no marking of their own: they are read
  only by joining their proposal through the access policy (its marking caps them);
- ``outcome`` is ``pending`` until the outcome is *settled*, once, by a conditional update
  (``WHERE outcome = 'pending'``), in the transaction that publishes its domain event; the
  outcome shown before then is computed from the positions and the clock (``consensus``);
- nothing is decided before it opened (a check: ``decided_at >= opened_at``);
- at most one *pending* proposal per subject and effect (a partial unique index on
  ``subject_kind, subject_ref, effect`` where the outcome is pending): a revision opens only
  once the proposal it revises is settled, so it never meets its predecessor there. ``effect``
  is what an adoption would do beyond the subject's kind: the partners a document release adds
  (sorted codes), empty otherwise;
- each ally's positions on a proposal are numbered (``seq`` from 1, unique per proposal and
  ally): two requests taking a position at once cannot both store one, whatever the backend.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.base import Base, IdMixin, TimestampMixin, UTCDateTime, str_enum
from liaison.decisions.consensus import Outcome, Procedure, Stance
from liaison.events import SubjectKind
from liaison.security.models import Marked


class Proposal(IdMixin, TimestampMixin, Marked, Base):
    __tablename__ = "proposal"
    __table_args__ = (
        CheckConstraint(
            "decided_at IS NULL OR decided_at >= opened_at", name="decided_after_opened"
        ),
        Index(
            "uq_proposal_pending_subject",
            "subject_kind",
            "subject_ref",
            "effect",
            unique=True,
            sqlite_where=text("outcome = 'pending' AND subject_ref IS NOT NULL"),
            postgresql_where=text("outcome = 'pending' AND subject_ref IS NOT NULL"),
        ),
    )

    reference: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    subject_kind: Mapped[SubjectKind] = mapped_column(str_enum(SubjectKind, "subject_kind"))
    subject_ref: Mapped[str | None] = mapped_column(String(100), index=True)
    subject_title: Mapped[str | None] = mapped_column(String(300))
    subject_href: Mapped[str | None] = mapped_column(String(300))
    release_to: Mapped[list[str]] = mapped_column(JSON, default=list)
    effect: Mapped[str] = mapped_column(String(400), default="")
    procedure: Mapped[Procedure] = mapped_column(str_enum(Procedure, "procedure"))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    opened_by: Mapped[str] = mapped_column(String(64))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[Outcome] = mapped_column(
        str_enum(Outcome, "outcome"), default=Outcome.PENDING, index=True
    )
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
    depends_on_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), index=True)
    revises_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), index=True)
    package: Mapped[str | None] = mapped_column(String(64), index=True)
    sources: Mapped[str] = mapped_column(Text, default="")


class ProposalElector(Base):
    __tablename__ = "proposal_elector"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True
    )
    ally_iso3: Mapped[str] = mapped_column(ForeignKey("country.iso3"), primary_key=True)


class ProposalVersion(IdMixin, Base):
    __tablename__ = "proposal_version"
    __table_args__ = (UniqueConstraint("proposal_id", "number", name="uq_proposal_version"),)

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))


class Position(IdMixin, Base):
    __tablename__ = "proposal_position"
    __table_args__ = (
        UniqueConstraint("proposal_id", "ally_iso3", "seq", name="uq_proposal_position_seq"),
    )

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    ally_iso3: Mapped[str] = mapped_column(ForeignKey("country.iso3"))
    seq: Mapped[int] = mapped_column(Integer)  # the ally's n-th position on the proposal
    stance: Mapped[Stance] = mapped_column(str_enum(Stance, "stance"))
    statement: Mapped[str] = mapped_column(Text, default="")
    version_number: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))


class NotificationKind(enum.StrEnum):
    OPENED = "opened"
    DECIDED = "decided"


class Notification(IdMixin, Base):
    __tablename__ = "decision_notification"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, "notification_kind"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class NotificationAddress(Base):
    __tablename__ = "notification_address"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(254))
