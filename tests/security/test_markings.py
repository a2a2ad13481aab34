"""Markings: parse the forms people write, format banners, refuse contradictions, MISP tags."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.security.classification import Classification as C
from liaison.security.markings import (
    Caveat,
    Marking,
    MarkingError,
    Tlp,
    banner,
    parse_marking,
    short,
    to_misp_tags,
)

NAMES = {
    "australia": "AUS",
    "aus": "AUS",
    "japan": "JPN",
    "jpn": "JPN",
    "korea": "KOR",
    "kor": "KOR",
    "nzl": "NZL",
    "ip4": "IP4",
    "pfp": "PFP",
}
LONG = {"AUS": "Australia", "JPN": "Japan", "KOR": "Korea", "IP4": "IP4", "PFP": "PfP"}


def resolve(name):
    return NAMES.get(name.strip().lower())


@pytest.mark.parametrize(
    ("text", "level", "release", "caveats"),
    [
        (
            "NATO RESTRICTED Releasable to Australia and Japan",
            C.NATO_RESTRICTED,
            {"AUS", "JPN"},
            set(),
        ),
        ("NR // REL AUS, JPN", C.NATO_RESTRICTED, {"AUS", "JPN"}, set()),
        ("nato unclassified releasable to IP4", C.NATO_UNCLASSIFIED, {"IP4"}, set()),
        ("PUBLIC", C.PUBLIC, set(), set()),
        ("PUBLICLY DISCLOSED", C.PUBLIC, set(), set()),
        ("NATO SECRET ATOMAL", C.NATO_SECRET, set(), {Caveat.ATOMAL}),
        ("CTS-B", C.COSMIC_TOP_SECRET, set(), {Caveat.BOHEMIA}),
        ("NC", C.NATO_CONFIDENTIAL, set(), set()),
    ],
)
def test_parse_the_forms_people_write(text, level, release, caveats):
    m = parse_marking(text, resolve)
    assert (m.level, set(m.releasable_to), set(m.caveats)) == (level, release, caveats)


def test_need_to_know_and_tlp():
    m = parse_marking("NS // NTK Cyber, maritime // TLP:AMBER+STRICT", resolve)
    assert m.communities == {"cyber", "maritime"}
    assert m.tlp is Tlp.AMBER_STRICT


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("SECRET", "unknown classification 'SECRET'"),
        ("NR // REL Atlantis", "unknown nation or partner group 'Atlantis'"),
        ("PUBLIC // REL JPN", "PUBLIC marking cannot carry releasability"),
        ("NATO SECRET ATOMAL Releasable to Japan", "never releasable to partners"),
        ("NR ATOMAL", "ATOMAL applies only at NATO CONFIDENTIAL or above"),
        ("NS BOHEMIA", "BOHEMIA applies only at COSMIC TOP SECRET"),
        ("NR // TLP:CLEAR", "TLP:CLEAR means public"),
        ("NR // TLP:RED", "TLP:RED needs the named recipients"),
        ("NR // TLP:PURPLE", "unknown TLP"),
        ("NR // whatever", "cannot read 'whatever'"),
    ],
)
def test_unknown_or_contradictory_markings_say_why(text, why):
    with pytest.raises(MarkingError) as caught:
        parse_marking(text, resolve)
    assert why in caught.value.message


def test_banner_and_portion_mark():
    m = Marking(C.NATO_RESTRICTED, frozenset({"JPN", "AUS"}))
    assert banner(m, LONG.__getitem__) == "NATO RESTRICTED Releasable to Australia and Japan"
    assert short(m) == "NR // REL AUS, JPN"
    assert short(Marking(C.NATO_SECRET, caveats=frozenset({Caveat.ATOMAL}))) == "NS-A"


def test_misp_tags_of_a_level():
    m = Marking(C.NATO_SECRET, caveats=frozenset({Caveat.ATOMAL}), tlp=Tlp.AMBER)
    assert to_misp_tags(m) == ['nato:classification="NS-A"', "tlp:amber"]
    # read back by sharing.misp_tags (fail closed; tests/sharing/test_misp_tags.py)
    assert to_misp_tags(Marking(C.PUBLIC)) == []


def test_container_caps_its_contents():
    programme = Marking(C.NATO_RESTRICTED, frozenset({"JPN", "AUS"}))
    paragraph = Marking(C.NATO_UNCLASSIFIED, frozenset({"JPN", "KOR"}))
    capped = programme.cap(paragraph)
    assert capped.level is C.NATO_RESTRICTED
    assert capped.releasable_to == {"JPN"}
    assert Marking(C.PUBLIC).cap(paragraph) == paragraph


levels = st.sampled_from(list(C))
codes = st.frozensets(st.sampled_from(["AUS", "JPN", "KOR", "NZL", "IP4"]), max_size=3)


@st.composite
def markings(draw):
    level = draw(levels)
    if level is C.PUBLIC:
        return Marking(level)
    caveats = draw(st.frozensets(st.sampled_from(list(Caveat)), max_size=1))
    caveats = frozenset(
        c
        for c in caveats
        if level >= {Caveat.ATOMAL: C.NATO_CONFIDENTIAL, Caveat.BOHEMIA: C.COSMIC_TOP_SECRET}[c]
    )
    release = frozenset() if caveats else draw(codes)
    communities = draw(st.frozensets(st.sampled_from(["cyber", "maritime"]), max_size=2))
    return Marking(level, release, caveats, communities)


@given(markings())
def test_short_form_parses_back_to_the_same_marking(m):
    assert parse_marking(short(m), resolve) == m


@given(markings(), markings())
def test_cap_is_never_less_restrictive_than_either(a, b):
    capped = a.cap(b)
    assert capped.level >= a.level
    assert capped.level >= b.level
    assert capped.caveats >= a.caveats | b.caveats
