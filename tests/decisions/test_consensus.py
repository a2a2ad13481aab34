# SPDX-License-Identifier: Apache-2.0
"""The pure consensus rules and redlines: no database, the clock passed in."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.decisions.consensus import (
    Facts,
    Node,
    Outcome,
    Procedure,
    Stance,
    Stand,
    Verdict,
    check_position,
    check_procedure,
    own_verdict,
    resolve,
)
from liaison.decisions.redline import changed, redline

T0 = dt.datetime(2023, 4, 11, 9, tzinfo=dt.UTC)
DEADLINE = T0 + dt.timedelta(days=7)
THREE = frozenset({"FRA", "DEU", "ITA"})


def at(hours):
    return T0 + dt.timedelta(hours=hours)


def silence(*positions, withdrawn_at=None):
    return Facts(Procedure.SILENCE, T0, DEADLINE, THREE, tuple(positions), 1, withdrawn_at)


def meeting(*positions, version=1, deadline=None):
    return Facts(Procedure.MEETING, T0, deadline, THREE, tuple(positions), version)


def test_silence_is_pending_then_adopted_at_the_deadline():
    facts = silence(Stand("DEU", Stance.FOOTNOTE, at(1)))
    assert own_verdict(facts, DEADLINE - dt.timedelta(seconds=1)).outcome is Outcome.PENDING
    adopted = own_verdict(facts, DEADLINE)
    assert adopted == Verdict(Outcome.ADOPTED, DEADLINE, adopted.reason)


def test_one_break_breaks_silence_when_it_is_made():
    facts = silence(Stand("FRA", Stance.BREAK_SILENCE, at(5)))
    assert own_verdict(facts, at(4)).outcome is Outcome.PENDING  # not yet made at 4 h
    broken = own_verdict(facts, at(6))
    assert (broken.outcome, broken.at, broken.reason) == (
        Outcome.BROKEN,
        at(5),
        "FRA broke silence",
    )


def test_a_break_after_the_deadline_does_not_count():
    facts = silence(Stand("FRA", Stance.BREAK_SILENCE, DEADLINE + dt.timedelta(minutes=1)))
    assert own_verdict(facts, DEADLINE + dt.timedelta(hours=1)).outcome is Outcome.ADOPTED


def test_a_reservation_standing_at_the_deadline_breaks_it_and_a_withdrawn_one_does_not():
    kept = silence(Stand("ITA", Stance.RESERVATION, at(1)))
    assert own_verdict(kept, DEADLINE).outcome is Outcome.BROKEN
    lifted = silence(
        Stand("ITA", Stance.RESERVATION, at(1)), Stand("ITA", Stance.WITHDRAW_RESERVATION, at(2))
    )
    assert own_verdict(lifted, DEADLINE).outcome is Outcome.ADOPTED


def test_a_meeting_needs_everyone_on_the_current_version():
    all_v1 = [Stand(a, Stance.CONCUR, at(i)) for i, a in enumerate(sorted(THREE))]
    assert own_verdict(meeting(*all_v1), at(10)).outcome is Outcome.ADOPTED
    assert own_verdict(meeting(*all_v1), at(10)).at == at(2)
    assert own_verdict(meeting(*all_v1, version=2), at(10)).outcome is Outcome.PENDING
    held = [*all_v1, Stand("FRA", Stance.RESERVATION, at(3))]
    assert own_verdict(meeting(*held), at(10)).outcome is Outcome.PENDING
    lapsed = own_verdict(meeting(*all_v1[:2], deadline=at(5)), at(5))
    assert lapsed.outcome is Outcome.LAPSED
    assert "1 not agreed" in lapsed.reason


def test_withdrawal_comes_first():
    facts = silence(withdrawn_at=at(3))
    assert own_verdict(facts, at(2)).outcome is Outcome.PENDING
    assert own_verdict(facts, DEADLINE).outcome is Outcome.WITHDRAWN


def test_links_dependency_and_package():
    agreed = silence()
    broken = silence(Stand("FRA", Stance.BREAK_SILENCE, at(1)))
    nodes = {
        1: Node("A", facts=agreed),
        2: Node("B", facts=agreed, depends_on=1),
        3: Node("C", facts=broken),
        4: Node("D", facts=agreed, depends_on=3),
        5: Node("E", facts=agreed, package="p"),
        6: Node("F", facts=broken, package="p"),
        7: Node("G", settled=Verdict(Outcome.ADOPTED, at(0))),
        8: Node("H", facts=agreed, depends_on=7),
    }
    before = resolve(nodes, at(2))
    assert before[2].outcome is Outcome.PENDING
    assert before[4] == Verdict(Outcome.LAPSED, at(1), "it depended on C, which was broken")
    assert before[5].outcome is Outcome.LAPSED
    assert "package partner F" in before[5].reason
    after = resolve(nodes, DEADLINE)
    assert after[1].outcome is after[2].outcome is after[8].outcome is Outcome.ADOPTED
    assert after[2].at == DEADLINE
    assert after[7] == nodes[7].settled


def test_a_package_waits_for_its_slowest_member():
    late = Facts(Procedure.SILENCE, T0, DEADLINE + dt.timedelta(days=1), THREE)
    nodes = {1: Node("A", facts=silence(), package="p"), 2: Node("B", facts=late, package="p")}
    assert resolve(nodes, DEADLINE)[1].outcome is Outcome.PENDING
    both = resolve(nodes, DEADLINE + dt.timedelta(days=1))
    assert (
        both[1]
        == both[2]
        == Verdict(Outcome.ADOPTED, DEADLINE + dt.timedelta(days=1), both[1].reason)
    )


def test_a_cycle_waits_rather_than_loops():
    nodes = {
        1: Node("A", facts=silence(), depends_on=2),
        2: Node("B", facts=silence(), depends_on=1),
    }
    assert {v.outcome for v in resolve(nodes, DEADLINE).values()} == {Outcome.PENDING}


@pytest.mark.parametrize(
    ("ally", "stance", "statement", "words"),
    [
        ("SWE", Stance.CONCUR, "", "not among the electors"),
        ("FRA", Stance.BREAK_SILENCE, " ", "needs a statement"),
        ("FRA", Stance.WITHDRAW_RESERVATION, "", "no reservation to withdraw"),
        ("FRA", Stance.FOOTNOTE, "", "needs a statement"),
    ],
)
def test_check_position(ally, stance, statement, words):
    problem = check_position(silence(), Verdict(Outcome.PENDING), ally, stance, statement, at(1))
    assert problem is not None
    assert words in problem
    assert check_position(
        silence(), Verdict(Outcome.PENDING), "FRA", Stance.CONCUR, "", DEADLINE
    ).startswith("the deadline passed")
    assert check_position(
        meeting(), Verdict(Outcome.PENDING), "FRA", Stance.BREAK_SILENCE, "x", at(1)
    ).startswith("a meeting has no silence")


def test_check_procedure():
    assert check_procedure(Procedure.SILENCE, T0, None) == "a silence procedure needs a deadline"
    assert check_procedure(Procedure.MEETING, T0, None) is None
    assert "after the proposal opens" in check_procedure(Procedure.MEETING, T0, T0)


@given(st.lists(st.sampled_from(sorted(THREE)), max_size=6), st.integers(0, 400))
def test_silence_is_adopted_iff_nobody_broke_it_in_time(breakers, minutes):
    positions = [
        Stand(a, Stance.BREAK_SILENCE, DEADLINE - dt.timedelta(minutes=minutes - i))
        for i, a in enumerate(breakers)
    ]
    in_time = [p for p in positions if p.at <= DEADLINE]
    verdict = own_verdict(silence(*positions), DEADLINE + dt.timedelta(days=1))
    assert (verdict.outcome is Outcome.ADOPTED) == (not in_time)


def test_redline_marks_what_changed():
    segments = redline("open an office in Tokyo", "study an office in Tokyo in 2024")
    assert [(s.op, s.text) for s in segments] == [
        ("del", "open"),
        ("ins", "study"),
        ("same", " an office in Tokyo"),
        ("ins", " in 2024"),
    ]
    assert changed(segments)
    assert not changed(redline("same words", "same words"))
