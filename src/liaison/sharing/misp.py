# SPDX-License-Identifier: Apache-2.0
"""MISP at the boundary (pure: no database, no web): STIX indicators as MISP feed events, and
MISP events (PyMISP / misp-stix JSON: ``{"Event": {...}}``) as STIX 2.1 objects.

Markings cross as MISP's ``nato:classification`` and ``tlp`` tags (``markings.to_misp_tags``);
MISP has no releasability, so an event read from MISP is NATO-only or PUBLIC
(``markings.from_misp_tags``) and releasability is never widened on the way in. The feed carries
only what its reader may see — the caller passes visible objects only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from liaison.security.markings import Marking, from_misp_tags, to_misp_tags
from liaison.sharing import stix

# MISP attribute type → (STIX pattern path, MISP category)
ATTRIBUTE_PATHS: dict[str, str] = {
    "ip-dst": "ipv4-addr:value",
    "ip-src": "ipv4-addr:value",
    "domain": "domain-name:value",
    "hostname": "domain-name:value",
    "url": "url:value",
    "email-src": "email-addr:value",
    "email-dst": "email-addr:value",
    "email": "email-addr:value",
    "md5": "file:hashes.'MD5'",
    "sha1": "file:hashes.'SHA-1'",
    "sha256": "file:hashes.'SHA-256'",
    "filename": "file:name",
}
_PATH_TO_TYPE = {
    "ipv4-addr:value": ("ip-dst", "Network activity"),
    "ipv6-addr:value": ("ip-dst", "Network activity"),
    "domain-name:value": ("domain", "Network activity"),
    "url:value": ("url", "Network activity"),
    "email-addr:value": ("email-src", "Payload delivery"),
    "file:hashes.'MD5'": ("md5", "Payload delivery"),
    "file:hashes.'SHA-1'": ("sha1", "Payload delivery"),
    "file:hashes.'SHA-256'": ("sha256", "Payload delivery"),
    "file:name": ("filename", "Payload delivery"),
}
_SIMPLE_PATTERN = re.compile(
    r"^\[\s*([a-z0-9-]+:[a-z_]+(?:\.'[A-Z0-9-]+')?)\s*=\s*'((?:[^'\\]|\\.)*)'\s*\]$"
)
_TLP_COLOURS = {"clear": "#ffffff", "green": "#339900", "amber": "#ffc000", "red": "#ff0000"}


class MispInvalid(ValueError):
    """A MISP event this importer cannot read; the message says why."""


def _uuid_of(stix_id: str) -> str:
    return stix_id.split("--", 1)[1]


def _timestamp(value: str) -> str:
    canonical = stix.canonical_timestamp(value)
    seconds = int(stix.parse_datetime(canonical).timestamp())
    return str(seconds)


def simple_pattern(pattern: str) -> tuple[str, str] | None:
    """``[path = 'value']`` → (MISP type, value), for the comparisons MISP has a type for."""
    m = _SIMPLE_PATTERN.match(pattern.strip())
    if m is None or m.group(1) not in _PATH_TO_TYPE:
        return None
    value = m.group(2).replace("\\'", "'").replace("\\\\", "\\")
    return _PATH_TO_TYPE[m.group(1)][0], value


def _tags(marking: Marking) -> list[dict[str, str]]:
    tags = []
    for name in to_misp_tags(marking):
        colour = _TLP_COLOURS.get(name.removeprefix("tlp:").split("+")[0], "#004990")
        tags.append({"name": name, "colour": colour})
    return tags


@dataclass(frozen=True, slots=True)
class FeedEvent:
    uuid: str
    manifest: dict[str, Any]
    event: dict[str, Any]
    value: str


def feed_event(
    indicator: Mapping[str, Any], marking: Marking, org: Mapping[str, str]
) -> FeedEvent | None:
    """One MISP feed event for a visible STIX indicator with a simple pattern, else None."""
    parsed = simple_pattern(str(indicator.get("pattern", "")))
    if parsed is None or indicator.get("pattern_type") != "stix":
        return None
    misp_type, value = parsed
    category = next(c for t, c in _PATH_TO_TYPE.values() if t == misp_type)
    event_uuid = _uuid_of(str(indicator["id"]))
    timestamp = _timestamp(str(indicator["modified"]))
    date = str(indicator["created"])[:10]
    tags = _tags(marking)
    head = {
        "info": str(indicator.get("name") or f"{misp_type} {value}"),
        "Orgc": dict(org),
        "analysis": "2",
        "threat_level_id": "2",
        "timestamp": timestamp,
        "publish_timestamp": timestamp,
        "date": date,
        "Tag": tags,
    }
    attribute = {
        "uuid": str(uuid.uuid5(uuid.UUID(event_uuid), "attribute")),
        "type": misp_type,
        "category": category,
        "value": value,
        "to_ids": True,
        "timestamp": timestamp,
        "comment": str(indicator.get("description", ""))[:1000],
        "distribution": "5",
    }
    event = {"Event": {**head, "uuid": event_uuid, "published": True, "Attribute": [attribute]}}
    return FeedEvent(event_uuid, head, event, value)


def hashes_csv(events: Iterable[FeedEvent]) -> str:
    """MISP's ``hashes.csv``: the MD5 of each attribute value and its event's UUID."""
    lines = [f"{hashlib.md5(e.value.encode()).hexdigest()},{e.uuid}" for e in events]  # noqa: S324 - MISP's format
    return "\n".join(lines) + ("\n" if lines else "")


# import ------------------------------------------------------------------------------------------
@dataclass
class Converted:
    objects: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    marking: Marking | None = None  # the NATO level the event's tags name, if any
    tlp_ref: str | None = None  # the TLP 2.0 marking-definition its tags name, if any


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _iso(epoch: Any, fallback: str) -> str:  # noqa: ANN401 - MISP sends strings or numbers
    try:
        seconds = int(str(epoch))
    except ValueError:
        return fallback
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _tag_names(tags: Any) -> list[str]:  # noqa: ANN401 - MISP's JSON
    if not isinstance(tags, list):
        return []
    return [str(t["name"]) for t in tags if isinstance(t, dict) and "name" in t]


def _indicator(
    attribute: Any,  # noqa: ANN401 - MISP's JSON
    event_uuid: str,
    created: str,
    modified: str,
) -> dict[str, Any] | None:
    """One attribute as a STIX indicator, or None for a type Liaison has no pattern for."""
    if not isinstance(attribute, Mapping):
        return None
    kind, value = str(attribute.get("type", "")), str(attribute.get("value", ""))
    path = ATTRIBUTE_PATHS.get(kind)
    if path is None or not value:
        return None
    if path == "ipv4-addr:value" and ":" in value:
        path = "ipv6-addr:value"
    try:
        attr_uuid = str(uuid.UUID(str(attribute.get("uuid"))))
    except ValueError:
        attr_uuid = str(uuid.uuid5(uuid.UUID(event_uuid), f"{kind}:{value}"))
    indicator = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{attr_uuid}",
        "created": created,
        "modified": max(_iso(attribute.get("timestamp"), modified), created),
        "name": f"{kind}: {value}"[:250],
        "pattern": f"[{path} = '{_quote(value)}']",
        "pattern_type": "stix",
        "valid_from": created,
        "labels": [f"misp-category:{attribute.get('category', 'Other')}"],
    }
    if attribute.get("comment"):
        indicator["description"] = str(attribute["comment"])
    return indicator


def event_to_stix(data: Mapping[str, Any]) -> Converted:
    """A MISP event (``{"Event": {...}}`` or the event itself) as STIX 2.1: one indicator per
    attribute of a known type (attributes of other types are listed in ``skipped``), and a
    report that names them. ``marking`` is the NATO level its tags name (NATO-only: MISP has no
    releasability), ``tlp_ref`` its TLP; without a ``nato`` tag the collection's default
    marking applies, so nothing becomes public that was not TLP:CLEAR."""
    event = data.get("Event", data)
    if not isinstance(event, Mapping):
        raise MispInvalid("not a MISP event: no Event object")
    try:
        event_uuid = str(uuid.UUID(str(event.get("uuid"))))
    except ValueError:
        raise MispInvalid("the event has no valid uuid") from None
    info = str(event.get("info") or "MISP event")
    created = f"{event.get('date', '1970-01-01')}T00:00:00.000Z"
    try:
        stix.canonical_timestamp(created)
    except stix.StixInvalid:
        raise MispInvalid(f"the event date {event.get('date')!r} is not a date") from None
    modified = max(_iso(event.get("timestamp"), created), created)
    names = _tag_names(event.get("Tag"))
    try:
        marking = from_misp_tags(names)
    except ValueError as exc:
        raise MispInvalid(f"the event's tags: {exc}") from None
    classified = any(n.startswith("nato:classification") for n in names)
    out = Converted(
        marking=marking if classified else None,
        tlp_ref=stix.TLP2_IDS[marking.tlp] if marking.tlp else None,
    )
    attributes = list(event.get("Attribute") or [])
    for obj in event.get("Object") or []:
        if isinstance(obj, Mapping):
            attributes.extend(obj.get("Attribute") or [])
    refs = []
    for attribute in attributes:
        indicator = _indicator(attribute, event_uuid, created, modified)
        if indicator is None:
            kind = str(attribute.get("type", "")) if isinstance(attribute, Mapping) else "?"
            value = str(attribute.get("value", "")) if isinstance(attribute, Mapping) else ""
            out.skipped.append(f"{kind}: {value}"[:200])
            continue
        out.objects.append(indicator)
        refs.append(indicator["id"])
    if refs:
        out.objects.append(
            {
                "type": "report",
                "spec_version": "2.1",
                "id": f"report--{event_uuid}",
                "created": created,
                "modified": modified,
                "name": info[:250],
                "published": modified,
                "report_types": ["threat-report"],
                "object_refs": refs,
            }
        )
    return out
