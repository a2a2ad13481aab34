# SPDX-License-Identifier: Apache-2.0
"""TAXII query parameters: the filters (``added_after``, ``match[...]``) and ``limit`` of a
request, parsed into an ``ObjectQuery``; a malformed one is a 400 (``BadRequest``)."""

from __future__ import annotations

from liaison.sharing import stix
from liaison.sharing.errors import BadRequest
from liaison.sharing.repository import ObjectQuery

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


def parse_query(params: dict[str, str]) -> ObjectQuery:
    """TAXII filters from query parameters; a malformed one is a 400."""

    def listed(name: str) -> tuple[str, ...]:
        raw = params.get(name)
        return tuple(sorted({p.strip() for p in raw.split(",") if p.strip()})) if raw else ()

    added_after = None
    if params.get("added_after"):
        try:
            added_after = stix.parse_datetime(params["added_after"])
        except stix.StixInvalid as exc:
            raise BadRequest(f"added_after: {exc}") from None
    versions: list[str] = []
    for v in listed("match[version]") or ("last",):
        if v in {"first", "last", "all"}:
            versions.append(v)
        else:
            try:
                versions.append(stix.canonical_timestamp(v))
            except stix.StixInvalid as exc:
                raise BadRequest(f"match[version]: {exc}") from None
    for name in ("match[id]", "match[type]", "match[spec_version]"):
        if any(len(v) > 300 for v in listed(name)):  # noqa: PLR2004 - longer than any id
            raise BadRequest(f"{name}: a value is too long")
    return ObjectQuery(
        added_after=added_after,
        ids=listed("match[id]"),
        types=listed("match[type]"),
        versions=tuple(sorted(set(versions))),
        spec_versions=listed("match[spec_version]"),
    )


def parse_limit(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"limit must be a positive integer, not {raw!r}") from None
    if value < 1:
        raise BadRequest("limit must be a positive integer")
    return value
