# SPDX-License-Identifier: Apache-2.0
"""Import of MISP events into a collection (the use case; the checks and the MISP → STIX
mapping, misp-stix's, are in ``misp.prepare``; tags → markings in ``misp_tags``).

Invariants:
- the file is parsed and converted by ``misp.prepare`` before this runs, outside any
  transaction; here each object only gets its marking and the envelope is posted;
- every object is stamped with the marking its tags name — the strictest of its attribute's,
  its MISP object's and its event's tags — and the collection's default only where no tag
  names anything (``misp_tags.resolve``); a tag that cannot be read refused the file already;
- it goes through ``SharingService.post`` like any envelope: all or nothing, the writer's
  policy re-checked (nobody writes what they could not read), audited in the same transaction;
  the effective marking of a report or grouping is capped by everything it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from liaison.errors import InvalidInput
from liaison.kit.isolation import IsolationFailed, run_isolated
from liaison.security.markings import Marking, short
from liaison.sharing import misp, misp_tags, stix
from liaison.sharing.schemas import PostOutcome
from liaison.sharing.service import SharingService
from liaison.sharing.stix import default_without_tlp


@dataclass(frozen=True, slots=True)
class MispImport:
    outcome: PostOutcome
    not_carried: list[str]
    events: int


def prepare(data: Any) -> misp.Prepared:  # noqa: ANN401 - MISP's JSON
    """``misp.prepare`` with its refusals as ``InvalidInput`` (a 4xx / CLI error)."""
    try:
        prepared = misp.prepare(data)
    except (misp.MispInvalid, misp_tags.TagRefused, stix.StixInvalid) as exc:
        raise InvalidInput(f"nothing imported: {exc}") from None
    if not prepared.objects:
        raise InvalidInput("nothing imported: the events hold nothing Liaison can store")
    return prepared


# An import file is parsed in a child process (kit.isolation): misp-stix converts ~70-190
# attributes/s (bench/misp_import.py), so the 20,000-attribute cap needs up to a few minutes.
PARSE_SECONDS = 900.0
PARSE_MEMORY = 3 * 1024 * 1024 * 1024


def prepare_isolated(raw: bytes) -> misp.Prepared:
    """``misp.prepare_json`` in a child process limited in time and memory, its refusals as
    ``InvalidInput``: the file is untrusted, and nothing of it runs in this process."""
    try:
        return run_isolated(
            misp.prepare_json, raw, seconds=PARSE_SECONDS, memory_bytes=PARSE_MEMORY
        )
    except IsolationFailed as exc:
        raise InvalidInput(f"nothing imported: {exc}") from None


def _stamped(
    obj: dict[str, Any], marking: Marking, definitions: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    plain = default_without_tlp(marking)
    ref = stix.liaison_marking_id(plain)
    definitions.setdefault(ref, stix.liaison_marking_definition(plain, short(plain)))
    refs = [stix.TLP2_IDS[marking.tlp]] if marking.tlp else []
    return {**obj, "object_marking_refs": [*refs, ref]}


def import_misp(
    service: SharingService, collection_ref: str, prepared: misp.Prepared
) -> MispImport:
    """Mark and store prepared MISP events in a collection, all or nothing."""
    view = service.collection(collection_ref)  # the 404 of a hidden collection, before anything
    default = service.marking(view.row.default_marking_id)
    definitions: dict[str, dict[str, Any]] = {}
    objects = []
    for obj in prepared.objects:
        try:
            marking = misp_tags.resolve(prepared.pieces[obj["id"]], default, service.groups_of)
        except misp_tags.TagRefused as exc:
            raise InvalidInput(f"nothing imported: {obj['id']}: {exc}") from None
        objects.append(_stamped(obj, marking, definitions))
    outcome = service.post(collection_ref, [*definitions.values(), *objects])
    return MispImport(outcome, prepared.not_carried, prepared.events)
