# SPDX-License-Identifier: Apache-2.0
"""MISP partners: the feed's shape and tags, and MISP events imported as STIX with their
marking (NATO-only from the nato tag; never wider than the event said)."""

from __future__ import annotations

import json
import uuid

import pytest
from sharing_helpers import KEY, ROOT, indicator, make_collection, marking_ref, taxii_headers
from typer.testing import CliRunner

from liaison.cli.main import app
from liaison.db.session import session_factory, unit_of_work
from liaison.security.principal import SYSTEM
from liaison.sharing import misp
from liaison.sharing.service import SharingService
from liaison.terminal import output

EVENT = {
    "Event": {
        "uuid": "8b9c2f4e-1a3d-4c5e-9f70-112233445566",
        "info": "Phishing wave against partner ministries",
        "date": "2026-11-20",
        "timestamp": "1795000000",
        "Tag": [{"name": 'nato:classification="NR"'}, {"name": "tlp:amber"}],
        "Attribute": [
            {
                "uuid": "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
                "type": "ip-dst",
                "category": "Network activity",
                "value": "203.0.113.9",
                "timestamp": "1795000000",
            },
            {
                "uuid": "1f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
                "type": "domain",
                "category": "Network activity",
                "value": "it's-bad.example",
            },
            {"uuid": "2f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", "type": "text", "value": "note"},
        ],
    }
}


def test_feed_events_carry_tags_and_one_attribute(client, auth, engine):
    cid = make_collection(engine, default="PUBLIC")
    with unit_of_work(session_factory(engine)) as session:
        ref, definition = marking_ref(session, "NU // REL IP4")
        obj = indicator(7, markings=[ref])
        SharingService(session, SYSTEM, KEY).post(cid, [definition, obj])
    h = auth("korea")
    manifest = client.get(f"/misp-feed/{cid}/manifest.json", headers=h).json()
    event_uuid = obj["id"].split("--")[1]
    assert manifest[event_uuid]["info"] == "Indicator 7"
    assert {t["name"] for t in manifest[event_uuid]["Tag"]} == {'nato:classification="NU"'}
    event = client.get(f"/misp-feed/{cid}/{event_uuid}.json", headers=h).json()["Event"]
    assert event["Attribute"][0]["type"] == "ip-dst"
    assert event["Attribute"][0]["value"] == "198.51.100.7"
    assert client.get(f"/misp-feed/{cid}/{uuid.uuid4()}.json", headers=h).status_code == 404


def test_event_to_stix_maps_attributes_and_skips_the_rest():
    converted = misp.event_to_stix(EVENT)
    patterns = [o["pattern"] for o in converted.objects if o["type"] == "indicator"]
    assert patterns == [
        "[ipv4-addr:value = '203.0.113.9']",
        "[domain-name:value = 'it\\'s-bad.example']",
    ]
    assert misp.simple_pattern(patterns[1]) == ("domain", "it's-bad.example")
    assert converted.skipped == ["text: note"]
    report = converted.objects[-1]
    assert report["id"] == "report--8b9c2f4e-1a3d-4c5e-9f70-112233445566"
    assert converted.marking is not None
    assert converted.marking.releasable_to == frozenset()  # MISP has no releasability


@pytest.mark.parametrize(
    "bad", [{}, {"Event": {"uuid": "nope"}}, {"Event": {"uuid": str(uuid.uuid4()), "date": "x"}}]
)
def test_malformed_events_are_refused(bad):
    with pytest.raises(misp.MispInvalid):
        misp.event_to_stix(bad)


def test_import_misp_keeps_the_marking(client, auth, engine, monkeypatch, db_url, tmp_path):
    monkeypatch.setattr(output.console, "_width", 250)
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    make_collection(engine, alias="misp", default="NU // REL IP4")
    path = tmp_path / "event.json"
    path.write_text(json.dumps(EVENT))
    r = CliRunner().invoke(
        app, ["sharing", "import-misp", str(path), "-c", "misp", "--as", "officer"]
    )
    assert r.exit_code == 0, r.output
    assert "skipped" in r.output
    url = f"{ROOT}/collections/misp/objects/"
    # NATO RESTRICTED, NATO only: no partner receives it, although the collection's default
    # marking is releasable to IP4.
    for user, count in (("korea", 0), ("japan", 0), ("officer", 3)):
        body = client.get(
            url, params={"match[type]": "indicator,report"}, headers=taxii_headers(auth(user))
        ).json()
        assert len(body.get("objects", [])) == count, user
    r = CliRunner().invoke(
        app,
        ["sharing", "import-misp", str(tmp_path / "missing.json"), "-c", "misp", "--as", "officer"],
    )
    assert r.exit_code != 0
