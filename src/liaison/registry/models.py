# SPDX-License-Identifier: Apache-2.0
"""Registry tables.

Invariants the database holds itself (the services check them first, to say why):
- a country is an ally at most once and a partner at most once;
- a security agreement, office and mandate belong to existing countries;
- dates are legal facts (``date``), never timestamps.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from liaison.db.base import Base, IdMixin, TimestampMixin, str_enum
from liaison.kit.text import fold
from liaison.registry.rules import AgreementKind, OfficeKind, OfficeStatus, PartnerStatus
from liaison.security.classification import Classification
from liaison.security.models import Marked


class Country(Base):
    """An ISO 3166 country. Reference data, loaded by ``liaison init``."""

    __tablename__ = "country"

    iso3: Mapped[str] = mapped_column(String(3), primary_key=True)
    iso2: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    official_name: Mapped[str | None] = mapped_column(String(200))


class CountryAlias(Base):
    """Another name people write for a country ("South Korea", "ROK"), stored normalised."""

    __tablename__ = "country_alias"

    alias: Mapped[str] = mapped_column(String(200), primary_key=True)
    iso3: Mapped[str] = mapped_column(ForeignKey("country.iso3"), index=True)


class Ally(IdMixin, TimestampMixin, Base):
    """A member of the alliance from its accession date (deposit of the instrument)."""

    __tablename__ = "ally"
    __table_args__ = (
        CheckConstraint(
            "withdrawal_date IS NULL OR withdrawal_date > accession_date", name="withdrawal_after"
        ),
    )

    country_iso3: Mapped[str] = mapped_column(ForeignKey("country.iso3"), unique=True)
    accession_date: Mapped[dt.date] = mapped_column(Date, index=True)
    withdrawal_date: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")

    country: Mapped[Country] = relationship(lazy="joined", innerjoin=True)


partner_framework = Table(
    "partner_framework",
    Base.metadata,
    Column("partner_id", ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True),
    Column("framework_code", ForeignKey("framework.code"), primary_key=True),
)


class Framework(Base):
    """A partnership framework or group: PfP, MD, ICI, partners across the globe, EOP..."""

    __tablename__ = "framework"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    established_on: Mapped[dt.date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")


class Partner(IdMixin, TimestampMixin, Base):
    """A nation outside the alliance that cooperates with it."""

    __tablename__ = "partner"

    country_iso3: Mapped[str] = mapped_column(ForeignKey("country.iso3"), unique=True)
    status: Mapped[PartnerStatus] = mapped_column(
        str_enum(PartnerStatus, "partner_status"), default=PartnerStatus.ACTIVE, index=True
    )
    partner_since: Mapped[dt.date | None] = mapped_column(Date)
    mission_to_nato_since: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")

    country: Mapped[Country] = relationship(lazy="joined", innerjoin=True)
    frameworks: Mapped[list[Framework]] = relationship(
        secondary=partner_framework, lazy="selectin", order_by=Framework.code
    )


class SecurityAgreement(IdMixin, TimestampMixin, Marked, Base):
    """A security-of-information agreement: partners get classified information only under one.

    Its details are marked (``marking_id``; by default NATO UNCLASSIFIED releasable to the
    partner), so every read goes through the access policy.

    Its details are marked (``marking_id``; by default NATO UNCLASSIFIED releasable to the
    partner), so every read goes through the access policy.

    ``attested_on`` records, for an agreement whose entry into force is not public, the
    earliest date a source attests it in force; it stands in for ``in_force_on`` when asking
    "in force on a date" and never claims more than the source does.
    """

    __tablename__ = "security_agreement"
    __table_args__ = (
        CheckConstraint(
            "terminated_on IS NULL OR in_force_on IS NULL OR terminated_on >= in_force_on",
            name="terminated_after_force",
        ),
    )

    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[AgreementKind] = mapped_column(str_enum(AgreementKind, "agreement_kind"))
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    in_force_on: Mapped[dt.date | None] = mapped_column(Date)
    attested_on: Mapped[dt.date | None] = mapped_column(Date)
    terminated_on: Mapped[dt.date | None] = mapped_column(Date)
    max_level: Mapped[Classification] = mapped_column(str_enum(Classification, "classification"))
    notes: Mapped[str] = mapped_column(Text, default="")

    partner: Mapped[Partner] = relationship(lazy="joined", innerjoin=True)


class Office(IdMixin, TimestampMixin, Base):
    """A liaison office, representation or regional centre, with its lifecycle dates."""

    __tablename__ = "office"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    # ``kit.text.fold(name)``: one name, however it is cased or composed (migration 0015)
    name_key: Mapped[str] = mapped_column(String(200), unique=True, index=True)
    kind: Mapped[OfficeKind] = mapped_column(str_enum(OfficeKind, "office_kind"))
    host_country_iso3: Mapped[str | None] = mapped_column(ForeignKey("country.iso3"), index=True)
    city: Mapped[str] = mapped_column(String(120))
    status: Mapped[OfficeStatus] = mapped_column(
        str_enum(OfficeStatus, "office_status"), index=True
    )
    proposed_on: Mapped[dt.date | None] = mapped_column(Date)
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    host_agreement_on: Mapped[dt.date | None] = mapped_column(Date)
    opened_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    shelved_on: Mapped[dt.date | None] = mapped_column(Date)
    staff: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")

    host_country: Mapped[Country | None] = relationship(lazy="joined")

    @validates("name")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.name_key = fold(value)
        return value


class ContactPointMandate(IdMixin, TimestampMixin, Base):
    """An ally's embassy acting as NATO's contact point in a partner country for a period."""

    __tablename__ = "contact_point_mandate"
    __table_args__ = (
        CheckConstraint("end_on IS NULL OR end_on >= start_on", name="end_after_start"),
    )

    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    ally_id: Mapped[int] = mapped_column(ForeignKey("ally.id"), index=True)
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")

    partner: Mapped[Partner] = relationship(lazy="joined", innerjoin=True)
    ally: Mapped[Ally] = relationship(lazy="joined", innerjoin=True)
