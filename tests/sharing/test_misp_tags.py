# SPDX-License-Identifier: Apache-2.0
"""MISP tags → markings fail closed (issue 20, items 1-5 and 10): every tag that looks like a
marking is read to exactly one constraint or refused; tags of one kind combine to the
strictest; the levels event ⊇ object ⊇ attribute cap each other; and a property test over
generated tag lists: the marking is never lower than any tag names, and Korea never reads an
attribute a classification tag marks unless a releasability tag names it at every level."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.security.classification import Classification as C
from liaison.security.markings import Caveat, Marking, Tlp, short
from liaison.security.policy import can_read
from liaison.security.principal import AgreementSpan, Principal, Side
from liaison.sharing import misp_tags
from liaison.sharing.misp_tags import TagRefused, read_level, resolve

PUBLIC = Marking(C.PUBLIC)
NU_REL_IP4 = Marking(C.NATO_UNCLASSIFIED, frozenset({"IP4"}))
IP4 = {"KOR": frozenset({"IP4"}), "JPN": frozenset({"IP4"}), "AUS": frozenset({"IP4"})}
KOREA = Principal(
    side=Side.PARTNER,
    username="korea",
    nation="KOR",
    groups=frozenset({"IP4", "PAG"}),
    clearance=C.COSMIC_TOP_SECRET,
    agreements=(AgreementSpan(dt.date(2000, 1, 1), None, C.COSMIC_TOP_SECRET),),
    communities=frozenset({"cyber"}),
)


def groups_of(code: str) -> frozenset[str]:
    return IP4.get(code, frozenset())


def marking(*levels: list[str], default: Marking = NU_REL_IP4) -> Marking:
    pieces = [p for i, tags in enumerate(levels) for p in read_level(tags, f"level {i}")]
    return resolve(pieces, default, groups_of)


@pytest.mark.parametrize(
    "tag",
    [
        'nato:classification="ns"',
        "nato:classification=NS",
        'nato:classification = "NS"',
        'nato:classification="NATO SECRET"',
        'NATO:classification="NS"',
        " nato : classification = \u201cNS\u201d ",
        "nato:classification='NS'",
    ],
)
def test_item1_every_spelling_of_a_classification_reads_as_it(tag):
    assert marking([tag], default=PUBLIC) == Marking(C.NATO_SECRET)


@pytest.mark.parametrize(
    "tag",
    [
        'nato:classification="NX"',
        "nato:classification",
        'nato:classification=""',
        'nato:classification="PUBLIC"',
        'nato:classification="CTS-AB"',  # not in MISP's taxonomy: two tags carry it
        'nato:clasification="NS"',
        "nato-classification:NS",
        'liaison:classification="NS"',
        "tlp:purple",
        "tlp:unclear",
        'tlp="amber"',
        "NS // REL ATLANTIS-LAND",
        "cosmic top secret // frobnicate",
        "nato",  # starts like nato:classification: read exactly or refused
        "TLP:AMBER+",
    ],
)
def test_item1_a_tag_that_looks_like_a_marking_is_read_or_refused(tag):
    with pytest.raises(TagRefused, match="nothing was imported"):
        marking([tag], default=PUBLIC)


def test_tags_that_are_no_marking_are_ignored():
    other = ['circl:incident-classification="phishing"', "PAP:AMBER", "public", "nsa", "nu-ish"]
    assert marking(other) == NU_REL_IP4  # the collection's default: nothing named


def test_item2_tags_of_one_kind_combine_to_the_strictest():
    assert marking(['nato:classification="NS"', 'nato:classification="NU"']).level is C.NATO_SECRET
    assert marking(['nato:classification="NU"', 'nato:classification="NS"']).level is C.NATO_SECRET
    both = marking(['nato:classification="CTS-A"', 'nato:classification="CTS-B"'])
    assert both.caveats == {Caveat.ATOMAL, Caveat.BOHEMIA}
    with pytest.raises(TagRefused, match="TLP:RED needs the named recipients"):
        marking(["tlp:red", "tlp:clear"])
    red = marking(["tlp:red", "tlp:clear", 'nato:classification="NR"', NTK("cyber")])
    assert short(red) == "NR // NTK cyber // TLP:RED"
    assert marking(["tlp:green", "tlp:AMBER"]).tlp is Tlp.AMBER


def NTK(community: str) -> str:  # noqa: N802 - reads like the tag
    return f'liaison:need-to-know="{community}"'


def REL(code: str) -> str:  # noqa: N802
    return f'liaison:releasable-to="{code}"'


def test_item3_an_attribute_is_capped_by_its_object_and_event():
    event = ['nato:classification="NU"', REL("IP4")]
    attribute = ["nr // rel aus, jpn", "tlp:amber"]  # misp-stix's form of a Liaison marking
    m = marking(event, [], attribute)
    assert short(m) == "NR // REL AUS, JPN // TLP:AMBER"
    assert not can_read(KOREA, m)
    # the event's tags cap the attribute's, and the other way round
    assert marking(['nato:classification="NS"'], [], [REL("KOR")]) == Marking(C.NATO_SECRET)
    assert marking([], ['nato:classification="NC"'], ['nato:classification="NU"']).level is (
        C.NATO_CONFIDENTIAL
    )


def test_item3_releasability_without_a_classification_is_refused():
    with pytest.raises(TagRefused, match="needs a classification"):
        marking([REL("KOR")])


def test_item5_everything_a_marking_holds_travels_as_tags_read_back_exactly():
    for m in [
        Marking(C.NATO_SECRET, communities=frozenset({"cyber"})),
        Marking(C.NATO_UNCLASSIFIED, frozenset({"KOR", "JPN"}), tlp=Tlp.AMBER),
        Marking(C.COSMIC_TOP_SECRET, caveats=frozenset({Caveat.ATOMAL, Caveat.BOHEMIA})),
        Marking(C.NATO_RESTRICTED, communities=frozenset({"cyber", "hybrid"}), tlp=Tlp.RED),
        Marking(C.PUBLIC, tlp=Tlp.CLEAR),
    ]:
        tags = misp_tags.tags_for(m)
        assert marking(tags, default=PUBLIC) == m, tags
    tags = misp_tags.tags_for(Marking(C.COSMIC_TOP_SECRET, caveats=frozenset(Caveat)))
    assert tags == ['nato:classification="CTS-A"', 'nato:classification="CTS-B"']


def test_item10_chatham_house_sets_no_tlp_and_red_needs_recipients():
    pieces = read_level(["tlp:ex:chr", 'nato:classification="NR"'], "event")
    assert resolve(pieces, PUBLIC) == Marking(C.NATO_RESTRICTED)
    assert misp_tags.labels_of(pieces) == ["tlp:ex:chr"]
    with pytest.raises(TagRefused):
        marking(["tlp:red"])
    assert marking(["tlp:red", 'nato:classification="NU"', NTK("cyber")]).tlp is Tlp.RED


def test_report_labels_cap_the_objects_they_name():
    report = {
        "type": "report",
        "id": "report--1",
        "labels": ['nato:classification="NS"'],
        "object_refs": ["indicator--1"],
    }
    indicator = {"type": "indicator", "id": "indicator--1", "labels": ['misp:type="ip-dst"']}
    other = {"type": "indicator", "id": "indicator--2", "labels": ["nato:classification=NX"]}
    caps, errors = misp_tags.label_ceilings([report, indicator, other], PUBLIC)
    assert caps == {"report--1": Marking(C.NATO_SECRET), "indicator--1": Marking(C.NATO_SECRET)}
    assert list(errors) == ["indicator--2"]


# property -----------------------------------------------------------------------------------------
LEVELS = ["NU", "NR", "NC", "NS", "CTS", "NS-A", "CTS-B", "NATO SECRET", "ns", "Nx", "", "PUBLIC"]
TLPS = ["clear", "white", "green", "amber", "AMBER+STRICT", "red", "ex:chr", "unclear", "purple"]
CODES = ["JPN", "AUS", "NZL", "jpn", "", "K0R"]  # never KOR nor a group holding it
RANK = {t: i for i, t in enumerate(Tlp)}


@st.composite
def tag(draw):
    kind = draw(st.sampled_from(["nato", "tlp", "rel", "ntk", "other", "banner"]))
    q = draw(st.sampled_from(['"', "", "'", "\u201c"]))
    qe = "\u201d" if q == "\u201c" else q
    sp = draw(st.sampled_from(["", " ", "  "]))
    if kind == "nato":
        ns = draw(st.sampled_from(["nato", "NATO", "Nato"]))
        body = f"{ns}{sp}:{sp}classification{sp}={sp}{q}{draw(st.sampled_from(LEVELS))}{qe}"
    elif kind == "tlp":
        body = f"tlp{sp}:{sp}{draw(st.sampled_from(TLPS))}"
    elif kind == "rel":
        body = f"liaison:releasable-to{sp}={sp}{q}{draw(st.sampled_from(CODES))}{qe}"
    elif kind == "ntk":
        body = f"liaison:need-to-know={q}{draw(st.sampled_from(['cyber', 'hybrid', '']))}{qe}"
    elif kind == "banner":
        body = draw(st.sampled_from(["nr // rel aus, jpn", "NS", "ns // ntk cyber", "nu // rel x"]))
    else:
        body = draw(st.sampled_from(["PAP:AMBER", 'misp:type="ip-dst"', "public", "nato"]))
    return body.upper() if draw(st.booleans()) and kind != "ntk" else body


tag_lists = st.lists(tag(), max_size=5)


def _named_level(tags: list[str]) -> C | None:
    """The highest NATO level the classification tags name (a reference reading)."""
    found = None
    for t in tags:
        pieces = read_level([t], "probe")
        for p in pieces:
            if p.level is not None and (found is None or p.level.rank > found.rank):
                found = p.level
    return found


@settings(max_examples=3000, deadline=None)
@given(
    event=tag_lists,
    obj=tag_lists,
    attribute=tag_lists,
    default=st.sampled_from([PUBLIC, NU_REL_IP4]),
)
def test_property_never_lower_than_any_tag_and_korea_never_reads(event, obj, attribute, default):
    try:
        m = marking(event, obj, attribute, default=default)
    except TagRefused:
        return  # refused: nothing stored
    every = [*event, *obj, *attribute]
    level = _named_level(every)
    if level is not None:
        assert m.level.rank >= level.rank
        assert m.level is not C.PUBLIC or level is C.PUBLIC
        # no tag names KOR or a group holding it: Korea reads none of it
        assert not can_read(KOREA, m)
    named_codes = set()
    for t in every:
        for p in read_level([t], "probe"):
            named_codes |= p.release or set()
            if p.tlp is not None and not (p.tlp is Tlp.CLEAR and m.level is not C.PUBLIC):
                assert m.tlp is not None
                assert RANK[m.tlp] >= RANK[p.tlp]
    if level is not None:
        assert m.releasable_to <= named_codes
