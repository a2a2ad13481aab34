# SPDX-License-Identifier: Apache-2.0
"""Demo collections and objects for ``liaison init --demo``: a CTI collection open to every
user and written by allies and partners, and an allies-only collection, with indicators,
an intrusion set and relationships under different markings, so each demo account sees a
different graph (Korea: the PUBLIC and REL IP4 objects only)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.registry.service import RegistryService
from liaison.security.markings import short
from liaison.security.principal import SYSTEM
from liaison.sharing import stix
from liaison.sharing.models import TaxiiCollection
from liaison.sharing.service import SharingService

_NS = uuid.UUID("2f6c0c84-6d2e-4f0e-9d0a-7a3b1c5e9f21")
CREATED = "2026-11-01T09:00:00.000Z"

# (key, type, name, marking, extra properties)
OBJECTS: list[tuple[str, str, str, str, dict[str, object]]] = [
    ("apt", "intrusion-set", "Kimsuky (demo)", "PUBLIC", {}),
    (
        "phish",
        "indicator",
        "Spear-phishing sender domain",
        "NU // REL IP4",
        {"pattern": "[domain-name:value = 'mofa-update.example']"},
    ),
    (
        "c2",
        "indicator",
        "Command-and-control address",
        "NR // REL AUS, JPN",
        {"pattern": "[ipv4-addr:value = '203.0.113.45']"},
    ),
    ("implant", "malware", "Implant loader (allies only)", "NS // NTK cyber", {"is_family": False}),
]
RELATIONS = [("phish", "indicates", "apt"), ("c2", "indicates", "apt"), ("apt", "uses", "implant")]


def _id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(_NS, key)}"


def _object(
    kind: str, key: str, name: str, ref: str, extra: dict[str, object]
) -> dict[str, object]:
    obj: dict[str, object] = {
        "type": kind,
        "spec_version": "2.1",
        "id": _id(kind, key),
        "created": CREATED,
        "modified": CREATED,
        "name": name,
        "object_marking_refs": [ref],
        **extra,
    }
    if kind == "indicator":
        obj.update({"pattern_type": "stix", "valid_from": "2026-11-01T00:00:00Z"})
    return obj


def create_demo_sharing(session: Session) -> int:
    """Create the demo collections and objects (idempotent); return how many objects."""
    if session.scalar(select(TaxiiCollection.id).where(TaxiiCollection.alias == "cti")):
        return 0
    registry = RegistryService(session, SYSTEM)
    service = SharingService(session, SYSTEM, b"demo")
    cti = service.create_collection(
        title="Cyber threat intelligence",
        alias="cti",
        description="Indicators and threat actors shared with Indo-Pacific partners.",
        readers=["all"],
        writers=["ally", "partner"],
        default_marking=registry.parse_marking("NU // REL IP4"),
    )
    service.create_collection(
        title="Allied cyber defence",
        alias="allied-cyber",
        description="Allies only.",
        readers=["ally"],
        writers=["ally"],
        default_marking=registry.parse_marking("NR"),
    )
    objects: list[dict[str, object]] = []
    kinds: dict[str, str] = {}
    for key, kind, name, text, extra in OBJECTS:
        marking = registry.parse_marking(text)
        objects.append(stix.liaison_marking_definition(marking, short(marking)))
        objects.append(_object(kind, key, name, stix.liaison_marking_id(marking), extra))
        kinds[key] = kind
    public = stix.liaison_marking_id(registry.parse_marking("PUBLIC"))
    for source, verb, target in RELATIONS:
        objects.append(
            {
                "type": "relationship",
                "spec_version": "2.1",
                "id": _id("relationship", f"{source}-{verb}-{target}"),
                "created": CREATED,
                "modified": CREATED,
                "relationship_type": verb,
                "source_ref": _id(kinds[source], source),
                "target_ref": _id(kinds[target], target),
                "object_marking_refs": [public],
            }
        )
    unique = list({str(o["id"]): o for o in objects}.values())
    service.post(cti.row.id, unique)
    return len(unique)
