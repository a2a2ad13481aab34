# SPDX-License-Identifier: Apache-2.0
"""Real partner tools against a real server: taxii2-client (what MISP and OpenCTI use) and
stix2's TAXIICollectionSource/Sink drive Liaison end to end over HTTP, with HTTP Basic (a
username and an API token), and stix2-validator passes everything served."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import requests
import stix2
from sharing_helpers import indicator, make_collection
from stix2validator import ValidationOptions, validate_instance
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

ATTACK = Path("/work/shared/data/attack/ics-attack-18.1.json")
DISARM = Path("/work/shared/data/disarm/DISARM.json")


def basic(auth, username):
    """(user, password) for HTTP Basic: the username and an API token."""
    token = auth(username)["Authorization"].removeprefix("Bearer ")
    return username, token


def valid(obj) -> bool:
    result = validate_instance(obj, ValidationOptions(version="2.1"))
    return result.is_valid


def test_taxii2_client_end_to_end(live, auth, engine):
    cid = make_collection(engine)
    user, password = basic(auth, "officer")
    server = Server(f"{live}/taxii2/", user=user, password=password)
    assert server.title == "Liaison sharing hub"
    root = server.api_roots[0]
    assert isinstance(root, ApiRoot)
    assert root.versions == ["application/taxii+json;version=2.1"]
    collection = root.collections[0]
    assert collection.id == cid
    assert collection.can_read
    assert collection.can_write

    objects = [indicator(i) for i in range(26)]
    status = collection.add_objects({"objects": objects})
    assert status.status == "complete"
    assert status.success_count == 26
    assert status.failure_count == 0

    pages = list(as_pages(collection.get_objects, per_request=10))
    served = [o for p in pages for o in p.get("objects", [])]
    assert len(pages) == 3
    # the stamped definition first, then the envelope's objects in the order of their ids
    assert served[0]["type"] == "marking-definition"
    assert [o["id"] for o in served][1:27] == sorted(o["id"] for o in objects)
    assert all(valid(o) for o in served)

    only = collection.get_objects(type="marking-definition")
    assert [o["type"] for o in only["objects"]] == ["marking-definition"]
    manifest = collection.get_manifest()
    assert len(manifest["objects"]) == 27
    assert manifest["objects"][0]["media_type"] == "application/stix+json;version=2.1"

    one = collection.get_object(objects[3]["id"])
    parsed = stix2.parse(one["objects"][0], allow_custom=True)
    assert parsed.name == "Indicator 3"
    versions = collection.object_versions(objects[3]["id"])
    assert versions["versions"] == ["2026-01-01T00:00:00.000Z"]
    again = status.__class__(status.url, user=user, password=password)
    assert again.success_count == 26


def test_stix2_source_and_sink_round_trip(live, auth, engine):
    cid = make_collection(engine)
    user, password = basic(auth, "officer")
    url = f"{live}/taxii2/liaison/collections/{cid}/"
    collection = Collection(url, user=user, password=password)
    sink = stix2.TAXIICollectionSink(collection)
    first = stix2.Indicator(
        name="Spear-phishing sender",
        pattern="[email-addr:value = 'x@example.org']",
        pattern_type="stix",
        valid_from="2026-01-01T00:00:00Z",
    )
    sink.add(first)
    newer = first.new_version(name="Spear-phishing sender (confirmed)")
    sink.add(newer)
    source = stix2.TAXIICollectionSource(collection)
    got = source.get(first.id)
    assert got.name == "Spear-phishing sender (confirmed)"
    assert len(source.all_versions(first.id)) == 2
    found = source.query([stix2.Filter("type", "=", "indicator")])
    assert [o.id for o in found] == [first.id]


def test_real_bundles_round_trip_and_validate(live, auth, engine):
    cid = make_collection(engine, default="PUBLIC")
    user, password = basic(auth, "officer")
    collection = Collection(
        f"{live}/taxii2/liaison/collections/{cid}/", user=user, password=password
    )
    bundle = json.loads(DISARM.read_text())
    status = collection.add_objects({"objects": bundle["objects"]})
    assert status.success_count == len(bundle["objects"]), status.failures[:3]
    served = [
        o for p in as_pages(collection.get_objects, per_request=250) for o in p.get("objects", [])
    ]
    assert {o["id"] for o in bundle["objects"]} <= {o["id"] for o in served}
    for obj in served[:100]:
        assert valid(obj), obj["id"]


def test_basic_auth_needs_the_users_own_token(live, auth, engine):
    make_collection(engine)
    _, token = basic(auth, "officer")
    wrong = base64.b64encode(f"korea:{token}".encode()).decode()
    r = requests.get(f"{live}/taxii2/", headers={"Authorization": f"Basic {wrong}"}, timeout=10)
    assert r.status_code == 401
    assert "Basic" in r.headers["WWW-Authenticate"]
    assert r.json()["http_status"] == "401"
