# SPDX-License-Identifier: Apache-2.0
"""Ingest: storing a posted envelope of STIX objects (TAXII POST, MISP import, federation
pulls, published findings, the demo), and keeping every stored line of versions resolved.

Invariants:
- an envelope is stored all or nothing; its status says what was kept and why anything was
  refused; the writer must be able to read the marking of every object written, and nothing
  is stored below a marking it names;
- every lookup of the write path goes through the policy, so the answer to a write — and what
  the writer reads afterwards — is the same whether or not hidden objects share its ids;
- a version joins a line of versions only if its writer may write that line: it reads every
  version and is its owner's side or organisation, or administers (``security.writes``), the
  marking is not lowered (``security.policy.can_add_version``) and ``created_by_ref`` is
  kept; a writer names no identity but its own;
- an object's effective marking caps every version of it and everything it references
  (``Ingest.resolve``); an object that references one not in the store is shown to nobody.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import insert, update

from liaison.audit.recorder import Entry, record
from liaison.kit.clock import utcnow
from liaison.registry.service import RegistryService
from liaison.security.classification import Classification
from liaison.security.markings import Marking, MarkingError, short
from liaison.security.models import OwnerSide
from liaison.security.permissions import Permission
from liaison.security.policy import can_add_version, can_read
from liaison.security.writes import (
    ALLIANCE,
    NOT_YOURS,
    Owner,
    administers,
    on_owning_side,
    owner_for,
    write_refusal,
)
from liaison.sharing import misp_tags, stix
from liaison.sharing.models import StixObject, StixRef, TaxiiCollection, TaxiiStatus
from liaison.sharing.repository import StoredVersion
from liaison.sharing.schemas import PostOutcome
from liaison.sharing.stix import default_without_tlp

if TYPE_CHECKING:
    from liaison.sharing.service import SharingService

REFUSED_WITH_OTHERS = (
    "not stored: the envelope is stored all or nothing and {n} of its objects were refused"
)
STORED = "stored"
ALREADY_STORED = "already stored"
CHANGED_BODY = (
    "not stored: this version is already stored with another body; a changed object needs "
    "a later modified"
)
CHANGED_IN_ENVELOPE = (
    "not stored: objects[{i}] has the same id and version with another body; the first is kept"
)
LOWERED = "not stored: a new version may not be marked lower than the version before it ({old})"
# A version or a delete by a writer who reads the object but does not own it (security.writes).
NOT_OWNER = "not stored: " + NOT_YOURS.format(what="object")
CREATOR_CHANGED = (
    "not stored: a new version keeps the created_by_ref of the object ({creator}): only an "
    "object's creator versions it"
)
NOT_YOUR_IDENTITY = (
    "not stored: created_by_ref names {ref}, not an identity of yours: name one this envelope "
    "creates, or one your side stored in this collection"
)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
STATUS_DETAILS_MAX = 1000  # details kept per list of a status; its counts are always exact


@dataclass
class _Incoming:
    index: int
    obj: dict[str, Any]
    checked: stix.Checked | None = None
    own: Marking | None = None
    error: str | None = None
    duplicate: bool = False  # stores nothing: its version is already stored or in the envelope
    conflict: str | None = None  # not stored: that version is stored with another body
    chain: int = 0
    known_before: bool = False  # its id had a line the writer may read before this envelope
    posted: bytes = b""  # the object as posted (normalised), to tell duplicates apart
    owner: Owner | None = None  # the owner of the line it goes to (``_place``)


class Ingest:
    """The write path of one ``SharingService`` (its principal, session and marking caches);
    ``SharingService.post`` and ``delete`` are its callers."""

    def __init__(self, service: SharingService) -> None:
        self.service = service
        self.session = service.session
        self.principal = service.principal
        self.repo = service.repo
        self._marking_of_refs: dict[tuple[Any, ...], tuple[Marking, bool] | Exception] = {}
        self._readable_markings: dict[Marking, bool] = {}
        self._stamp_of: dict[Marking, tuple[str, list[str], dict[str, Any]]] = {}
        self._pulled = False

    def _known_code(self) -> Any:  # noqa: ANN401 - a cached predicate
        registry = RegistryService(self.session, self.principal)
        cache: dict[str, bool] = {}

        def known(code: str) -> bool:
            if code not in cache:
                cache[code] = registry.release_code(code) == code
            return cache[code]

        return known

    def _liaison_definitions(
        self,
        incoming: list[_Incoming],
        known: Any,  # noqa: ANN401
    ) -> tuple[dict[str, Marking], set[str]]:
        """The Liaison markings the envelope's objects may name (id → marking), and the ids
        of every other marking-definition they may name: those in the envelope, and those
        stored in a collection the writer may read, under a marking it may read (through the
        policy: one it may not read is as unknown as one that exists nowhere)."""
        found: dict[str, Marking] = {}
        others: set[str] = set(stix.TLP_BY_ID)
        for item in incoming:
            if item.checked is None or item.checked.type != "marking-definition":
                continue
            if stix.is_liaison_definition(item.obj):
                try:
                    found[item.checked.stix_id] = stix.marking_from_definition(item.obj, known)
                except stix.StixInvalid as exc:
                    item.error = str(exc)
            else:
                others.add(item.checked.stix_id)
        named = {r for i in incoming if i.checked for r in i.checked.marking_refs}
        wanted = sorted(named - found.keys() - others)
        readable = [v.row.id for v in self.service.collections() if v.can_read]
        for body in self.repo.visible_definitions(wanted, readable) if wanted else ():
            obj = orjson.loads(body)
            if not stix.is_liaison_definition(obj):
                others.add(obj["id"])
                continue
            try:
                found[obj["id"]] = stix.marking_from_definition(obj, known)
            except stix.StixInvalid:
                continue  # unresolvable: refuses whatever names it
        return found, others

    def _mark(
        self,
        item: _Incoming,
        definitions: dict[str, Marking],
        others: set[str],
        default: Marking,
        stamps: dict[str, dict[str, Any]],
        ceiling: Marking | None = None,
    ) -> None:
        """Set the object's own marking, or its error. A marking reference that is neither a
        TLP, nor a marking-definition in the envelope, nor one stored where the writer may
        read it refuses the object (fail closed: nothing is stored below a marking it names).
        The own marking is stamped on the object in place of the Liaison markings and TLP it
        named — the collection's default where it named none; with a ``ceiling``
        (federation) capped by it — so what is served names the marking that applies."""
        c = item.checked
        assert c is not None  # noqa: S101 - only checked objects are marked
        unknown = [r for r in c.marking_refs if r not in definitions and r not in others]
        if unknown:
            item.error = (
                f"object_marking_refs names {unknown[0]}, a marking-definition neither in the "
                "envelope nor stored where you may read it; nothing is stored under a marking "
                "that cannot be resolved"
            )
            return
        try:
            if c.stix_id in definitions:
                item.own = definitions[c.stix_id]
            elif c.stix_id in stix.TLP_BY_ID:
                item.own = Marking(Classification.PUBLIC)
            elif c.type == "marking-definition":
                item.own, _ = self._object_marking(c.marking_refs, definitions, default)
            else:
                item.own, _ = self._object_marking(c.marking_refs, definitions, default)
                if ceiling is not None:
                    item.own = stix.strictest([item.own, ceiling], self.service.groups_of)
                self._stamp(item, item.own, definitions, stamps)
            if ceiling is not None:
                item.own = stix.strictest([item.own, ceiling], self.service.groups_of)
        except (stix.StixInvalid, MarkingError) as exc:
            item.error = str(exc)
            return
        if not self._may_read(item.own):
            item.error = (
                f"the object is marked {short(item.own)}, above what you may read; "
                "nobody writes what they could not read"
            )

    def _object_marking(
        self, refs: tuple[str, ...], definitions: dict[str, Marking], default: Marking
    ) -> tuple[Marking, bool]:
        """``stix.object_marking``, once per distinct list of marking refs in an envelope (its
        ten thousand objects name a handful); a refusal is raised again for each object."""
        key = (refs, default)
        found = self._marking_of_refs.get(key)
        if found is None:
            try:
                found = stix.object_marking(refs, definitions, default)
            except (stix.StixInvalid, MarkingError) as exc:
                found = exc
            self._marking_of_refs[key] = found
        if isinstance(found, Exception):
            raise found
        return found

    def _may_read(self, marking: Marking) -> bool:
        found = self._readable_markings.get(marking)
        if found is None:
            found = self._readable_markings[marking] = can_read(self.principal, marking)
        return found

    def _stamp(
        self,
        item: _Incoming,
        marking: Marking,
        definitions: dict[str, Marking],
        stamps: dict[str, dict[str, Any]],
    ) -> None:
        """Name ``marking`` on the object: its Liaison marking-definition and its TLP, in
        place of the Liaison markings and TLP it named; other markings are kept. (An
        envelope's ten thousand objects carry a handful of markings: each is worked out once.)"""
        found = self._stamp_of.get(marking)
        if found is None:
            plain = default_without_tlp(marking)
            stamp = stix.liaison_marking_id(plain)
            tlp = [stix.TLP2_IDS[marking.tlp]] if marking.tlp else []
            definition = stix.liaison_marking_definition(plain, short(plain))
            found = self._stamp_of[marking] = (stamp, tlp, definition)
        stamp, tlp, definition = found
        named = item.obj.get("object_marking_refs", [])
        kept = [r for r in named if r not in definitions and r not in stix.TLP_BY_ID]
        refs = [*kept, *tlp, stamp]
        if refs != named:
            item.obj = {**item.obj, "object_marking_refs": refs}
        if stamp not in stamps:
            stamps[stamp] = definition

    def _label_caps(
        self, incoming: list[_Incoming], objects: list[Any], default: Marking
    ) -> dict[str, Marking]:
        """What MISP's labels cap (issue 20); an object whose labels cannot be read is refused."""
        label_caps, label_errors = misp_tags.label_ceilings(
            objects, default, self.service.groups_of
        )
        for item in incoming:
            if item.checked is not None and item.checked.stix_id in label_errors:
                item.error = label_errors[item.checked.stix_id]
        return label_caps

    def _cap(self, caps: list[Marking]) -> Marking | None:
        return stix.strictest(caps, self.service.groups_of) if caps else None

    def post(
        self, collection_ref: str, objects: list[Any], *, ceiling: Marking | None = None
    ) -> PostOutcome:
        """Validate and store an envelope's objects, all or nothing; the status says how it
        went. Every lookup it makes goes through the policy, so its answer — and what the
        writer can read afterwards — is the same whether or not hidden objects share ids."""
        view = self.service.writable_collection(collection_ref)
        collection = view.row
        default = self.service.marking(collection.default_marking_id)
        self._marking_of_refs.clear()  # what refs mean depends on this envelope's definitions
        # A pull (federation, capped by its remote's ceiling) stores what a remote's own
        # producers wrote: their created_by_ref names them, not the writer who pulls.
        self._pulled = ceiling is not None
        incoming = _checked(objects)
        # MISP's TAXII push carries its tags as labels; they cap what they mark (issue 20)
        label_caps = self._label_caps(incoming, objects, default)
        known = self._known_code()
        definitions, others = self._liaison_definitions(incoming, known)
        extra_definitions: dict[str, dict[str, Any]] = {}
        first_of: dict[tuple[str, str], _Incoming] = {}
        for item in incoming:
            if item.checked is None or item.error:
                continue
            c = item.checked
            earlier = first_of.get((c.stix_id, c.version))
            if earlier is not None:
                item.duplicate = True
                if earlier.posted != item.posted:
                    item.conflict = CHANGED_IN_ENVELOPE.format(i=earlier.index)
                continue
            first_of[(c.stix_id, c.version)] = item
            caps = [m for m in (ceiling, label_caps.get(c.stix_id)) if m is not None]
            self._mark(item, definitions, others, default, extra_definitions, self._cap(caps))
        added = self._date_added(collection.id)
        if not any(i.error for i in incoming):
            self._place(
                collection.id, [i for i in incoming if not i.duplicate and i.checked], added
            )
        refused = [i for i in incoming if i.error]
        status = TaxiiStatus(
            id=str(uuid.uuid4()),
            user_id=self.principal.user_id,
            collection_id=collection.id,
            request_timestamp=utcnow(),
            total_count=len(incoming),
        )
        outcome = PostOutcome(status)
        if refused:
            outcome.refused = True
            message = REFUSED_WITH_OTHERS.format(n=len(refused))
            failures = [self._detail(i, i.error or "") for i in refused]
            failures += [self._detail(i, message) for i in incoming if not i.error]
            self._set_details(status, [], failures)
        else:
            incoming += _stamped_definitions(incoming, extra_definitions)
            self._place(collection.id, incoming[status.total_count :], added)
            outcome.stored = self._store(
                collection, [i for i in incoming if not i.duplicate and i.checked], added
            )
            listed = [i for i in incoming if i.index < status.total_count]
            successes = [
                self._detail(i, ALREADY_STORED if i.duplicate else STORED)
                for i in listed
                if not i.conflict
            ]
            self._set_details(
                status, successes, [self._detail(i, i.conflict or "") for i in listed if i.conflict]
            )
        self.session.add(status)
        self.session.flush()
        return outcome

    @staticmethod
    def _set_details(
        status: TaxiiStatus, successes: list[dict[str, str]], failures: list[dict[str, str]]
    ) -> None:
        """Counts exact; at most ``STATUS_DETAILS_MAX`` details per list (failures first as
        they come: the refused objects with their reasons lead)."""
        status.success_count = len(successes)
        status.failure_count = len(failures)
        status.successes = successes[:STATUS_DETAILS_MAX]
        status.failures = failures[:STATUS_DETAILS_MAX]

    def _place(self, collection_id: str, items: list[_Incoming], added: dt.datetime) -> None:
        """Where each object goes, from what the writer may read alone: a version already
        stored in a line the writer may read stores nothing (and with another body is a
        conflict); else it joins the oldest line of its id the writer may read — the oldest of
        its own side's, if it reads one — if the one write policy lets it add a version there
        (``security.writes``: the line is its side's or organisation's, or it administers;
        ``can_add_version``: it reads every version and the marking is not lowered; the
        version keeps the line's ``created_by_ref``); else — no line, or none it may read — it
        starts a line of its own, exactly as for an id that exists nowhere. Then every
        ``created_by_ref`` must name an identity of the writer's (``_check_creators``)."""
        wanted = [i for i in items if i.checked is not None and i.own is not None]
        creators = {c for i in wanted if (c := _creator(i.obj))}
        ids = sorted({i.checked.stix_id for i in wanted if i.checked} | creators)
        if not ids:
            return
        line = (added - _EPOCH) // dt.timedelta(microseconds=1)
        lines: dict[str, dict[int, list[Any]]] = {}
        for row in self.repo.visible_versions(collection_id, ids):
            lines.setdefault(row.stix_id, {}).setdefault(row.chain, []).append(row)
        creator_of: dict[tuple[str, int], str | None] = {}  # of each line, as first placed
        for item in wanted:
            sid = item.checked.stix_id if item.checked else ""
            self._place_one(item, lines.get(sid, {}), line)
            if item.error or item.duplicate:
                continue
            creator = creator_of.setdefault((sid, item.chain), _creator(item.obj))
            if _creator(item.obj) != creator:  # two versions of a new line in one envelope
                item.error = CREATOR_CHANGED.format(creator=creator or "none")
        self._check_creators(wanted, lines)

    def _place_one(self, item: _Incoming, mine: dict[int, list[Any]], line: int) -> None:
        c, own = item.checked, item.own
        assert c is not None  # noqa: S101 - filtered by the caller
        assert own is not None  # noqa: S101 - filtered by the caller
        item.known_before = bool(mine)
        if not mine:
            # A new line, numbered by this write's date_added (µs): unique for the id in
            # the collection (one line per id per write, one date_added per write) and
            # found without asking whether hidden lines exist.
            item.chain = line
            item.owner = ALLIANCE if self._hub_definition(item) else owner_for(self.principal)
            return
        ours = [n for n in mine if on_owning_side(self.principal, owner_of(mine[n][0]))]
        chain = min(ours or mine, key=lambda n: min(r.date_added for r in mine[n]))
        rows = mine[chain]
        item.chain = chain
        item.owner = owner_of(rows[0])
        same = [r for r in rows if r.version == c.version or not c.version]
        if same:
            item.duplicate = True
            if not self._same_version(same[0], item):
                item.conflict = CHANGED_BODY
            return
        self.service.load_markings(r.own_marking_id for r in rows)
        latest_row = max(rows, key=lambda r: r.version)
        latest = self.service.marking(latest_row.own_marking_id)
        if write_refusal(self.principal, item.owner, latest, Permission.SHARING_OBJECT_WRITE):
            item.error = NOT_OWNER
            return
        stored = [self.service.marking(r.own_marking_id) for r in rows]
        if not can_add_version(self.principal, own, stored, latest, self.service.groups_of):
            item.error = LOWERED.format(old=short(latest))
            return
        creator = _creator(orjson.loads(latest_row.body))
        if _creator(item.obj) != creator:
            item.error = CREATOR_CHANGED.format(creator=creator or "none")

    def _hub_definition(self, item: _Incoming) -> bool:
        """Whether ``item`` is the Liaison marking-definition the hub itself stamps for its
        marking, word for word: hub material (the alliance's), whoever's write stores it, so
        no partner deletes the definition others' objects name."""
        if item.own is None or not stix.is_liaison_definition(item.obj):
            return False
        plain = default_without_tlp(item.own)
        canonical = stix.normalised(stix.liaison_marking_definition(plain, short(plain)))
        return bool(item.obj == canonical)

    def _check_creators(
        self, items: list[_Incoming], lines: dict[str, dict[int, list[Any]]]
    ) -> None:
        """A writer names only its own identity as an object's creator (STIX 2.1: only the
        creator versions an object): ``created_by_ref`` must name an identity this envelope
        stores in a line of the writer's, or one stored in this collection in a line of the
        writer's side that it may read. A hidden identity is as unknown as a missing one, so
        the answer tells nothing of it. Administrators name any, and a federation pull keeps
        its remote's (the collection manager who added the remote vouches for it)."""
        if administers(self.principal) or self._pulled:
            return
        mine = {
            i.checked.stix_id
            for i in items
            if i.checked
            and i.checked.type == "identity"
            and not i.error
            and i.owner
            and on_owning_side(self.principal, i.owner)
        }
        for sid, by_chain in lines.items():
            if sid.startswith("identity--") and any(
                on_owning_side(self.principal, owner_of(rows[0])) for rows in by_chain.values()
            ):
                mine.add(sid)
        for item in items:
            creator = _creator(item.obj)
            if creator and not item.duplicate and not item.error and creator not in mine:
                item.error = NOT_YOUR_IDENTITY.format(ref=creator)

    @staticmethod
    def _detail(item: _Incoming, message: str) -> dict[str, str]:
        detail = {"id": str(item.obj.get("id", f"objects[{item.index}]")), "message": message}
        if item.checked is not None and item.checked.version:
            detail["version"] = stix.display_timestamp(item.checked.version)
        return detail

    def _store(
        self, collection: TaxiiCollection, items: list[_Incoming], added: dt.datetime
    ) -> list[tuple[str, str]]:
        """Insert the new versions among ``items`` (placed by ``_place``), then re-resolve
        what they touch. The whole envelope gets one ``date_added`` (its marking-definitions
        one microsecond earlier): a reader's timestamps then count no rows it may not read."""
        checked = [(i, i.checked) for i in items if i.checked is not None and i.own is not None]
        params: list[dict[str, Any]] = []
        refs: list[frozenset[str]] = []
        stored: list[tuple[str, str]] = []
        objects_added = added + dt.timedelta(microseconds=1)
        for item, c in checked:
            # Marking-definitions a microsecond before the envelope's other objects: a reader
            # paging it meets each definition before what names it.
            when = added if c.type == "marking-definition" else objects_added
            version = c.version or stix.canonical_timestamp(stix.format_datetime(when))
            assert item.own is not None  # noqa: S101 - filtered above
            own_id = self.service.intern(item.own)
            params.append(
                _new_row(
                    collection.id,
                    c.type,
                    version,
                    when,
                    own_id,
                    item.chain,
                    item.owner or owner_for(self.principal),
                    item.obj,
                )
            )
            refs.append(c.refs)
            stored.append((c.stix_id, version))
        if not params:
            return stored
        row_ids = self.repo.insert_versions(params)
        ref_rows = [
            {"row_id": rid, "target": t}
            for rid, targets in zip(row_ids, refs, strict=True)
            for t in sorted(targets)
        ]
        if ref_rows:
            self.session.execute(insert(StixRef), ref_rows)
        touched = {p["stix_id"] for p in params}
        # A brand-new object that references nothing is already right as inserted (latest,
        # first, its own marking, nothing pending); only the others need resolving.
        with_refs = {p["stix_id"] for p, r in zip(params, refs, strict=True) if r}
        earlier = {i.checked.stix_id for i in items if i.checked and i.known_before}
        repeated = {sid for sid, n in Counter(p["stix_id"] for p in params).items() if n > 1}
        self.resolve(
            (touched & earlier) | repeated | with_refs | self.repo.referrers_of(touched), added
        )
        self._audit_write(collection, params)
        return stored

    def _audit_write(self, collection: TaxiiCollection, params: list[dict[str, Any]]) -> None:
        record(
            self.session,
            self.principal,
            [
                Entry(
                    "sharing:objects:add",
                    "taxii-collection",
                    collection.id,
                    marking_id=self.service.strictest_id({p["own_marking_id"] for p in params}),
                    after={"objects": [[p["stix_id"], p["version"]] for p in params]},
                )
            ],
        )

    def _same_version(self, row: Any, item: _Incoming) -> bool:  # noqa: ANN401 - a visible_versions row
        """Whether a stored version (a ``visible_versions`` row) is what ``item`` posts again:
        the same own marking and the same properties apart from the marking references (the
        stored body names the effective marking, which references may have raised)."""
        if self.service.marking(row.own_marking_id) != item.own:
            return False
        stored = orjson.loads(row.body)
        stored.pop("object_marking_refs", None)
        posted = {k: v for k, v in item.obj.items() if k != "object_marking_refs"}
        return bool(stored == posted)

    def _date_added(self, collection_id: str) -> dt.datetime:
        """The ``date_added`` of everything one write stores in a collection: now, or just
        after the collection's last one if the clock has not moved past it (so that an
        envelope's time is its own and pages have one order)."""
        last = self.repo.last_date_added(collection_id)
        now = utcnow()
        return max(now, last + dt.timedelta(microseconds=1)) if last else now

    def resolve(self, stix_ids: set[str], added: dt.datetime | None = None) -> None:
        """Recompute, for every line of versions of ``stix_ids`` in each collection: the
        latest/first flags, the effective marking (every version of the line and every object
        it references *in the same collection*, capped together), the references not stored
        in that collection (such a row is shown to nobody), and the marking the served body
        names: the effective one, whose definition is stored in the collection for its
        readers."""
        if not stix_ids:
            return
        rows = self.repo.rows_of(stix_ids)
        refs_by_row: dict[int, list[str]] = {}
        for row_id, target in self.repo.refs_of([r.id for r in rows]):
            refs_by_row.setdefault(row_id, []).append(target)
        targets = {t for ts in refs_by_row.values() for t in ts}
        target_markings = self.repo.own_markings_of(targets) if targets else {}
        groups: dict[tuple[str, str, int], list[StoredVersion]] = {}
        for r in rows:
            groups.setdefault((r.collection_id, r.stix_id, r.chain), []).append(r)
        changes: list[dict[str, Any]] = []
        bodies: list[dict[str, Any]] = []
        definitions: dict[str, dict[str, dict[str, Any]]] = {}
        for (collection_id, _sid, _chain), group in groups.items():
            marking_ids = {r.own_marking_id for r in group}
            group_targets = {t for r in group for t in refs_by_row.get(r.id, ())}
            missing = 0
            for t in group_targets:
                lines = target_markings.get((collection_id, t))
                if lines:
                    marking_ids |= self._widest_line(lines)
                else:
                    missing += 1
            effective = self.service.strictest_id(marking_ids)
            changes += _line_changes(group, effective, missing)
            for r in group:
                if r.marking_id != effective and not r.stix_id.startswith("marking-definition--"):
                    body, definition = self._restamped(
                        r.body, r.own_marking_id, r.marking_id, effective
                    )
                    bodies.append({"id": r.id, "body": body})
                    definitions.setdefault(collection_id, {})[definition["id"]] = definition
        if changes:
            # ORM bulk UPDATE by primary key: one executemany.
            self.session.execute(update(StixObject), changes)
        if bodies:
            self.session.execute(update(StixObject), bodies)
        for collection_id, wanted_definitions in definitions.items():
            self._store_definitions(collection_id, wanted_definitions, added)

    def _widest_line(self, lines: dict[int, set[int]]) -> set[int]:
        """The own markings of the line of a referenced object that caps what references it:
        its only line, or — where writers who could not read each other's lines started
        several — the least restrictive (lowest level, then released, to the most codes).
        A reader of the referrer then reads that line of the referenced object, so the
        reference reveals nothing; and a writer's reference to its own line of an id is capped
        by that line as for a fresh id, not by a hidden line it never saw."""
        if len(lines) == 1:
            return next(iter(lines.values()))
        self.service.load_markings(i for ids in lines.values() for i in ids)

        def openness(chain: int) -> tuple[Any, ...]:
            m = self.service.marking(self.service.strictest_id(lines[chain]))
            return (
                m.level.rank,
                len(m.caveats),
                len(m.communities),
                not m.releasable_to,
                -len(m.releasable_to),
                chain,
            )

        return lines[min(lines, key=openness)]

    def _restamped(
        self, body: str, own_id: int, old_id: int, new_id: int
    ) -> tuple[str, dict[str, Any]]:
        """``body`` naming the marking ``new_id`` in place of ``old_id`` or its own (their
        Liaison marking-definitions and TLP; other markings are kept), and the definition of
        the one it now names."""
        self.service.load_markings([own_id, old_id, new_id])
        obj = orjson.loads(body)
        dropped = {
            stix.liaison_marking_id(default_without_tlp(self.service.marking(i)))
            for i in (own_id, old_id)
        }
        new = self.service.marking(new_id)
        kept = [
            r
            for r in obj.get("object_marking_refs", [])
            if r not in dropped and r not in stix.TLP_BY_ID
        ]
        plain = default_without_tlp(new)
        stamp = stix.liaison_marking_id(plain)
        tlp = [stix.TLP2_IDS[new.tlp]] if new.tlp else []
        obj["object_marking_refs"] = [*kept, *tlp, stamp]
        return orjson.dumps(obj).decode(), stix.liaison_marking_definition(plain, short(plain))

    def _store_definitions(
        self,
        collection_id: str,
        definitions: dict[str, dict[str, Any]],
        added: dt.datetime | None,
    ) -> None:
        """Store the Liaison marking-definitions a served body now names, where the collection
        lacks them (each marked with the marking it describes)."""
        present = self.repo.last_chains(collection_id, sorted(definitions))
        when = added or self._date_added(collection_id)
        params = []
        for stix_id, definition in sorted(definitions.items()):
            if stix_id in present:
                continue
            marking = stix.marking_from_definition(definition, lambda _code: True)
            own_id = self.service.intern(marking)
            version = stix.canonical_timestamp(definition["created"])
            # the hub's own definitions: alliance material, in line 0
            params.append(
                _new_row(
                    collection_id,
                    "marking-definition",
                    version,
                    when,
                    own_id,
                    0,
                    ALLIANCE,
                    definition,
                )
            )
        if params:
            self.repo.insert_versions(params)


def _checked(objects: list[Any]) -> list[_Incoming]:
    """An envelope's objects, validated at the edge (``stix.check_object``), ``created`` and
    ``modified`` to the millisecond, and no deeper than can be stored (``stix.MAX_DEPTH``)."""
    incoming = [_Incoming(i, o if isinstance(o, dict) else {}) for i, o in enumerate(objects)]
    for item, raw in zip(incoming, objects, strict=True):
        try:
            item.checked = stix.check_object(raw)
            item.obj = stix.normalised(item.obj)
            item.posted = orjson.dumps(item.obj)
        except stix.StixInvalid as exc:
            item.error = str(exc)
        except orjson.JSONEncodeError:  # deeper than what is stored can be serialised
            item.error = stix.TOO_DEEP
    return incoming


def _stamped_definitions(
    incoming: list[_Incoming], stamps: dict[str, dict[str, Any]]
) -> list[_Incoming]:
    """The marking-definitions the hub stamped on objects and the envelope does not hold."""
    in_envelope = {i.checked.stix_id for i in incoming if i.checked}
    extra: list[_Incoming] = []
    for stamp, definition in stamps.items():
        if stamp not in in_envelope:
            extra.append(
                _Incoming(
                    len(incoming) + len(extra),
                    definition,
                    stix.check_object(definition),
                    # a definition this hub wrote: the marking it carries is its own
                    stix.marking_from_definition(definition, lambda _code: True),
                )
            )
    return extra


def _new_row(
    collection_id: str,
    kind: str,
    version: str,
    added: dt.datetime,
    own_marking_id: int,
    chain: int,
    owner: Owner,
    obj: dict[str, Any],
) -> dict[str, Any]:
    """The columns of a new ``stix_object`` row: the latest and first of its line, marked by
    its own marking until ``Ingest.resolve`` caps it, nothing pending."""
    return {
        "collection_id": collection_id,
        "stix_id": obj["id"],
        "type": kind,
        "version": version,
        "spec_version": stix.SPEC_VERSION,
        "date_added": added,
        "is_latest": True,
        "is_first": True,
        "own_marking_id": own_marking_id,
        "marking_id": own_marking_id,
        "pending_refs": 0,
        "chain": chain,
        "owner_side": OwnerSide(owner.side.value),
        "owner_organisation_id": owner.organisation_id,
        "body": orjson.dumps(obj).decode(),
    }


def _creator(obj: dict[str, Any]) -> str | None:
    """An object's ``created_by_ref``, if it names one."""
    ref = obj.get("created_by_ref")
    return ref if isinstance(ref, str) and ref else None


def owner_of(row: Any) -> Owner:  # noqa: ANN401 - a visible_versions or visible_rows_of row
    """The owner of a stored row's line (``security.writes.Owner``)."""
    return Owner.of(row.owner_side, row.owner_organisation_id)


def _line_changes(group: list[StoredVersion], effective: int, missing: int) -> list[dict[str, Any]]:
    """The updates that bring one line of versions (rows of ``repo.rows_of``) to its flags,
    effective marking and count of unresolved references."""
    ordered = sorted(group, key=lambda r: r.version)
    changes = []
    for r in group:
        wanted = {
            "is_latest": r.id == ordered[-1].id,
            "is_first": r.id == ordered[0].id,
            "marking_id": effective,
            "pending_refs": missing,
        }
        if (r.is_latest, r.is_first, r.marking_id, r.pending_refs) != (
            wanted["is_latest"],
            wanted["is_first"],
            effective,
            missing,
        ):
            changes.append({"id": r.id, **wanted})
    return changes
