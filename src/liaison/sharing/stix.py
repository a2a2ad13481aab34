# SPDX-License-Identifier: Apache-2.0
"""Pure STIX 2.1 rules (no database, no web): validation at the edge, versions, references,
TLP 2.0, and Liaison's classification marking as a STIX extension.

Validation is hand-written for speed (no per-object model is built): the common properties
(``type``, ``id``, ``spec_version``, timestamps, references, property names) and the required
properties of every STIX 2.1 domain and relationship object. ``tests/sharing`` checks it
against ``stix2-validator``: what it accepts, the validator accepts.

Liaison's marking (classification, releasability, caveats, need-to-know) travels as a
marking-definition carrying the property extension ``LIAISON_EXTENSION_ID``, beside TLP 2.0 in
``object_marking_refs``. Its id is derived from the marking's canonical key (UUIDv5), so the
same marking has the same id on every Liaison and a definition cannot name another marking.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from liaison.security.classification import Classification
from liaison.security.markings import (
    Caveat,
    Marking,
    MarkingError,
    Tlp,
    no_groups,
    page_marking,
)

C = Classification
SPEC_VERSION = "2.1"

# TLP 2.0 (https://github.com/oasis-open/cti-stix-common-objects, tlp-2.0).
TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_IDS: dict[Tlp, str] = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# TLP 1.0 (STIX 2.1 §7.2.1.4), read as their TLP 2.0 equivalents.
TLP1_IDS: dict[str, Tlp] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": Tlp.CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": Tlp.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": Tlp.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": Tlp.RED,
}
TLP_BY_ID: dict[str, Tlp] = {**{v: k for k, v in TLP2_IDS.items()}, **TLP1_IDS}
_TLP2_NAMES = {
    Tlp.CLEAR: "TLP:CLEAR",
    Tlp.GREEN: "TLP:GREEN",
    Tlp.AMBER: "TLP:AMBER",
    Tlp.AMBER_STRICT: "TLP:AMBER+STRICT",
    Tlp.RED: "TLP:RED",
}

LIAISON_EXTENSION_ID = "extension-definition--3d7f1a52-5b0e-4c8e-9a43-2f1c6e0b9d11"
LIAISON_IDENTITY_ID = "identity--8f5d3c2a-1e4b-4f6a-9c7d-0b2e4a6c8e10"
_MARKING_NAMESPACE = uuid.UUID("6c1e4b0a-8d2f-4e7a-b3c5-9a1d0f2e4b6c")
_EPOCH_CREATED = "2026-01-01T00:00:00.000Z"

# Domain and relationship objects: the properties each must carry (STIX 2.1 §4-§5).
REQUIRED: dict[str, tuple[str, ...]] = {
    "attack-pattern": ("name",),
    "campaign": ("name",),
    "course-of-action": ("name",),
    "grouping": ("context", "object_refs"),
    "identity": ("name",),
    "incident": ("name",),
    "indicator": ("pattern", "pattern_type", "valid_from"),
    "infrastructure": ("name",),
    "intrusion-set": ("name",),
    "location": (),
    "malware": ("is_family",),
    "malware-analysis": ("product",),
    "note": ("content", "object_refs"),
    "observed-data": ("first_observed", "last_observed", "number_observed"),
    "opinion": ("opinion", "object_refs"),
    "report": ("name", "published", "object_refs"),
    "threat-actor": ("name",),
    "tool": ("name",),
    "vulnerability": ("name",),
    "relationship": ("relationship_type", "source_ref", "target_ref"),
    "sighting": ("sighting_of_ref",),
}
SCO_TYPES = frozenset(
    {
        "artifact",
        "autonomous-system",
        "directory",
        "domain-name",
        "email-addr",
        "email-message",
        "file",
        "ipv4-addr",
        "ipv6-addr",
        "mac-addr",
        "mutex",
        "network-traffic",
        "process",
        "software",
        "url",
        "user-account",
        "windows-registry-key",
        "x509-certificate",
    }
)
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# \Z, not $: "$" also matches before a final newline, which would let "indicator--…\n" in.
_TYPE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_ID = re.compile(rf"^([a-z0-9]+(?:-[a-z0-9]+)*)--({_UUID})\Z")
_PROPERTY = re.compile(r"^[a-z0-9_]{3,250}\Z")
_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z\Z")
_TIMESTAMPS = ("created", "modified", "valid_from", "valid_until", "published", "first_seen")
# References that reveal the object they name; markings and authorship are not among them.
_NOT_REVEALING = frozenset({"object_marking_refs", "created_by_ref"})
MAX_CONFIDENCE = 100
MAX_DEPTH = 254  # nesting of an object's JSON: what orjson serialises, so what can be stored
TOO_DEEP = f"the object nests deeper than {MAX_DEPTH} levels"
_MILLISECONDS = ("created", "modified")  # STIX 2.1 §3.2: precise to the millisecond


class StixInvalid(ValueError):
    """One object breaks STIX 2.1; the message says which rule."""


@functools.lru_cache(maxsize=65_536)  # objects of one feed share most of their timestamps
def canonical_timestamp(value: str) -> str:
    """A STIX timestamp as stored and compared: nine fraction digits, ``Z``."""
    m = _TIMESTAMP.match(value)
    if m is None:
        msg = f"{value!r} is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s+]Z)"
        raise StixInvalid(msg)
    try:
        dt.datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}")
    except ValueError:
        msg = f"{value!r} is not a valid date and time"
        raise StixInvalid(msg) from None
    return f"{m.group(1)}T{m.group(2)}.{(m.group(3) or '').ljust(9, '0')}Z"


def display_timestamp(canonical: str) -> str:
    """A stored timestamp as served: milliseconds, or more digits when they are not zero."""
    head, fraction = canonical[:19], canonical[20:29]
    digits = fraction.rstrip("0")
    return f"{head}.{digits.ljust(3, '0')}Z"


def just_before(value: str) -> str:
    """The server timestamp one microsecond before ``value``: resuming a pull with
    ``added_after`` at it reads again every object added at ``value`` (an envelope shares
    one ``date_added``), which storing skips as already stored."""
    return format_datetime(parse_datetime(value) - dt.timedelta(microseconds=1))


def format_datetime(value: dt.datetime) -> str:
    """A server timestamp (``date_added``) in STIX form, microseconds."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_datetime(value: str) -> dt.datetime:
    """A client timestamp (``added_after``) as an aware datetime; nanoseconds are truncated."""
    canonical = canonical_timestamp(value)
    return dt.datetime.fromisoformat(canonical[:26]).replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Checked:
    """A valid object and the columns it is stored under."""

    stix_id: str
    type: str
    version: str  # canonical; "" for an object that has no version of its own (an SCO)
    refs: frozenset[str]
    marking_refs: tuple[str, ...]


_GOOD_REFS: set[str] = set()  # references seen valid: an envelope names its markings 10^4 times
_GOOD_REFS_MAX = 10_000  # then the set starts again (unique refs must not crowd out markings)


def _check_id(value: object, where: str) -> str:
    if not isinstance(value, str) or _ID.match(value) is None:
        msg = f"{where} must be an identifier 'type--UUID', not {value!r}"
        raise StixInvalid(msg)
    return value


def _check_ref(value: object, where: str) -> str:
    if type(value) is str and value in _GOOD_REFS:
        return value
    ref = _check_id(value, where)
    if len(_GOOD_REFS) >= _GOOD_REFS_MAX:
        _GOOD_REFS.clear()
    _GOOD_REFS.add(ref)
    return ref


def _check_refs(obj: Mapping[str, Any]) -> frozenset[str]:
    refs: set[str] = set()
    for key, value in obj.items():
        if key[-1:] not in ("f", "s"):  # not *_ref nor *_refs, custom or not: most properties
            continue
        if key.startswith("x_"):  # a custom property: its own schema; a valid id still counts
            values = value if isinstance(value, list) else [value]
            if key.endswith(("_ref", "_refs")):
                refs.update(v for v in values if isinstance(v, str) and _ID.match(v))
            continue
        if key.endswith("_ref"):
            ref = _check_ref(value, key)
            if key not in _NOT_REVEALING:
                refs.add(ref)
        elif key.endswith("_refs"):
            if not isinstance(value, list) or not value:
                msg = f"{key} must be a non-empty list of identifiers"
                raise StixInvalid(msg)
            for item in value:
                ref = _check_ref(item, key)
                if key not in _NOT_REVEALING:
                    refs.add(ref)
    return frozenset(refs)


_GOOD_NAMES: set[str] = {"id"}  # property names already seen valid (an envelope repeats them)
_GOOD_NAMES_MAX = 10_000


def _check_names_and_values(obj: Mapping[str, Any]) -> None:
    for key, value in obj.items():
        if key not in _GOOD_NAMES:
            if _PROPERTY.match(key) is None:
                msg = f"property name {key!r} must be 3-250 characters of a-z, 0-9 and _"
                raise StixInvalid(msg)
            if len(_GOOD_NAMES) < _GOOD_NAMES_MAX:
                _GOOD_NAMES.add(key)
        if value is None:
            msg = f"{key} is null; leave a property out instead"
            raise StixInvalid(msg)
        if isinstance(value, list) and not value:
            msg = f"{key} is an empty list; leave the property out instead"
            raise StixInvalid(msg)


_LISTS = ("labels", "external_references", "granular_markings")
_BOOLEANS = ("revoked", "is_family")


def _check_types(obj: Mapping[str, Any]) -> None:
    for key in _TIMESTAMPS:
        if key in obj:
            if not isinstance(obj[key], str):
                msg = f"{key} must be a timestamp string"
                raise StixInvalid(msg)
            canonical_timestamp(obj[key])
    if "extensions" in obj and not isinstance(obj["extensions"], dict):
        msg = "extensions must be an object"
        raise StixInvalid(msg)
    for key in _LISTS:
        if key in obj and not isinstance(obj[key], list):
            msg = f"{key} must be a list"
            raise StixInvalid(msg)
    for key in _BOOLEANS:
        if key in obj and not isinstance(obj[key], bool):
            msg = f"{key} must be true or false"
            raise StixInvalid(msg)
    confidence = obj.get("confidence", 0)
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int)
        or not 0 <= confidence <= MAX_CONFIDENCE
    ):
        msg = "confidence must be an integer from 0 to 100"
        raise StixInvalid(msg)


def _check_required(obj: Mapping[str, Any], kind: str) -> None:
    for required in REQUIRED.get(kind, ()):
        if required not in obj:
            msg = f"a {kind} needs the property {required}"
            raise StixInvalid(msg)
    if kind == "malware" and obj.get("is_family") is True and "name" not in obj:
        msg = "a malware family needs a name"
        raise StixInvalid(msg)
    if kind == "location" and not (
        "region" in obj or "country" in obj or ("latitude" in obj and "longitude" in obj)
    ):
        msg = "a location needs a region, a country, or a latitude and a longitude"
        raise StixInvalid(msg)


def _check_spec_version(obj: Mapping[str, Any], kind: str) -> None:
    spec = obj.get("spec_version")
    if spec is None and kind not in SCO_TYPES:
        msg = "spec_version is required and must be '2.1'"
        raise StixInvalid(msg)
    if spec is not None and spec != SPEC_VERSION:
        msg = f"spec_version {spec!r} is not served here; only STIX 2.1"
        raise StixInvalid(msg)


def _version_of(obj: Mapping[str, Any], kind: str) -> str:
    """The canonical version: ``modified``; ``created`` for a marking-definition; "" for an
    SCO (which has neither)."""
    if kind == "marking-definition":
        if "created" not in obj:
            msg = "a marking-definition needs created"
            raise StixInvalid(msg)
        if "definition_type" not in obj and "extensions" not in obj:
            msg = "a marking-definition needs a definition_type or an extension"
            raise StixInvalid(msg)
        return canonical_timestamp(obj["created"])
    if kind in SCO_TYPES:
        return ""
    for key in ("created", "modified"):
        if key not in obj:
            msg = f"a {kind} needs the property {key}"
            raise StixInvalid(msg)
    created = canonical_timestamp(obj["created"])
    version = canonical_timestamp(obj["modified"])
    if version < created:
        msg = "modified is earlier than created"
        raise StixInvalid(msg)
    return version


def normalised(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with ``created`` and ``modified`` given to the millisecond at least (STIX 2.1
    §3.2: ``2026-01-01T00:00:00Z`` is served as ``2026-01-01T00:00:00.000Z``), so that what
    is served validates; the same object when nothing changes. Call after ``check_object``."""
    changed: dict[str, str] = {}
    for key in _MILLISECONDS:
        value = obj.get(key)
        if isinstance(value, str):
            m = _TIMESTAMP.match(value)
            if m is not None and len(m.group(3) or "") < 3:  # noqa: PLR2004 - milliseconds
                changed[key] = f"{m.group(1)}T{m.group(2)}.{(m.group(3) or '').ljust(3, '0')}Z"
    return {**obj, **changed} if changed else obj


def check_object(obj: object) -> Checked:
    """Validate one object; raise ``StixInvalid`` saying which rule it breaks."""
    if not isinstance(obj, dict):
        msg = "an object must be a JSON object"
        raise StixInvalid(msg)
    kind = obj.get("type")
    if not isinstance(kind, str) or not 3 <= len(kind) <= 250 or _TYPE.match(kind) is None:  # noqa: PLR2004
        msg = f"type {kind!r} must be 3-250 characters of a-z, 0-9 and single hyphens"
        raise StixInvalid(msg)
    if kind == "bundle":
        msg = "a bundle cannot be stored as an object; post its objects in an envelope"
        raise StixInvalid(msg)
    stix_id = _check_id(obj.get("id"), "id")
    if stix_id.split("--", 1)[0] != kind:
        msg = f"the id {stix_id!r} does not start with its type {kind!r}"
        raise StixInvalid(msg)
    _check_spec_version(obj, kind)
    _check_names_and_values(obj)
    _check_types(obj)
    _check_required(obj, kind)
    version = _version_of(obj, kind)
    refs = _check_refs(obj)
    marking_refs = tuple(obj.get("object_marking_refs", ()))
    for ref in marking_refs:
        if not ref.startswith("marking-definition--"):
            msg = f"object_marking_refs names {ref!r}, which is not a marking-definition"
            raise StixInvalid(msg)
    return Checked(stix_id, kind, version, refs, marking_refs)


# markings --------------------------------------------------------------------------------------
def liaison_marking_id(marking: Marking) -> str:
    """The deterministic marking-definition id of a Liaison marking (without its TLP)."""
    key = Marking(marking.level, marking.releasable_to, marking.caveats, marking.communities).key
    return f"marking-definition--{uuid.uuid5(_MARKING_NAMESPACE, key)}"


def liaison_marking_definition(marking: Marking, short: str) -> dict[str, Any]:
    """The marking-definition object that carries ``marking`` (TLP travels on its own)."""
    extension: dict[str, Any] = {
        "extension_type": "property-extension",
        "classification": marking.level.value,
    }
    lists = {
        "releasable_to": sorted(marking.releasable_to),
        "caveats": sorted(c.value for c in marking.caveats),
        "need_to_know": sorted(marking.communities),
    }
    extension.update({k: v for k, v in lists.items() if v})  # STIX allows no empty list
    return {
        "type": "marking-definition",
        "spec_version": SPEC_VERSION,
        "id": liaison_marking_id(marking),
        "created": _EPOCH_CREATED,
        "name": short,
        "extensions": {LIAISON_EXTENSION_ID: extension},
    }


def tlp_marking_definition(tlp: Tlp) -> dict[str, Any]:
    """The OASIS TLP 2.0 marking-definition object for ``tlp``."""
    return {
        "type": "marking-definition",
        "spec_version": SPEC_VERSION,
        "id": TLP2_IDS[tlp],
        "created": "2022-10-01T00:00:00.000Z",
        "name": _TLP2_NAMES[tlp],
        "extensions": {
            TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": tlp.value}
        },
    }


def liaison_extension_definition() -> dict[str, Any]:
    """The extension-definition object that describes Liaison's marking extension."""
    return {
        "type": "extension-definition",
        "spec_version": SPEC_VERSION,
        "id": LIAISON_EXTENSION_ID,
        "created_by_ref": LIAISON_IDENTITY_ID,
        "created": _EPOCH_CREATED,
        "modified": _EPOCH_CREATED,
        "name": "Liaison classification and releasability",
        "description": "A NATO classification, its releasability to partner nations and groups "
        "(ISO 3166 alpha-3 and framework codes), caveats and need-to-know communities.",
        "schema": "https://liaison.example.org/stix/liaison-marking.json",
        "version": "1.0.0",
        "extension_types": ["property-extension"],
    }


def marking_from_definition(obj: Mapping[str, Any], known_code: Callable[[str], bool]) -> Marking:
    """The Liaison marking a marking-definition with our extension carries; its id must be the
    one derived from that marking (``liaison_marking_id``)."""
    ext = obj.get("extensions", {}).get(LIAISON_EXTENSION_ID)
    if not isinstance(ext, dict):
        msg = "not a Liaison marking-definition"
        raise StixInvalid(msg)
    try:
        level = Classification(str(ext.get("classification")))
        release = frozenset(ext.get("releasable_to", []))
        caveats = frozenset(Caveat(c) for c in ext.get("caveats", []))
        communities = frozenset(ext.get("need_to_know", []))
        marking = Marking(level, release, caveats, communities)
    except (ValueError, TypeError, MarkingError) as exc:
        msg = f"the Liaison marking in {obj.get('id')} is invalid: {exc}"
        raise StixInvalid(msg) from None
    unknown = sorted(c for c in release if not known_code(c))
    if unknown:
        msg = f"the Liaison marking in {obj.get('id')} names unknown release codes {unknown}"
        raise StixInvalid(msg)
    if obj.get("id") != liaison_marking_id(marking):
        msg = f"{obj.get('id')} is not the id of the marking it carries"
        raise StixInvalid(msg)
    return marking


def is_liaison_definition(obj: Mapping[str, Any]) -> bool:
    return obj.get("type") == "marking-definition" and LIAISON_EXTENSION_ID in obj.get(
        "extensions", {}
    )


def object_marking(
    marking_refs: Iterable[str], liaison: Mapping[str, Marking], default: Marking
) -> tuple[Marking, bool]:
    """The marking an object names: the Liaison markings among its refs (the most restrictive
    of them), else ``default``; with the TLP its refs name. Also whether a Liaison marking was
    named (if not, the caller stamps ``default`` on the object)."""
    named = [liaison[r] for r in marking_refs if r in liaison]
    tlps = [TLP_BY_ID[r] for r in marking_refs if r in TLP_BY_ID]
    tlp = max(tlps, key=list(Tlp).index) if tlps else None
    if named:
        base = strictest(named)
    elif tlp is Tlp.CLEAR:
        base = Marking(C.PUBLIC)
    else:
        base = default
    if tlp is Tlp.CLEAR and base.level is not C.PUBLIC:
        msg = f"TLP:CLEAR means public, but the object is marked {base.level}"
        raise StixInvalid(msg)
    try:
        marked = Marking(base.level, base.releasable_to, base.caveats, base.communities, tlp)
    except MarkingError as exc:
        raise StixInvalid(str(exc)) from None
    return marked, bool(named)


def strictest(
    markings: Iterable[Marking], groups_of: Callable[[str], frozenset[str]] | None = None
) -> Marking:
    """One marking no less restrictive than any of ``markings``: the page marking of
    ``liaison.security.markings.page_marking`` (group-aware with ``groups_of``; without it,
    REL IP4 and REL JPN share nothing). Nothing given: PUBLIC."""
    return page_marking(markings, groups_of or no_groups)


def default_without_tlp(marking: Marking) -> Marking:
    """A marking-definition's own marking: the Liaison marking it carries, without TLP."""
    return Marking(marking.level, marking.releasable_to, marking.caveats, marking.communities)
