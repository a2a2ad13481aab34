# SPDX-License-Identifier: Apache-2.0
"""Registry documents to and from JSON and CSV (one CSV per entity; lists joined with ';').

Parsing never touches the database: a document is read and validated whole, then imported in
one unit of work, so a bad row leaves nothing behind.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from liaison.errors import InvalidInput
from liaison.registry.schemas import (
    AllyCreate,
    FrameworkCreate,
    MandateCreate,
    OfficeCreate,
    PartnerCreate,
    RegistryDocument,
    SecurityAgreementCreate,
)

ENTITIES: Final[dict[str, type[BaseModel]]] = {
    "allies": AllyCreate,
    "frameworks": FrameworkCreate,
    "partners": PartnerCreate,
    "security_agreements": SecurityAgreementCreate,
    "offices": OfficeCreate,
    "contact_point_mandates": MandateCreate,
}
LIST_FIELDS: Final = {"frameworks"}


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
