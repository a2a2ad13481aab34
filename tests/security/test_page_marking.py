"""One banner, one way (issue 14, finding 9): the page marking every surface prints is
``security.markings.page_marking``, never lower than any marking on the page — including
partner groups and releasability narrowing — and every feature's page banner is the same for
the same markings."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.db.session import session_factory, unit_of_work
from liaison.decisions.service import DecisionService
from liaison.documents.service import DocumentService
from liaison.programmes.service import ProgrammeService
from liaison.registry import views as registry_views
from liaison.registry.service import RegistryService
from liaison.security.classification import Classification as C
from liaison.security.marking_store import MarkingStore
from liaison.security.markings import (
    Caveat,
    Marking,
    MarkingError,
    Tlp,
    banner,
    page_marking,
    parse_marking,
)
from liaison.security.policy import can_read
from liaison.security.principal import SYSTEM, AgreementSpan, Principal, Side
from liaison.sharing import views as sharing_views
from liaison.sharing.service import SharingService

GROUPS = {
    "JPN": frozenset({"IP4"}),
    "KOR": frozenset({"IP4"}),
    "AUS": frozenset({"IP4", "EOP"}),
    "FIN": frozenset({"EOP"}),
}
CODES = [*GROUPS, "IP4", "EOP"]
COMMUNITIES = ["cyber", "maritime"]
DAY = dt.date(2026, 6, 1)


def groups_of(code: str) -> frozenset[str]:
    return GROUPS.get(code, frozenset())


@st.composite
def markings(draw) -> Marking:
    level = draw(st.sampled_from(list(C)))
    if level is C.PUBLIC:
        return Marking(C.PUBLIC, tlp=draw(st.sampled_from([None, Tlp.CLEAR])))
    caveats = frozenset(draw(st.sets(st.sampled_from(list(Caveat)), max_size=1)))
    release = frozenset() if caveats else frozenset(draw(st.sets(st.sampled_from(CODES))))
    communities = frozenset(draw(st.sets(st.sampled_from(COMMUNITIES), max_size=2)))
    tlp = draw(st.sampled_from([None, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED]))
    try:
        return Marking(level, release, caveats, communities, tlp)
    except MarkingError:
        return Marking(level, release)  # a contradiction (a caveat too low, TLP:RED alone)


@st.composite
def principals(draw) -> Principal:
    clearance = draw(st.sampled_from(list(C)))
    communities = frozenset(draw(st.sets(st.sampled_from(COMMUNITIES))))
    if draw(st.booleans()):
        return Principal(
            side=Side.ALLY,
            username="ally",
            clearance=clearance,
            caveats=frozenset(draw(st.sets(st.sampled_from(list(Caveat))))),
            communities=communities,
        )
    nation = draw(st.sampled_from(list(GROUPS)))
    ceiling = draw(st.sampled_from([None, C.NATO_RESTRICTED, C.NATO_SECRET]))
    return Principal(
        side=Side.PARTNER,
        username="partner",
        nation=nation,
        groups=GROUPS[nation],
        clearance=clearance,
        communities=communities,
        agreements=(AgreementSpan(dt.date(2010, 1, 1), None, ceiling),) if ceiling else (),
    )


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    shown=st.lists(markings(), max_size=6), readers=st.lists(principals(), min_size=1, max_size=8)
)
def test_the_page_marking_is_never_lower_than_any_marking_shown(shown, readers):
    page = page_marking(shown, groups_of)
    for m in shown:
        assert page.level.rank >= m.level.rank
        assert page.caveats >= m.caveats
        if m.level is not C.PUBLIC:  # each code the banner names reaches every marked item
            for code in page.releasable_to:
                assert code in m.releasable_to or groups_of(code) & m.releasable_to
    for reader in readers:  # whoever may read the page may read everything on it
        if can_read(reader, page, on=DAY):
            assert all(can_read(reader, m, on=DAY) for m in shown), (reader, page)


def test_partner_groups_narrow_the_releasability():
    """REL IP4 and REL JPN: Japan is in IP4, so the page is releasable to Japan (not NATO only,
    and not to IP4: Korea may not read the REL JPN item)."""
    ip4, jpn = parse(["NU // REL IP4", "NU // REL JPN"])
    assert page_marking([ip4, jpn], groups_of) == Marking(C.NATO_UNCLASSIFIED, frozenset({"JPN"}))
    assert page_marking([ip4, ip4], groups_of).releasable_to == {"IP4"}
    assert page_marking([ip4, Marking(C.NATO_UNCLASSIFIED)], groups_of).releasable_to == set()
    assert page_marking([], groups_of) == Marking(C.PUBLIC)


def parse(texts: list[str]) -> list[Marking]:
    names = {"jpn": "JPN", "kor": "KOR", "aus": "AUS", "ip4": "IP4"}
    return [parse_marking(t, lambda n: names.get(n.strip().lower())) for t in texts]


# every feature, one banner ----------------------------------------------------------------------
PAGES = [
    (["NU // REL IP4", "NU // REL JPN"], "NATO UNCLASSIFIED Releasable to Japan"),
    (
        ["NR // REL AUS, JPN", "NU // REL IP4", "PUBLIC"],
        "NATO RESTRICTED Releasable to Australia and Japan",
    ),
    (["NU // REL IP4", "NR"], "NATO RESTRICTED"),
]


def test_every_feature_prints_the_same_banner(engine):
    with unit_of_work(session_factory(engine)) as session:
        store = MarkingStore(session)
        for texts, expected in PAGES:
            shown = parse(texts)
            views = [SimpleNamespace(marking=m) for m in shown]
            rows = [SimpleNamespace(id=i, marking_id=store.intern(m)) for i, m in enumerate(shown)]
            sharing = SharingService(session, SYSTEM, b"k" * 32)
            banners = {
                "documents": DocumentService(session, SYSTEM).page_banner(views),
                "programmes": ProgrammeService(session, SYSTEM).page_banner(
                    [SimpleNamespace(marking=m) for m in shown]
                ),
                "decisions": DecisionService(session, SYSTEM).page_banner(views),
                "registry": registry_views._markings(RegistryService(session, SYSTEM), rows)[0],
                "sharing": sharing_views._banner(sharing, shown),
            }
            assert banners == dict.fromkeys(banners, expected), texts
        assert banner(page_marking([], groups_of)) == "PUBLIC"
