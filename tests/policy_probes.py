"""What the policy tests share with the migration tests: principals built by hand, every
shape of marking (``universe``), and the marking table's framed lists (migration 0010)."""

import datetime as dt
import itertools

from sqlalchemy import select

from liaison.security.classification import Classification as C
from liaison.security.markings import Caveat, Marking
from liaison.security.models import MarkingRow, framed
from liaison.security.principal import AgreementSpan, Principal, Side

D = dt.date
JAPAN_AGREEMENT = (AgreementSpan(D(2010, 6, 25), None, C.NATO_SECRET),)


def partner(nation, *, groups=(), clearance=C.NATO_SECRET, agreements=(), communities=()):
    return Principal(
        side=Side.PARTNER,
        username=nation.lower(),
        nation=nation,
        groups=frozenset(groups),
        clearance=clearance,
        agreements=agreements,
        communities=frozenset(communities),
    )


def ally(clearance=C.NATO_SECRET, *, caveats=(), communities=()):
    return Principal(
        side=Side.ALLY,
        username="ally",
        nation="ITA",
        clearance=clearance,
        caveats=frozenset(caveats),
        communities=frozenset(communities),
    )


JAPAN = partner("JPN", groups={"IP4", "PAG"}, agreements=JAPAN_AGREEMENT)
KOREA = partner("KOR", groups={"IP4", "PAG"})


def universe():
    """Markings covering every level, releasability, caveat and community shape."""
    out = {Marking(C.PUBLIC)}
    releases = [
        frozenset(),
        frozenset({"JPN"}),
        frozenset({"KOR"}),
        frozenset({"IP4"}),
        frozenset({"AUS", "JPN"}),
    ]
    # Communities that differ only in case or are part of another one: the SQL face searches
    # framed text lists, and must match whole values exactly as the predicate does.
    communities = [
        frozenset(),
        frozenset({"cyber"}),
        frozenset({"cyber", "maritime"}),
        frozenset({"Cyber"}),
        frozenset({"cyber-ops"}),
        frozenset({"o'brien\\"}),  # a quote and a backslash: the values are written inline
    ]
    for level, release, ntk in itertools.product(list(C)[1:], releases, communities):
        out.add(Marking(level, release, frozenset(), ntk))
    for level in (C.NATO_CONFIDENTIAL, C.NATO_SECRET, C.COSMIC_TOP_SECRET):
        out.add(Marking(level, caveats=frozenset({Caveat.ATOMAL})))
    out.add(Marking(C.COSMIC_TOP_SECRET, caveats=frozenset({Caveat.ATOMAL, Caveat.BOHEMIA})))
    return sorted(out, key=lambda m: m.key)


class _AsMarked:
    """The marking table read as if it were a marked table (its rows carry their own id)."""

    marking_id = MarkingRow.id


# Migration 0010: each marking row carries its child values as framed text lists, written when
# a marking is interned and back-filled from the child tables for markings stored before.


def _lists(session, ids):
    rows = session.execute(
        select(
            MarkingRow.id,
            MarkingRow.release_list,
            MarkingRow.caveat_list,
            MarkingRow.community_list,
        ).where(MarkingRow.id.in_(ids))
    )
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _expected(ids):
    return {
        i: (framed(m.releasable_to), framed(c.value for c in m.caveats), framed(m.communities))
        for i, m in ids.items()
    }
