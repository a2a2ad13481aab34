# SPDX-License-Identifier: Apache-2.0
"""The identity vocabulary as people type it: clearances, roles, caveats, organisation kinds,
token scopes and community codes, read leniently (any case; ``NS`` for NATO SECRET;
``partner-mission`` for ``partner_mission``) and refused with a message that lists the allowed
values. Every surface (CLI, forms, API) parses through here, so the messages agree.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from typing import TypeVar

from liaison.identity.errors import InvalidIdentity
from liaison.security.authn import SCOPES
from liaison.security.classification import Classification
from liaison.security.markings import Caveat
from liaison.security.models import OrganisationKind
from liaison.security.permissions import Role

_COMMUNITY = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
E = TypeVar("E", bound=enum.StrEnum)
ORGANISATION_KINDS = [k.value for k in OrganisationKind]


def one_of(values: Iterable[str]) -> str:
    """``"a, b or c"``."""
    items = list(values)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def parse_clearance(text: str) -> Classification:
    key = " ".join(text.replace("_", " ").upper().split())
    for level in Classification:
        if key in {level.value, level.abbreviation}:
            return level
    allowed = one_of(f"{c.value} ({c.abbreviation})" for c in Classification if c.rank)
    raise InvalidIdentity(f"unknown clearance {text!r}; use PUBLIC, {allowed}", field="clearance")


def _member(kind: type[E], text: str, key: str, field: str) -> E:
    try:
        return kind(key)
    except ValueError:
        allowed = one_of(m.value for m in kind)
        raise InvalidIdentity(f"unknown {field} {text!r}; use {allowed}", field=field) from None


def parse_roles(values: Iterable[str]) -> set[Role]:
    return {_member(Role, v, v.strip().lower(), "role") for v in values}


def parse_caveats(values: Iterable[str]) -> set[Caveat]:
    return {_member(Caveat, v, v.strip().upper(), "caveat") for v in values}


def parse_kind(text: str) -> OrganisationKind:
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    return _member(OrganisationKind, text, key, "kind")


def parse_scopes(values: Iterable[str]) -> set[str]:
    scopes = {v.strip().lower() for v in values}
    unknown = sorted(scopes - SCOPES)
    if unknown:
        raise InvalidIdentity(
            f"unknown scope {', '.join(map(repr, unknown))}; use {one_of(sorted(SCOPES))}",
            field="scopes",
        )
    return scopes


def parse_communities(values: Iterable[str]) -> set[str]:
    codes = {v.strip().lower() for v in values}
    for code in sorted(codes):
        if not _COMMUNITY.fullmatch(code):
            raise InvalidIdentity(
                f"bad community code {code!r}; use lower-case letters, digits and '-' "
                "(at most 64 characters)",
                field="communities",
            )
    return codes
