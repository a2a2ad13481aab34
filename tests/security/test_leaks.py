"""The leak suite: every marked model × every read surface × principals of every kind.

For each principal and surface, every probe object must be visible exactly when the policy's
predicate says so — and hidden objects must be absent, not forbidden: 404 like a missing id,
missing from lists, counts and pages. Features add their marked models to ``WORLDS`` and their
read surfaces to ``SURFACES``.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from leak_probes import PROBE_MARKINGS, USERS, principal_of
from liaison.db.session import session_factory, unit_of_work
from liaison.registry.schemas import SecurityAgreementCreate
from liaison.registry.service import RegistryService
from liaison.security.marking_store import MarkingStore
from liaison.security.markings import Marking
from liaison.security.policy import can_read
from liaison.security.principal import SYSTEM


@dataclass(frozen=True)
class Probe:
    kind: str
    id: int
    title: str
    partner: str
    marking: Marking


def agreement_world(session) -> list[Probe]:
    service = RegistryService(session, SYSTEM)
    probes = []
    for index, text in enumerate(PROBE_MARKINGS):
        partner = ["JPN", "KOR", "AUS"][index % 3]
        title = f"Leak probe {index:02d} agreement"
        agreement = service.create_agreement(
            SecurityAgreementCreate(
                partner=partner,
                title=title,
                kind="binding_agreement",
                signed_on="2020-01-01",
                in_force_on="2020-01-01",
                max_level="NATO SECRET",
                marking=text,
            )
        )
        probes.append(
            Probe(
                "security_agreement",
                agreement.id,
                title,
                partner,
                MarkingStore(session).get(agreement.marking_id),
            )
        )
    return probes


WORLDS: dict[str, Callable] = {"security_agreement": agreement_world}


def _api_get(client, headers, probes):
    visible = set()
    for probe in probes:
        r = client.get(f"/api/v1/security-agreements/{probe.id}", headers=headers)
        assert r.status_code in {200, 404}, r.text
        if r.status_code == 404:
            assert probe.title not in r.text
        else:
            visible.add(probe.title)
    return visible


def _api_list(client, headers, probes):
    r = client.get("/api/v1/security-agreements", headers=headers, params={"limit": 1000})
    return {a["title"] for a in r.json()["items"]}


def _api_list_partner(client, headers, probes):
    visible = set()
    for partner in sorted({p.partner for p in probes}):
        r = client.get(
            "/api/v1/security-agreements",
            headers=headers,
            params={"partner": partner, "limit": 1000},
        )
        visible |= {a["title"] for a in r.json()["items"]}
    return visible


def _titles_in(text, probes):
    return {p.title for p in probes if p.title in text}


def _page(path):
    def surface(client, headers, probes):
        visible = set()
        for page in sorted({path.format(p=p) for p in probes}):
            r = client.get(page, headers={**headers, "accept": "text/html"})
            assert r.status_code == 200, r.text
            visible |= _titles_in(r.text, probes)
        return visible

    return surface


def _fragment(path):
    def surface(client, headers, probes):
        r = client.get(path, headers={**headers, "hx-request": "true"})
        assert r.status_code == 200
        assert "<html" not in r.text
        return _titles_in(r.text, probes)

    return surface


SURFACES: dict[str, dict[str, Callable]] = {
    "security_agreement": {
        "api-get": _api_get,
        "api-list": _api_list,
        "api-list-by-partner": _api_list_partner,
        "page-list": _page("/security-agreements"),
        "page-fragment": _fragment("/security-agreements"),
        "page-partner": _page("/partners/{p.partner}"),
    },
}

CASES = [(kind, surface) for kind, surfaces in SURFACES.items() for surface in surfaces]


@pytest.fixture
def world(engine):
    with unit_of_work(session_factory(engine)) as session:
        return {kind: build(session) for kind, build in WORLDS.items()}


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize(("kind", "surface"), CASES)
def test_visible_exactly_when_the_policy_allows(
    client, auth, engine, world, username, kind, surface
):
    principal = principal_of(engine, username)
    headers = auth(username) if username else {}
    probes = world[kind]
    visible = SURFACES[kind][surface](client, headers, probes) & {p.title for p in probes}
    expected = {p.title for p in probes if can_read(principal, p.marking)}
    assert visible == expected, {
        "leaked": sorted(visible - expected),
        "missing": sorted(expected - visible),
    }


@pytest.mark.parametrize("username", USERS)
def test_counts_agree_with_what_can_be_opened(client, auth, engine, world, username):
    headers = auth(username) if username else {}
    listed = client.get(
        "/api/v1/security-agreements", headers=headers, params={"limit": 1000}
    ).json()
    openable = [
        a
        for a in listed["items"]
        if client.get(f"/api/v1/security-agreements/{a['id']}", headers=headers).status_code == 200
    ]
    assert listed["total"] == len(listed["items"]) == len(openable)


def test_the_world_covers_every_kind_of_reader(engine, world):
    """Each principal sees some probes and misses others — a suite where everybody sees
    everything (or nothing) would prove little."""
    for username in ["officer", "analyst", "japan", "korea", "australia"]:
        principal = principal_of(engine, username)
        seen = [can_read(principal, p.marking) for p in world["security_agreement"]]
        assert any(seen)
        assert not all(seen)
