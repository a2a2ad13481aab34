# SPDX-License-Identifier: Apache-2.0
"""Pure rules: the lifecycle table, periods, the reference, group-aware capping, redlines."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.programmes import redline, rules
from liaison.programmes.rules import GoalStatus, LifecycleFacts, ProgrammeKind
from liaison.programmes.rules import ProgrammeStatus as S
from liaison.security.classification import Classification as C
from liaison.security.markings import Marking, page_marking

TODAY = dt.date(2026, 11, 23)
GROUPS = {"JPN": frozenset({"IP4", "PAG"}), "AUS": frozenset({"IP4", "PAG", "EOP"})}


def groups_of(code):
    return GROUPS.get(code, frozenset())


def facts(status, approved=None, ref=None, agreed=None):
    return LifecycleFacts(status, approved, ref, agreed, dt.date(2023, 1, 1), dt.date(2026, 12, 31))


def test_reference_and_default_periods():
    assert rules.reference(ProgrammeKind.ITPP, "jpn", dt.date(2023, 1, 1)) == "ITPP-JPN-2023"
    assert rules.default_end(ProgrammeKind.ITPP, dt.date(2023, 1, 1)) == dt.date(2026, 12, 31)
    assert rules.default_end(ProgrammeKind.IPCP, dt.date(2024, 2, 29)) == dt.date(2026, 2, 28)
    assert rules.renewal_period(dt.date(2026, 12, 31), ProgrammeKind.ITPP) == (
        dt.date(2027, 1, 1),
        dt.date(2030, 12, 31),
    )


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        (S.DRAFT, S.NEGOTIATING, True),
        (S.DRAFT, S.SUBMITTED, True),
        (S.DRAFT, S.IN_FORCE, False),
        (S.NEGOTIATING, S.APPROVED, False),
        (S.SUBMITTED, S.NEGOTIATING, True),
        (S.APPROVED, S.WITHDRAWN, True),
        (S.AGREED, S.WITHDRAWN, False),  # not from agreed on
        (S.AGREED, S.REJECTED, False),
        (S.IN_FORCE, S.DRAFT, False),
        (S.EXPIRED, S.IN_FORCE, False),
        (S.SUPERSEDED, S.IN_FORCE, False),
    ],
)
def test_the_transition_table(start, to, allowed):
    f = facts(start, dt.date(2023, 7, 10), "PO(2023)1", dt.date(2023, 7, 12))
    problem = rules.transition_problem(f, to, dt.date(2023, 7, 12), TODAY)
    assert (problem is None) is allowed, problem


def test_approval_agreement_and_force_need_their_facts():
    day = dt.date(2023, 7, 12)
    assert "approval date and reference" in rules.transition_problem(
        facts(S.SUBMITTED), S.APPROVED, day, TODAY
    )
    assert "after the allies approved" in rules.transition_problem(
        facts(S.APPROVED), S.AGREED, day, TODAY
    )
    early = rules.transition_problem(
        facts(S.APPROVED, dt.date(2023, 7, 13), "x"), S.AGREED, day, TODAY
    )
    assert "cannot precede" in early
    assert "both" in rules.transition_problem(
        facts(S.AGREED, None, None, day), S.IN_FORCE, day, TODAY
    )
    assert "future" in rules.transition_problem(
        facts(S.DRAFT), S.NEGOTIATING, TODAY + dt.timedelta(days=1), TODAY
    )
    assert "not expired" in rules.transition_problem(
        facts(S.IN_FORCE, day, "x", day), S.EXPIRED, TODAY, TODAY
    )


def test_cap_is_group_aware_and_never_lowers():
    ip4 = Marking(C.NATO_UNCLASSIFIED, frozenset({"IP4"}))
    jpn_nr = Marking(C.NATO_RESTRICTED, frozenset({"JPN"}))
    capped = rules.cap(ip4, jpn_nr, groups_of)
    assert capped == Marking(C.NATO_RESTRICTED, frozenset({"JPN"}))
    nato_only = rules.cap(ip4, Marking(C.NATO_RESTRICTED), groups_of)
    assert nato_only == Marking(C.NATO_RESTRICTED)
    assert rules.cap(Marking(C.PUBLIC), Marking(C.PUBLIC), groups_of).level is C.PUBLIC
    assert rules.cap(ip4, Marking(C.PUBLIC), groups_of) == ip4
    assert rules.cap(Marking(C.PUBLIC), jpn_nr, groups_of) == jpn_nr


def test_highest_marking_of_a_page():
    jpn = Marking(C.NATO_UNCLASSIFIED, frozenset({"JPN"}))
    ip4 = Marking(C.NATO_RESTRICTED, frozenset({"IP4"}))
    assert page_marking([Marking(C.PUBLIC), jpn, ip4], groups_of) == Marking(
        C.NATO_RESTRICTED, frozenset({"JPN"})
    )
    assert page_marking([], groups_of).level is C.PUBLIC


def test_redline_marks_whole_words():
    pieces = redline.diff("Japan and NATO are partners.", "Japan and NATO are natural partners.")
    assert [(p.op, p.text) for p in pieces] == [
        ("equal", "Japan and NATO are "),
        ("insert", "natural "),
        ("equal", "partners."),
    ]
    html = str(redline.to_html(redline.diff("a <b> c", "a <i> c")))
    assert html == "a <del>&lt;b&gt; </del><ins>&lt;i&gt; </ins>c"
    assert redline.counts(redline.diff("one two three", "one four three")) == {
        "inserted": 1,
        "deleted": 1,
    }


words = st.lists(st.sampled_from(["NATO", "Japan", "shall", "may", "cyber", "\n\n", "the"]))


@given(words, words)
def test_redline_rebuilds_both_texts(a, b):
    old, new = " ".join(a), " ".join(b)
    pieces = redline.diff(old, new)
    assert "".join(p.text for p in pieces if p.op != "delete") == new
    assert "".join(p.text for p in pieces if p.op != "insert") == old


@pytest.mark.parametrize(
    ("due_on", "status", "overdue"),
    [
        (dt.date(2026, 1, 1), GoalStatus.OPEN, True),
        (dt.date(2026, 1, 1), GoalStatus.AT_RISK, True),
        (dt.date(2026, 1, 2), GoalStatus.OPEN, False),  # due today: not yet
        (dt.date(2026, 1, 1), GoalStatus.ACHIEVED, False),
    ],
)
def test_a_goal_is_overdue_once_its_day_passed_while_it_is_open(due_on, status, overdue):
    assert rules.overdue(due_on, status, dt.date(2026, 1, 2)) is overdue
