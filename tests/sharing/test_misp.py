# SPDX-License-Identifier: Apache-2.0
"""MISP partners, end to end on both backends (issue 20): MISP events imported through
misp-stix with the markings their tags name (fail closed), the feed read back by PyMISP
(``MISPEvent(strict_validation=True)``) and imported again with everything preserved, and
MISP's own TAXII push (misp-stix bundles) capped by the report's labels."""

from __future__ import annotations

import copy
import json
import uuid

import pytest
import stix2
from misp_stix_converter import ExternalSTIX2toMISPParser, MISPtoSTIX21Parser
from pymisp import MISPEvent
from sharing_helpers import KEY, ROOT, indicator, make_collection, marking_ref, taxii_headers
from typer.testing import CliRunner

from liaison.cli.main import app
from liaison.db.session import session_factory, unit_of_work
from liaison.errors import InvalidInput
from liaison.identity.service import IdentityService
from liaison.registry.service import nation_profile
from liaison.security.authn import principal_for
from liaison.security.markings import short
from liaison.security.principal import SYSTEM
from liaison.sharing import misp, misp_import
from liaison.sharing.feed import org_of
from liaison.sharing.repository import ObjectQuery
from liaison.sharing.service import SharingService
from liaison.terminal import output

EVENT_UUID = "8b9c2f4e-1a3d-4c5e-9f70-112233445566"
IP_UUID = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"


def attribute(value="203.0.113.9", kind="ip-dst", tags=(), **extra):
    body = {
        "uuid": extra.pop("uuid", str(uuid.uuid4())),
        "type": kind,
        "category": "Network activity",
        "value": value,
        "to_ids": True,
        "timestamp": "1795000000",
        **extra,
    }
    if tags:
        body["Tag"] = [{"name": t} for t in tags]
    return body


def event(tags=(), attributes=None, objects=(), **extra):
    body = {
        "uuid": extra.pop("uuid", str(uuid.uuid4())),
        "info": "Phishing wave against partner ministries",
        "date": "2026-11-20",
        "timestamp": "1795000000",
        "published": True,
        "Orgc": {"name": "CERT-X", "uuid": "55f6ea5e-2c60-40e5-964f-47a8950d210f"},
        "Tag": [{"name": t} for t in tags],
        "Attribute": attributes if attributes is not None else [attribute()],
        "Object": list(objects),
        **extra,
    }
    return {"Event": body}


def import_as(engine, data, alias="cti", username="officer"):
    prepared = misp_import.prepare(data)  # outside the transaction, as the CLI does
    with unit_of_work(session_factory(engine)) as session:
        user = IdentityService(session, SYSTEM).user(username)
        service = SharingService(session, principal_for(session, user, nation_profile), KEY)
        return misp_import.import_misp(service, alias, prepared)


def visible(client, auth, user, alias="cti", types="indicator,report,grouping,ipv4-addr"):
    body = client.get(
        f"{ROOT}/collections/{alias}/objects/",
        params={"match[type]": types, "limit": 1000},
        headers=taxii_headers(auth(user)),
    ).json()
    return {o["id"]: o for o in body.get("objects", [])}


def stored_marking(engine, stix_id, alias="cti"):
    with unit_of_work(session_factory(engine)) as session:
        service = SharingService(session, SYSTEM, KEY)
        cid = service.collection(alias).row.id
        page = service.object_page(cid, stix_id, ObjectQuery(), limit=1, next_token=None)
        return short(service.marking(page.rows[0][4]))


# items 1-2: a tag that looks like a marking is read exactly or refuses the event ----------------
@pytest.mark.parametrize(
    "tag",
    [
        'nato:classification="ns"',
        "nato:classification=NS",
        'nato:classification = "NS"',
        'nato:classification="NATO SECRET"',
        'NATO:classification="NS"',
    ],
)
def test_item1_misspelt_classification_is_never_public(client, auth, engine, tag):
    make_collection(engine, default="PUBLIC")
    data = event([tag], [attribute(uuid=IP_UUID)])
    result = import_as(engine, data)
    assert result.outcome.status.failure_count == 0
    assert stored_marking(engine, f"indicator--{IP_UUID}") == "NS"
    assert visible(client, auth, "korea") == {}
    assert f"indicator--{IP_UUID}" in visible(client, auth, "officer")


@pytest.mark.parametrize("tags", [['nato:classification="NX"'], ["tlp:red", "tlp:clear"]])
def test_item1_2_unreadable_or_impossible_tags_refuse_the_event(client, auth, engine, tags):
    make_collection(engine, default="PUBLIC")
    with pytest.raises(InvalidInput, match="nothing imported"):
        import_as(engine, event(tags))
    assert visible(client, auth, "officer") == {}


def test_item2_two_classifications_combine_to_the_strictest(client, auth, engine):
    make_collection(engine, default="PUBLIC")
    import_as(
        engine,
        event(['nato:classification="NS"', 'nato:classification="NU"'], [attribute(uuid=IP_UUID)]),
    )
    assert stored_marking(engine, f"indicator--{IP_UUID}") == "NS"


# item 3: attribute- and object-level tags ---------------------------------------------------------
def test_item3_taxii_to_misp_stix_to_import_keeps_the_attribute_marking(client, auth, engine):
    """A TAXII indicator marked NR // REL AUS, JPN, converted to MISP by misp-stix's
    ExternalSTIX2toMISPParser (the marking lands on the attribute), imported into a collection
    whose default is NU // REL IP4: stored NR // REL AUS, JPN; Korea reads nothing."""
    make_collection(engine, alias="source", default="PUBLIC")
    make_collection(engine, alias="cti", default="NU // REL IP4")
    with unit_of_work(session_factory(engine)) as session:
        ref, definition = marking_ref(session, "NR // REL AUS, JPN")
        obj = indicator(45, markings=[ref])
        SharingService(session, SYSTEM, KEY).post("source", [definition, obj])
    served = client.get(
        f"{ROOT}/collections/source/objects/", headers=taxii_headers(auth("officer"))
    )
    bundle = {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid4()}",
        "objects": served.json()["objects"],
    }
    parser = ExternalSTIX2toMISPParser()
    parser.load_stix_bundle(stix2.parse(bundle, allow_custom=True))
    parser.parse_stix_bundle()
    misp_event = json.loads(parser.misp_event.to_json())
    misp_event["date"] = "2026-11-20"
    import_as(engine, {"Event": misp_event})
    ids = [i for i in visible(client, auth, "officer") if i.startswith("indicator--")]
    assert ids
    assert {stored_marking(engine, i) for i in ids} == {"NR // REL AUS, JPN"}
    assert list(visible(client, auth, "korea")) == []
    assert set(visible(client, auth, "japan")) >= set(ids)


def test_item3_object_tags_mark_the_object_and_not_its_siblings(client, auth, engine):
    make_collection(engine, default="NU // REL IP4")
    obj_uuid = str(uuid.uuid4())
    file_object = {
        "name": "file",
        "uuid": obj_uuid,
        "meta-category": "file",
        "Tag": [{"name": 'nato:classification="NS"'}],
        "Attribute": [
            attribute("d41d8cd98f00b204e9800998ecf8427e", "md5", object_relation="md5"),
            attribute("a.exe", "filename", object_relation="filename"),
        ],
    }
    import_as(engine, event([], [attribute(uuid=IP_UUID)], [file_object]))
    assert stored_marking(engine, f"indicator--{obj_uuid}") == "NS"
    assert stored_marking(engine, f"indicator--{IP_UUID}") == "NU // REL IP4"
    korea = visible(client, auth, "korea")
    assert f"indicator--{IP_UUID}" in korea
    assert f"indicator--{obj_uuid}" not in korea


# item 4: MISP's own TAXII push --------------------------------------------------------------------
def test_item4_misp_stix_push_is_capped_by_the_report_labels(client, auth, engine):
    make_collection(engine, default="NU // REL IP4")
    parser = MISPtoSTIX21Parser()
    parser.parse_misp_event(event(['nato:classification="NS"'], [attribute(uuid=IP_UUID)]))
    objects = json.loads(parser.bundle.serialize())["objects"]
    r = client.post(
        f"{ROOT}/collections/cti/objects/",
        json={"objects": objects},
        headers=taxii_headers(auth("officer"), post=True),
    )
    assert r.status_code == 202, r.text
    assert r.json()["failure_count"] == 0
    assert (
        visible(client, auth, "korea", types="indicator,ipv4-addr,report,grouping,network-traffic")
        == {}
    )
    assert stored_marking(engine, f"ipv4-addr--{IP_UUID}") == "NS"
    bad = copy.deepcopy(objects)
    bad[1]["labels"] = ['nato:classification="N S"']
    r = client.post(
        f"{ROOT}/collections/cti/objects/",
        json={"objects": bad},
        headers=taxii_headers(auth("officer"), post=True),
    )
    assert r.json()["success_count"] == 0


# item 5, 9, 8: the feed carries need-to-know, releasability and active state; PyMISP reads it --
def _feed_event(client, auth, user, alias, stix_id):
    return client.get(f"/misp-feed/{alias}/{stix_id.split('--')[1]}.json", headers=auth(user))


def test_item5_9_round_trip_through_the_feed_and_pymisp(client, auth, engine):
    make_collection(engine, alias="cti", default="PUBLIC")
    make_collection(engine, alias="back", default="PUBLIC")
    with unit_of_work(session_factory(engine)) as session:
        ntk_ref, ntk_def = marking_ref(session, "NS // NTK cyber")
        rel_ref, rel_def = marking_ref(session, "NU // REL KOR")
        secret, kor = indicator(1, markings=[ntk_ref]), indicator(2, markings=[rel_ref])
        kor["revoked"] = True
        SharingService(session, SYSTEM, KEY).post("cti", [ntk_def, rel_def, secret, kor])
    for stix_id, marking in ((secret["id"], "NS // NTK cyber"), (kor["id"], "NU // REL KOR")):
        r = _feed_event(client, auth, "officer", "cti", stix_id)
        assert r.status_code == 200
        loaded = MISPEvent(strict_validation=True)
        loaded.load(r.json())
        names = {t.name for t in loaded.tags}
        if stix_id == kor["id"]:
            assert 'liaison:releasable-to="KOR"' in names  # item 9: a tag MISP filters on
            assert loaded.attributes[0].to_ids is False  # item 8: revoked detects nothing
        else:
            assert 'liaison:need-to-know="cyber"' in names  # item 5
        import_as(engine, r.json(), alias="back")
        back = visible(client, auth, "officer", "back", types="indicator,ipv4-addr")
        assert any(stored_marking(engine, i, "back") == marking for i in back)
    # the revoked one came back as an observation, not an indicator (active state kept)
    assert not any("198.51.100.2" in o.get("pattern", "") for o in back.values())
    admin = visible(client, auth, "admin", "back")  # outside cyber: never reads the NS // NTK one
    korea = visible(client, auth, "korea", "back", types="ipv4-addr")
    assert all(stored_marking(engine, i, "back") != "NS // NTK cyber" for i in admin)
    assert any(stored_marking(engine, i, "back") == "NU // REL KOR" for i in korea)


def test_item8_to_ids_false_and_deleted_attributes_are_no_active_indicators(client, auth, engine):
    make_collection(engine, default="PUBLIC")
    quiet, gone = str(uuid.uuid4()), str(uuid.uuid4())
    data = event(
        ["tlp:clear"],
        [
            attribute(uuid=IP_UUID),
            attribute("203.0.113.10", uuid=quiet, to_ids=False),
            attribute("203.0.113.11", uuid=gone, deleted=True),
        ],
    )
    result = import_as(engine, data)
    seen = visible(client, auth, "officer", types="indicator,observed-data")
    assert f"indicator--{IP_UUID}" in seen
    assert f"indicator--{quiet}" not in seen
    assert f"observed-data--{quiet}" in seen
    assert not any(gone in i for i in seen)
    assert any("deleted" in n for n in result.not_carried)


# item 6, 7: misp-stix's mapping; the event stays one unit; what is not carried is said ----------
def test_item6_7_misp_stix_maps_composites_and_keeps_the_event(client, auth, engine):
    make_collection(engine, default="PUBLIC")
    event_uuid = str(uuid.uuid4())
    attributes = [
        attribute("203.0.113.12", "ip-src"),
        attribute("203.0.113.13|443", "ip-dst|port"),
        attribute("bad.example|203.0.113.14", "domain|ip"),
        attribute("a.exe|d41d8cd98f00b204e9800998ecf8427e", "filename|md5"),
        attribute("a note", "text", category="Other"),
    ]
    result = import_as(engine, event(["tlp:green"], attributes, uuid=event_uuid))
    assert result.events == 1
    assert result.not_carried == [f"{event_uuid}: MISP Attribute type text not mapped."]
    seen = visible(client, auth, "officer", types="indicator,grouping,report")
    unit = [o for o in seen.values() if o["type"] in {"report", "grouping"}]
    assert [o["id"].split("--")[1] for o in unit] == [event_uuid]
    patterns = {o["pattern"] for o in seen.values() if o["type"] == "indicator"}
    assert len(patterns) == 4
    assert any("src_ref" in p for p in patterns)  # ip-src stays a source


# item 10 ------------------------------------------------------------------------------------------
def test_item10_chatham_house_imports_and_red_needs_recipients(client, auth, engine):
    make_collection(engine, default="NU")
    import_as(engine, event(["tlp:ex:chr"], [attribute(uuid=IP_UUID)]))
    assert stored_marking(engine, f"indicator--{IP_UUID}") == "NU"
    with pytest.raises(InvalidInput, match="TLP:RED"):
        import_as(engine, event(["tlp:red", 'nato:classification="NR"']))
    red = str(uuid.uuid4())
    import_as(
        engine,
        event(
            ["tlp:red", 'nato:classification="NR"', 'liaison:need-to-know="cyber"'],
            [attribute(uuid=red)],
        ),
    )
    assert stored_marking(engine, f"indicator--{red}") == "NR // NTK cyber // TLP:RED"


# item 11: errors ----------------------------------------------------------------------------------
def _bad(**changes):
    data = event()
    data["Event"].update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_bad(timestamp="99999999999999"), "outside 1970-9999"),
        (
            _bad(Attribute=[attribute(uuid=IP_UUID), attribute("198.51.100.1", uuid=IP_UUID)]),
            "appears twice",
        ),
        (_bad(date=None), "needs a date"),
        ({"Event": {k: v for k, v in event()["Event"].items() if k != "date"}}, "needs a date"),
        (_bad(Attribute=[attribute("1" * 200_000)]), "characters"),
        (_bad(Attribute=[attribute("not-an-ip")]), "not an IP address"),
        (_bad(Attribute=[attribute("xyz", "md5")]), "not an md5 hash"),
        ({"response": []}, "no MISP event"),
    ],
)
def test_item11_bad_events_get_a_clear_error_and_nothing_stored(
    client, auth, engine, data, message
):
    make_collection(engine, default="PUBLIC")
    with pytest.raises(InvalidInput, match=message):
        import_as(engine, data)
    assert visible(client, auth, "officer") == {}


def test_item11_wrapped_response_form_and_cli(client, auth, engine, monkeypatch, db_url, tmp_path):
    monkeypatch.setattr(output.console, "_width", 250)
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    make_collection(engine, alias="misp", default="NU // REL IP4")
    path = tmp_path / "events.json"
    path.write_text(
        json.dumps(
            {"response": [event(['nato:classification="NR"']), event(['nato:classification="NU"'])]}
        )
    )
    r = CliRunner().invoke(
        app, ["sharing", "import-misp", str(path), "-c", "misp", "--as", "officer"]
    )
    assert r.exit_code == 0, r.output
    assert "from 2 event(s)" in r.output
    assert visible(client, auth, "korea", "misp") == {}  # NATO only: no rel tag
    path.write_text(json.dumps(event(['nato:classification="CTS-AB"'])))
    r = CliRunner().invoke(
        app, ["sharing", "import-misp", str(path), "-c", "misp", "--as", "officer"]
    )
    assert r.exit_code != 0
    assert "CTS-AB" in r.output
    path.write_bytes(b'{"Event": ')  # parsed in the isolated child: a clear error, no traceback
    r = CliRunner().invoke(
        app, ["sharing", "import-misp", str(path), "-c", "misp", "--as", "officer"]
    )
    assert r.exit_code != 0
    assert "not JSON" in r.output
    assert "Traceback" not in r.output


def test_item11_feed_org_hashes_and_trailing_slash(client, auth, engine, settings):
    cid = make_collection(engine, default="PUBLIC")
    h = auth("korea")
    assert client.get(f"/misp-feed/{cid}/hashes.csv", headers=h).text == "\n"  # MISP refuses ""
    assert client.get(f"/misp-feed/{cid}//manifest.json", headers=h).json() == {}
    with unit_of_work(session_factory(engine)) as session:
        SharingService(session, SYSTEM, KEY).post(cid, [indicator(3)])
    manifest = client.get(f"/misp-feed/{cid}//manifest.json", headers=h).json()
    (entry,) = manifest.values()
    assert entry["Orgc"]["uuid"] != "5c2a4f0e-1b3d-4e6f-8a9b-0c1d2e3f4a5b"
    assert entry["Orgc"] == org_of(settings)
    other = settings.model_copy(update={"misp_org_uuid": uuid.uuid4()})
    assert org_of(other)["uuid"] == str(other.misp_org_uuid)


def test_event_to_the_feed_is_pymisp_strict(client, auth, engine):
    cid = make_collection(engine, default="PUBLIC")
    with unit_of_work(session_factory(engine)) as session:
        ref, definition = marking_ref(session, "NU // REL IP4")
        obj = indicator(7, markings=[ref])
        SharingService(session, SYSTEM, KEY).post(cid, [definition, obj])
    h = auth("korea")
    manifest = client.get(f"/misp-feed/{cid}/manifest.json", headers=h).json()
    event_uuid = obj["id"].split("--")[1]
    assert {t["name"] for t in manifest[event_uuid]["Tag"]} == {
        'nato:classification="NU"',
        'liaison:releasable-to="IP4"',
    }
    body = client.get(f"/misp-feed/{cid}/{event_uuid}.json", headers=h).json()
    loaded = MISPEvent(strict_validation=True)
    loaded.load(body)
    assert loaded.attributes[0].value == "198.51.100.7"
    assert client.get(f"/misp-feed/{cid}/{uuid.uuid4()}.json", headers=h).status_code == 404


def test_prepare_is_pure_and_refuses_malformed_input():
    for bad in [
        {},
        {"Event": {"uuid": "nope"}},
        {"Event": {"uuid": str(uuid.uuid4()), "date": "x"}},
        [],
    ]:
        with pytest.raises(misp.MispInvalid):
            misp.prepare(bad)


def test_item6_7_misp_types_survive_import_feed_and_pymisp(client, auth, engine):
    """MISP event → Liaison (misp-stix) → feed → PyMISP strict: every attribute comes back with
    its MISP type and value (ip-src stays ip-src, hostname stays hostname, composites kept),
    and hashes.csv hashes a composite's parts as PyMISP's feed generator does."""
    make_collection(engine, default="PUBLIC")
    sent = {
        ("ip-src", "203.0.113.12"),
        ("ip-dst", "203.0.113.14"),
        ("ip-dst|port", "203.0.113.13|443"),
        ("hostname", "h.bad.example"),
        ("domain|ip", "bad.example|203.0.113.15"),
        ("filename|md5", "a.exe|d41d8cd98f00b204e9800998ecf8427e"),
        ("email-src", "a@bad.example"),
        ("url", "https://bad.example/x"),
        ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    }
    event_uuid = str(uuid.uuid4())
    import_as(engine, event(["tlp:green"], [attribute(v, k) for k, v in sent], uuid=event_uuid))
    h = auth("korea")
    manifest = client.get("/misp-feed/cti/manifest.json", headers=h).json()
    assert list(manifest) == [event_uuid]  # item 6: MISP's event stays the unit in the feed
    back = set()
    for event_uuid in manifest:
        body = client.get(f"/misp-feed/cti/{event_uuid}.json", headers=h).json()
        loaded = MISPEvent(strict_validation=True)
        loaded.load(body)
        back |= {(a.type, a.value) for a in loaded.attributes}
        assert "tlp:green" in {t.name for t in loaded.tags}
    assert back == sent
    hashes = client.get("/misp-feed/cti/hashes.csv", headers=h).text.split()
    assert len(hashes) == sum(len(v.split("|")) for _, v in sent)


def test_item6_a_report_is_one_feed_event_of_what_the_reader_sees(client, auth, engine):
    """Read leak: a report the reader may not see is absent from the feed (manifest, event
    file, hashes) exactly like a missing one; its indicators are not served on their own."""
    make_collection(engine, default="NU // REL IP4")
    open_uuid, secret_uuid = str(uuid.uuid4()), str(uuid.uuid4())
    import_as(engine, event([], [attribute("203.0.113.20")], uuid=open_uuid))
    import_as(
        engine, event(['nato:classification="NS"'], [attribute("203.0.113.21")], uuid=secret_uuid)
    )
    korea, officer = auth("korea"), auth("officer")
    assert list(client.get("/misp-feed/cti/manifest.json", headers=korea).json()) == [open_uuid]
    assert set(client.get("/misp-feed/cti//manifest.json", headers=officer).json()) == {
        open_uuid,
        secret_uuid,
    }
    hidden = client.get(f"/misp-feed/cti//{secret_uuid}.json", headers=korea)
    missing = client.get(f"/misp-feed/cti//{uuid.uuid4()}.json", headers=korea)
    assert hidden.status_code == missing.status_code == 404
    assert {**hidden.json(), "instance": ""} == {**missing.json(), "instance": ""}
    assert len(client.get("/misp-feed/cti/hashes.csv", headers=korea).text.split()) == 1


def test_import_write_leaks_are_refused(client, auth, engine):
    """Write leak: nobody imports above what they may read, nor into a collection they may
    not write (the 404 of a missing one outside its audience)."""
    make_collection(engine, default="PUBLIC")
    make_collection(engine, alias="allies", readers=("ally",), writers=("ally",))
    refused = import_as(engine, event(['nato:classification="CTS"'])).outcome.status
    assert refused.success_count == 0  # the officer holds NS: nothing stored
    assert any("above what you may read" in f["message"] for f in refused.failures)
    with pytest.raises(Exception, match="no such collection"):
        import_as(engine, event(), alias="allies", username="korea")
    assert visible(client, auth, "admin", "cti") == {}
