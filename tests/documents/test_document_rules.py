# SPDX-License-Identifier: Apache-2.0
"""Pure rules: what "lowering a marking" means, the page banner's marking, the safe FTS5 query,
snippet escaping. No database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.documents.rules import common_release, is_lower, widenings
from liaison.documents.search import MARK_END, MARK_START, snippet_html, to_fts5_query
from liaison.security.classification import Classification
from liaison.security.markings import Caveat, Marking, Tlp, banner, page_marking, parse_marking

C = Classification
GROUPS = {
    "JPN": frozenset({"IP4", "PAG"}),
    "KOR": frozenset({"IP4", "PAG"}),
    "AUS": frozenset({"IP4"}),
}


def groups_of(code: str) -> frozenset[str]:
    return GROUPS.get(code, frozenset())


def m(text: str) -> Marking:
    return parse_marking(text, lambda name: name.strip().upper())


# what "lower" means ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("NR // REL JPN", "NU // REL JPN"),  # lower level
        ("NU", "PUBLIC"),  # to public
        ("NR // REL JPN", "NR // REL JPN, KOR"),  # releasable to more nations
        ("NR", "NR // REL JPN"),  # NATO only → releasable
        ("NR // REL JPN", "NR // REL IP4"),  # a group wider than the nation
        ("NS ATOMAL", "NS"),  # fewer caveats
        ("NS // NTK cyber", "NS"),  # need-to-know removed
        ("NS // NTK cyber", "NS // NTK cyber, maritime"),  # more communities = more readers
        ("NS // NTK cyber", "NS // NTK maritime"),  # another community
        ("NR // REL JPN", "NS // REL AUS"),  # higher level but a new nation: still lower
        ("NR // TLP:AMBER", "NR // TLP:GREEN"),  # weaker TLP
        ("NR // TLP:AMBER", "NR"),  # TLP label dropped
    ],
)
def test_lower(old, new):
    assert is_lower(m(old), m(new), groups_of)
    assert widenings(m(old), m(new), groups_of)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("PUBLIC", "NU"),  # raising from public
        ("PUBLIC", "NR // REL JPN"),  # public reaches everyone already
        ("NU // REL JPN", "NR // REL JPN"),  # higher level
        ("NR // REL JPN, KOR", "NR // REL JPN"),  # fewer nations
        ("NR // REL JPN", "NR"),  # NATO only
        ("NR // REL IP4", "NR // REL JPN"),  # a member nation of the group is narrower
        ("NS", "NS ATOMAL"),  # a caveat added
        ("NS", "NS // NTK cyber"),  # need-to-know added
        ("NS // NTK cyber, maritime", "NS // NTK cyber"),  # fewer communities
        ("NR // TLP:GREEN", "NR // TLP:AMBER"),  # stronger TLP
        ("PUBLIC // TLP:CLEAR", "NU"),  # dropping CLEAR is no widening
        ("NR // REL JPN", "NR // REL JPN"),  # unchanged
    ],
)
def test_not_lower(old, new):
    assert not is_lower(m(old), m(new), groups_of), widenings(m(old), m(new), groups_of)


def test_widenings_say_why():
    reasons = widenings(m("NS ATOMAL"), m("NR"), groups_of)
    assert reasons == [
        "the level goes down from NATO SECRET to NATO RESTRICTED",
        "the caveat ATOMAL is removed",
    ]


def test_groups_are_compared_as_codes_without_membership():
    # Without membership facts REL IP4 → REL JPN cannot be shown narrower: it counts as lower.
    assert is_lower(m("NR // REL IP4"), m("NR // REL JPN"))


_levels = st.sampled_from([c for c in Classification if c is not C.PUBLIC])
_codes = st.frozensets(st.sampled_from(["JPN", "KOR", "AUS", "IP4"]), max_size=3)
_communities = st.frozensets(st.sampled_from(["cyber", "maritime"]), max_size=2)
_markings = st.builds(
    lambda level, rel, ntk: Marking(level, rel, frozenset(), ntk), _levels, _codes, _communities
)


@given(_markings)
def test_a_marking_is_never_lower_than_itself(marking):
    assert not is_lower(marking, marking, groups_of)


@given(_markings, _markings)
def test_lower_is_never_both_ways_unless_incomparable(a, b):
    # If b is not lower than a and a not lower than b, both are equally restrictive.
    if not is_lower(a, b, groups_of) and not is_lower(b, a, groups_of):
        assert a.level == b.level
        assert a.communities == b.communities


# the page banner ---------------------------------------------------------------------------------
def names(code: str) -> str:
    return {"JPN": "Japan", "AUS": "Australia", "KOR": "Korea"}.get(code, code)


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ([], "PUBLIC"),
        (["PUBLIC", "PUBLIC"], "PUBLIC"),
        (["PUBLIC", "NU // REL KOR"], "NATO UNCLASSIFIED Releasable to Korea"),
        (["NU // REL IP4", "NU // REL KOR"], "NATO UNCLASSIFIED Releasable to Korea"),
        (
            ["NR // REL JPN", "NR // REL AUS, JPN", "NU // REL IP4"],
            "NATO RESTRICTED Releasable to Japan",
        ),
        (["NR // REL JPN", "NU // REL AUS"], "NATO RESTRICTED"),  # nobody outside NATO: NATO only
        (["NS // NTK cyber", "NR // REL JPN"], "NATO SECRET"),
        (["NS ATOMAL", "NU"], "NATO SECRET ATOMAL"),
        (["NU // REL IP4", "NU // REL IP4"], "NATO UNCLASSIFIED Releasable to IP4"),
    ],
)
def test_page_marking(shown, expected):
    assert banner(page_marking([m(s) for s in shown], groups_of), names) == expected


def test_page_marking_is_at_least_as_restrictive_as_every_row():
    rows = [m("NR // REL JPN"), m("NU // REL AUS, JPN"), m("NS // REL IP4")]
    page = page_marking(rows, groups_of)
    assert (page.level, page.releasable_to) == (C.NATO_SECRET, {"JPN"})
    for row in rows:
        assert not is_lower(row, Marking(page.level, page.releasable_to), groups_of)


def test_common_release():
    assert common_release([], groups_of) == frozenset()
    assert common_release([frozenset({"JPN"}), frozenset({"IP4"})], groups_of) == {"JPN"}
    assert common_release([frozenset({"IP4"}), frozenset({"IP4", "AUS"})], groups_of) == {
        "IP4",
        "AUS",
    }


# the FTS5 query ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cyber", '("cyber")'),
        ("cyber brief", '("cyber") AND ("brief")'),
        ('"staff talks" Tokyo', '("staff talks") AND ("Tokyo")'),
        ("cyber OR maritime", '("cyber" OR "maritime")'),
        ("cyber -threat", '(("cyber")) NOT "threat"'),
        ('cyber -"threat brief"', '(("cyber")) NOT "threat brief"'),
        ("", None),
        ("-only", None),
        ("OR", None),
        ('"" *** ()', None),
        # FTS5 operators and column filters are re-quoted as plain words.
        (
            'cyber" NEAR(a b) col:x ^y*',
            '("cyber") AND ("NEAR a") AND ("b") AND ("col x") AND ("y")',
        ),
    ],
)
def test_to_fts5_query(query, expected):
    assert to_fts5_query(query) == expected


@given(st.text(max_size=60))
def test_fts5_query_never_carries_raw_syntax(query):
    result = to_fts5_query(query)
    if result is not None:
        for char in ":^*{}+":
            assert char not in result


def test_snippet_html_escapes_the_text_and_marks_hits():
    raw = f"<script>alert(1)</script> {MARK_START}cyber{MARK_END} & more"
    assert (
        snippet_html(raw) == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>cyber</mark> &amp; more"
    )
    assert snippet_html(None) == ""
    assert snippet_html(f"{MARK_START}open") == "<mark>open</mark>"


def test_caveat_enum_is_what_the_demo_uses():
    assert m("NATO SECRET ATOMAL").caveats == {Caveat.ATOMAL}
    assert m("NR // TLP:AMBER").tlp is Tlp.AMBER
