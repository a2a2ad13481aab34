# SPDX-License-Identifier: Apache-2.0
"""Sharing use cases, for TAXII, the pages, the CLI and the demo. Services never commit.

The feature's shape: ``errors.py`` and ``schemas.py`` as in every feature; ``query.py``
parses a TAXII request's filters; ``ingest.py`` is the write path (``post`` stores an
envelope, ``resolve`` keeps lines of versions and their markings right), called through this
service; ``misp_import.py`` marks MISP events and posts them; ``repository.py`` is the SQL.

Invariants:
- a collection is seen only by its audience (readers or writers); anyone else gets the 404 of
  a missing collection;
- every object read goes through ``StixRepository.visible`` (the policy in the SQL); an
  object, version or manifest entry the principal may not read is absent, and a request that
  finds nothing visible answers 404 exactly like a missing id;
- every response that serves objects above PUBLIC appends ONE audit event listing the ids it
  served, marked with the strictest marking of the page (``stix.strictest``), so only someone
  who could read every object of the page can read the event;
- writes go through ``ingest.Ingest`` (its invariants); a DELETE removes the versions the
  writer reads that the filters select, all or nothing, and only from lines it may write
  (``security.writes``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Any
from weakref import WeakKeyDictionary

import orjson
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from liaison.audit.recorder import Entry, record
from liaison.db.json import encoded_strings
from liaison.errors import InvalidInput
from liaison.kit.clock import utcnow
from liaison.registry.service import RegistryService, partner_groups
from liaison.security.classification import Classification
from liaison.security.marking_store import MarkingStore, is_committed
from liaison.security.markings import Marking
from liaison.security.permissions import Permission
from liaison.security.principal import Principal, Side
from liaison.security.writes import NOT_YOURS, write_refusal
from liaison.sharing import cursor, graph, stix
from liaison.sharing.errors import (
    BadRequest,
    CollectionNotFound,
    NotPermitted,
    ObjectNotFound,
    StatusNotFound,
)
from liaison.sharing.ingest import Ingest, owner_of
from liaison.sharing.models import TaxiiCollection, TaxiiStatus
from liaison.sharing.query import DEFAULT_LIMIT, MAX_LIMIT
from liaison.sharing.repository import ObjectQuery, StixRepository
from liaison.sharing.schemas import (
    MARKING_ID,
    STIX_ID,
    VERSION,
    CollectionView,
    ObjectPage,
    PageRow,
    PostOutcome,
    added_of,
)

AUDIENCE_PREFIXES = ("nation:", "community:", "org:")
AUDIENCE_WORDS = frozenset({"all", "ally", "partner"})


READ_MARKING_TTL = 10.0
READ_MARKINGS_MAX = 4096
_READ_MARKINGS: WeakKeyDictionary[Any, dict[frozenset[int], tuple[float, int]]] = (
    WeakKeyDictionary()
)
_T = TaxiiCollection
_COLLECTION_AUDIENCE = (
    select(_T.id, _T.readers, _T.writers)
    .where(or_(_T.id == bindparam("ref"), _T.alias == bindparam("ref")))
    .order_by((_T.id == bindparam("ref")).desc())  # an id before an alias that spells it
    .limit(1)
)


def _check_readable(ref: str, can_read: bool, can_write: bool) -> None:
    """Reading a collection: 404 outside its audience (as for a missing one), 403 when the
    principal may only write to it."""
    if not (can_read or can_write):
        raise CollectionNotFound(ref)
    if not can_read:
        raise NotPermitted("this collection is write-only for you")


def audience_allows(entries: Iterable[str], principal: Principal) -> bool:
    """Whether ``principal`` is in an audience list (``all``, ``ally``, ``partner``,
    ``nation:KOR``, ``community:cyber``, ``org:<organisation name>``)."""
    if principal.side is Side.SYSTEM:
        return True
    if not principal.authenticated:
        return False
    mine = {"all", principal.side.value}
    if principal.nation:
        mine.add(f"nation:{principal.nation}")
    mine.update(f"community:{c}" for c in principal.communities)
    if principal.organisation:
        mine.add(f"org:{principal.organisation}")
    return bool(mine & set(entries))


def check_audience(entries: Iterable[str]) -> list[str]:
    cleaned = sorted({e.strip() for e in entries if e.strip()})
    for entry in cleaned:
        if entry not in AUDIENCE_WORDS and not entry.startswith(AUDIENCE_PREFIXES):
            raise InvalidInput(
                f"unknown audience {entry!r}: use all, ally, partner, nation:ISO3, "
                "community:CODE or org:NAME",
                field="audience",
            )
    return cleaned


class SharingService:
    def __init__(self, session: Session, principal: Principal, cursor_key: bytes) -> None:
        self.session = session
        self.principal = principal
        self.cursor_key = cursor_key
        self.repo = StixRepository(session, principal)
        self.markings = MarkingStore(session)
        self._marking_cache: dict[int, Marking] = {}
        self._intern_cache: dict[str, int] = {}
        self._groups: dict[str, frozenset[str]] = {}

    # markings ---------------------------------------------------------------------------------
    def marking(self, marking_id: int) -> Marking:
        self.load_markings([marking_id])
        return self._marking_cache[marking_id]

    def load_markings(self, ids: Iterable[int]) -> None:
        """Markings by id (from the store, which reads each from the database once)."""
        missing = [i for i in set(ids) if i not in self._marking_cache]
        if missing:
            self._marking_cache.update(self.markings.many(missing))

    def intern(self, marking: Marking) -> int:
        key = marking.key
        if key not in self._intern_cache:
            mid = self.markings.intern(marking)
            self._intern_cache[key] = mid
            self._marking_cache[mid] = marking
        return self._intern_cache[key]

    def strictest_id(self, marking_ids: Iterable[int]) -> int:
        ids = set(marking_ids)
        if len(ids) == 1:
            return next(iter(ids))
        self.load_markings(ids)
        markings = [self._marking_cache[i] for i in sorted(ids)]
        releases = {m.releasable_to for m in markings if m.level is not Classification.PUBLIC}
        if len(releases) > 1 and all(releases):  # group-aware comparison ahead: one query
            codes = set().union(*releases) - self._groups.keys()
            self._groups.update(partner_groups(self.session, codes))
        return self.intern(stix.strictest(markings, self.groups_of))

    def read_marking_id(self, marking_ids: Iterable[int]) -> int:
        """The marking of an audited read of objects with ``marking_ids``: their strictest,
        remembered per process for ``READ_MARKING_TTL`` seconds. A page of a thousand objects
        has a handful of markings, the same ones page after page; their group-aware cap needs
        the partner groups of the nations named (a query). Only an audit event's marking is
        taken from here, never a stored object's (``strictest_id``, always fresh), so a partner
        group changed a moment ago can only mark a read's event by the groups of 10 s before."""
        ids = frozenset(marking_ids)
        now = time.monotonic()
        engine = self.session.get_bind()
        known = _READ_MARKINGS.setdefault(engine, {})  # marking ids are one database's
        seen = known.get(ids)
        if seen is not None and now - seen[0] < READ_MARKING_TTL:
            return seen[1]
        found = self.strictest_id(ids)
        if not all(is_committed(self.session, i) for i in (*ids, found)):
            return found  # some id read or interned by this transaction: not certain yet
        if len(known) >= READ_MARKINGS_MAX:
            known.clear()
        known[ids] = (now, found)
        return found

    def groups_of(self, code: str) -> frozenset[str]:
        """The partner groups of a nation (empty for a group code), for group-aware caps."""
        if code not in self._groups:
            self._groups.update(partner_groups(self.session, [code]))
        return self._groups[code]

    def page_banner(self, markings: Iterable[Marking]) -> str:
        """The banner of a page showing ``markings``, with the registry's names and groups."""
        registry = RegistryService(self.session, self.principal)
        return registry.reader_markings().page_banner(markings)

    # collections ------------------------------------------------------------------------------
    def _view(self, row: TaxiiCollection) -> CollectionView:
        reader = audience_allows(row.readers, self.principal)
        writer = audience_allows(row.writers, self.principal)
        may_write = writer and self.principal.can(Permission.SHARING_OBJECT_WRITE)
        return CollectionView(row, reader, may_write, reader or writer)

    def collections(self) -> list[CollectionView]:
        rows = self.session.scalars(select(TaxiiCollection).order_by(TaxiiCollection.id))
        views = [self._view(r) for r in rows]
        return [v for v in views if v.in_audience]

    def collection(self, ref: str) -> CollectionView:
        """A collection by id or alias, if the principal is in its audience."""
        row = self.session.get(TaxiiCollection, ref) if len(ref) <= 36 else None  # noqa: PLR2004
        if row is None:
            row = self.session.scalar(select(TaxiiCollection).where(TaxiiCollection.alias == ref))
        view = self._view(row) if row is not None else None
        if view is None or not view.in_audience:
            raise CollectionNotFound(ref)
        return view

    def readable_collection_id(self, ref: str) -> str:
        """The id of a collection the principal may read (by id or alias), for the TAXII
        read endpoints: one prebuilt query of three columns, no ORM object (the same answers
        as ``readable_collection``: 404 outside its audience, 403 when it is write-only)."""
        found = self.session.execute(_COLLECTION_AUDIENCE, {"ref": ref}).first()
        if found is None:
            raise CollectionNotFound(ref)
        can_read = audience_allows(found[1] or (), self.principal)
        _check_readable(ref, can_read, can_read or audience_allows(found[2] or (), self.principal))
        return str(found[0])

    def readable_collection(self, ref: str) -> CollectionView:
        view = self.collection(ref)
        _check_readable(ref, view.can_read, view.in_audience)
        return view

    def create_collection(
        self,
        *,
        title: str,
        description: str = "",
        alias: str | None = None,
        readers: Iterable[str],
        writers: Iterable[str],
        default_marking: Marking,
    ) -> CollectionView:
        if not self.principal.can(Permission.SHARING_COLLECTION_MANAGE):
            raise NotPermitted(f"this needs the permission {Permission.SHARING_COLLECTION_MANAGE}")
        if not title.strip():
            raise InvalidInput("a collection needs a title", field="title")
        if alias and self.session.scalar(
            select(TaxiiCollection.id).where(TaxiiCollection.alias == alias)
        ):
            raise InvalidInput(f"the alias {alias!r} is taken", field="alias")
        row = TaxiiCollection(
            id=str(uuid.uuid4()),
            alias=alias or None,
            title=title.strip(),
            description=description.strip(),
            readers=check_audience(readers),
            writers=check_audience(writers),
            default_marking_id=self.intern(default_marking),
            created_at=utcnow(),
        )
        self.session.add(row)
        self.session.flush()
        record(
            self.session,
            self.principal,
            [
                Entry(
                    "sharing:collection:create",
                    "taxii-collection",
                    row.id,
                    after={"title": row.title, "readers": row.readers, "writers": row.writers},
                )
            ],
        )
        return self._view(row)

    # reads ------------------------------------------------------------------------------------
    def _scope(self, kind: str, collection_id: str, query: ObjectQuery, extra: str = "") -> str:
        return f"{kind}|{collection_id}|{extra}|{query.scope()}|{self.principal.username}"

    def page(
        self,
        collection_id: str,
        query: ObjectQuery,
        *,
        limit: int | None,
        next_token: str | None,
        kind: str = "objects",
        stix_id: str = "",
    ) -> ObjectPage:
        """One page of visible rows (``kind``: objects, manifest, object or versions)."""
        size = min(limit or DEFAULT_LIMIT, MAX_LIMIT)
        scope = self._scope(kind, collection_id, query, stix_id)
        after = None
        if next_token:
            try:
                after = cursor.decode(self.cursor_key, next_token, scope)
            except cursor.BadCursor:
                raise BadRequest(
                    "the next value was not issued for this request; start again without it"
                ) from None
        rows = self.repo.page(
            collection_id, query, after, size, with_body=kind not in {"manifest", "versions"}
        )
        more = len(rows) > size
        rows = rows[:size]
        page: list[PageRow] = rows  # rows of (row_id, stix_id, version, date_added, ...)
        token = None
        if more:
            last = page[-1]
            token = cursor.encode(
                self.cursor_key,
                cursor.Position(added_of(last), last[STIX_ID], last[VERSION]),
                scope,
            )
        self._audit_page(f"sharing:{kind}:read", collection_id, page)
        return ObjectPage(page, more, token)

    def _audit_page(self, action: str, collection_id: str, rows: Sequence[PageRow]) -> None:
        marking_ids = {r[MARKING_ID] for r in rows}
        self.load_markings(marking_ids)
        if all(self._marking_cache[m].level is Classification.PUBLIC for m in marking_ids):
            return
        record(
            self.session,
            self.principal,
            [
                Entry(
                    action,
                    "taxii-collection",
                    collection_id,
                    marking_id=self.read_marking_id(marking_ids),
                    after=encoded_strings("objects", sorted({r[STIX_ID] for r in rows})),
                )
            ],
        )

    def object_page(
        self,
        collection_id: str,
        stix_id: str,
        query: ObjectQuery,
        *,
        limit: int | None,
        next_token: str | None,
        versions: bool = False,
    ) -> ObjectPage:
        """The visible versions of one object (``versions``: the version list); 404 if none."""
        scoped = ObjectQuery(
            added_after=query.added_after,
            ids=(stix_id,),
            versions=("all",) if versions else query.versions,
            spec_versions=query.spec_versions,
        )
        page = self.page(
            collection_id,
            scoped,
            limit=limit,
            next_token=next_token,
            kind="versions" if versions else "object",
            stix_id=stix_id,
        )
        if not page.rows and not next_token:
            raise ObjectNotFound(stix_id)
        return page

    def count(self, collection_id: str) -> int:
        return self.repo.count_visible(collection_id)

    def neighbours(
        self, collection_id: str, stix_id: str, limit: int = 60
    ) -> tuple[graph.Node, list[graph.Edge]]:
        """The object and the relationships the principal may see around it (for the graph);
        404 when the object is hidden or missing. One audited read for all of it."""
        centre_rows = self.repo.latest_of(collection_id, [stix_id])
        if not centre_rows:
            raise ObjectNotFound(stix_id)
        rel_rows = self.repo.relationships_of(collection_id, stix_id, limit)
        rels = [(r, orjson.loads(r[5])) for r in rel_rows]
        ends = {
            _other_end(body, stix_id) for _, body in rels if _other_end(body, stix_id) is not None
        }
        end_rows = self.repo.latest_of(collection_id, sorted(e for e in ends if e))
        nodes = {r[1]: node_of(orjson.loads(r[5])) for r in [*centre_rows, *end_rows]}
        edges = []
        for _, body in rels:
            other = _other_end(body, stix_id)
            if other in nodes:
                kind = str(body.get("relationship_type", "related-to"))
                edges.append(graph.Edge(kind, body.get("source_ref") == stix_id, nodes[other]))
        served = [*centre_rows, *rel_rows, *end_rows]
        rows = [PageRow(r[0], r[1], r[2], r[3], r[4], None) for r in served]
        self._audit_page("sharing:graph:read", collection_id, rows)
        return nodes[stix_id], edges

    # status -----------------------------------------------------------------------------------
    def status(self, status_id: str) -> TaxiiStatus:
        row = self.session.get(TaxiiStatus, status_id) if len(status_id) <= 36 else None  # noqa: PLR2004
        if row is None or (
            self.principal.side is not Side.SYSTEM and row.user_id != self.principal.user_id
        ):
            raise StatusNotFound(status_id)
        return row

    # writes -----------------------------------------------------------------------------------
    def writable_collection(self, collection_ref: str) -> CollectionView:
        view = self.collection(collection_ref)
        if not view.can_write:
            raise NotPermitted("you may not write to this collection")
        return view

    @cached_property
    def ingest(self) -> Ingest:
        return Ingest(self)

    def post(
        self, collection_ref: str, objects: list[Any], *, ceiling: Marking | None = None
    ) -> PostOutcome:
        """Validate and store an envelope's objects, all or nothing (``ingest.Ingest.post``);
        the status says how it went."""
        return self.ingest.post(collection_ref, objects, ceiling=ceiling)

    def delete(self, collection_ref: str, stix_id: str, query: ObjectQuery) -> int:
        """Delete the visible versions of one object that ``query`` selects; 404 if none."""
        view = self.writable_collection(collection_ref)
        rows = self.repo.visible_rows_of(view.row.id, stix_id, query)
        if not rows:
            raise ObjectNotFound(stix_id)
        self.load_markings(r.marking_id for r in rows)
        for r in rows:  # all or nothing: every selected version must be the writer's to delete
            refusal = write_refusal(
                self.principal,
                owner_of(r),
                self._marking_cache[r.marking_id],
                Permission.SHARING_OBJECT_WRITE,
            )
            if refusal is not None:  # never HIDDEN: the rows are visible
                raise NotPermitted(NOT_YOURS.format(what="object"))
        self.repo.delete_rows([r.id for r in rows])
        self.ingest.resolve({stix_id} | self.repo.referrers_of({stix_id}))
        record(
            self.session,
            self.principal,
            [
                Entry(
                    "sharing:object:delete",
                    "stix-object",
                    stix_id,
                    marking_id=self.strictest_id({r.marking_id for r in rows}),
                    before={"collection": view.row.id, "versions": sorted(r.version for r in rows)},
                )
            ],
        )
        return len(rows)


def node_of(body: dict[str, Any]) -> graph.Node:
    """A graph node for an object: its name, else its type and id."""
    name = body.get("name") or body.get("value") or body.get("id", "")
    return graph.Node(str(body.get("id", "")), str(body.get("type", "")), str(name))


def _other_end(body: dict[str, Any], stix_id: str) -> str | None:
    source, target = body.get("source_ref"), body.get("target_ref")
    if source == stix_id:
        return str(target) if target else None
    return str(source) if source else None
