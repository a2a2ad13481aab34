# SPDX-License-Identifier: Apache-2.0
"""API and import/export shapes: ``XRead`` out, ``XCreate``/``XUpdate`` in.

Country fields accept an ISO 3166 alpha-3 or alpha-2 code or a known name ("South Korea",
"ROK"); the service resolves them and rejects what it cannot.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from liaison.kit.dates import IsoDate
from liaison.registry.rules import (
    AgreementKind,
    AgreementStatus,
    OfficeKind,
    OfficeStatus,
    PartnerStatus,
)
from liaison.security.classification import Classification

CountryRef = str


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CountryRead(_Out):
    iso3: str
    iso2: str
    name: str
    official_name: str | None


class FrameworkRead(_Out):
    code: str
    name: str
    established_on: IsoDate | None
    description: str


class FrameworkCreate(_In):
    code: str = Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=200)
    established_on: IsoDate | None = None
    description: str = ""


class AllyRead(_Out):
    id: int
    country: CountryRead
    accession_date: IsoDate
    withdrawal_date: IsoDate | None
    notes: str


class AllyCreate(_In):
    country: CountryRef = Field(min_length=2, max_length=200)
    accession_date: IsoDate
    withdrawal_date: IsoDate | None = None
    notes: str = ""


class AllyUpdate(_In):
    accession_date: IsoDate | None = None
    withdrawal_date: IsoDate | None = None
    notes: str | None = None


class PartnerRead(_Out):
    id: int
    country: CountryRead
    status: PartnerStatus
    frameworks: list[FrameworkRead]
    partner_since: IsoDate | None
    mission_to_nato_since: IsoDate | None
    notes: str


class PartnerCreate(_In):
    country: CountryRef = Field(min_length=2, max_length=200)
    status: PartnerStatus = PartnerStatus.ACTIVE
    frameworks: list[str] = Field(default_factory=list)
    partner_since: IsoDate | None = None
    mission_to_nato_since: IsoDate | None = None
    notes: str = ""


class PartnerUpdate(_In):
    status: PartnerStatus | None = None
    frameworks: list[str] | None = None
    partner_since: IsoDate | None = None
    mission_to_nato_since: IsoDate | None = None
    notes: str | None = None


class PartnerRef(_Out):
    id: int
    country: CountryRead


class AllyRef(_Out):
    id: int
    country: CountryRead


class SecurityAgreementRead(_Out):
    id: int
    partner: PartnerRef
    title: str
    kind: AgreementKind
    signed_on: IsoDate | None
    in_force_on: IsoDate | None
    attested_on: IsoDate | None
    terminated_on: IsoDate | None
    max_level: Classification
    status: AgreementStatus = Field(description="Status on the date asked (today by default).")
    notes: str
    marking: str = Field(description="The record's marking, e.g. 'NU // REL JPN'.")


class SecurityAgreementCreate(_In):
    partner: CountryRef = Field(min_length=2, max_length=200)
    title: str = Field(min_length=1, max_length=300)
    kind: AgreementKind
    signed_on: IsoDate | None = None
    in_force_on: IsoDate | None = None
    attested_on: IsoDate | None = None
    terminated_on: IsoDate | None = None
    max_level: Classification
    notes: str = ""
    marking: str | None = Field(
        default=None,
        max_length=500,
        description="Marking of the record; default NATO UNCLASSIFIED releasable to the partner.",
    )


class SecurityAgreementUpdate(_In):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    signed_on: IsoDate | None = None
    in_force_on: IsoDate | None = None
    attested_on: IsoDate | None = None
    terminated_on: IsoDate | None = None
    max_level: Classification | None = None
    notes: str | None = None


class OfficeRead(_Out):
    id: int
    name: str
    kind: OfficeKind
    host_country: CountryRead | None
    city: str
    status: OfficeStatus
    proposed_on: IsoDate | None
    approved_on: IsoDate | None
    host_agreement_on: IsoDate | None
    opened_on: IsoDate | None
    closed_on: IsoDate | None
    shelved_on: IsoDate | None
    staff: int | None
    notes: str


class OfficeCreate(_In):
    name: str = Field(min_length=1, max_length=200)
    kind: OfficeKind
    host_country: CountryRef | None = Field(default=None, min_length=2, max_length=200)
    city: str = Field(min_length=1, max_length=120)
    status: OfficeStatus = OfficeStatus.PROPOSED
    proposed_on: IsoDate | None = None
    approved_on: IsoDate | None = None
    host_agreement_on: IsoDate | None = None
    opened_on: IsoDate | None = None
    closed_on: IsoDate | None = None
    shelved_on: IsoDate | None = None
    staff: int | None = Field(default=None, ge=0, le=10000)
    notes: str = ""


class OfficeUpdate(_In):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    city: str | None = Field(default=None, min_length=1, max_length=120)
    staff: int | None = Field(default=None, ge=0, le=10000)
    notes: str | None = None


class OfficeTransition(_In):
    """Move an office to its next lifecycle status on a date."""

    status: OfficeStatus
    on: IsoDate


class MandateRead(_Out):
    id: int
    partner: PartnerRef
    ally: AllyRef
    start_on: IsoDate
    end_on: IsoDate | None
    notes: str


class MandateCreate(_In):
    partner: CountryRef = Field(min_length=2, max_length=200)
    ally: CountryRef = Field(min_length=2, max_length=200)
    start_on: IsoDate
    end_on: IsoDate | None = None
    notes: str = ""


class MandateUpdate(_In):
    start_on: IsoDate | None = None
    end_on: IsoDate | None = None
    notes: str | None = None


class RegistryDocument(_In):
    """The import/export document: every registry entity, with where the facts come from."""

    format: str = Field(default="liaison-registry/1", pattern=r"^liaison-registry/1$")
    description: str = ""
    sources: list[str] = Field(default_factory=list)
    allies: list[AllyCreate] = Field(default_factory=list)
    frameworks: list[FrameworkCreate] = Field(default_factory=list)
    partners: list[PartnerCreate] = Field(default_factory=list)
    security_agreements: list[SecurityAgreementCreate] = Field(default_factory=list)
    offices: list[OfficeCreate] = Field(default_factory=list)
    contact_point_mandates: list[MandateCreate] = Field(default_factory=list)


class PartnerReachRead(BaseModel):
    """Whether one partner the release names may read the marking, and why not."""

    code: str
    name: str
    reads: bool
    reason: str | None = Field(description="Why it may not read the marking, when it may not.")
    via: str | None = Field(description="The release code naming it: its own or a group's.")


class ReachRead(BaseModel):
    """Who may read a marking on a day (issue 16): allies' users, each partner the release
    names, and a warning for each named release that cannot reach its partner."""

    marking: str
    banner: str
    on: IsoDate
    public: bool
    allies: str = Field(description="Which allies' users may read it.")
    partners: list[PartnerReachRead]
    readers: list[str] = Field(description="The names of the partners that may read it.")
    warnings: list[str]
    summary: str
