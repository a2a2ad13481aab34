# SPDX-License-Identifier: Apache-2.0
"""The TAXII 2.1 endpoints, driven over HTTP: shapes, media types, pagination, errors."""

from __future__ import annotations

import uuid

import pytest
from sharing_helpers import ROOT, TAXII, indicator, make_collection, marking_ref, taxii_headers

from liaison.db.session import session_factory, unit_of_work


def post(client, headers, collection, objects):
    r = client.post(
        f"{ROOT}/collections/{collection}/objects/",
        json={"objects": objects},
        headers=taxii_headers(headers, post=True),
    )
    assert r.status_code == 202, r.text
    return r.json()


def test_discovery_root_collections(client, auth, collection):
    h = taxii_headers(auth("officer"))
    r = client.get("/taxii2/", headers=h)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == TAXII
    assert r.json()["api_roots"][0].endswith("/taxii2/liaison/")
    assert client.get(f"{ROOT}/", headers=h).json()["versions"] == [TAXII]
    cols = client.get(f"{ROOT}/collections/", headers=h).json()["collections"]
    assert [c["id"] for c in cols] == [collection]
    assert cols[0]["can_read"]
    assert cols[0]["can_write"]


def test_post_then_page_through(client, auth, collection):
    h = auth("officer")
    objects = [indicator(i) for i in range(25)]
    status = post(client, h, collection, objects)
    assert status["success_count"] == 25, status
    seen, token = [], None
    while True:
        params = {"limit": 10}
        if token:
            params["next"] = token
        r = client.get(
            f"{ROOT}/collections/{collection}/objects/", params=params, headers=taxii_headers(h)
        )
        assert r.status_code == 200, r.text
        body = r.json()
        seen += [o["id"] for o in body["objects"]]
        assert r.headers["X-TAXII-Date-Added-First"] <= r.headers["X-TAXII-Date-Added-Last"]
        if not body["more"]:
            break
        token = body["next"]
    # The collection's default marking was stamped on each object, and its definition stored,
    # served first; one envelope's objects are in the order of their ids.
    assert seen[0].startswith("marking-definition--")
    assert seen[1:] == sorted(o["id"] for o in objects)


def _objects_url(collection):
    return f"{ROOT}/collections/{collection}/objects/"


def _count(client, headers, collection):
    r = client.get(
        f"{ROOT}/collections/{collection}/manifest/",
        params={"match[version]": "all"},
        headers=taxii_headers(headers),
    )
    return len(r.json().get("objects", []))


def test_an_envelope_is_stored_all_or_nothing(client, auth, collection):
    h = auth("officer")
    good = [indicator(i) for i in range(3)]
    bad = {**indicator(9), "modified": "2025-01-01T00:00:00.000Z"}  # before created
    status = post(client, h, collection, [*good, bad])
    assert status["success_count"] == 0
    assert status["failure_count"] == 4
    by_id = {f["id"]: f["message"] for f in status["failures"]}
    assert "modified is earlier than created" in by_id[bad["id"]]
    assert "all or nothing" in by_id[good[0]["id"]]
    assert _count(client, h, collection) == 0
    again = client.get(f"{ROOT}/status/{status['id']}/", headers=taxii_headers(h)).json()
    assert again["failures"] == status["failures"]


def test_reposting_a_version_is_idempotent(client, auth, collection):
    h = auth("officer")
    obj = indicator(1)
    post(client, h, collection, [obj])
    status = post(client, h, collection, [obj, obj])
    assert status["success_count"] == 2
    assert _count(client, h, collection) == 2  # the object and the stamped marking definition


def test_versions_first_last_all(client, auth, collection):
    h = auth("officer")
    v1 = indicator(1)
    v2 = {**v1, "modified": "2026-03-01T00:00:00.123Z", "name": "second"}
    v3 = {**v1, "modified": "2026-02-01T00:00:00Z", "name": "middle"}
    post(client, h, collection, [v1, v2])
    post(client, h, collection, [v3])
    url = f"{ROOT}/collections/{collection}/objects/{v1['id']}/"
    names = lambda **p: [  # noqa: E731
        o["name"] for o in client.get(url, params=p, headers=taxii_headers(h)).json()["objects"]
    ]
    assert names() == ["second"]
    assert names(**{"match[version]": "first"}) == ["Indicator 1"]
    assert sorted(names(**{"match[version]": "all"})) == ["Indicator 1", "middle", "second"]
    assert names(**{"match[version]": "2026-02-01T00:00:00.000Z"}) == ["middle"]
    assert names(**{"match[version]": "first,last"}) == ["Indicator 1", "second"]
    r = client.get(url + "versions/", headers=taxii_headers(h)).json()
    assert sorted(r["versions"]) == [
        "2026-01-01T00:00:00.000Z",
        "2026-02-01T00:00:00.000Z",
        "2026-03-01T00:00:00.123Z",
    ]
    r = client.get(url, params={"match[spec_version]": "2.0"}, headers=taxii_headers(h))
    assert r.status_code == 404


def test_filters_and_added_after(client, auth, collection):
    h = auth("officer")
    first = [indicator(i) for i in range(3)]
    post(client, h, collection, first)
    r = client.get(_objects_url(collection), headers=taxii_headers(h))
    last = r.headers["X-TAXII-Date-Added-Last"]
    later = [indicator(10 + i) for i in range(2)]
    post(client, h, collection, later)
    r = client.get(_objects_url(collection), params={"added_after": last}, headers=taxii_headers(h))
    assert [o["id"] for o in r.json()["objects"]] == sorted(o["id"] for o in later)
    r = client.get(
        _objects_url(collection),
        params={"match[id]": f"{first[0]['id']},{later[1]['id']}"},
        headers=taxii_headers(h),
    )
    assert [o["id"] for o in r.json()["objects"]] == [first[0]["id"], later[1]["id"]]
    r = client.get(
        _objects_url(collection), params={"match[type]": "relationship"}, headers=taxii_headers(h)
    )
    assert r.json() == {"more": False}


def test_delete_removes_the_object(client, auth, collection):
    h = auth("officer")
    obj = indicator(1)
    post(client, h, collection, [obj])
    url = f"{ROOT}/collections/{collection}/objects/{obj['id']}/"
    assert client.delete(url, headers=taxii_headers(auth("analyst"))).status_code == 403
    assert client.delete(url, headers=taxii_headers(h)).status_code == 200
    assert client.get(url, headers=taxii_headers(h)).status_code == 404
    assert client.delete(url, headers=taxii_headers(h)).status_code == 404


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", TAXII, 400),
        (b'{"objects": "no"}', TAXII, 400),
        (b'{"objects": []}', TAXII, 400),
        (b'[{"type": "indicator"}]', TAXII, 400),
        (b'{"objects": [], "extra": 1}', TAXII, 400),
        (b'{"objects": [{"type": "indicator"}]}', "application/json", 415),
        (b'{"objects": [{"type": "indicator"}]}', "application/taxii+json;version=2.0", 415),
    ],
)
def test_malformed_posts_get_taxii_errors(client, auth, collection, body, content_type, status):
    h = {**auth("officer"), "Accept": TAXII, "Content-Type": content_type}
    r = client.post(_objects_url(collection), content=body, headers=h)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == TAXII
    assert r.json()["http_status"] == str(status)
    assert r.json()["title"]


def test_every_object_error_is_a_status_failure_not_a_500(client, auth, collection):
    h = auth("officer")
    weird = [
        1,
        "text",
        None,
        {"type": "indicator"},
        {**indicator(1), "spec_version": "2.0"},
        {**indicator(2), "id": "indicator--not-a-uuid"},
        {**indicator(3), "created": "yesterday"},
        {**indicator(4), "created": "2026-02-30T00:00:00Z"},
        {
            **indicator(5),
            "object_marking_refs": ["identity--" + "0" * 8 + "-0000-4000-8000-" + "0" * 12],
        },
        {**indicator(6), "BadName": 1},
        {**indicator(7), "labels": []},
        {"type": "bundle", "id": "bundle--6f1e4b0a-8d2f-4e7a-b3c5-9a1d0f2e4b6c", "objects": []},
    ]
    status = post(client, h, collection, weird)
    assert status["failure_count"] == len(weird)
    messages = [f["message"] for f in status["failures"]]
    assert all(m and "all or nothing" not in m for m in messages), messages  # each its own reason
    assert len(set(messages)) >= len(weird) - 2  # 1, "text" and None share one


def test_oversized_bodies_unknown_media_types_bad_cursors(client, auth, collection, settings):
    h = auth("officer")
    post(client, h, collection, [indicator(i) for i in range(5)])
    r = client.get(_objects_url(collection), headers={**h, "Accept": "text/html"})
    assert r.status_code == 406
    assert r.json()["http_status"] == "406"
    r = client.get(_objects_url(collection), params={"limit": 2}, headers=taxii_headers(h))
    token = r.json()["next"]
    for bad in ("garbage", token[:-2] + "AA", token + "x", "a.b"):
        r = client.get(
            _objects_url(collection), params={"limit": 2, "next": bad}, headers=taxii_headers(h)
        )
        assert r.status_code == 400, bad
        assert r.json()["http_status"] == "400"
    # A cursor is bound to its reader and its filters.
    r = client.get(
        _objects_url(collection),
        params={"limit": 2, "next": token},
        headers=taxii_headers(auth("analyst")),
    )
    assert r.status_code == 400
    r = client.get(
        _objects_url(collection),
        params={"limit": 2, "next": token, "match[type]": "indicator"},
        headers=taxii_headers(h),
    )
    assert r.status_code == 400
    for params in (
        {"limit": "x"},
        {"limit": "0"},
        {"added_after": "yesterday"},
        {"match[version]": "latest"},
    ):
        r = client.get(_objects_url(collection), params=params, headers=taxii_headers(h))
        assert r.status_code == 400, params
    big = b'{"objects": [' + b" " * (settings.taxii_max_content_length + 1) + b"]}"
    r = client.post(_objects_url(collection), content=big, headers=taxii_headers(h, post=True))
    assert r.status_code == 413
    assert r.json()["http_status"] == "413"
    assert _count(client, h, collection) == 6


def test_hidden_and_missing_collections_answer_alike(client, auth, engine):
    cid = make_collection(engine, alias="allies", readers=("ally",), writers=("ally",))
    h = taxii_headers(auth("korea"))
    assert client.get(f"{ROOT}/collections/", headers=h).json() == {}
    hidden = client.get(f"{ROOT}/collections/{cid}/objects/", headers=h)
    missing = client.get(f"{ROOT}/collections/{uuid.uuid4()}/objects/", headers=h)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    r = client.post(
        f"{ROOT}/collections/{cid}/objects/",
        json={"objects": [indicator(1)]},
        headers=taxii_headers(auth("korea"), post=True),
    )
    assert r.status_code == 404


def test_writers_cannot_write_above_what_they_read(client, auth, engine, collection):
    with unit_of_work(session_factory(engine)) as session:
        ref, definition = marking_ref(session, "NS // REL AUS")
    status = post(client, auth("korea"), collection, [definition, indicator(1, markings=[ref])])
    assert status["success_count"] == 0
    assert any("above what you may read" in f["message"] for f in status["failures"])
