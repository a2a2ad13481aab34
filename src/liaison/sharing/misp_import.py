# SPDX-License-Identifier: Apache-2.0
"""Import of a MISP event into a collection (the use case; the MISP <-> STIX mapping is in
``misp``). It goes through ``SharingService.post`` like any envelope: all or nothing, the
writer's policy re-checked, audited in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from liaison.errors import InvalidInput
from liaison.security.markings import short
from liaison.sharing import misp, stix
from liaison.sharing.service import PostOutcome, SharingService, default_without_tlp


@dataclass(frozen=True, slots=True)
class MispImport:
    outcome: PostOutcome
    skipped: list[str]


def import_misp(service: SharingService, collection_ref: str, data: Any) -> MispImport:  # noqa: ANN401 - MISP's JSON
    """Store a MISP event as STIX (``misp.event_to_stix``), all or nothing, with its marking:
    the NATO level of its tags as a Liaison marking (NATO-only), its TLP, or else the
    collection's default."""
    if not isinstance(data, dict):
        raise InvalidInput("a MISP event is a JSON object")
    try:
        converted = misp.event_to_stix(data)
    except (misp.MispInvalid, stix.StixInvalid) as exc:
        raise InvalidInput(str(exc)) from None
    if not converted.objects:
        raise InvalidInput("the event has no attribute of a type Liaison can store")
    refs = [converted.tlp_ref] if converted.tlp_ref else []
    extra: list[dict[str, Any]] = []
    if converted.marking is not None:
        plain = default_without_tlp(converted.marking)
        refs.append(stix.liaison_marking_id(plain))
        extra.append(stix.liaison_marking_definition(plain, short(plain)))
    objects = [{**o, "object_marking_refs": refs} if refs else o for o in converted.objects]
    return MispImport(service.post(collection_ref, extra + objects), converted.skipped)
