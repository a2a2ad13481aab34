# SPDX-License-Identifier: Apache-2.0
"""Registry queries. Every list starts from ``_select`` of its model: the one place where the
access policy's ``readable(stmt, principal)`` joins when registry rows carry markings.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pycountry
from sqlalchemy import (
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from liaison.kit.pagination import PageRequest, Sortable, order_by, paginate
from liaison.kit.text import contains, fold
from liaison.registry.models import (
    Ally,
    ContactPointMandate,
    Country,
    CountryAlias,
    Framework,
    Office,
    Partner,
    SecurityAgreement,
    partner_framework,
)
from liaison.registry.rules import OfficeStatus, PartnerStatus
from liaison.security.authn import NationProfile
from liaison.security.classification import Classification
from liaison.security.policy import readable
from liaison.security.principal import AgreementSpan, Principal


def normalise_alias(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key for country names."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join("".join(c if c.isalnum() else " " for c in folded.casefold()).split())


def level_rank(column: Any) -> Any:  # noqa: ANN401 - SQL expressions
    """A classification column as its rank, so sorting follows PUBLIC < ... < COSMIC TOP SECRET."""
    return case({level.value: level.rank for level in Classification}, value=column, else_=-1)


def member_on_clause(day: dt.date) -> Any:  # noqa: ANN401 - a SQL boolean clause
    return and_(
        Ally.accession_date <= day,
        or_(Ally.withdrawal_date.is_(None), Ally.withdrawal_date > day),
    )


def agreement_in_force_clause(day: dt.date) -> Any:  # noqa: ANN401 - a SQL boolean clause
    start = func.coalesce(SecurityAgreement.in_force_on, SecurityAgreement.attested_on)
    return and_(
        start.is_not(None),
        start <= day,
        or_(SecurityAgreement.terminated_on.is_(None), SecurityAgreement.terminated_on > day),
    )


def mandate_on_clause(day: dt.date) -> Any:  # noqa: ANN401 - a SQL boolean clause
    return and_(
        ContactPointMandate.start_on <= day,
        or_(ContactPointMandate.end_on.is_(None), ContactPointMandate.end_on >= day),
    )


# What each list sorts by (the API documents them): name, column.
COUNTRY_SORT: dict[str, Sortable] = {"name": Country.name, "iso3": Country.iso3}
ALLY_SORT: dict[str, Sortable] = {
    "name": Country.name,
    "accession_date": Ally.accession_date,
    "country": Ally.country_iso3,
}
PARTNER_SORT: dict[str, Sortable] = {
    "name": Country.name,
    "country": Partner.country_iso3,
    "status": Partner.status,
}
AGREEMENT_SORT: dict[str, Sortable] = {
    "partner": Country.name,
    "signed_on": SecurityAgreement.signed_on,
    "max_level": level_rank(SecurityAgreement.max_level),
}
OFFICE_SORT: dict[str, Sortable] = {
    "name": Office.name,
    "status": Office.status,
    "opened_on": Office.opened_on,
    "city": Office.city,
}
MANDATE_SORT: dict[str, Sortable] = {
    "partner": Country.name,
    "start_on": ContactPointMandate.start_on,
}


class RegistryRepository:
    """Registry queries for one principal. Security agreements are marked: every query that
    touches them goes through ``readable``; the other registry tables are public."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _listed(
        self,
        stmt: Select[Any],
        page: PageRequest,
        sort: Mapping[str, Sortable],
        default: Sequence[Sortable],
    ) -> tuple[list[Any], int]:
        """One page of ``stmt`` sorted as ``page`` asks (from ``sort``), then by ``default``."""
        return paginate(self.session, order_by(stmt, page.sort, sort, default), page)

    # countries ------------------------------------------------------------------------------
    def country(self, iso3: str) -> Country | None:
        return self.session.get(Country, iso3)

    def resolve_country(self, ref: str) -> Country | None:
        code = ref.strip().upper()
        if len(code) == 3 and code.isalpha():  # noqa: PLR2004 - ISO alpha-3
            found = self.session.get(Country, code)
            if found is not None:
                return found
        if len(code) == 2 and code.isalpha():  # noqa: PLR2004 - ISO alpha-2
            found = self.session.scalar(select(Country).where(Country.iso2 == code))
            if found is not None:
                return found
        alias = self.session.get(CountryAlias, normalise_alias(ref))
        return self.session.get(Country, alias.iso3) if alias else None

    def list_countries(self, q: str | None, page: PageRequest) -> tuple[list[Country], int]:
        stmt = select(Country)
        if q:
            key = normalise_alias(q)  # "" for punctuation alone: then no alias matches
            by_alias = exists().where(
                CountryAlias.iso3 == Country.iso3, contains(CountryAlias.alias, key, lower=False)
            )
            stmt = stmt.where(
                or_(
                    contains(Country.name, q),
                    Country.iso3 == q.upper(),
                    Country.iso2 == q.upper(),
                    *([by_alias] if key else []),
                )
            )
        return self._listed(stmt, page, COUNTRY_SORT, [Country.iso3])

    def load_countries(self, extra_aliases: Mapping[str, str]) -> int:
        """Add the ISO 3166 countries (pycountry) and their aliases that are missing, with
        ``extra_aliases`` (name to ISO3) over ISO's names; idempotent."""
        existing = set(self.session.scalars(select(Country.iso3)).all())
        aliases: dict[str, str] = {}
        for c in pycountry.countries:
            if c.alpha_3 not in existing:
                self.session.add(
                    Country(
                        iso3=c.alpha_3,
                        iso2=c.alpha_2,
                        name=getattr(c, "common_name", c.name),
                        official_name=getattr(c, "official_name", None),
                    )
                )
            for name in (
                c.name,
                getattr(c, "common_name", None),
                getattr(c, "official_name", None),
            ):
                if name:
                    aliases.setdefault(normalise_alias(name), c.alpha_3)
        for name, iso3 in extra_aliases.items():
            aliases[normalise_alias(name)] = iso3
        known = set(self.session.scalars(select(CountryAlias.alias)).all())
        # Countries must exist before aliases refer to them (foreign key).
        self.session.flush()
        self.session.add_all(
            CountryAlias(alias=a, iso3=code) for a, code in aliases.items() if a not in known
        )
        return len(pycountry.countries)

    # allies ---------------------------------------------------------------------------------
    def ally_by_country(self, iso3: str) -> Ally | None:
        return self.session.scalar(select(Ally).where(Ally.country_iso3 == iso3))

    def list_allies(self, member_on: dt.date | None, page: PageRequest) -> tuple[list[Ally], int]:
        stmt: Select[Any] = select(Ally).join(Ally.country)
        if member_on is not None:
            stmt = stmt.where(member_on_clause(member_on))
        return self._listed(stmt, page, ALLY_SORT, [Country.name])

    def all_allies(self) -> Sequence[Ally]:
        return self.session.scalars(
            select(Ally).join(Ally.country).order_by(Ally.accession_date, Country.name)
        ).all()

    # frameworks ------------------------------------------------------------------------------
    def frameworks(self) -> Sequence[Framework]:
        return self.session.scalars(select(Framework).order_by(Framework.code)).all()

    def framework(self, code: str) -> Framework | None:
        return self.session.get(Framework, code)

    def framework_code(self, name: str) -> str | None:
        """The code of the framework ``name`` names, whatever its case."""
        return self.session.scalar(
            select(Framework.code).where(func.upper(Framework.code) == name.strip().upper())
        )

    def frameworks_by_code(self, codes: Sequence[str]) -> dict[str, Framework]:
        rows = self.session.scalars(select(Framework).where(Framework.code.in_(codes))).all()
        return {f.code: f for f in rows}

    # partners --------------------------------------------------------------------------------
    def partner_by_country(self, iso3: str) -> Partner | None:
        return self.session.scalar(select(Partner).where(Partner.country_iso3 == iso3))

    def list_partners(
        self,
        *,
        framework: str | None,
        status: PartnerStatus | None,
        agreement_in_force_on: dt.date | None,
        page: PageRequest,
    ) -> tuple[list[Partner], int]:
        stmt: Select[Any] = select(Partner).join(Partner.country)
        if framework:
            stmt = stmt.where(
                exists().where(
                    partner_framework.c.partner_id == Partner.id,
                    func.lower(partner_framework.c.framework_code) == framework.lower(),
                )
            )
        if status is not None:
            stmt = stmt.where(Partner.status == status)
        if agreement_in_force_on is not None:
            visible = readable(
                select(SecurityAgreement.id).where(
                    SecurityAgreement.partner_id == Partner.id,
                    agreement_in_force_clause(agreement_in_force_on),
                ),
                self.principal,
                SecurityAgreement,
            )
            stmt = stmt.where(visible.exists())
        return self._listed(stmt, page, PARTNER_SORT, [Country.name])

    # security agreements ---------------------------------------------------------------------
    def list_agreements(
        self, *, partner_id: int | None, in_force_on: dt.date | None, page: PageRequest
    ) -> tuple[list[SecurityAgreement], int]:
        stmt: Select[Any] = readable(
            select(SecurityAgreement).join(SecurityAgreement.partner).join(Partner.country),
            self.principal,
            SecurityAgreement,
        )
        if partner_id is not None:
            stmt = stmt.where(SecurityAgreement.partner_id == partner_id)
        if in_force_on is not None:
            stmt = stmt.where(agreement_in_force_clause(in_force_on))
        return self._listed(stmt, page, AGREEMENT_SORT, [Country.name, SecurityAgreement.id])

    def agreements_of(self, partner_id: int) -> Sequence[SecurityAgreement]:
        stmt = (
            select(SecurityAgreement)
            .where(SecurityAgreement.partner_id == partner_id)
            .order_by(SecurityAgreement.signed_on, SecurityAgreement.id)
        )
        return self.session.scalars(readable(stmt, self.principal, SecurityAgreement)).all()

    def all_agreements(self) -> Sequence[SecurityAgreement]:
        stmt = select(SecurityAgreement).order_by(SecurityAgreement.id)
        return self.session.scalars(readable(stmt, self.principal, SecurityAgreement)).all()

    def partners_released_to(self, codes: Sequence[str]) -> Sequence[Partner]:
        """The partners a release list names: by their own code or one of their groups."""
        if not codes:
            return []
        groups = exists().where(
            partner_framework.c.partner_id == Partner.id,
            func.upper(partner_framework.c.framework_code).in_([c.upper() for c in codes]),
        )
        stmt = select(Partner).where(or_(Partner.country_iso3.in_(codes), groups))
        return self.session.scalars(stmt.order_by(Partner.id)).all()

    def agreements_of_partners(self, partner_ids: Sequence[int]) -> Sequence[SecurityAgreement]:
        """The agreements of these partners that the principal may read."""
        stmt = (
            select(SecurityAgreement)
            .where(SecurityAgreement.partner_id.in_(partner_ids))
            .order_by(SecurityAgreement.id)
        )
        return self.session.scalars(readable(stmt, self.principal, SecurityAgreement)).all()

    def agreement(self, agreement_id: int) -> SecurityAgreement | None:
        stmt = select(SecurityAgreement).where(SecurityAgreement.id == agreement_id)
        return self.session.scalar(readable(stmt, self.principal, SecurityAgreement))

    # offices ---------------------------------------------------------------------------------
    def office(self, office_id: int) -> Office | None:
        return self.session.get(Office, office_id)

    def office_by_name(self, name: str) -> Office | None:
        return self.session.scalar(select(Office).where(Office.name_key == fold(name)))

    def all_offices(self) -> Sequence[Office]:
        """Every office, by name (a few dozen: the registry is public)."""
        return self.session.scalars(select(Office).order_by(Office.name)).all()

    def list_offices(
        self,
        *,
        status: OfficeStatus | None,
        open_on: dt.date | None,
        host: str | None,
        page: PageRequest,
    ) -> tuple[list[Office], int]:
        stmt: Select[Any] = select(Office)
        if status is not None:
            stmt = stmt.where(Office.status == status)
        if host is not None:
            stmt = stmt.where(Office.host_country_iso3 == host)
        if open_on is not None:
            stmt = stmt.where(
                Office.opened_on <= open_on,
                or_(Office.closed_on.is_(None), Office.closed_on > open_on),
            )
        return self._listed(stmt, page, OFFICE_SORT, [Office.name])

    def offices_in(self, iso3: str) -> Sequence[Office]:
        return self.session.scalars(
            select(Office).where(Office.host_country_iso3 == iso3).order_by(Office.name)
        ).all()

    # contact-point mandates ------------------------------------------------------------------
    def mandate(self, mandate_id: int) -> ContactPointMandate | None:
        return self.session.get(ContactPointMandate, mandate_id)

    def list_mandates(
        self, *, partner_id: int | None, on: dt.date | None, page: PageRequest
    ) -> tuple[list[ContactPointMandate], int]:
        stmt: Select[Any] = (
            select(ContactPointMandate).join(ContactPointMandate.partner).join(Partner.country)
        )
        if partner_id is not None:
            stmt = stmt.where(ContactPointMandate.partner_id == partner_id)
        if on is not None:
            stmt = stmt.where(mandate_on_clause(on))
        return self._listed(stmt, page, MANDATE_SORT, [Country.name, ContactPointMandate.start_on])

    def mandates_of_embassy(
        self, partner_id: int, ally_id: int, *, excluding: int | None = None
    ) -> Sequence[ContactPointMandate]:
        stmt = select(ContactPointMandate).where(
            ContactPointMandate.partner_id == partner_id, ContactPointMandate.ally_id == ally_id
        )
        if excluding is not None:
            stmt = stmt.where(ContactPointMandate.id != excluding)
        return self.session.scalars(stmt).all()

    def mandates_of(self, partner_id: int) -> Sequence[ContactPointMandate]:
        return self.session.scalars(
            select(ContactPointMandate)
            .where(ContactPointMandate.partner_id == partner_id)
            .order_by(ContactPointMandate.start_on)
        ).all()

    # the one search ---------------------------------------------------------------------------
    def search_offices(self, q: str, limit: int) -> tuple[list[Office], int]:
        """Offices whose name or city holds ``q`` (wildcards literal), by name."""
        where = or_(contains(Office.name, q), contains(Office.city, q))
        total = int(self.session.scalar(select(func.count(Office.id)).where(where)) or 0)
        rows = self.session.scalars(select(Office).where(where).order_by(Office.name).limit(limit))
        return list(rows), total

    def partners_and_allies(self, iso3s: list[str]) -> tuple[set[str], set[str]]:
        """Which of these countries are partners, and which allies (ever)."""
        partners = set(
            self.session.scalars(
                select(Partner.country_iso3).where(Partner.country_iso3.in_(iso3s))
            )
        )
        allies = set(
            self.session.scalars(select(Ally.country_iso3).where(Ally.country_iso3.in_(iso3s)))
        )
        return partners, allies


def partner_groups(session: Session, codes: Iterable[str]) -> dict[str, frozenset[str]]:
    """The partner groups of each code in one query (empty for a code that is not a partner
    nation, such as a group's own code)."""
    wanted = sorted(set(codes))
    found: dict[str, set[str]] = {code: set() for code in wanted}
    if wanted:
        for iso3, group in session.execute(
            select(Partner.country_iso3, partner_framework.c.framework_code)
            .join(partner_framework, partner_framework.c.partner_id == Partner.id)
            .where(Partner.country_iso3.in_(wanted))
        ):
            found[iso3].add(group.upper())
    return {code: frozenset(groups) for code, groups in found.items()}


def _nation_profile_query() -> Any:  # noqa: ANN401
    A, P, PF = SecurityAgreement, Partner, partner_framework  # noqa: N806 - short aliases
    agreements = (
        select(
            cast(null(), String).label("code"),
            func.coalesce(A.in_force_on, A.attested_on).label("start"),
            A.terminated_on,
            A.max_level,
            A.id.label("ordinal"),
        )
        .join(P, P.id == A.partner_id)
        .where(P.country_iso3 == bindparam("iso3"))
    )
    groups = (
        select(
            PF.c.framework_code,
            cast(null(), Date),
            cast(null(), Date),
            cast(null(), A.max_level.type),
            cast(null(), Integer),
        )
        .join(P, P.id == PF.c.partner_id)
        .where(P.country_iso3 == bindparam("iso3"))
    )
    return union_all(agreements, groups)


_NATION_PROFILE = _nation_profile_query()  # built once: every partner's request runs it


def nation_profile(session: Session, iso3: str) -> NationProfile:
    """What the access policy needs about a nation: its partner groups and the spans of its
    security agreements (read unfiltered: this is the policy's own input, never shown).

    Every partner's request asks this, so it is one prebuilt query of plain columns, run
    through Core: the agreements, then the groups, as rows of one union (no ORM objects)."""
    rows = session.connection().execute(_NATION_PROFILE, {"iso3": iso3}).all()
    spans = [
        AgreementSpan(start, terminated_on, level)
        for _code, start, terminated_on, level, _ in sorted(
            (r for r in rows if r[0] is None), key=lambda r: r[4]
        )
        if start is not None
    ]
    return NationProfile(
        groups=frozenset(r[0].upper() for r in rows if r[0] is not None),
        agreements=tuple(spans),
    )
