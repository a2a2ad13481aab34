# SPDX-License-Identifier: Apache-2.0
"""The leak suite for the sharing hub: one probe indicator per probe marking, a PUBLIC
relationship to each probe, a second version of each probe, and a PUBLIC report naming them
all — × every TAXII surface (objects, object, versions, manifest, status, headers, ``more``)
× every reader in ``tests/leak_probes.py``. A reader receives a probe, its id, its versions,
its manifest entry or a relationship to it exactly when ``can_read`` allows, and nothing else.
"""

from __future__ import annotations

import uuid

import pytest
from sharing_helpers import KEY, ROOT, indicator, make_collection, relationship, taxii_headers
from sqlalchemy import select

from leak_probes import PROBE_MARKINGS, USERS, principal_of
from liaison.audit.models import AuditEvent
from liaison.db.session import session_factory, unit_of_work
from liaison.registry.service import RegistryService
from liaison.security.marking_store import MarkingStore
from liaison.security.markings import short
from liaison.security.policy import can_read
from liaison.security.principal import SYSTEM
from liaison.sharing import service as service_module
from liaison.sharing import stix
from liaison.sharing.service import SharingService


@pytest.fixture
def probes(engine):
    """collection id, {probe id: marking}, {relationship id: probe id}, report id."""
    cid = make_collection(engine, default="PUBLIC")
    made, rels = {}, {}
    with unit_of_work(session_factory(engine)) as session:
        registry = RegistryService(session, SYSTEM)
        objects = []
        anchor = indicator(999)  # PUBLIC: the other end of every relationship
        objects.append(anchor)
        for n, text in enumerate(PROBE_MARKINGS):
            marking = registry.parse_marking(text)
            ref = stix.liaison_marking_id(marking)
            objects.append(stix.liaison_marking_definition(marking, short(marking)))
            probe = indicator(n, markings=[ref])
            newer = {**probe, "modified": "2026-02-01T00:00:00.000Z", "name": f"Probe {n} v2"}
            rel = relationship(anchor["id"], probe["id"])
            objects += [probe, newer, rel]
            made[probe["id"]] = marking
            rels[rel["id"]] = probe["id"]
        report = {
            "type": "report",
            "spec_version": "2.1",
            "id": f"report--{uuid.uuid4()}",
            "created": "2026-01-03T00:00:00.000Z",
            "modified": "2026-01-03T00:00:00.000Z",
            "name": "Everything",
            "published": "2026-01-03T00:00:00Z",
            "object_refs": sorted(made),
        }
        objects.append(report)
        outcome = SharingService(session, SYSTEM, KEY).post(cid, objects)
        assert outcome.status.failure_count == 0, outcome.status.failures[:3]
    return cid, made, rels, report["id"]


def everything(client, headers, path, key="objects", limit=7):
    """Every item of a paged TAXII list, and each page's headers."""
    items, pages, token = [], [], None
    while True:
        params = {"limit": limit, "match[version]": "all"}
        if token:
            params["next"] = token
        r = client.get(path, params=params, headers=headers)
        if r.status_code == 404:
            return items, pages
        assert r.status_code == 200, r.text
        body = r.json()
        items += body.get(key, [])
        pages.append((r.headers, body))
        if not body["more"]:
            return items, pages
        token = body["next"]


@pytest.mark.parametrize("username", USERS)
def test_taxii_never_leaks_a_probe(client, auth, engine, probes, username):
    cid, made, rels, report = probes
    principal = principal_of(engine, username)
    allowed = {pid for pid, m in made.items() if can_read(principal, m)}
    hidden = set(made) - allowed
    if username is None:
        r = client.get(f"{ROOT}/collections/{cid}/objects/", headers=taxii_headers({}))
        assert r.status_code == 401
        assert r.json()["http_status"] == "401"
        return
    h = taxii_headers(auth(username))
    base = f"{ROOT}/collections/{cid}"

    objects, pages = everything(client, h, f"{base}/objects/")
    text = str(objects)
    served = {o["id"] for o in objects}
    assert {p for p in made if p in served} == allowed
    assert not any(p in text for p in hidden), "a hidden id appears in an envelope"
    # Relationships to a hidden end are absent; to a visible end, present.
    assert {r for r in rels if r in served} == {r for r, p in rels.items() if p in allowed}
    # The report names every probe: only a reader of all of them receives it.
    assert (report in served) == (allowed == set(made))
    for headers, body in pages:
        added = [o for o in objects if o["id"] in {x["id"] for x in body.get("objects", [])}]
        if added:
            assert headers["X-TAXII-Date-Added-First"] <= headers["X-TAXII-Date-Added-Last"]
        else:
            assert "X-TAXII-Date-Added-First" not in headers

    manifest, _ = everything(client, h, f"{base}/manifest/")
    listed = {e["id"] for e in manifest}
    assert listed == served
    assert not any(p in str(manifest) for p in hidden)

    for pid in made:
        one = client.get(f"{base}/objects/{pid}/", headers=h)
        versions = client.get(f"{base}/objects/{pid}/versions/", headers=h)
        if pid in allowed:
            assert one.status_code == 200
            assert one.json()["objects"][0]["name"].endswith("v2")  # the latest by default
            assert len(versions.json()["versions"]) == 2
        else:
            assert one.status_code == versions.status_code == 404
            assert pid not in one.text
            assert pid not in versions.text
            missing = client.get(f"{base}/objects/indicator--{uuid.uuid4()}/", headers=h)
            assert one.json()["title"] == missing.json()["title"]
    for rid, pid in rels.items():
        r = client.get(f"{base}/objects/{rid}/", headers=h)
        assert (r.status_code == 200) == (pid in allowed)


def test_korea_never_receives_what_is_not_releasable_to_korea(client, auth, engine, probes):
    cid, made, _rels, _ = probes
    korea = principal_of(engine, "korea")
    objects, _ = everything(
        client, taxii_headers(auth("korea")), f"{ROOT}/collections/{cid}/objects/"
    )
    probes_served = [o for o in objects if o["id"] in made]
    assert probes_served, "Korea reads the probes released to it"
    for o in probes_served:
        marking = made[o["id"]]
        assert marking.level.value == "PUBLIC" or ({"KOR", "IP4"} & marking.releasable_to)
        assert can_read(korea, marking)


def test_status_is_its_posters_only(client, auth, engine, probes):
    cid = probes[0]
    r = client.post(
        f"{ROOT}/collections/{cid}/objects/",
        json={"objects": [indicator(1)]},
        headers=taxii_headers(auth("japan"), post=True),
    )
    assert r.status_code == 202
    sid = r.json()["id"]
    mine = client.get(f"{ROOT}/status/{sid}/", headers=taxii_headers(auth("japan")))
    assert mine.status_code == 200
    assert mine.json()["success_count"] == 1
    other = client.get(f"{ROOT}/status/{sid}/", headers=taxii_headers(auth("korea")))
    assert other.status_code == 404
    assert (
        other.json()["title"]
        == client.get(
            f"{ROOT}/status/{uuid.uuid4()}/", headers=taxii_headers(auth("korea"))
        ).json()["title"]
    )


def test_a_reference_to_a_hidden_object_is_no_oracle(client, auth, engine, probes):
    """Korea relates its object to a probe it may not read and to an id that exists nowhere:
    both statuses and both reads say exactly the same."""
    cid, made, _, _ = probes
    korea = principal_of(engine, "korea")
    hidden = next(p for p, m in made.items() if not can_read(korea, m))
    h = auth("korea")
    answers = []
    for target in (hidden, f"indicator--{uuid.uuid4()}"):
        mine = indicator(7)
        rel = relationship(mine["id"], target)
        r = client.post(
            f"{ROOT}/collections/{cid}/objects/",
            json={"objects": [mine, rel]},
            headers=taxii_headers(h, post=True),
        )
        assert r.status_code == 202
        status = r.json()
        read = client.get(
            f"{ROOT}/collections/{cid}/objects/{rel['id']}/", headers=taxii_headers(h)
        )
        answers.append(([s["message"] for s in status["successes"]], read.status_code))
    assert answers[0] == answers[1]
    assert answers[0][1] == 404


def test_a_page_audit_event_is_marked_for_every_object_in_it(client, auth, engine, probes):
    cid, made, _, _ = probes
    r = client.get(
        f"{ROOT}/collections/{cid}/objects/",
        params={"limit": 1000},
        headers=taxii_headers(auth("officer")),
    )
    assert r.status_code == 200
    with unit_of_work(session_factory(engine)) as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sharing:objects:read")
        ).all()[-1]
        marking = MarkingStore(session).get(event.marking_id)
    served = {o["id"] for o in r.json()["objects"]}
    assert set(event.after["objects"]) == served
    for username in USERS:
        reader = principal_of(engine, username)
        if can_read(reader, marking):
            assert all(can_read(reader, made[p]) for p in served if p in made)
    assert not can_read(principal_of(engine, "japan"), marking)


def test_a_read_marking_is_remembered_only_once_its_row_is_committed(engine, probes):
    """The cap of a page's markings is remembered per engine (``read_marking_id``), but never
    one interned by a transaction that then rolls back: its id may be another marking's."""
    _, made, _, _ = probes
    with unit_of_work(session_factory(engine)) as session:
        store = MarkingStore(session)
        service = SharingService(session, SYSTEM, KEY)
        ids = {store.intern(m) for m in made.values()}
        first = service.read_marking_id(ids)
    with unit_of_work(session_factory(engine)) as session:
        service = SharingService(session, SYSTEM, KEY)
        assert service.read_marking_id(ids) == first
        assert service_module._READ_MARKINGS[engine][frozenset(ids)][1] == first
        assert MarkingStore(session).get(first) == stix.strictest(
            [MarkingStore(session).get(i) for i in ids], service.groups_of
        )
    # A cap no page had before, interned inside a transaction that fails: not remembered.
    registry_text = ["NU // REL JPN", "NU // REL AUS"]

    def fails() -> None:
        with unit_of_work(session_factory(engine)) as session:
            registry = RegistryService(session, SYSTEM)
            texts = registry_text
            pair = {MarkingStore(session).intern(registry.parse_marking(t)) for t in texts}
            SharingService(session, SYSTEM, KEY).read_marking_id(pair)
            assert frozenset(pair) not in service_module._READ_MARKINGS.get(engine, {})
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fails()
    with unit_of_work(session_factory(engine)) as session:
        registry = RegistryService(session, SYSTEM)
        pair = {MarkingStore(session).intern(registry.parse_marking(t)) for t in registry_text}
        again = SharingService(session, SYSTEM, KEY).read_marking_id(pair)
        cap = MarkingStore(session).get(again)
        assert cap.releasable_to == frozenset()  # computed afresh, and its row exists
        assert not cap.caveats


def _pages(client, headers, url):
    """Every browse page's HTML, following the 'Next page' links."""
    texts, params = [], {}
    while True:
        r = client.get(url, params=params, headers=headers)
        if r.status_code == 404:
            return texts, 404
        assert r.status_code == 200, r.text
        texts.append(r.text)
        marker = 'href="?next='
        if marker not in r.text:
            return texts, 200
        token = r.text.split(marker, 1)[1].split('"', 1)[0]
        params = {"next": token.replace("&amp;", "&")}


@pytest.mark.parametrize("username", USERS)
def test_pages_and_graph_never_leak_a_probe(client, auth, engine, probes, username):
    cid, made, rels, _ = probes
    principal = principal_of(engine, username)
    allowed = {pid for pid, m in made.items() if can_read(principal, m)}
    headers = {"accept": "text/html", **(auth(username) if username else {})}
    texts, status = _pages(client, headers, f"/sharing/{cid}")
    if username is None:
        assert status == 404
        return
    html = "".join(texts)
    assert {p for p in made if p in html} == allowed
    assert {r for r in rels if r in html} == {r for r, p in rels.items() if p in allowed}
    # The anchor's graph draws an edge to each probe the reader may see, and no other.
    page = client.get(f"/sharing/{cid}", params={"q": "Indicator 999"}, headers=headers)
    anchor_id = page.text.split(f"/sharing/{cid}/objects/", 1)[1].split('"', 1)[0]
    detail = client.get(f"/sharing/{cid}/objects/{anchor_id}", headers=headers)
    assert detail.status_code == 200
    graph = detail.text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert {p for p in made if p in detail.text} == allowed
    assert {p for p in made if p in graph} == allowed
    assert graph.count('class="edge"') == len(allowed)
    for pid in made:
        r = client.get(f"/sharing/{cid}/objects/{pid}", headers=headers)
        assert r.status_code == (200 if pid in allowed else 404)
        if pid not in allowed:
            assert pid not in r.text


@pytest.mark.parametrize("username", USERS)
def test_misp_feed_never_leaks_a_probe(client, auth, engine, probes, username):
    cid, made, _, _ = probes
    principal = principal_of(engine, username)
    allowed = {pid for pid, m in made.items() if can_read(principal, m)}
    headers = auth(username) if username else {}
    r = client.get(f"/misp-feed/{cid}/manifest.json", headers=headers)
    if username is None:
        assert r.status_code == 401
        return
    assert r.status_code == 200
    listed = {f"indicator--{u}" for u in r.json()}
    assert listed & set(made) == allowed
    hashes = client.get(f"/misp-feed/{cid}/hashes.csv", headers=headers).text
    assert {line.split(",")[1] for line in hashes.splitlines()} == {
        u.split("--")[1] for u in listed
    }
    for pid in made:
        event = client.get(f"/misp-feed/{cid}/{pid.split('--')[1]}.json", headers=headers)
        assert event.status_code == (200 if pid in allowed else 404)
        if pid not in allowed:  # the same answer as an id that exists nowhere
            missing = client.get(f"/misp-feed/{cid}/{uuid.uuid4()}.json", headers=headers)
            assert event.json()["detail"] == missing.json()["detail"]
