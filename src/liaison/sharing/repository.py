# SPDX-License-Identifier: Apache-2.0
"""SQL for the STIX store. Every read of ``stix_object`` goes through ``visible`` (the access
policy inside the query, plus "no unresolved reference"), so hidden rows never leave the
database. Rows are read as plain tuples: the hot path builds no ORM or STIX objects.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    String,
    Text,
    any_,
    bindparam,
    cast,
    delete,
    false,
    func,
    insert,
    null,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.orm import Session

from liaison.security.policy import policy_key, readable
from liaison.security.principal import Principal, Side
from liaison.sharing.cursor import Position
from liaison.sharing.models import StixObject, StixRef

CHUNK = 500  # ids per IN list (SQLite); PostgreSQL takes one array of up to ARRAY_CHUNK
ARRAY_CHUNK = 50_000


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def one_of(column: Any, values: Sequence[Any], dialect: str) -> ColumnElement[bool]:  # noqa: ANN401
    """``column IN values``: one bound array on PostgreSQL (``= ANY``), a list elsewhere.

    On PostgreSQL, strings without a comma (STIX ids) travel as one text split by the server:
    the driver builds a 10,000-element array in Python (~40 ms an envelope), a joined string
    in microseconds."""
    if dialect == "postgresql":
        if values and all(isinstance(v, str) and "," not in v for v in values):
            joined = bindparam("joined", ",".join(values), type_=Text())
            return column == any_(func.string_to_array(joined, ",", type_=ARRAY(Text())))  # type: ignore[no-any-return]
        kind = String() if values and isinstance(values[0], str) else Integer()
        return column == any_(bindparam("values", list(values), type_=ARRAY(kind)))  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class ObjectQuery:
    """TAXII filters: ``added_after``, ``match[id|type|version|spec_version]``."""

    added_after: dt.datetime | None = None
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str, ...] = ("last",)  # "first", "last", "all" or canonical timestamps
    spec_versions: tuple[str, ...] = ()
    text: str | None = None  # pages only: objects whose JSON contains this text

    def scope(self) -> str:
        """The filters as text, for binding a cursor to them."""
        return "|".join(
            [
                self.added_after.isoformat() if self.added_after else "",
                ",".join(self.ids),
                ",".join(self.types),
                ",".join(self.versions),
                ",".join(self.spec_versions),
                self.text or "",
            ]
        )


O = StixObject  # noqa: E741 - the one table every query here reads
PAGE_COLUMNS = (O.id.label("row_id"), O.stix_id, O.version, O.date_added, O.marking_id)
# On PostgreSQL a page takes date_added as the server's text (ISO, in UTC: the engine sets the
# session's DateStyle and zone), parsed by ``service.added_of`` only where it is used: an
# objects page needs the first and the last, and the driver's parsing of a thousand
# timestamps cost ~0.6 ms a page.
PG_PAGE_COLUMNS = (
    O.id.label("row_id"),
    O.stix_id,
    O.version,
    cast(O.date_added, Text).label("date_added"),
    O.marking_id,
)
NO_BODY = null().label("body")
PAGE_ORDER = (O.date_added, O.stix_id, O.version)


PAGE_STATEMENTS_MAX = 2048  # page query shapes by policy keys kept (then the cache starts again)
_PAGE_STATEMENTS: dict[tuple[Any, ...], Select[Any]] = {}
STATS_TTL = 10.0  # seconds between two looks at the table's statistics, per process
STALE_SHARE = 0.1  # rows changed since the last ANALYZE, as a share of the live rows
_STATS: WeakKeyDictionary[Engine, tuple[float, bool]] = WeakKeyDictionary()


def _statistics_stale(connection: Connection) -> bool:
    """Whether ``stix_object`` changed much since PostgreSQL last analysed it (then the planner
    may misjudge a page): looked up at most every ``STATS_TTL`` seconds, so a page in the
    steady state spends no round trip on planner settings."""
    engine = connection.engine
    now = time.monotonic()
    seen = _STATS.get(engine)
    if seen is not None and now - seen[0] < STATS_TTL:
        return seen[1]
    row = connection.exec_driver_sql(
        "SELECT n_mod_since_analyze, n_live_tup FROM pg_stat_user_tables "
        "WHERE relname = 'stix_object'"
    ).first()
    stale = row is None or row[0] > STALE_SHARE * max(row[1], 1)
    _STATS[engine] = (now, stale)
    return stale


def _driver_rows(result: CursorResult[Any]) -> list[Any]:
    """A PostgreSQL page's rows as the driver returns them (tuples): its columns need no
    conversion there (``PG_PAGE_COLUMNS``), and a thousand SQLAlchemy ``Row`` objects cost
    ~1 ms a page. Read by position, as ``PageRow`` lays them out."""
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


class StoredVersion(NamedTuple):
    """One stored version as the upkeep of its line reads it (``rows_of``)."""

    id: int
    collection_id: str
    stix_id: str
    version: str
    date_added: dt.datetime
    own_marking_id: int
    marking_id: int
    pending_refs: int
    is_latest: bool
    is_first: bool
    chain: int
    body: str


STORED_VERSION_COLUMNS: tuple[Any, ...] = tuple(getattr(O, f) for f in StoredVersion._fields)


class StixRepository:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def visible(self, stmt: Select[Any]) -> Select[Any]:
        if self.principal.side is Side.SYSTEM:
            return stmt
        return readable(stmt.where(O.pending_refs == 0), self.principal, O)

    def page(
        self,
        collection_id: str,
        query: ObjectQuery,
        after: Position | None,
        limit: int,
        *,
        with_body: bool,
    ) -> list[Any]:
        """Up to ``limit`` + 1 visible rows after ``after``, in (date_added, STIX id, version)
        order: the values the reader sees, unique in a collection (one ``date_added`` per
        envelope, one version of an id per envelope)."""
        params: dict[str, Any] = {"collection_id": collection_id, "page_limit": limit + 1}
        if after is not None:
            params |= {
                "after_added": after.date_added,
                "after_id": after.stix_id,
                "after_version": after.version,
            }
        if query.added_after is not None:
            params["added_after"] = query.added_after
        stmt = self._page_statement(query, after is not None, with_body=with_body)
        # Plain rows through the session's connection: no ORM loading for a thousand rows.
        connection = self.session.connection()
        if self.dialect != "postgresql":
            return list(connection.execute(stmt, params).all())
        if not _statistics_stale(connection):
            return _driver_rows(connection.execute(stmt, params))
        # Walk ix_stix_object_page in keyset order, whatever the statistics say: right after a
        # bulk load (before autovacuum analyses the table) the planner would otherwise fetch
        # every row of the collection and sort them, for each page.
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
        try:
            return _driver_rows(connection.execute(stmt, params))
        finally:
            connection.exec_driver_sql("SET LOCAL enable_sort = on")

    def _page_statement(self, query: ObjectQuery, has_after: bool, *, with_body: bool) -> Any:  # noqa: ANN401
        """The page query, its values bound at execution. The common shapes (no id, type, text
        or version-stamp filter) are built once per policy key and reused: SQLAlchemy then
        computes the statement's cache key once, not on every page (~1 ms a page)."""
        reusable = not (query.ids or query.types or query.text) and all(
            v in {"first", "last", "all"} for v in query.versions
        )
        policy = "system" if self.principal.side is Side.SYSTEM else policy_key(self.principal)
        key: tuple[Any, ...] = (self.dialect, with_body, has_after, query.added_after is not None)
        key += (query.versions, query.spec_versions, policy)
        if reusable and (found := _PAGE_STATEMENTS.get(key)) is not None:
            return found
        base = PG_PAGE_COLUMNS if self.dialect == "postgresql" else PAGE_COLUMNS
        columns = (*base, O.body if with_body else NO_BODY)
        stmt: Select[Any] = select(*columns).where(O.collection_id == bindparam("collection_id"))
        shape = replace(query, added_after=None)  # bound below instead, for reuse
        stmt = self.visible(self._filtered(stmt, shape))
        if query.added_after is not None:
            stmt = stmt.where(O.date_added > bindparam("added_after", type_=O.date_added.type))
        if has_after:
            stmt = stmt.where(
                tuple_(O.date_added, O.stix_id, O.version)
                > tuple_(
                    bindparam("after_added", type_=O.date_added.type),
                    bindparam("after_id", type_=O.stix_id.type),
                    bindparam("after_version", type_=O.version.type),
                )
            )
        stmt = stmt.order_by(*PAGE_ORDER).limit(bindparam("page_limit", type_=Integer()))
        if reusable:
            if len(_PAGE_STATEMENTS) >= PAGE_STATEMENTS_MAX:
                _PAGE_STATEMENTS.clear()
            _PAGE_STATEMENTS[key] = stmt
        return stmt

    @staticmethod
    def _filtered(stmt: Select[Any], query: ObjectQuery) -> Select[Any]:
        if query.added_after is not None:
            stmt = stmt.where(O.date_added > query.added_after)
        if query.ids:
            stmt = stmt.where(O.stix_id.in_(query.ids))
        if query.types:
            stmt = stmt.where(O.type.in_(query.types))
        if "all" not in query.versions:
            wanted = []
            if "last" in query.versions:
                wanted.append(O.is_latest.is_(True))
            if "first" in query.versions:
                wanted.append(O.is_first.is_(True))
            stamps = [v for v in query.versions if v not in {"first", "last"}]
            if stamps:
                wanted.append(O.version.in_(stamps))
            stmt = stmt.where(or_(*wanted))
        if query.text:
            stmt = stmt.where(O.body.contains(query.text, autoescape=True))
        if query.spec_versions and "2.1" not in query.spec_versions:
            stmt = stmt.where(false())
        return stmt

    def visible_rows_of(self, collection_id: str, stix_id: str, query: ObjectQuery) -> list[Any]:
        """Every visible row of one object that ``query`` selects (for DELETE)."""
        columns: tuple[Any, ...] = (
            O.id,
            O.marking_id,
            O.version,
            O.owner_side,
            O.owner_organisation_id,
        )
        stmt: Select[Any] = select(*columns).where(
            O.collection_id == collection_id, O.stix_id == stix_id
        )
        return list(self.session.execute(self.visible(self._filtered(stmt, query))).all())

    # writes and upkeep (no policy: the service decides what may be written) ----------------
    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def _chunks(self, items: Sequence[Any]) -> Iterator[Sequence[Any]]:
        return chunks(items, ARRAY_CHUNK if self.dialect == "postgresql" else CHUNK)

    def visible_versions(self, collection_id: str, stix_ids: Sequence[str]) -> list[Any]:
        """The stored versions of ``stix_ids`` in a collection that the principal may read
        (through ``visible``): (stix_id, chain, version, own_marking_id, is_latest, body,
        date_added, owner_side, owner_organisation_id). The write path decides only from
        these, so its answer is the same whether or not hidden objects share an id."""
        columns: tuple[Any, ...] = (
            O.stix_id,
            O.chain,
            O.version,
            O.own_marking_id,
            O.is_latest,
            O.body,
            O.date_added,
            O.owner_side,
            O.owner_organisation_id,
        )
        found: list[Any] = []
        for part in self._chunks(stix_ids):
            stmt: Select[Any] = select(*columns).where(
                O.collection_id == collection_id, one_of(O.stix_id, part, self.dialect)
            )
            found.extend(self.session.execute(self.visible(stmt)).all())
        return found

    def last_chains(self, collection_id: str, stix_ids: Sequence[str]) -> dict[str, int]:
        """The highest line number of each of ``stix_ids`` stored in a collection, whoever
        may read it: only to number a new line, never told to anyone."""
        found: dict[str, int] = {}
        for part in self._chunks(stix_ids):
            for sid, chain in self.session.execute(
                select(O.stix_id, func.max(O.chain))
                .where(O.collection_id == collection_id, one_of(O.stix_id, part, self.dialect))
                .group_by(O.stix_id)
            ):
                found[sid] = int(chain)
        return found

    def insert_versions(self, params: list[dict[str, Any]]) -> list[int]:
        """Insert rows (one dict each, all in one collection); their ids, in order.

        PostgreSQL gets ``COPY`` with ids taken from the sequence beforehand; other databases
        an ``INSERT ... RETURNING``."""
        connection = self.session.connection()
        if connection.dialect.name != "postgresql":
            return list(
                self.session.scalars(
                    insert(O).returning(O.id, sort_by_parameter_order=True), params
                )
            )
        self.session.flush()
        # The ids first, from the table's own sequence in one round trip; then COPY with them,
        # so nothing has to be read back.
        ids = list(
            self.session.scalars(
                text("SELECT nextval('stix_object_id_seq') FROM generate_series(1, :n)"),
                {"n": len(params)},
            )
        )
        keys = list(params[0])
        columns = ["id", *keys]
        driver = connection.connection.driver_connection
        assert driver is not None  # noqa: S101 - a live connection has its driver's
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY stix_object ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row_id, row in zip(ids, params, strict=True):
                copy.write_row([row_id, *(row[k] for k in keys)])
        return ids

    def last_date_added(self, collection_id: str) -> dt.datetime | None:
        return self.session.scalar(
            select(O.date_added)
            .where(O.collection_id == collection_id)
            .order_by(O.date_added.desc())
            .limit(1)
        )

    def visible_definitions(
        self, stix_ids: Sequence[str], collection_ids: Sequence[str]
    ) -> list[str]:
        """The bodies of stored marking-definitions among ``stix_ids`` that the principal
        may read, in collections it may read (``collection_ids``): a writer's envelope may
        name a marking defined there; one it may not read is as unknown as a missing one."""
        bodies: list[str] = []
        if not collection_ids:
            return bodies
        for part in chunks(stix_ids):
            stmt: Select[Any] = select(O.body).where(
                O.stix_id.in_(part),
                O.type == "marking-definition",
                O.collection_id.in_(collection_ids),
            )
            bodies.extend(self.session.scalars(self.visible(stmt)))
        return bodies

    def rows_of(self, stix_ids: Iterable[str]) -> list[StoredVersion]:
        """Every stored version of ``stix_ids``, in every collection, whoever may read it:
        only for the hub's own upkeep (``ingest.Ingest.resolve``), never served."""
        wanted = sorted(set(stix_ids))
        rows: list[StoredVersion] = []
        for part in self._chunks(wanted):
            rows.extend(
                StoredVersion._make(r)
                for r in self.session.execute(
                    select(*STORED_VERSION_COLUMNS).where(one_of(O.stix_id, part, self.dialect))
                )
            )
        return rows

    def refs_of(self, row_ids: Sequence[int]) -> list[tuple[int, str]]:
        found: list[tuple[int, str]] = []
        for part in self._chunks(row_ids):
            found.extend(
                (r[0], r[1])
                for r in self.session.execute(
                    select(StixRef.row_id, StixRef.target).where(
                        one_of(StixRef.row_id, part, self.dialect)
                    )
                )
            )
        return found

    def own_markings_of(
        self, stix_ids: Iterable[str]
    ) -> dict[tuple[str, str], dict[int, set[int]]]:
        """The own markings of every stored version of ``stix_ids``, by (collection, id) and
        line: a reference resolves only within its own collection, so a reader of the
        referrer is a reader of the collection holding the referenced end."""
        wanted = sorted(set(stix_ids))
        found: dict[tuple[str, str], dict[int, set[int]]] = {}
        for part in self._chunks(wanted):
            for cid, sid, chain, mid in self.session.execute(
                select(O.collection_id, O.stix_id, O.chain, O.own_marking_id)
                .where(one_of(O.stix_id, part, self.dialect))
                .distinct()
            ):
                found.setdefault((cid, sid), {}).setdefault(chain, set()).add(mid)
        return found

    def referrers_of(self, stix_ids: Iterable[str]) -> set[str]:
        """The STIX ids of stored objects that reference any of ``stix_ids``."""
        wanted = sorted(set(stix_ids))
        found: set[str] = set()
        for part in self._chunks(wanted):
            found.update(
                self.session.scalars(
                    select(O.stix_id)
                    .join(StixRef, StixRef.row_id == O.id)
                    .where(one_of(StixRef.target, part, self.dialect))
                    .distinct()
                )
            )
        return found

    def delete_rows(self, row_ids: Sequence[int]) -> None:
        for part in chunks(row_ids):
            self.session.execute(delete(StixRef).where(StixRef.row_id.in_(part)))
            self.session.execute(delete(O).where(O.id.in_(part)))

    def count_visible(self, collection_id: str) -> int:
        """How many objects (latest versions) of a collection the principal may see."""
        stmt = (
            select(func.count())
            .select_from(O)
            .where(O.collection_id == collection_id, O.is_latest.is_(True))
        )
        return int(self.session.scalar(self.visible(stmt)) or 0)

    def relationships_of(self, collection_id: str, stix_id: str, limit: int) -> list[Any]:
        """Visible latest relationships in a collection that name ``stix_id``."""
        columns: tuple[Any, ...] = (*PAGE_COLUMNS, O.body)
        stmt: Select[Any] = (
            select(*columns)
            .join(StixRef, StixRef.row_id == O.id)
            .where(
                StixRef.target == stix_id,
                O.collection_id == collection_id,
                O.is_latest.is_(True),
                O.type == "relationship",
            )
            .order_by(*PAGE_ORDER)
            .limit(limit)
        )
        return list(self.session.execute(self.visible(stmt)).all())

    def latest_of(self, collection_id: str, stix_ids: Sequence[str]) -> list[Any]:
        """The visible latest versions of ``stix_ids`` in a collection."""
        found: list[Any] = []
        columns: tuple[Any, ...] = (*PAGE_COLUMNS, O.body)
        for part in chunks(sorted(set(stix_ids))):
            stmt: Select[Any] = select(*columns).where(
                O.collection_id == collection_id, O.stix_id.in_(part), O.is_latest.is_(True)
            )
            found.extend(self.session.execute(self.visible(stmt)).all())
        return found
