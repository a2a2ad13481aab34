# SPDX-License-Identifier: Apache-2.0
"""Helpers for the sharing tests: STIX objects built here, Liaison markings as STIX, and
collections in a test's database."""

from __future__ import annotations

import uuid

from liaison.db.session import session_factory, unit_of_work
from liaison.registry.service import RegistryService
from liaison.security.markings import short
from liaison.security.principal import SYSTEM
from liaison.sharing import stix
from liaison.sharing.service import SharingService

TAXII = "application/taxii+json;version=2.1"
ROOT = "/taxii2/liaison"
KEY = b"test-cursor-key"


def taxii_headers(headers: dict[str, str], *, post: bool = False) -> dict[str, str]:
    out = {**headers, "Accept": TAXII}
    if post:
        out["Content-Type"] = TAXII
    return out


def indicator(
    n: int = 0,
    *,
    markings: list[str] | None = None,
    modified: str | None = None,
    ident: str | None = None,
) -> dict:
    obj = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": ident or f"indicator--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": modified or "2026-01-01T00:00:00.000Z",
        "name": f"Indicator {n}",
        "pattern": f"[ipv4-addr:value = '198.51.100.{n % 250}']",
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
    }
    if markings:
        obj["object_marking_refs"] = markings
    return obj


def relationship(source: str, target: str, *, markings: list[str] | None = None) -> dict:
    obj = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": f"relationship--{uuid.uuid4()}",
        "created": "2026-01-02T00:00:00.000Z",
        "modified": "2026-01-02T00:00:00.000Z",
        "relationship_type": "indicates",
        "source_ref": source,
        "target_ref": target,
    }
    if markings:
        obj["object_marking_refs"] = markings
    return obj


def marking_ref(session, text: str) -> tuple[str, dict]:
    """The Liaison marking-definition id and object for a marking written as text."""
    marking = RegistryService(session, SYSTEM).parse_marking(text)
    return stix.liaison_marking_id(marking), stix.liaison_marking_definition(
        marking, short(marking)
    )


def make_collection(
    engine,
    title="Cyber threat intelligence",
    *,
    alias="cti",
    readers=("all",),
    writers=("all",),
    default="NU",
) -> str:
    with unit_of_work(session_factory(engine)) as session:
        marking = RegistryService(session, SYSTEM).parse_marking(default)
        view = SharingService(session, SYSTEM, KEY).create_collection(
            title=title, alias=alias, readers=readers, writers=writers, default_marking=marking
        )
        return view.row.id
