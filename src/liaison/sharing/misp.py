# SPDX-License-Identifier: Apache-2.0
"""MISP at the boundary (pure: no database, no web): STIX indicators as MISP feed events, and
MISP events (``{"Event": {...}}``, the event itself, or restSearch's ``{"response": [...]}``)
checked and converted to STIX 2.1 by misp-stix (``prepare``).

Markings cross as tags (``misp_tags``): ``nato:classification``, ``tlp``, and one
``liaison:releasable-to`` / ``liaison:need-to-know`` tag per code; reading them fails closed.
The feed carries only what its reader may see — the caller passes visible objects only.
``prepare`` is untrusted work: run it outside any transaction; it is bounded by
``MAX_EVENTS``, ``MAX_ATTRIBUTES`` and ``MAX_VALUE`` (the CLI caps the file's size).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from liaison.security.markings import Marking
from liaison.sharing import misp_tags, stix

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


def _feed_tags(marking: Marking, labels: Iterable[str] = ()) -> list[dict[str, str]]:
    tags = []
    chr_label = [misp_tags.CHR] if misp_tags.CHR in labels else []
    for name in [*misp_tags.tags_for(marking), *chr_label]:
        colour = _TLP_COLOURS.get(name.removeprefix("tlp:").split("+")[0], "#004990")
        tags.append({"name": name, "colour": colour})
    return tags


@dataclass(frozen=True, slots=True)
class FeedEvent:
    uuid: str
    manifest: dict[str, Any]
    event: dict[str, Any]
    values: tuple[str, ...]
    members: tuple[str, ...] = ()  # the STIX ids of the indicators it holds


_MISP_TYPE_LABEL = re.compile(r'^misp:type="([^"]+)"$')
_KEPT_ATTRIBUTE_FIELDS = ("uuid", "type", "category", "value", "object_relation", "comment")


def _hand_mapped(indicator: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """A simple ``[path = 'value']`` pattern as one attribute; the MISP type misp-stix noted
    in a ``misp:type`` label is kept where it has the same STIX path (ip-src stays ip-src)."""
    parsed = simple_pattern(str(indicator.get("pattern", "")))
    if parsed is None:
        return None
    misp_type, value = parsed
    category = next(c for t, c in _PATH_TO_TYPE.values() if t == misp_type)
    for label in indicator.get("labels") or ():
        m = _MISP_TYPE_LABEL.match(str(label))
        if m and m.group(1) in _SAME_PATH.get(misp_type, ()):
            misp_type = m.group(1)
    event_uuid = _uuid_of(str(indicator["id"]))
    attr_uuid = str(uuid.uuid5(uuid.UUID(event_uuid), "attribute"))
    return [{"uuid": attr_uuid, "type": misp_type, "category": category, "value": value}]


_SAME_PATH = {
    "ip-dst": ("ip-src", "ip-dst"),
    "domain": ("domain", "hostname"),
    "email-src": ("email-src", "email-dst", "email"),
}


def _misp_stix_mapped(
    indicator: Mapping[str, Any],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
    """Any other pattern through misp-stix (its internal parser for what misp-stix wrote,
    ``misp:`` labels, else the external one): attributes and objects, or None."""
    import stix2  # noqa: PLC0415 - loaded with misp-stix, only when a pattern needs it
    from misp_stix_converter import (  # noqa: PLC0415
        ExternalSTIX2toMISPParser,
        InternalSTIX2toMISPParser,
    )

    internal = any(str(x).startswith("misp:") for x in indicator.get("labels") or ())
    body = {k: v for k, v in indicator.items() if not k.endswith(("marking_refs", "markings"))}
    body.pop("created_by_ref", None)
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": [body]}
    try:
        parser = InternalSTIX2toMISPParser() if internal else ExternalSTIX2toMISPParser()
        parser.load_stix_bundle(stix2.parse(bundle, allow_custom=True))
        parser.parse_stix_bundle()
        event = orjson.loads(parser.misp_event.to_json())
    except Exception:  # noqa: BLE001 - a pattern misp-stix cannot map is left out of the feed
        return None
    keep = _KEPT_ATTRIBUTE_FIELDS
    attributes = [{k: a[k] for k in keep if k in a} for a in event.get("Attribute") or []]
    objects = [
        {
            **{k: o[k] for k in ("uuid", "name", "meta-category", "template_uuid") if k in o},
            "Attribute": [{k: a[k] for k in keep if k in a} for a in o.get("Attribute") or []],
        }
        for o in event.get("Object") or []
    ]
    return (attributes, objects) if attributes or objects else None


def feed_event(
    indicator: Mapping[str, Any], marking: Marking, org: Mapping[str, str]
) -> FeedEvent | None:
    """One MISP feed event for a visible STIX indicator: a simple pattern by hand, anything
    else through misp-stix; None for what neither can map."""
    if indicator.get("pattern_type") != "stix":
        return None
    mapped = _hand_mapped(indicator)
    objects: list[dict[str, Any]] = []
    if mapped is None:
        found = _misp_stix_mapped(indicator)
        if found is None:
            return None
        mapped, objects = found
    event_uuid = _uuid_of(str(indicator["id"]))
    timestamp = _timestamp(str(indicator["modified"]))
    active = indicator.get("revoked") is not True  # a revoked indicator detects nothing
    extra = {
        "to_ids": active,
        "timestamp": timestamp,
        "comment": str(indicator.get("description", ""))[:1000],
        "distribution": "5",
    }
    attributes = [{**extra, **a} | {"to_ids": active} for a in mapped]
    for obj in objects:
        obj.update({"timestamp": timestamp, "distribution": "5"})
        obj["Attribute"] = [{**extra, **a} | {"to_ids": active} for a in obj["Attribute"]]
    first = (attributes or objects[0]["Attribute"])[0]
    info = str(indicator.get("name") or f"{first['type']} {first['value']}")
    head = _event_head(info, indicator, marking, org, timestamp)
    body = {**head, "uuid": event_uuid, "published": True, "Attribute": attributes}
    if objects:
        body["Object"] = objects
    every = [*attributes, *(x for o in objects for x in o["Attribute"])]
    # as PyMISP's feed generator (MISPAttribute.hash_values): a composite's parts one by one
    values = tuple(
        part
        for a in every
        for part in (str(a["value"]).split("|") if "|" in str(a["type"]) else [str(a["value"])])
    )
    return FeedEvent(event_uuid, head, {"Event": body}, values, (str(indicator["id"]),))


def _event_head(
    info: str,
    source: Mapping[str, Any],
    marking: Marking,
    org: Mapping[str, str],
    timestamp: str,
) -> dict[str, Any]:
    """A feed event's head: its info line, the feed's organisation, the STIX object's date
    and labels, and the tags of its marking."""
    return {
        "info": info,
        "Orgc": dict(org),
        "analysis": "2",
        "threat_level_id": "2",
        "timestamp": timestamp,
        "publish_timestamp": timestamp,
        "date": str(source["created"])[:10],
        "Tag": _feed_tags(marking, source.get("labels") or ()),
    }


def container_event(
    container: Mapping[str, Any],
    marking: Marking,
    org: Mapping[str, str],
    parts: Sequence[FeedEvent],
) -> FeedEvent | None:
    """A STIX report or grouping as one MISP event (MISP's unit, as misp-stix maps an event)
    holding the attributes and objects of its indicators' events; tagged with the container's
    effective marking, which caps everything it names. None when it names no indicator."""
    if not parts:
        return None
    event_uuid = _uuid_of(str(container["id"]))
    timestamp = _timestamp(str(container.get("modified") or container["created"]))
    info = str(container.get("name") or "STIX " + str(container.get("type")))
    head = _event_head(info, container, marking, org, timestamp)
    attributes = [a for p in parts for a in p.event["Event"].get("Attribute", [])]
    objects = [o for p in parts for o in p.event["Event"].get("Object", [])]
    body = {**head, "uuid": event_uuid, "published": True, "Attribute": attributes}
    if objects:
        body["Object"] = objects
    values = tuple(v for p in parts for v in p.values)
    members = tuple(m for p in parts for m in p.members)
    return FeedEvent(event_uuid, head, {"Event": body}, values, members)


def hashes_csv(events: Iterable[FeedEvent]) -> str:
    """MISP's ``hashes.csv``: the MD5 of each attribute value and its event's UUID."""
    lines = [
        f"{hashlib.md5(v.encode()).hexdigest()},{e.uuid}"  # noqa: S324 - MISP's format
        for e in events
        for v in e.values
    ]
    # MISP's cache fill refuses an empty file (PHP's empty("")); one newline is an empty list
    return "\n".join(lines) + "\n"


# import ------------------------------------------------------------------------------------------
# Bounds of one import (untrusted input, parsed outside any transaction): misp-stix builds a
# stix2 object per attribute and validates each pattern (~5 ms an indicator, measured with
# `python -m liaison.sharing.misp_bench` — see docs/model/sharing.md), so the count is capped.
MAX_EVENTS = 100
MAX_ATTRIBUTES = 20_000
MAX_VALUE = 65_535  # MISP's own column is a TEXT of 64 KiB
MAX_EPOCH = 253_402_300_799  # 9999-12-31T23:59:59Z: the last second a STIX timestamp can hold
_HEX = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}
_DOMAIN = re.compile(
    r"^(?=.{1,253}\Z)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)*[a-z0-9-]{1,63}\Z"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")


@dataclass
class Prepared:
    """MISP events as misp-stix's STIX 2.1 objects, with the marking constraints each object's
    tags name (``misp_tags``), ready to be marked and stored; what could not be carried."""

    objects: list[dict[str, Any]] = field(default_factory=list)
    pieces: dict[str, list[misp_tags.Named]] = field(default_factory=dict)
    not_carried: list[str] = field(default_factory=list)
    events: int = 0


def unwrap(data: Any) -> list[Mapping[str, Any]]:  # noqa: ANN401 - MISP's JSON
    """The events of ``{"Event": {...}}``, the event itself, or MISP's wrapped
    ``{"response": [{"Event": {...}}, ...]}`` (restSearch's form)."""
    if isinstance(data, Mapping) and "response" in data:
        data = data["response"]
    items = data if isinstance(data, list) else [data]
    if not items:
        raise MispInvalid("no MISP event in the file")
    if len(items) > MAX_EVENTS:
        raise MispInvalid(f"{len(items)} events in one file; at most {MAX_EVENTS}")
    events = []
    for item in items:
        event = item.get("Event", item) if isinstance(item, Mapping) else None
        if not isinstance(event, Mapping):
            raise MispInvalid("not a MISP event: no Event object")
        events.append(event)
    return events


def _epoch(value: Any, where: str) -> int | None:  # noqa: ANN401 - MISP sends strings or numbers
    if value is None or value == "":
        return None
    try:
        seconds = int(str(value))
    except ValueError:
        raise MispInvalid(f"{where}: timestamp {str(value)[:40]!r} is not a number") from None
    if not 0 <= seconds <= MAX_EPOCH:
        raise MispInvalid(f"{where}: timestamp {seconds} is outside 1970-9999")
    return seconds


def _check_ip(value: str, where: str) -> None:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise MispInvalid(f"{where}: {value[:80]!r} is not an IP address") from None


def _check_value(kind: str, value: str, where: str) -> None:
    if len(value) > MAX_VALUE:
        raise MispInvalid(f"{where}: the value is {len(value)} characters; at most {MAX_VALUE}")
    first, _, second = value.partition("|") if "|" in kind else (value, "", "")
    base, _, other = kind.partition("|")
    if base in {"ip-src", "ip-dst"}:
        _check_ip(first, where)
        if other == "port" and not (second.isdigit() and int(second) <= 65_535):  # noqa: PLR2004
            raise MispInvalid(f"{where}: {second[:20]!r} is not a port")
    elif base in {"domain", "hostname"}:
        if not _DOMAIN.match(first.lower().rstrip(".")):
            raise MispInvalid(f"{where}: {first[:80]!r} is not a domain name")
        if other == "ip":
            _check_ip(second, where)
    elif base in _HEX and not re.fullmatch(rf"[0-9a-fA-F]{{{_HEX[base]}}}", first):
        raise MispInvalid(f"{where}: {first[:80]!r} is not an {base} hash")
    elif (
        base == "filename"
        and other in _HEX
        and not re.fullmatch(rf"[0-9a-fA-F]{{{_HEX[other]}}}", second)
    ):
        raise MispInvalid(f"{where}: {second[:80]!r} is not an {other} hash")
    elif base == "url" and len(value) > 8192:  # noqa: PLR2004 - longer than any client sends
        raise MispInvalid(f"{where}: a URL of {len(value)} characters")


def _tags(entity: Mapping[str, Any], where: str) -> list[str]:
    """Tag names of an event, object or attribute (``Tag`` or MISP's ``EventTag`` form)."""
    raw = entity.get("Tag")
    if raw is None and isinstance(entity.get("EventTag"), list):
        raw = [t.get("Tag") for t in entity["EventTag"] if isinstance(t, Mapping)]
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise MispInvalid(f"{where}: Tag is not a list")
    names = []
    for tag in raw:
        name = tag.get("name") if isinstance(tag, Mapping) else tag
        if isinstance(name, str):
            names.append(name)
        elif name is not None:
            raise MispInvalid(f"{where}: a tag name is not text")
    return names


@dataclass
class _Event:
    """One event, checked: what misp-stix converts, and the tags each uuid names."""

    body: dict[str, Any]
    pieces: dict[str, list[misp_tags.Named]]
    not_carried: list[str]
    seen: set[str]  # the uuids met so far in the file


def _member(raw: object, where: str, kind: str, out: _Event) -> tuple[Mapping[str, Any], str, str]:
    """An event's attribute or object (``kind``), checked: it, its uuid and where it is."""
    if not isinstance(raw, Mapping):
        raise MispInvalid(f"{where}: an {kind} is not an object")
    found = _uuid(raw, where, f"an {kind}", out.seen)
    return raw, found, f"{where} {kind} {found}"


def _attribute(
    found: object, where: str, out: _Event, above: list[misp_tags.Named]
) -> dict[str, Any] | None:
    raw, attr_uuid, where = _member(found, where, "attribute", out)
    kind, value = raw.get("type"), raw.get("value")
    if not isinstance(kind, str) or not kind or not isinstance(value, str) or not value:
        raise MispInvalid(f"{where}: an attribute needs a type and a value")
    _check_value(kind, value, where)
    _epoch(raw.get("timestamp"), where)
    pieces = [*above, *misp_tags.read_level(_tags(raw, where), where)]
    if _deleted(raw):
        out.not_carried.append(f"{kind}: {value[:80]} (deleted in MISP)")
        return None
    out.pieces[attr_uuid] = pieces
    return {**raw, "uuid": attr_uuid}


def _uuid(raw: Mapping[str, Any], where: str, what: str, seen: set[str]) -> str:
    try:
        found = str(uuid.UUID(str(raw.get("uuid"))))
    except ValueError:
        raise MispInvalid(f"{where}: {what} has no valid uuid") from None
    if found in seen:
        raise MispInvalid(f"{where}: the uuid {found} appears twice in the file")
    seen.add(found)
    return found


def _deleted(raw: Mapping[str, Any]) -> bool:
    return raw.get("deleted") in {True, "1", "true"}


def _object(
    found: object, where: str, out: _Event, top: list[misp_tags.Named]
) -> dict[str, Any] | None:
    raw, obj_uuid, where = _member(found, where, "object", out)
    level = [*top, *misp_tags.read_level(_tags(raw, where), where)]
    inner = [
        a for r in _list(raw.get("Attribute"), where) if (a := _attribute(r, where, out, level))
    ]
    if _deleted(raw):
        out.not_carried.append(f"object {raw.get('name', '?')} {obj_uuid} (deleted in MISP)")
        return None
    # the object's STIX form holds every attribute's value: it is marked by all of them
    out.pieces[obj_uuid] = [*level, *(p for a in inner for p in out.pieces[a["uuid"]])]
    return {**raw, "uuid": obj_uuid, "Attribute": inner}


def _check_date(date: Any, where: str) -> None:  # noqa: ANN401 - MISP's JSON
    if not isinstance(date, str) or not _DATE.match(date):
        raise MispInvalid(f"{where}: the event needs a date (YYYY-MM-DD), not {date!r}")
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        raise MispInvalid(f"{where}: {date!r} is not a date") from None


def _check_event(event: Mapping[str, Any], seen: set[str]) -> _Event:
    event_uuid = _uuid(event, "the file", "the event", seen)
    where = f"event {event_uuid}"
    _check_date(event.get("date"), where)
    for name in ("timestamp", "publish_timestamp"):
        _epoch(event.get(name), where)
    top = misp_tags.read_level(_tags(event, where), where)
    out = _Event({}, {event_uuid: top}, [], seen)
    attributes = [
        a for r in _list(event.get("Attribute"), where) if (a := _attribute(r, where, out, top))
    ]
    objects = [o for r in _list(event.get("Object"), where) if (o := _object(r, where, out, top))]
    if len(seen) > MAX_ATTRIBUTES:
        raise MispInvalid(f"more than {MAX_ATTRIBUTES} attributes in one import")
    out.body = {**event, "uuid": event_uuid, "Attribute": attributes, "Object": objects}
    out.body.pop("EventTag", None)
    return out


def _list(value: Any, where: str) -> list[Any]:  # noqa: ANN401 - MISP's JSON
    if value is None:
        return []
    if not isinstance(value, list):
        raise MispInvalid(f"{where}: Attribute and Object must be lists")
    return value


def _convert(checked: _Event) -> tuple[list[dict[str, Any]], list[str]]:
    """misp-stix's STIX 2.1 for one checked event (MISP's own mapping: an event is a report
    when published, else a grouping), and its notes on what it could not map."""
    # imported here: misp-stix loads its STIX 1 stack too (~1 s), which the app never needs
    from misp_stix_converter import MISPtoSTIX21Parser  # noqa: PLC0415

    parser = MISPtoSTIX21Parser()
    try:
        parser.parse_misp_event({"Event": checked.body})
        objects = orjson.loads(parser.bundle.serialize())["objects"]
    except Exception as exc:  # noqa: BLE001 - any failure of the converter refuses the event
        raise MispInvalid(f"misp-stix could not convert the event: {str(exc)[:300]}") from None
    notes = [f"{w}" for found in parser.warnings.values() for w in found if "not mapped" in str(w)]
    return objects, notes


def prepare(data: Any) -> Prepared:  # noqa: ANN401 - MISP's JSON
    """Check MISP events and convert them with misp-stix; raise ``MispInvalid`` (or
    ``misp_tags.TagRefused``) saying why, before anything is stored. Pure and bounded: run it
    outside any database transaction."""
    out = Prepared()
    seen: set[str] = set()
    for event in unwrap(data):
        checked = _check_event(event, seen)
        objects, notes = _convert(checked)
        event_uuid = checked.body["uuid"]
        for obj in objects:
            if obj.get("type") == "marking-definition":
                continue  # misp-stix's TLP 1.0 markings: the tags they came from are read instead
            obj.pop("object_marking_refs", None)
            own = str(obj.get("id", "")).split("--", 1)[-1]
            out.pieces[obj["id"]] = checked.pieces.get(own, checked.pieces[event_uuid])
            out.objects.append(obj)
        out.not_carried += checked.not_carried + [f"{event_uuid}: {n}" for n in notes]
        out.events += 1
    return out


def prepare_json(raw: bytes) -> Prepared:
    """``prepare`` of a file's bytes (what runs in the isolated child)."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MispInvalid(f"the file is not JSON: {exc}") from None
    return prepare(data)
