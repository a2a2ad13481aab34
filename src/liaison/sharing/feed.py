# SPDX-License-Identifier: Apache-2.0
"""A MISP-format feed of a collection, for MISP partners (MISP pushes to TAXII but does not
pull it): ``/misp-feed/{collection}/manifest.json``, ``/{event uuid}.json`` and ``hashes.csv``.

Invariants: the feed's audience is its reader — the MISP instance authenticates with a bearer
token (MISP feeds send configured headers), and the feed lists only the indicators that user
may see (latest versions, through ``SharingService.page``, audited per page). An event the
reader may not see is the same 404 as a missing one. Markings travel as MISP tags that the
import reads back exactly (``misp_tags.tags_for``): ``nato:classification``, ``tlp``, and one
``liaison:releasable-to`` / ``liaison:need-to-know`` tag per code, which MISP can filter on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Response

from liaison.config import Settings
from liaison.sharing import misp
from liaison.sharing.deps import SharingSignedIn
from liaison.sharing.errors import ObjectNotFound
from liaison.sharing.query import MAX_LIMIT
from liaison.sharing.repository import ObjectQuery, chunks
from liaison.sharing.schemas import BODY, MARKING_ID, STIX_ID
from liaison.sharing.service import SharingService
from liaison.web.deps import AppSettings

router = APIRouter(prefix="/misp-feed", tags=["sharing"])
REFS_PER_QUERY = 500  # ids in one match[id] page query
_ORG_NAMESPACE = uuid.UUID("5c2a4f0e-1b3d-4e6f-8a9b-0c1d2e3f4a5b")


def org_of(settings: Settings) -> dict[str, str]:
    """The MISP organisation (Orgc) the feed presents: configured, else derived from the
    deployment's public URL, so two hubs never present the same one."""
    org_uuid = settings.misp_org_uuid or uuid.uuid5(_ORG_NAMESPACE, settings.public_url)
    return {"name": settings.misp_org_name, "uuid": str(org_uuid)}


@dataclass(frozen=True, slots=True)
class Feed:
    service: SharingService
    org: dict[str, str]


async def _feed(service: SharingSignedIn, settings: AppSettings) -> Feed:
    return Feed(service, org_of(settings))


Service = Annotated[Feed, Depends(_feed)]


def _rows(feed: Feed, collection_id: str, query: ObjectQuery) -> Iterator[Any]:
    """Every visible latest row ``query`` selects, page by page (each page audited)."""
    token = None
    while True:
        page = feed.service.page(
            collection_id, query, limit=MAX_LIMIT, next_token=token, kind="misp"
        )
        yield from page.rows
        if not page.more:
            return
        token = page.next


def _indicator_event(feed: Feed, row: Any) -> misp.FeedEvent | None:  # noqa: ANN401 - a page row
    body = orjson.loads(row[BODY] or "{}")
    return misp.feed_event(body, feed.service.marking(row[MARKING_ID]), feed.org)


def _container_event(feed: Feed, collection_id: str, row: Any) -> misp.FeedEvent | None:  # noqa: ANN401
    """A visible report or grouping as ONE MISP event of its indicators (MISP's unit). Its
    effective marking caps everything it names, so all its indicators are visible too."""
    body = orjson.loads(row[BODY] or "{}")
    refs = sorted({r for r in body.get("object_refs") or () if str(r).startswith("indicator--")})
    parts = []
    for chunk in chunks(refs, REFS_PER_QUERY):
        query = ObjectQuery(ids=tuple(chunk), types=("indicator",))
        parts += [e for r in _rows(feed, collection_id, query) if (e := _indicator_event(feed, r))]
    return misp.container_event(body, feed.service.marking(row[MARKING_ID]), feed.org, parts)


def _events(feed: Feed, collection_id: str) -> Iterator[misp.FeedEvent]:
    """Reports and groupings as one event each, then the indicators none of them names."""
    covered: set[str] = set()
    for row in _rows(feed, collection_id, ObjectQuery(types=("grouping", "report"))):
        event = _container_event(feed, collection_id, row)
        if event is not None:
            covered.update(event.members)
            yield event
    for row in _rows(feed, collection_id, ObjectQuery(types=("indicator",))):
        if row[STIX_ID] not in covered and (event := _indicator_event(feed, row)):
            yield event


def _json(body: object) -> Response:
    return Response(orjson.dumps(body), media_type="application/json")


# MISP appends "/manifest.json" to the feed URL as configured: a URL entered with a trailing
# slash asks for ".../{collection}//manifest.json", which is served the same.
@router.get("/{collection_ref}/manifest.json", summary="MISP feed manifest")
@router.get("/{collection_ref}//manifest.json", include_in_schema=False)
def manifest(collection_ref: str, feed: Service) -> Response:
    view = feed.service.readable_collection(collection_ref)
    return _json({e.uuid: e.manifest for e in _events(feed, view.row.id)})


@router.get("/{collection_ref}/hashes.csv", summary="MISP feed hashes")
@router.get("/{collection_ref}//hashes.csv", include_in_schema=False)
def hashes(collection_ref: str, feed: Service) -> Response:
    view = feed.service.readable_collection(collection_ref)
    return Response(misp.hashes_csv(_events(feed, view.row.id)), media_type="text/csv")


@router.get("/{collection_ref}/{event_file}", summary="One MISP feed event")
@router.get("/{collection_ref}//{event_file}", include_in_schema=False)
def event(collection_ref: str, event_file: str, feed: Service) -> Response:
    service = feed.service
    view = service.readable_collection(collection_ref)
    event_uuid = event_file.removesuffix(".json")
    for kind in ("report", "grouping", "indicator"):
        stix_id = f"{kind}--{event_uuid}"
        try:
            page = service.object_page(
                view.row.id, stix_id, ObjectQuery(), limit=1, next_token=None
            )
        except ObjectNotFound:
            continue
        row = page.rows[0]
        found = (
            _indicator_event(feed, row)
            if kind == "indicator"
            else _container_event(feed, view.row.id, row)
        )
        if found is not None:
            return _json(found.event)
    raise ObjectNotFound(f"indicator--{event_uuid}")
