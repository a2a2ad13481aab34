"""The one policy: its rules case by case, and its two faces held equal on both backends."""

import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.security import marking_store, policy
from liaison.security.classification import Classification as C
from liaison.security.marking_store import MarkingStore, committed_prefix
from liaison.security.markings import Caveat, Marking, MarkingError
from liaison.security.models import MarkingRow, framed
from liaison.security.policy import can_read, marking_condition, readable
from liaison.security.principal import ANONYMOUS, SYSTEM, AgreementSpan, Principal, Side
from policy_probes import (
    JAPAN,
    JAPAN_AGREEMENT,
    KOREA,
    D,
    _AsMarked,
    _expected,
    _lists,
    ally,
    partner,
    universe,
)

NR_REL_JPN = Marking(C.NATO_RESTRICTED, frozenset({"JPN"}))
NU_REL_IP4 = Marking(C.NATO_UNCLASSIFIED, frozenset({"IP4"}))


@pytest.mark.parametrize(
    ("principal", "marking", "allowed"),
    [
        (ANONYMOUS, Marking(C.PUBLIC), True),
        (ANONYMOUS, NU_REL_IP4, False),  # NATO UNCLASSIFIED is not public
        (KOREA, NU_REL_IP4, True),  # NU releasable to its group needs no agreement
        (KOREA, NR_REL_JPN, False),
        (KOREA, Marking(C.NATO_RESTRICTED, frozenset({"KOR"})), False),  # no agreement
        (JAPAN, NR_REL_JPN, True),
        (JAPAN, Marking(C.NATO_RESTRICTED), False),  # NATO only
        (JAPAN, Marking(C.COSMIC_TOP_SECRET, frozenset({"JPN"})), False),  # above clearance
        (
            partner(
                "JPN", groups={"IP4"}, clearance=C.COSMIC_TOP_SECRET, agreements=JAPAN_AGREEMENT
            ),
            Marking(C.COSMIC_TOP_SECRET, frozenset({"JPN"})),
            False,
        ),  # above the agreement
        (ally(C.NATO_RESTRICTED), Marking(C.NATO_CONFIDENTIAL), False),
        (ally(), Marking(C.NATO_SECRET), True),
        (ally(), Marking(C.NATO_RESTRICTED, frozenset({"JPN"})), True),  # allies read any NATO
        (ally(), Marking(C.NATO_SECRET, caveats=frozenset({Caveat.ATOMAL})), False),
        (
            ally(caveats={Caveat.ATOMAL}),
            Marking(C.NATO_SECRET, caveats=frozenset({Caveat.ATOMAL})),
            True,
        ),
        (ally(), Marking(C.NATO_RESTRICTED, communities=frozenset({"cyber"})), False),
        (
            ally(communities={"cyber"}),
            Marking(C.NATO_RESTRICTED, communities=frozenset({"cyber"})),
            True,
        ),
        (SYSTEM, Marking(C.COSMIC_TOP_SECRET, caveats=frozenset({Caveat.BOHEMIA})), True),
    ],
)
def test_rules(principal, marking, allowed):
    assert can_read(principal, marking) is allowed


def test_agreement_must_be_in_force_on_the_day_of_the_read():
    assert not can_read(JAPAN, NR_REL_JPN, on=D(2010, 6, 24))
    assert can_read(JAPAN, NR_REL_JPN, on=D(2010, 6, 25))
    ended = partner("JPN", agreements=(AgreementSpan(D(2010, 1, 1), D(2020, 1, 1), C.NATO_SECRET),))
    assert not can_read(ended, NR_REL_JPN, on=D(2020, 1, 1))


@st.composite
def principals(draw):
    side = draw(st.sampled_from([Side.ANONYMOUS, Side.ALLY, Side.PARTNER, Side.SYSTEM]))
    if side is Side.ANONYMOUS:
        return ANONYMOUS
    if side is Side.SYSTEM:
        return SYSTEM
    spans = draw(
        st.lists(
            st.builds(
                AgreementSpan,
                start=st.dates(D(2000, 1, 1), D(2030, 1, 1)),
                end=st.one_of(st.none(), st.dates(D(2000, 1, 1), D(2035, 1, 1))),
                level=st.sampled_from(list(C)),
            ),
            max_size=2,
        )
    )
    return Principal(
        side=side,
        username="p",
        nation=draw(st.sampled_from(["JPN", "KOR", "AUS", "NZL"]))
        if side is Side.PARTNER
        else "ITA",
        # "IP" is part of "IP4"; "KOR\x1fJPN" spans two framed values (no marking holds it).
        groups=draw(
            st.frozensets(st.sampled_from(["IP4", "PAG", "EOP", "IP", "KOR\x1fJPN"]), max_size=2)
        ),
        clearance=draw(st.sampled_from(list(C))),
        caveats=draw(st.frozensets(st.sampled_from(list(Caveat)), max_size=2)),
        communities=draw(
            st.frozensets(
                st.sampled_from(
                    ["cyber", "maritime", "x", "CYBER", "cyber-", "cyber\x1fmaritime", "o'brien\\"]
                ),
                max_size=2,
            )
        ),
        agreements=tuple(spans),
    )


def over_principals_and_days(examples):
    """Run the decorated check for Hypothesis's principals and days of reading."""

    def wrap(check):
        return settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        )(given(principal=principals(), day=st.dates(D(1999, 1, 1), D(2036, 1, 1)))(check))

    return wrap


def test_predicate_and_sql_agree(engine):
    """Hypothesis draws principals and days; for each, the marking ids the SQL face selects
    must be exactly those the predicate allows (every principal × every marking)."""
    markings = universe()
    with unit_of_work(session_factory(engine)) as session:
        store = MarkingStore(session)
        ids = {store.intern(m): m for m in markings}
        cases = []

        @over_principals_and_days(700)
        def check(principal, day):
            got = set(
                session.scalars(
                    select(MarkingRow.id).where(
                        MarkingRow.id.in_(ids), marking_condition(principal, day)
                    )
                )
            )
            expected = {i for i, m in ids.items() if can_read(principal, m, on=day)}
            cases.append(len(ids))
            assert got == expected, (principal, day, ids.keys() ^ got)
            # ... and so must ``readable``, whose clause is cached by policy key and written
            # with its values inline (the statement cache must never mix two principals).
            stmt = readable(
                select(MarkingRow.id).where(MarkingRow.id.in_(ids)), principal, _AsMarked, on=day
            )
            assert set(session.scalars(stmt)) == expected, (principal, day)

        check()
    assert sum(cases) >= 50_000  # principal × marking cases per backend: ≥ 100k per run (DESIGN)


def test_readable_statements_are_not_confused_by_the_statement_cache(engine):
    """The same query shape for different principals, run in turn on one connection, must
    each get their own visibility (the compiled-statement cache keys cover the policy)."""
    with unit_of_work(session_factory(engine)) as session:
        store = MarkingStore(session)
        ids = {store.intern(m): m for m in universe()}
        readers = [JAPAN, KOREA, ally(), ally(C.NATO_RESTRICTED), ANONYMOUS, JAPAN, KOREA]
        readers += [ally(communities={"o'brien\\"}), ally(communities={"cyber"})]
        for reader in readers:
            stmt = readable(select(MarkingRow.id).where(MarkingRow.id.in_(ids)), reader, _AsMarked)
            got = set(session.scalars(stmt))
            assert got == {i for i, m in ids.items() if can_read(reader, m)}


# Pages on SQLite (``readable(..., page_of=session)``): the readable markings among those
# committed up to the process's last look are written as constants, the others asked of the
# marking table. The two must agree with the predicate however the prefix and the store move.


def _page_ids(session, reader, ids, on=None):
    stmt = readable(
        select(MarkingRow.id).where(MarkingRow.id.in_(ids)), reader, _AsMarked, on, page_of=session
    )
    return set(session.scalars(stmt))


def test_page_clause_agrees_with_the_predicate_over_committed_markings(engine):
    markings = universe()
    with unit_of_work(session_factory(engine)) as session:
        store = MarkingStore(session)
        ids = {store.intern(m): m for m in markings}
    with unit_of_work(session_factory(engine)) as session:
        prefix = committed_prefix(session)
        if prefix is not None:  # SQLite: every marking is among the constants
            assert set(ids) <= set(prefix.markings)
            assert all(prefix.markings[i] == m for i, m in ids.items())

        @over_principals_and_days(300)
        def check(principal, day):
            expected = {i for i, m in ids.items() if can_read(principal, m, on=day)}
            assert _page_ids(session, principal, ids, day) == expected, (principal, day)

        check()


def test_a_marking_committed_after_the_prefix_was_read_is_asked_of_the_database(
    engine, monkeypatch
):
    monkeypatch.setattr(marking_store, "PREFIX_RECHECK_SECONDS", 3600.0)
    first, later = universe()[:20], universe()[20:]
    with unit_of_work(session_factory(engine)) as session:
        ids = {MarkingStore(session).intern(m): m for m in first}
    readers = [KOREA, JAPAN, ally(), ally(C.NATO_RESTRICTED), ANONYMOUS]
    with unit_of_work(session_factory(engine)) as reading:
        for reader in readers:  # reads the prefix, and builds each reader's clause on it
            assert _page_ids(reading, reader, ids) == {
                i for i, m in ids.items() if can_read(reader, m)
            }
        before = committed_prefix(reading)
    with unit_of_work(session_factory(engine)) as writing:
        ids.update({MarkingStore(writing).intern(m): m for m in later})
    with unit_of_work(session_factory(engine)) as reading:
        if before is not None:
            assert committed_prefix(reading) is before  # not looked at again yet
            assert max(ids) > before.upto  # so the markings above are the database's to judge
        for reader in readers:
            assert _page_ids(reading, reader, ids) == {
                i for i, m in ids.items() if can_read(reader, m)
            }


def test_a_marking_this_session_has_not_committed_is_not_in_the_prefix(engine, monkeypatch):
    monkeypatch.setattr(marking_store, "PREFIX_RECHECK_SECONDS", 0.0)
    with unit_of_work(session_factory(engine)) as session:
        mid = MarkingStore(session).intern(Marking(C.NATO_UNCLASSIFIED, frozenset({"KOR", "NZL"})))
        prefix = committed_prefix(session)  # read beside this session's write lock
        if prefix is None:
            pytest.skip("PostgreSQL pages ask the marking table alone")
        assert mid not in prefix.markings
        assert prefix.upto < mid
        session.rollback()
    with unit_of_work(session_factory(engine)) as session:
        other = MarkingStore(session).intern(Marking(C.COSMIC_TOP_SECRET))
        assert other == mid  # SQLite gives the rolled-back id to the next marking
    with unit_of_work(session_factory(engine)) as session:
        assert committed_prefix(session).markings[mid] == Marking(C.COSMIC_TOP_SECRET)
        assert _page_ids(session, KOREA, [mid]) == set()


def test_a_page_does_not_wait_for_another_thread_reading_the_prefix(engine, monkeypatch):
    with unit_of_work(session_factory(engine)) as session:
        ids = {MarkingStore(session).intern(m): m for m in universe()[:12]}
    with unit_of_work(session_factory(engine)) as session:
        before = committed_prefix(session)
    monkeypatch.setattr(marking_store, "PREFIX_RECHECK_SECONDS", 0.0)
    with unit_of_work(session_factory(engine)) as writing:
        ids.update({MarkingStore(writing).intern(m): m for m in universe()[12:]})
    assert marking_store._PREFIX_LOCK.acquire(timeout=5)  # another thread is reading it
    try:
        with unit_of_work(session_factory(engine)) as session:
            assert committed_prefix(session) is before  # what there was, not a wait
            for reader in (KOREA, JAPAN, ally()):
                assert _page_ids(session, reader, ids) == {
                    i for i, m in ids.items() if can_read(reader, m)
                }
    finally:
        marking_store._PREFIX_LOCK.release()


def test_a_reader_of_many_markings_gets_the_sub_query_form(engine, monkeypatch):
    monkeypatch.setattr(policy, "PREFIX_IDS_MAX", 2)
    with unit_of_work(session_factory(engine)) as session:
        ids = {MarkingStore(session).intern(m): m for m in universe()}
    with unit_of_work(session_factory(engine)) as session:
        for reader in (ally(), JAPAN, ally()):  # the second ally: the kept decision
            assert _page_ids(session, reader, ids) == {
                i for i, m in ids.items() if can_read(reader, m)
            }
        prefix = committed_prefix(session)
        if prefix is not None:
            decided = [v for k, v in prefix.clauses.items() if k[0] is Side.ALLY]
            assert decided == [None]  # more than two readable: no constants, and kept so


def test_two_databases_with_the_same_marking_ids_keep_their_own_prefix(db_url, tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("the prefix is SQLite's")
    other_url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    shutil.copyfile(db_url.removeprefix("sqlite:///"), other_url.removeprefix("sqlite:///"))
    one, two = build_engine(db_url), build_engine(other_url)
    with unit_of_work(session_factory(one)) as session:
        released = MarkingStore(session).intern(Marking(C.NATO_UNCLASSIFIED, frozenset({"KOR"})))
    with unit_of_work(session_factory(two)) as session:
        secret = MarkingStore(session).intern(Marking(C.COSMIC_TOP_SECRET))
    assert released == secret  # the same id, two markings
    with unit_of_work(session_factory(one)) as session:
        assert _page_ids(session, KOREA, [released]) == {released}
    with unit_of_work(session_factory(two)) as session:
        assert _page_ids(session, KOREA, [secret]) == set()
    one.dispose()
    two.dispose()


def test_interned_markings_carry_their_lists(engine):
    with unit_of_work(session_factory(engine)) as session:
        store = MarkingStore(session)
        ids = {store.intern(m): m for m in universe()}
        assert _lists(session, ids) == _expected(ids)
    assert framed([]) == ""
    assert framed(["JPN", "AUS"]) == "\x1fAUS\x1fJPN\x1f"


@pytest.mark.parametrize("bad", ["cy\x1fber", "cyber\n", "\x00"])
def test_a_community_or_release_code_with_a_control_character_is_refused(bad):
    with pytest.raises(MarkingError, match="control character"):
        Marking(C.NATO_RESTRICTED, communities=frozenset({bad}))
    with pytest.raises(MarkingError, match="control character"):
        Marking(C.NATO_RESTRICTED, frozenset({bad}))
