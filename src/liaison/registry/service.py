# SPDX-License-Identifier: Apache-2.0
"""Registry use cases. Services validate, write through the session and never commit: the
caller's unit of work does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from liaison.audit.reads import record_reads
from liaison.audit.recorder import Entry, record
from liaison.db.base import Base, columns_of
from liaison.errors import InvalidInput, NotFound
from liaison.kit.clock import today
from liaison.kit.ids import parse_id
from liaison.kit.pagination import PageRequest
from liaison.kit.text import did_you_mean, fold
from liaison.registry import rules, schemas
from liaison.registry.errors import (
    BadTransition,
    Duplicate,
    FutureDate,
    NotAnAlly,
    NotAPartner,
    OverlappingMandate,
    UnknownCountry,
)
from liaison.registry.exchange import READ, ImportReport, RegistryExchange, country_aliases
from liaison.registry.models import (
    Ally,
    ContactPointMandate,
    Country,
    Framework,
    Office,
    Partner,
    SecurityAgreement,
)
from liaison.registry.repository import RegistryRepository, nation_profile, partner_groups
from liaison.security.classification import Classification
from liaison.security.marking_store import MarkingStore
from liaison.security.markings import Marking, parse_marking, short
from liaison.security.permissions import Permission
from liaison.security.policy import can_read
from liaison.security.principal import Principal
from liaison.security.readers import ReaderMarkings
from liaison.security.writes import ALLIANCE, UNMARKED, guard_create, guard_write

# What other features import from here (the policy's nation facts are the repository's).
__all__ = [
    "ImportReport",
    "RegistryService",
    "nation_profile",
    "partner_groups",
]

EVERY = PageRequest(limit=10_000)
R = TypeVar("R", bound=Base)  # a whole list (the registry's lists are short)


def _not_future(field: str, value: dt.date | None) -> None:
    if value is not None and value > today():
        raise FutureDate(field, value)


class RegistryService:
    """Everything the registry does, for the API, the pages, the CLI and other features."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.repo = RegistryRepository(session, principal)
        self.markings = MarkingStore(session)

    # audit ------------------------------------------------------------------------------------
    def audit_write(
        self,
        action: str,
        obj: Base,
        before: dict[str, Any] | None,
        marking_id: int | None = None,
    ) -> None:
        """Record a write: ``obj`` after the change (flushed for its id), ``before`` if any."""
        # Flush so a new row has its id and a database constraint fails before we record.
        self.session.flush()
        record(
            self.session,
            self.principal,
            [
                Entry(
                    action=f"registry:{action}",
                    object_type=type(obj).__tablename__,
                    object_id=str(_identity(obj)),
                    marking_id=marking_id,
                    before=before,
                    after=columns_of(obj),
                )
            ],
        )

    def _added(self, what: str, row: R, marking_id: int | None = None) -> R:
        """A new ``row`` in the session, its creation audited (``registry:<what>:create``)."""
        self.session.add(row)
        self.audit_write(f"{what}:create", row, None, marking_id)
        return row

    def audit_reads(self, agreements: list[SecurityAgreement]) -> None:
        """Reads of marked agreements leave a trace, one event per record (the one
        ``audit.reads.record_reads``)."""
        record_reads(self.session, self.principal, READ, agreements)

    def release_code(self, name: str) -> str | None:
        """A releasability code for a name people write: a partner group or a country."""
        framework = self.repo.framework_code(name)
        if framework is not None:
            return framework.upper()
        country = self.repo.resolve_country(name)
        return country.iso3 if country else None

    def release_name(self, code: str) -> str:
        """The name a banner shows for a releasability code: "Japan", "IP4"."""
        country = self.repo.country(code)
        return country.name if country is not None else code

    def parse_marking(self, text: str) -> Marking:
        return parse_marking(text, self.release_code)

    def reader_markings(self, what: str = "anything") -> ReaderMarkings:
        """Markings as this principal reads and writes them (``security.readers``), with the
        registry's names and the policy's own group facts; ``what`` names the records refused
        above the reader ("a document")."""
        return ReaderMarkings(
            self.principal,
            parse=self.parse_marking,
            release_name=self.release_name,
            groups=lambda code: nation_profile(self.session, code).groups,
            what=what,
        )

    def marking_text(self, marking_id: int) -> str:
        return short(self.markings.get(marking_id))

    # countries --------------------------------------------------------------------------------
    def load_countries(self) -> int:
        """Load ISO 3166 countries (pycountry) and the alias table; idempotent."""
        self.may_create("country")
        return self.repo.load_countries(country_aliases())

    def country(self, ref: str, *, field: str = "country") -> Country:
        found = self.repo.resolve_country(ref)
        if found is None:
            raise UnknownCountry(ref, field=field)
        return found

    # allies ---------------------------------------------------------------------------------
    def ally(self, ref: str) -> Ally:
        country = self.repo.resolve_country(ref)
        found = self.repo.ally_by_country(country.iso3) if country else None
        if found is None:
            raise NotAnAlly(ref)
        return found

    def members_on(self, day: dt.date) -> list[Ally]:
        return self.allies(day, EVERY)[0]

    # lists, for the API, the pages and the CLI (the tables are public, agreements marked) ---
    def countries(self, q: str | None, page: PageRequest) -> tuple[list[Country], int]:
        return self.repo.list_countries(q, page)

    def allies(self, member_on: dt.date | None, page: PageRequest) -> tuple[list[Ally], int]:
        return self.repo.list_allies(member_on, page)

    def all_allies(self) -> Sequence[Ally]:
        return self.repo.all_allies()

    def frameworks(self) -> Sequence[Framework]:
        return self.repo.frameworks()

    def partners(
        self,
        *,
        framework: str | None = None,
        status: rules.PartnerStatus | None = None,
        agreement_in_force_on: dt.date | None = None,
        page: PageRequest = EVERY,
    ) -> tuple[list[Partner], int]:
        return self.repo.list_partners(
            framework=framework,
            status=status,
            agreement_in_force_on=agreement_in_force_on,
            page=page,
        )

    def offices(
        self,
        *,
        status: rules.OfficeStatus | None = None,
        open_on: dt.date | None = None,
        host: str | None = None,
        page: PageRequest = EVERY,
    ) -> tuple[list[Office], int]:
        """Offices by status, open on a day, or in the country ``host`` names."""
        host_iso3 = self.country(host, field="host").iso3 if host else None
        return self.repo.list_offices(status=status, open_on=open_on, host=host_iso3, page=page)

    def all_offices(self) -> Sequence[Office]:
        return self.repo.all_offices()

    def offices_in(self, partner: Partner) -> Sequence[Office]:
        return self.repo.offices_in(partner.country_iso3)

    def host_partner(self, office: Office) -> Partner | None:
        """The partner that hosts ``office`` (None: no host, or the host is no partner)."""
        host = office.host_country_iso3
        return self.repo.partner_by_country(host) if host else None

    def mandates(
        self, *, partner: str | None = None, on: dt.date | None = None, page: PageRequest = EVERY
    ) -> tuple[list[ContactPointMandate], int]:
        """Contact-point mandates, of the partner ``partner`` names (``NotAPartner``)."""
        partner_id = self.partner(partner).id if partner else None
        return self.repo.list_mandates(partner_id=partner_id, on=on, page=page)

    def search_offices(self, q: str, limit: int) -> tuple[list[Office], int]:
        """Offices whose name or city holds ``q``, by name (the one search's)."""
        return self.repo.search_offices(q, limit)

    def mandates_of(self, partner: Partner) -> Sequence[ContactPointMandate]:
        return self.repo.mandates_of(partner.id)

    def partners_and_allies(self, codes: list[str]) -> tuple[set[str], set[str]]:
        """Which of these countries are partners, and which allies (ever)."""
        return self.repo.partners_and_allies(codes)

    # writes: alliance material (security.writes), in the unit of work that writes ---------------
    def may_create(self, what: str) -> None:
        guard_create(self.principal, ALLIANCE, Permission.REGISTRY_ENTRY_WRITE, what=what)

    def _may_change(
        self, what: str, marking: Marking = UNMARKED, hidden: Callable[[], Exception] | None = None
    ) -> None:
        guard_write(
            self.principal,
            ALLIANCE,
            marking,
            Permission.REGISTRY_ENTRY_WRITE,
            hidden=hidden or (lambda: NotFound(f"no {what}")),
            what=what,
        )

    def _changing(
        self,
        what: str,
        row: Base,
        data: BaseModel,
        marking: Marking = UNMARKED,
        hidden: Callable[[], Exception] | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The write policy's leave to change ``row``: its columns before the change, and the
        fields ``data`` sets."""
        self._may_change(what, marking, hidden)
        return columns_of(row), data.model_dump(exclude_unset=True)

    @staticmethod
    def _apply(row: Base, changes: dict[str, Any], kept: set[str]) -> None:
        """Set ``changes`` on ``row``; a None for a field in ``kept`` leaves it as it is."""
        for key, value in changes.items():
            if value is not None or key not in kept:
                setattr(row, key, value)

    def create_ally(self, data: schemas.AllyCreate) -> Ally:
        self.may_create("ally")
        country = self.country(data.country)
        self._check_ally_dates(data.accession_date, data.withdrawal_date)
        if self.repo.ally_by_country(country.iso3) is not None:
            raise Duplicate(f"{country.name} is already an ally", field="country")
        ally = Ally(
            country_iso3=country.iso3,
            accession_date=data.accession_date,
            withdrawal_date=data.withdrawal_date,
            notes=data.notes,
        )
        ally.country = country
        return self._added("ally", ally)

    def update_ally(self, ref: str, data: schemas.AllyUpdate) -> Ally:
        ally = self.ally(ref)
        before, changes = self._changing("ally", ally, data)
        accession = changes.get("accession_date") or ally.accession_date
        withdrawal = changes.get("withdrawal_date", ally.withdrawal_date)
        self._check_ally_dates(accession, withdrawal)
        self._apply(ally, changes, {"notes"})
        self.audit_write("ally:update", ally, before)
        return ally

    @staticmethod
    def _check_ally_dates(accession: dt.date, withdrawal: dt.date | None) -> None:
        _not_future("accession_date", accession)
        _not_future("withdrawal_date", withdrawal)
        if withdrawal is not None and withdrawal <= accession:
            raise InvalidInput(
                "withdrawal_date must be after accession_date", field="withdrawal_date"
            )

    # frameworks ------------------------------------------------------------------------------
    def create_framework(self, data: schemas.FrameworkCreate) -> Framework:
        self.may_create("framework")
        if self.repo.framework(data.code) is not None:
            raise Duplicate(f"framework {data.code!r} exists", field="code")
        framework = Framework(**data.model_dump())
        return self._added("framework", framework)

    def _frameworks(self, codes: Iterable[str]) -> list[Framework]:
        wanted = list(dict.fromkeys(codes))
        found = self.repo.frameworks_by_code(wanted)
        missing = [c for c in wanted if c not in found]
        if missing:
            known = ", ".join(f.code for f in self.repo.frameworks())
            raise InvalidInput(
                f"unknown framework {', '.join(missing)}; known: {known}", field="frameworks"
            )
        return [found[c] for c in wanted]

    # partners --------------------------------------------------------------------------------
    def partner(self, ref: str) -> Partner:
        """A partner by its country's name, alias or ISO code; an unknown one is refused with
        the partners' names nearest to ``ref``."""
        found = self.find_partner(ref)
        if found is None:
            raise NotAPartner(ref, did_you_mean(ref, self.partner_names()))
        return found

    def find_partner(self, ref: str) -> Partner | None:
        """The partner ``ref`` names (a name, alias or ISO code), None when it names none."""
        country = self.repo.resolve_country(ref)
        return self.repo.partner_by_country(country.iso3) if country else None

    def partner_names(self) -> list[str]:
        """Every partner's country name, alphabetical (the registry is public)."""
        partners, _ = self.partners(page=PageRequest(limit=1000))
        return sorted(p.country.name for p in partners)

    def create_partner(self, data: schemas.PartnerCreate) -> Partner:
        self.may_create("partner")
        country = self.country(data.country)
        if self.repo.partner_by_country(country.iso3) is not None:
            raise Duplicate(f"{country.name} is already a partner", field="country")
        _not_future("partner_since", data.partner_since)
        _not_future("mission_to_nato_since", data.mission_to_nato_since)
        partner = Partner(
            country_iso3=country.iso3,
            status=data.status,
            partner_since=data.partner_since,
            mission_to_nato_since=data.mission_to_nato_since,
            notes=data.notes,
            frameworks=self._frameworks(data.frameworks),
        )
        partner.country = country
        return self._added("partner", partner)

    def update_partner(self, ref: str, data: schemas.PartnerUpdate) -> Partner:
        partner = self.partner(ref)
        before, changes = self._changing("partner", partner, data)
        if "frameworks" in changes:
            partner.frameworks = self._frameworks(changes.pop("frameworks") or [])
        for key in ("partner_since", "mission_to_nato_since"):
            _not_future(key, changes.get(key))
        self._apply(partner, changes, {"status", "notes"})
        self.audit_write("partner:update", partner, before)
        return partner

    # security agreements ---------------------------------------------------------------------
    def agreement(self, agreement_id: int) -> SecurityAgreement:
        """One agreement the principal may read (hidden or missing: 404); the read is audited."""
        found = _found(self.repo.agreement(agreement_id), f"no security agreement {agreement_id}")
        self.audit_reads([found])
        return found

    def agreements(
        self, *, partner: str | None, in_force_on: dt.date | None, page: PageRequest
    ) -> tuple[list[SecurityAgreement], int]:
        partner_id = self.partner(partner).id if partner else None
        rows, total = self.repo.list_agreements(
            partner_id=partner_id, in_force_on=in_force_on, page=page
        )
        self.audit_reads(rows)
        return rows, total

    def agreements_of(self, partner: Partner) -> list[SecurityAgreement]:
        rows = list(self.repo.agreements_of(partner.id))
        self.audit_reads(rows)
        return rows

    def readable_agreements(self) -> Sequence[SecurityAgreement]:
        """Every agreement the principal may read, not audited: for a page's banner only."""
        return self.repo.all_agreements()

    def count_agreements(self, in_force_on: dt.date | None = None) -> int:
        """How many agreements the principal may read (in force on a day); none is read."""
        return self.repo.list_agreements(
            partner_id=None, in_force_on=in_force_on, page=PageRequest(limit=1)
        )[1]

    def released_partners(
        self, codes: Sequence[str]
    ) -> tuple[list[Partner], list[SecurityAgreement]]:
        """The partners a release list names (by code or group), and their agreements the
        principal may read (the reads audited)."""
        partners = list(self.repo.partners_released_to(codes))
        agreements = list(self.repo.agreements_of_partners([p.id for p in partners]))
        self.audit_reads(agreements)
        return partners, agreements

    @staticmethod
    def agreement_status(agreement: SecurityAgreement, day: dt.date) -> rules.AgreementStatus:
        return rules.agreement_status_on(_agreement_dates(agreement), day)

    def create_agreement(self, data: schemas.SecurityAgreementCreate) -> SecurityAgreement:
        self.may_create("security agreement")
        partner = self.partner(data.partner)
        values = data.model_dump(exclude={"partner", "marking"})
        self._check_agreement(values)
        marking = self.agreement_marking(partner, data.marking)
        if not can_read(self.principal, marking):
            raise InvalidInput(
                "you cannot mark a record above what you may read yourself", field="marking"
            )
        marking_id = self.markings.intern(marking)
        self._refuse_same_agreement(partner.id, data.title, marking_id)
        agreement = SecurityAgreement(partner_id=partner.id, marking_id=marking_id, **values)
        agreement.partner = partner
        return self._added("security_agreement", agreement, agreement.marking_id)

    def agreement_marking(self, partner: Partner, text: str | None) -> Marking:
        """The marking ``text`` says, or an agreement's default: NU releasable to the partner."""
        if text:
            return self.parse_marking(text)
        return Marking(Classification.NATO_UNCLASSIFIED, frozenset({partner.country_iso3}))

    def _refuse_same_agreement(
        self, partner_id: int, title: str, marking_id: int, other_than: int | None = None
    ) -> None:
        """One agreement per partner, title (``fold``) and marking: what an export writes
        and an import matches by. The writer may read the marking (checked before), so an
        agreement it would repeat is one it may read: the 409 reveals nothing hidden."""
        key = fold(title)
        for existing in self.repo.agreements_of(partner_id):
            if (
                existing.id != other_than
                and existing.marking_id == marking_id
                and fold(existing.title) == key
            ):
                raise Duplicate(
                    f"this partner has an agreement titled {existing.title!r} with this marking",
                    field="title",
                )

    def update_agreement(
        self, agreement_id: int, data: schemas.SecurityAgreementUpdate
    ) -> SecurityAgreement:
        agreement = self.agreement(agreement_id)
        before, changes = self._changing(
            "security agreement",
            agreement,
            data,
            self.markings.get(agreement.marking_id),
            lambda: NotFound(f"no security agreement {agreement_id}"),
        )
        merged = {
            k: getattr(agreement, k)
            for k in ("signed_on", "in_force_on", "attested_on", "terminated_on")
        }
        merged.update({k: v for k, v in changes.items() if k in merged})
        self._check_agreement(merged)
        if changes.get("title"):
            self._refuse_same_agreement(
                agreement.partner_id, changes["title"], agreement.marking_id, agreement.id
            )
        self._apply(agreement, changes, {"title", "max_level", "notes"})
        self.audit_write("security_agreement:update", agreement, before, agreement.marking_id)
        return agreement

    @staticmethod
    def _check_agreement(values: dict[str, Any]) -> None:
        for key in ("signed_on", "in_force_on", "attested_on", "terminated_on"):
            _not_future(key, values.get(key))
        problem = rules.check_agreement_dates(
            rules.AgreementDates(
                values.get("signed_on"),
                values.get("in_force_on"),
                values.get("attested_on"),
                values.get("terminated_on"),
            )
        )
        if problem:
            raise InvalidInput(problem)

    # offices ---------------------------------------------------------------------------------
    def office(self, office_id: int) -> Office:
        return _found(self.repo.office(office_id), f"no office {office_id}")

    def find_office(self, ref: str, *, field: str = "office") -> Office:
        """An office by its id, its name or its city ("11", "NATO Liaison Office Tokyo",
        "Tokyo"); an unknown name, or a city with several offices, is refused with the
        names to choose from."""
        text = ref.strip()
        if text.isdecimal():  # an id, never a name
            office_id = parse_id(text)
            found = self.repo.office(office_id) if office_id else None
            if found is None:
                raise NotFound(f"no office {text}", field=field)
            return found
        named = self.repo.office_by_name(text)
        if named is not None:
            return named
        offices = self.repo.all_offices()
        in_city = [o for o in offices if fold(o.city) == fold(text)]
        if len(in_city) == 1:
            return in_city[0]
        if in_city:
            names = ", ".join(o.name for o in in_city)
            raise InvalidInput(f"{len(in_city)} offices are in {text}: {names}", field=field)
        hint = did_you_mean(text, [o.name for o in offices] + [o.city for o in offices])
        raise NotFound(f"no office {text!r}{hint}", field=field)

    def create_office(self, data: schemas.OfficeCreate) -> Office:
        self.may_create("office")
        if self.repo.office_by_name(data.name) is not None:
            raise Duplicate(f"an office named {data.name!r} exists", field="name")
        host = self.country(data.host_country, field="host_country") if data.host_country else None
        values = data.model_dump(exclude={"host_country"})
        self.check_office(data.status, values)
        office = Office(host_country_iso3=host.iso3 if host else None, **values)
        office.host_country = host
        return self._added("office", office)

    def update_office(self, office_id: int, data: schemas.OfficeUpdate) -> Office:
        office = self.office(office_id)
        before, changes = self._changing("office", office, data)
        name = changes.get("name")
        if name and fold(name) != office.name_key and self.repo.office_by_name(name):
            raise Duplicate(f"an office named {name!r} exists", field="name")
        self._apply(office, changes, {"name", "city", "notes"})
        self.audit_write("office:update", office, before)
        return office

    def transition_office(self, office_id: int, data: schemas.OfficeTransition) -> Office:
        office = self.office(office_id)
        self._may_change("office")
        before = columns_of(office)
        problem = rules.check_office_transition(office.status, data.status)
        if problem:
            raise BadTransition(problem, field="status")
        _not_future("on", data.on)
        values = {field: getattr(office, field) for field in rules.OFFICE_STATUS_DATE.values()}
        if data.status is rules.OfficeStatus.PROPOSED:  # revived after being shelved
            values["shelved_on"] = None
        values[rules.OFFICE_STATUS_DATE[data.status]] = data.on
        self.check_office(data.status, values)
        for key, value in values.items():
            setattr(office, key, value)
        office.status = data.status
        self.audit_write("office:transition", office, before)
        return office

    @staticmethod
    def check_office(status: rules.OfficeStatus, values: dict[str, Any]) -> None:
        dates = rules.OfficeDates(**{f: values.get(f) for f in rules.OFFICE_STATUS_DATE.values()})
        for field in rules.OFFICE_STATUS_DATE.values():
            _not_future(field, values.get(field))
        problem = rules.check_office_consistency(status, dates)
        if problem:
            raise InvalidInput(problem)

    # contact-point mandates ------------------------------------------------------------------
    def mandate(self, mandate_id: int) -> ContactPointMandate:
        return _found(self.repo.mandate(mandate_id), f"no contact-point mandate {mandate_id}")

    def contact_points_on(self, partner_ref: str, day: dt.date) -> list[ContactPointMandate]:
        return self.mandates(partner=partner_ref, on=day, page=PageRequest(limit=100))[0]

    def create_mandate(self, data: schemas.MandateCreate) -> ContactPointMandate:
        self.may_create("contact-point mandate")
        partner = self.partner(data.partner)
        ally = self.ally(data.ally)
        self._check_mandate(partner, ally, data.start_on, data.end_on, excluding=None)
        mandate = ContactPointMandate(
            partner_id=partner.id,
            ally_id=ally.id,
            start_on=data.start_on,
            end_on=data.end_on,
            notes=data.notes,
        )
        mandate.partner, mandate.ally = partner, ally
        return self._added("contact_point_mandate", mandate)

    def update_mandate(self, mandate_id: int, data: schemas.MandateUpdate) -> ContactPointMandate:
        mandate = self.mandate(mandate_id)
        before, changes = self._changing("contact-point mandate", mandate, data)
        start = changes.get("start_on") or mandate.start_on
        end = changes.get("end_on", mandate.end_on)
        self._check_mandate(mandate.partner, mandate.ally, start, end, excluding=mandate.id)
        mandate.start_on, mandate.end_on = start, end
        if changes.get("notes") is not None:
            mandate.notes = changes["notes"]
        self.audit_write("contact_point_mandate:update", mandate, before)
        return mandate

    def _check_mandate(
        self,
        partner: Partner,
        ally: Ally,
        start: dt.date,
        end: dt.date | None,
        *,
        excluding: int | None,
    ) -> None:
        if ally.withdrawal_date is not None and start >= ally.withdrawal_date:
            raise InvalidInput(
                f"{ally.country.name} was no longer an ally on {start}", field="start_on"
            )
        others = self.repo.mandates_of_embassy(partner.id, ally.id, excluding=excluding)
        problem = rules.check_mandate(
            rules.Period(start, end), [rules.Period(m.start_on, m.end_on) for m in others]
        )
        if problem is None:
            return
        if problem.startswith("the mandate ends"):
            raise InvalidInput(problem, field="end_on")
        raise OverlappingMandate(
            f"{ally.country.name}'s embassy in {partner.country.name}: {problem}", field="start_on"
        )

    # import and export (``exchange``) -------------------------------------------------------
    def export_document(self) -> schemas.RegistryDocument:
        return RegistryExchange(self).export_document()

    def import_document(self, doc: schemas.RegistryDocument) -> ImportReport:
        return RegistryExchange(self).import_document(doc)

    def load_seed(self, name: str) -> ImportReport:
        return RegistryExchange(self).load_seed(name)


def _found(row: R | None, missing: str) -> R:
    """``row``, or ``NotFound(missing)`` when there is none (or the principal may not see it)."""
    if row is None:
        raise NotFound(missing)
    return row


def _agreement_dates(a: SecurityAgreement) -> rules.AgreementDates:
    return rules.AgreementDates(a.signed_on, a.in_force_on, a.attested_on, a.terminated_on)


def _identity(obj: Base) -> object:
    return getattr(obj, "id", None) or getattr(obj, "code", None) or getattr(obj, "iso3", "")
