# SPDX-License-Identifier: Apache-2.0
"""The one access policy, as two faces that must agree (a hypothesis test holds them equal):

- ``can_read(principal, marking, on=day)``: the predicate, for one marking in memory;
- ``readable(stmt, principal, model)``: the same rule as a SQL condition on ``model.marking_id``,
  applied inside every query that reads marked rows.

A read is allowed iff:

1. the marking is PUBLIC — anyone, anonymous included, reads it; otherwise
2. the principal is authenticated, its clearance ≥ the level, it holds every caveat, and — where
   the marking names need-to-know communities — it belongs to at least one; and
3. an ally's national (or NATO staff) reads any NATO marking; a partner's national reads only
   what is releasable to its nation or one of its groups, carries no caveat, and is NATO
   UNCLASSIFIED or at or below the highest level of a security agreement of that partner in
   force on the day of the read. NATO UNCLASSIFIED is not public.

The console's SYSTEM principal reads everything (it runs init, imports and verification).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import (
    Boolean,
    ColumnElement,
    FunctionElement,
    Select,
    String,
    and_,
    literal,
    literal_column,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal, _TraverseInternalsType

from liaison.kit.clock import today
from liaison.security.classification import Classification
from liaison.security.marking_store import Prefix, committed_prefix
from liaison.security.markings import Caveat, Marking, Tlp, has_control_character
from liaison.security.models import Marked, MarkingRow, framed
from liaison.security.principal import Principal, Side

C = Classification
S = TypeVar("S", bound=Select[Any])


def can_read(principal: Principal, marking: Marking, on: dt.date | None = None) -> bool:  # noqa: PLR0911 - one return per rule of the docstring
    if marking.level is C.PUBLIC or principal.side is Side.SYSTEM:
        return True
    if principal.side is Side.ANONYMOUS or principal.clearance.rank < marking.level.rank:
        return False
    if not marking.caveats <= principal.caveats:
        return False
    if marking.communities and not marking.communities & principal.communities:
        return False
    if principal.side is Side.ALLY:
        return True
    if marking.caveats or not marking.releasable_to & principal.release_codes:
        return False
    if marking.level is C.NATO_UNCLASSIFIED:
        return True
    ceiling = principal.ceiling_on(on or today())
    return ceiling is not None and marking.level.rank <= ceiling.rank


def at_least_as_restrictive(
    new: Marking, old: Marking, groups_of: Callable[[str], frozenset[str]] | None = None
) -> bool:
    """Whether nobody may read ``new`` who may not read ``old`` (by every rule of
    ``can_read``): a level as high, every caveat of ``old``, need-to-know within ``old``'s
    communities where it names some, release codes each covered by ``old``'s (group-aware
    with ``groups_of``: REL JPN is within REL IP4), and a TLP as strict."""
    if new.level.rank < old.level.rank or not old.caveats <= new.caveats:
        return False
    if old.communities and not (new.communities and new.communities <= old.communities):
        return False
    if old.level is not C.PUBLIC and new.level is not C.PUBLIC:
        within = groups_of or (lambda _code: frozenset())
        for code in new.releasable_to:
            if code not in old.releasable_to and not within(code) & old.releasable_to:
                return False
    order = list(Tlp)
    return old.tlp is None or (new.tlp is not None and order.index(new.tlp) >= order.index(old.tlp))


def can_add_version(
    principal: Principal,
    new: Marking,
    stored: Iterable[Marking],
    latest: Marking | None,
    groups_of: Callable[[str], frozenset[str]] | None = None,
) -> bool:
    """The write face of the policy for versioned records (a STIX object's versions): a new
    version marked ``new`` may join ``stored`` only if the writer may read ``new`` and every
    stored version's marking, and ``new`` does not lower the marking of the ``latest`` stored
    version (``at_least_as_restrictive``). Re-marking lower is not a new version."""
    if not can_read(principal, new) or not all(can_read(principal, m) for m in stored):
        return False
    return latest is None or at_least_as_restrictive(new, latest, groups_of)


def marking_condition(principal: Principal, on: dt.date | None = None) -> ColumnElement[bool]:
    """The policy as a condition on the ``marking`` table (``MarkingRow``) alone: the release
    codes, caveats and communities are searched in the row's framed lists (migration 0010), so
    the database runs no sub-query per marking."""
    is_public = MarkingRow.level_rank == C.PUBLIC.rank
    if principal.side is Side.SYSTEM:
        return true()
    if principal.side is Side.ANONYMOUS:
        return is_public
    no_missing_caveat = and_(
        true(),
        *(
            not_(_lists(MarkingRow.caveat_list, caveat.value))
            for caveat in Caveat
            if caveat not in principal.caveats
        ),
    )
    need_to_know = or_(
        MarkingRow.community_list == _NONE,
        *(_lists(MarkingRow.community_list, c) for c in _searchable(principal.communities)),
    )
    common = and_(
        MarkingRow.level_rank <= principal.clearance.rank, no_missing_caveat, need_to_know
    )
    if principal.side is Side.ALLY:
        return or_(is_public, common)
    codes = _searchable(principal.release_codes)
    if not codes:
        return is_public
    ceiling = principal.ceiling_on(on or today())
    level_ok = MarkingRow.level_rank == C.NATO_UNCLASSIFIED.rank
    if ceiling is not None:
        level_ok = or_(level_ok, MarkingRow.level_rank <= ceiling.rank)
    released = or_(*(_lists(MarkingRow.release_list, code) for code in codes))
    no_caveat = MarkingRow.caveat_list == _NONE
    return or_(is_public, and_(common, released, no_caveat, level_ok))


# An empty list, written inline: a constant needs no bound parameter.
_NONE: ColumnElement[str] = literal_column("''")


def _searchable(values: frozenset[str]) -> list[str]:
    # A value holding a control character matches no stored value (``contradiction`` refuses
    # them), but one holding the separator could match across two; such values are left out
    # (and the others can be written as SQL literals: ``_PolicyClause``).
    return sorted(v for v in values if not has_control_character(v))


_HasColumn = ColumnElement[str] | InstrumentedAttribute[str]


class _lists(FunctionElement[bool]):  # noqa: N801 - used as a function
    """``_lists(column, value)``: whether a framed list column holds ``value`` (exact and
    case-sensitive: ``instr`` on SQLite, ``strpos`` on PostgreSQL; never ``LIKE``, which
    SQLite compares without case)."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True

    def __init__(self, column: _HasColumn, value: str) -> None:
        super().__init__(column, literal(framed((value,)), String()))


@compiles(_lists)
def _lists_sqlite(element: _lists, compiler: SQLCompiler, **kw: Any) -> str:  # noqa: ANN401
    return f"instr({compiler.process(element.clauses, **kw)}) > 0"


@compiles(_lists, "postgresql")
def _lists_pg(element: _lists, compiler: SQLCompiler, **kw: Any) -> str:  # noqa: ANN401
    return f"strpos({compiler.process(element.clauses, **kw)}) > 0"


def readable_marking_ids(principal: Principal, on: dt.date | None = None) -> Select[Any]:
    """The ids of the markings ``principal`` may read, as a subquery."""
    return select(MarkingRow.id).where(marking_condition(principal, on))


class _PolicyClause(ColumnElement[bool]):
    """A policy condition on ``column``, written with its values inline.

    Inline, not as bound parameters: binding the policy's ten or so values on every execution
    kept a SQLite page of 50 at up to 1.63x the unfiltered query, 1.31x at most inline
    (docs/benchmarks.md). The statement cache key therefore carries ``policy`` — the policy
    key and whatever else the condition was built from — instead of the condition's
    structure; the values are ranks, ids, and release codes or communities without control
    characters (``_searchable``), written as SQL literals by SQLAlchemy's string quoting."""

    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012 - SQLAlchemy reads it per class
        ("column", InternalTraversal.dp_clauseelement),
        ("policy", InternalTraversal.dp_plain_obj),
    ]
    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a predicate: no "= 1" where booleans are integers (SQLite)

    def __init__(
        self, column: ColumnElement[int], condition: ColumnElement[bool], policy: tuple[Any, ...]
    ) -> None:
        self.column = column
        self.condition = condition
        self.policy = policy


@compiles(_PolicyClause)
def _policy_clause(element: _PolicyClause, compiler: SQLCompiler, **kw: Any) -> str:  # noqa: ANN401
    kw["literal_binds"] = True
    return f"({compiler.process(element.condition, **kw)})"


class _InReadable(ColumnElement[bool]):
    """``column IN (ids)`` for a sub-query of marking ids, compiled per dialect (only ever
    inside a ``_PolicyClause``, whose key covers it)."""

    inherit_cache = False
    type = Boolean()
    _is_implicitly_boolean = True

    def __init__(self, column: ColumnElement[int], ids: Select[Any]) -> None:
        self.column = column
        self.ids = ids


@compiles(_InReadable)
def _in_readable(element: _InReadable, compiler: SQLCompiler, **kw: Any) -> str:  # noqa: ANN401
    return compiler.process(element.column.in_(element.ids), **kw)


@compiles(_InReadable, "postgresql")
def _in_readable_pg(element: _InReadable, compiler: SQLCompiler, **kw: Any) -> str:  # noqa: ANN401
    # PostgreSQL hash-joins ``IN (subquery)``; ``= ANY(ARRAY(subquery))`` runs the small
    # marking query once (an InitPlan) and filters with a constant array: 1.4-2.2x faster on
    # counts at 1M rows (docs/benchmarks.md).
    column = compiler.process(element.column, **kw)
    ids = compiler.process(element.ids, asfrom=False, **kw)
    return f"{column} = ANY(ARRAY({ids}))"


def policy_key(principal: Principal, on: dt.date | None = None) -> tuple[Any, ...]:
    """Everything of ``principal`` the policy looks at on ``on``: two principals with the same
    key read exactly the same markings that day (``readable`` caches its clause by it)."""
    if principal.side is not Side.PARTNER:
        ceiling = None
    else:
        found = principal.ceiling_on(on or today())
        ceiling = found.rank if found is not None else None
    return (
        principal.side,
        principal.clearance.rank,
        principal.caveats,
        principal.communities,
        principal.release_codes if principal.side is Side.PARTNER else frozenset(),
        ceiling,
    )


_CLAUSES: dict[tuple[Any, ...], _PolicyClause] = {}
_CLAUSES_MAX = 4096  # distinct (policy key, model) pairs kept; then the cache starts again


def readable(
    stmt: S,
    principal: Principal,
    model: type[Marked],
    on: dt.date | None = None,
    *,
    page_of: Session | None = None,
) -> S:
    """``stmt`` restricted to the rows of ``model`` that ``principal`` may read.

    The clause is built once per policy key and model and then shared: a clause is immutable,
    so statements may share it, and SQLAlchemy computes its cache key once (building and
    keying it took ~0.5 ms of a TAXII page).

    ``page_of``: the session a *page* will run in — a statement that reads rows in an index's
    order and stops after a LIMIT. On SQLite its clause then names the readable markings among
    those committed up to the process's last look (``marking_store.committed_prefix``: ids
    commit in order there) as constants, ``marking_id = 4 OR marking_id = 6 ...``, and asks the
    marking table, as above, only about markings above them: a page that passes over many
    unreadable rows tests each against a few constants instead of probing the sub-query's
    result (korea at 1M documents: 1.28-1.29x -> 1.19x the unfiltered page). Not for counts: those
    SQLite answers through the marking index, which the constants' OR keeps it from (a count
    for an ally, 24 -> 120 ms; docs/benchmarks.md)."""
    if principal.side is Side.SYSTEM:
        return stmt
    key = (*policy_key(principal, on), model)
    prefix = committed_prefix(page_of) if page_of is not None else None
    if prefix is not None:
        if key in prefix.clauses:
            found = prefix.clauses[key]
        else:  # None too is kept: too many readable markings for constants
            if len(prefix.clauses) >= _CLAUSES_MAX:
                prefix.clauses.clear()
            found = prefix.clauses[key] = _among_prefix(principal, model, on, prefix, key)
        if found is not None:
            return stmt.where(found)
    clause = _CLAUSES.get(key)
    if clause is None:
        if len(_CLAUSES) >= _CLAUSES_MAX:
            _CLAUSES.clear()
        column: Any = model.marking_id
        ids = readable_marking_ids(principal, on)
        clause = _CLAUSES[key] = _PolicyClause(column, _InReadable(column, ids), key)
    return stmt.where(clause)


PREFIX_IDS_MAX = 64  # readable markings written out at most; with more, the sub-query form


def _among_prefix(
    principal: Principal,
    model: type[Marked],
    on: dt.date | None,
    prefix: Prefix,
    key: tuple[Any, ...],
) -> _PolicyClause | None:
    allowed = sorted(i for i, m in prefix.markings.items() if can_read(principal, m, on))
    if len(allowed) > PREFIX_IDS_MAX:
        return None
    column: Any = model.marking_id
    # ``+marking_id``: a page is read in its sort's order, each row tested; without the plus,
    # SQLite may take the OR of constants as index lookups on the marking (a MULTI-INDEX OR
    # over every readable document, then a sort), as it did on a small table
    tested: Any = _Unindexed(column)
    newer = select(MarkingRow.id).where(
        MarkingRow.id > prefix.upto, marking_condition(principal, on)
    )
    condition = or_(
        *(tested == literal_column(str(i)) for i in allowed),
        and_(tested > literal_column(str(prefix.upto)), _InReadable(tested, newer)),
    )
    return _PolicyClause(column, condition, (*key, prefix.upto, tuple(allowed)))


class _Unindexed(ColumnElement[int]):
    """``+column`` (SQLite): the same value, which the planner does not look up in an index."""

    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012 - SQLAlchemy reads it per class
        ("column", InternalTraversal.dp_clauseelement),
    ]
    inherit_cache = True

    def __init__(self, column: ColumnElement[int]) -> None:
        self.column = column
        self.type = column.type


@compiles(_Unindexed)
def _unindexed(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:  # noqa: ANN401
    return f"+{compiler.process(element.column, **kw)}"
