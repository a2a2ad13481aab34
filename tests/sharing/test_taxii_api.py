# SPDX-License-Identifier: Apache-2.0
"""The TAXII 2.1 endpoints, driven over HTTP: shapes, media types, pagination, errors."""

from __future__ import annotations

from sharing_helpers import ROOT, TAXII, indicator, taxii_headers


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
    assert cols[0]["can_read"] and cols[0]["can_write"]


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
        r = client.get(f"{ROOT}/collections/{collection}/objects/", params=params,
                       headers=taxii_headers(h))
        assert r.status_code == 200, r.text
        body = r.json()
        seen += [o["id"] for o in body["objects"]]
        assert r.headers["X-TAXII-Date-Added-First"] <= r.headers["X-TAXII-Date-Added-Last"]
        if not body["more"]:
            break
        token = body["next"]
    # The collection's default marking was stamped on each object, and its definition stored.
    assert seen[:25] == [o["id"] for o in objects]
    assert seen[25].startswith("marking-definition--")
