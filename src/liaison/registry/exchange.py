# SPDX-License-Identifier: Apache-2.0
"""The registry as one document (``RegistryDocument``): to and from JSON and CSV (one CSV per
entity; lists joined with ';'), exported from the database, merged into it by natural key
(all or nothing), and the shipped data files (``data/*.json``) loaded.

Parsing never touches the database: a document is read and validated whole, then imported in
one unit of work, so a bad row leaves nothing behind. Merging goes through the service's own
use cases, so each entry is checked and audited as if it had been entered by hand.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, Final, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from liaison.audit.reads import record_reads
from liaison.db.base import columns_of
from liaison.errors import InvalidInput, LiaisonError
from liaison.kit.text import fold
from liaison.registry.errors import Duplicate
from liaison.registry.models import (
    ContactPointMandate,
    Framework,
    Office,
    Partner,
    SecurityAgreement,
)
from liaison.registry.repository import normalise_alias
from liaison.registry.schemas import (
    AllyCreate,
    AllyUpdate,
    FrameworkCreate,
    MandateCreate,
    MandateUpdate,
    OfficeCreate,
    PartnerCreate,
    PartnerUpdate,
    RegistryDocument,
    SecurityAgreementCreate,
    SecurityAgreementUpdate,
)

if TYPE_CHECKING:
    from liaison.registry.service import RegistryService

ENTITIES: Final[dict[str, type[BaseModel]]] = {
    "allies": AllyCreate,
    "frameworks": FrameworkCreate,
    "partners": PartnerCreate,
    "security_agreements": SecurityAgreementCreate,
    "offices": OfficeCreate,
    "contact_point_mandates": MandateCreate,
}
LIST_FIELDS: Final = {"frameworks"}
E = TypeVar("E", bound=BaseModel)


def _explain(exc: ValidationError, where: str) -> InvalidInput:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
    return InvalidInput(f"{where}{loc}: {first['msg']}{more}")


def parse_json(text: str) -> RegistryDocument:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    if not isinstance(raw, dict):
        raise InvalidInput("a registry document is a JSON object with lists such as 'allies'")
    try:
        return RegistryDocument.model_validate(raw)
    except ValidationError as exc:
        raise _explain(exc, "") from exc


def dump_json(doc: RegistryDocument) -> str:
    return doc.model_dump_json(indent=1) + "\n"


def entity_of(name: str) -> str:
    key = name.strip().lower().replace("-", "_")
    if key not in ENTITIES:
        raise InvalidInput(f"unknown entity {name!r}; one of: {', '.join(ENTITIES)}")
    return key


def parse_csv(text: str, entity: str) -> RegistryDocument:
    entity = entity_of(entity)
    schema = ENTITIES[entity]
    reader = csv.DictReader(io.StringIO(text))
    fields = set(schema.model_fields)
    header = reader.fieldnames or []
    unknown = [h for h in header if h not in fields]
    if not header or unknown:
        problem = "is missing" if not header else "has unknown columns " + ", ".join(unknown)
        columns = ", ".join(schema.model_fields)
        raise InvalidInput(f"CSV header {problem}; columns for {entity}: {columns}")
    rows: list[BaseModel] = []
    for number, row in enumerate(reader, start=2):
        if None in row:
            raise InvalidInput(f"line {number}: more values than columns")
        values: dict[str, Any] = {k: (v if v != "" else None) for k, v in row.items()}
        for key in LIST_FIELDS & values.keys():
            values[key] = [p.strip() for p in (values[key] or "").split(";") if p.strip()]
        values = {k: v for k, v in values.items() if v is not None}
        try:
            rows.append(schema.model_validate(values))
        except ValidationError as exc:
            raise _explain(exc, f"line {number}: ") from exc
    return RegistryDocument.model_validate({entity: [r.model_dump() for r in rows]})


def dump_csv(doc: RegistryDocument, entity: str) -> str:
    entity = entity_of(entity)
    schema = ENTITIES[entity]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(schema.model_fields), lineterminator="\n")
    writer.writeheader()
    for item in getattr(doc, entity):
        row = item.model_dump(mode="json")
        for key in LIST_FIELDS & row.keys():
            row[key] = ";".join(row[key])
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


DATA = resources.files("liaison.registry") / "data"
READ = "registry:security_agreement:read"  # an audited read of an agreement


def country_aliases() -> dict[str, str]:
    """The names people give countries beyond ISO's (``data/aliases.json``): name to ISO3."""
    aliases: dict[str, str] = json.loads((DATA / "aliases.json").read_text(encoding="utf-8"))[
        "aliases"
    ]
    return aliases


@dataclass(frozen=True, slots=True)
class ImportReport:
    created: dict[str, int]
    updated: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


class RegistryExchange:
    """Import and export for one service (its session, principal and use cases)."""

    def __init__(self, service: RegistryService) -> None:
        self.service = service
        self.session = service.session
        self.repo = service.repo

    def export_document(self) -> RegistryDocument:
        return RegistryDocument(
            description="Exported from Liaison",
            allies=[_entry(AllyCreate, a, country=a.country_iso3) for a in self.repo.all_allies()],
            frameworks=[_entry(FrameworkCreate, f) for f in self.repo.frameworks()],
            partners=[_partner_in(p) for p in self._all(Partner)],
            security_agreements=[
                _agreement_in(a, self.service.marking_text(a.marking_id))
                for a in self._exported_agreements()
            ],
            offices=[_office_in(o) for o in self._all(Office)],
            contact_point_mandates=[_mandate_in(m) for m in self._all(ContactPointMandate)],
        )

    def _exported_agreements(self) -> list[SecurityAgreement]:
        rows = list(self.repo.all_agreements())
        record_reads(self.session, self.service.principal, READ, rows)
        return rows

    def _all(self, model: type[Any]) -> list[Any]:
        return list(self.session.scalars(select(model).order_by(model.id)).all())

    def import_document(self, doc: RegistryDocument) -> ImportReport:
        """Merge ``doc`` into the registry by natural key; all or nothing (the caller's unit of
        work rolls back on the first error, which names the entry at fault)."""
        self.service.may_create("registry import")
        created: dict[str, int] = {}
        updated: dict[str, int] = {}
        steps: list[tuple[str, list[Any], Callable[[Any], bool]]] = [
            ("frameworks", doc.frameworks, self._merge_framework),
            ("allies", doc.allies, self._merge_ally),
            ("partners", doc.partners, self._merge_partner),
            ("security_agreements", doc.security_agreements, self._merge_agreement),
            ("offices", doc.offices, self._merge_office),
            ("contact_point_mandates", doc.contact_point_mandates, self._merge_mandate),
        ]
        for name, items, merge in steps:
            _reject_duplicates(name, items, self._natural_key)
            for index, item in enumerate(items):
                try:
                    was_created = merge(item)
                    # Flush each entry so a database constraint names the entry at fault.
                    self.session.flush()
                except LiaisonError as exc:
                    exc.message = f"{name}[{index}]: {exc.message}"
                    raise
                bucket = created if was_created else updated
                bucket[name] = bucket.get(name, 0) + 1
        return ImportReport(created, updated)

    def _merge_framework(self, item: FrameworkCreate) -> bool:
        existing = self.session.get(Framework, item.code)
        if existing is None:
            self.service.create_framework(item)
            return True
        before = columns_of(existing)
        for key, value in item.model_dump(exclude={"code"}).items():
            setattr(existing, key, value)
        self.service.audit_write("framework:update", existing, before)
        return False

    def _merge_ally(self, item: AllyCreate) -> bool:
        return self._merge_nation(
            item, self.repo.ally_by_country, self.service.create_ally, self.service.update_ally
        )

    def _merge_partner(self, item: PartnerCreate) -> bool:
        return self._merge_nation(
            item,
            self.repo.partner_by_country,
            self.service.create_partner,
            self.service.update_partner,
        )

    def _merge_nation(
        self,
        item: AllyCreate | PartnerCreate,
        find: Callable[[str], object | None],
        create: Callable[[Any], object],
        update: Callable[[str, Any], object],
    ) -> bool:
        """An ally or a partner, matched by its country: created, or updated with the entry's
        fields (its update schema's: all but the country)."""
        iso3 = self.service.country(item.country).iso3
        if find(iso3) is None:
            create(item)
            return True
        changes = AllyUpdate if isinstance(item, AllyCreate) else PartnerUpdate
        update(iso3, changes(**item.model_dump(exclude={"country"})))
        return False

    def _merge_agreement(self, item: SecurityAgreementCreate) -> bool:
        partner = self.service.partner(item.partner)
        marking_id = self.service.markings.intern(
            self.service.agreement_marking(partner, item.marking)
        )
        key = fold(item.title)
        existing = next(
            (
                a
                for a in self.repo.agreements_of(partner.id)
                if fold(a.title) == key and a.marking_id == marking_id
            ),
            None,
        )
        if existing is None:
            self.service.create_agreement(item)
            return True
        self.service.update_agreement(
            existing.id,
            SecurityAgreementUpdate(**item.model_dump(exclude={"partner", "kind", "marking"})),
        )
        existing.kind = item.kind
        return False

    def _merge_office(self, item: OfficeCreate) -> bool:
        existing = self.repo.office_by_name(item.name)
        if existing is None:
            self.service.create_office(item)
            return True
        host = (
            self.service.country(item.host_country, field="host_country")
            if item.host_country
            else None
        )
        values = item.model_dump(exclude={"host_country", "name"})
        self.service.check_office(item.status, values)
        for key, value in values.items():
            setattr(existing, key, value)
        before = columns_of(existing)
        existing.host_country_iso3 = host.iso3 if host else None
        existing.host_country = host
        self.service.audit_write("office:update", existing, before)
        return False

    def _merge_mandate(self, item: MandateCreate) -> bool:
        partner, ally = self.service.partner(item.partner), self.service.ally(item.ally)
        existing = next(
            (
                m
                for m in self.repo.mandates_of_embassy(partner.id, ally.id)
                if m.start_on == item.start_on
            ),
            None,
        )
        if existing is None:
            self.service.create_mandate(item)
            return True
        self.service.update_mandate(
            existing.id, MandateUpdate(end_on=item.end_on, notes=item.notes)
        )
        return False

    def _natural_key(self, item: Any) -> str:  # noqa: ANN401 - any RegistryDocument entry
        """What an entry is matched by: an agreement by partner, title and marking (two may
        share a title under different markings: the API accepts that, so imports take it)."""
        if isinstance(item, SecurityAgreementCreate):
            marking = self.service.agreement_marking(
                self.service.partner(item.partner), item.marking
            )
            return f"{normalise_alias(item.partner)} / {fold(item.title)} / {marking.key}"
        return _natural_key(item)

    def load_seed(self, name: str) -> ImportReport:
        """Load a shipped data file (``reference`` or ``partnerships``)."""
        raw = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
        return self.import_document(RegistryDocument.model_validate(raw))


def _reject_duplicates(name: str, items: list[Any], natural_key: Callable[[Any], str]) -> None:
    keys: dict[str, int] = {}
    for index, item in enumerate(items):
        try:
            key = natural_key(item)
        except LiaisonError as exc:
            exc.message = f"{name}[{index}]: {exc.message}"
            raise
        if key in keys:
            raise Duplicate(f"{name}[{index}] repeats {name}[{keys[key]}] ({key})")
        keys[key] = index


def _natural_key(item: Any) -> str:  # noqa: ANN401 - any RegistryDocument entry
    if isinstance(item, FrameworkCreate):
        return item.code
    if isinstance(item, AllyCreate | PartnerCreate):
        return normalise_alias(item.country)
    if isinstance(item, OfficeCreate):
        return fold(item.name)
    assert isinstance(item, MandateCreate)  # noqa: S101 - the document's last list
    return f"{normalise_alias(item.partner)} / {normalise_alias(item.ally)} / {item.start_on}"


def _entry(schema: type[E], row: object, **given: object) -> E:
    """``row`` as a document entry: each of ``schema``'s fields read from the row's attribute
    of that name, but those ``given`` (a code where the row holds a related object)."""
    values = {k: getattr(row, k) for k in schema.model_fields if k not in given}
    return schema.model_validate({**values, **given})


def _partner_in(p: Partner) -> PartnerCreate:
    return _entry(
        PartnerCreate, p, country=p.country_iso3, frameworks=[f.code for f in p.frameworks]
    )


def _agreement_in(a: SecurityAgreement, marking: str) -> SecurityAgreementCreate:
    return _entry(SecurityAgreementCreate, a, marking=marking, partner=a.partner.country_iso3)


def _office_in(o: Office) -> OfficeCreate:
    return _entry(OfficeCreate, o, host_country=o.host_country_iso3)


def _mandate_in(m: ContactPointMandate) -> MandateCreate:
    return _entry(MandateCreate, m, partner=m.partner.country_iso3, ally=m.ally.country_iso3)
