# SPDX-License-Identifier: Apache-2.0
"""``liaison sharing``: import the real DISARM and ATT&CK for ICS bundles, export per reader,
all or nothing, and the same policy as TAXII."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sharing_helpers import indicator, make_collection, marking_ref
from stix2validator import ValidationOptions, validate_instance
from typer.testing import CliRunner

from liaison.cli.main import app
from liaison.db.session import session_factory, unit_of_work
from liaison.sharing.demo import create_demo_sharing
from liaison.terminal import output

ATTACK = Path("/work/shared/data/attack/ics-attack-18.1.json")
DISARM = Path("/work/shared/data/disarm/DISARM.json")
runner = CliRunner()


@pytest.fixture
def cli(monkeypatch, db_url):
    # One table row per collection, whatever the terminal (Rich keeps a width once it has one).
    monkeypatch.setattr(output.console, "_width", 250)

    def invoke(*args):
        monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
        return runner.invoke(app, list(args))

    return invoke


def test_import_attack_for_ics_and_export_it_back(cli, engine, tmp_path):
    make_collection(engine, alias="ics", default="PUBLIC")
    r = cli("sharing", "import", str(ATTACK), "-c", "ics", "--as", "officer")
    assert r.exit_code == 0, r.output
    assert "imported 1826 objects" in r.output
    out = tmp_path / "export.json"
    r = cli("sharing", "export", "-c", "ics", "--as", "korea", "--out", str(out))
    assert r.exit_code == 0, r.output
    bundle = json.loads(out.read_text())
    original = {o["id"] for o in json.loads(ATTACK.read_text())["objects"]}
    assert original <= {o["id"] for o in bundle["objects"]}
    result = validate_instance(bundle, ValidationOptions(version="2.1"))
    assert result.is_valid


def test_import_is_all_or_nothing(cli, engine, tmp_path):
    make_collection(engine, alias="cti")
    bad = {**indicator(2), "modified": "2020-01-01T00:00:00Z"}
    path = tmp_path / "bundle.json"
    path.write_text(
        json.dumps(
            {
                "type": "bundle",
                "id": "bundle--6f1e4b0a-8d2f-4e7a-b3c5-9a1d0f2e4b6c",
                "objects": [indicator(1), bad],
            }
        )
    )
    r = cli("sharing", "import", str(path), "-c", "cti", "--as", "officer")
    assert r.exit_code != 0
    assert "nothing imported" in r.output
    r = cli("sharing", "collections", "--as", "officer")
    assert r.exit_code == 0
    assert " 0 " in r.output


def test_export_keeps_to_what_the_reader_may_read(cli, engine, tmp_path):
    make_collection(engine, alias="cti", default="PUBLIC")
    with unit_of_work(session_factory(engine)) as session:
        kor_ref, kor_def = marking_ref(session, "NU // REL KOR")
        jpn_ref, jpn_def = marking_ref(session, "NR // REL JPN")
    for_korea = indicator(1, markings=[kor_ref])
    for_japan = indicator(2, markings=[jpn_ref])
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps({"objects": [kor_def, jpn_def, for_korea, for_japan]}))
    assert cli("sharing", "import", str(path), "-c", "cti", "--as", "officer").exit_code == 0
    for user, present, absent in (("korea", for_korea, for_japan), ("japan", for_japan, for_korea)):
        out = tmp_path / f"{user}.json"
        r = cli("sharing", "export", "-c", "cti", "--as", user, "--out", str(out))
        assert r.exit_code == 0, r.output
        text = out.read_text()
        assert present["id"] in text
        assert absent["id"] not in text
        # The marking travels with the object, and so does its definition.
        ids = {o["id"] for o in json.loads(text)["objects"]}
        assert present["object_marking_refs"][0] in ids


def test_collections_and_create(cli, engine):
    r = cli(
        "sharing",
        "create-collection",
        "--as",
        "officer",
        "--title",
        "Disinformation",
        "--alias",
        "disinfo",
        "--default-marking",
        "NU // REL IP4",
        "--reader",
        "all",
        "--writer",
        "ally",
    )
    assert r.exit_code == 0, r.output
    r = cli("sharing", "collections", "--as", "korea")
    assert "Disinformation" in r.output
    r = cli(
        "sharing",
        "create-collection",
        "--as",
        "korea",
        "--title",
        "Mine",
        "--default-marking",
        "PUBLIC",
    )
    assert r.exit_code != 0
    r = cli("sharing", "import", str(DISARM), "-c", "disinfo", "--as", "korea")
    assert r.exit_code != 0


def test_demo_collections_show_each_reader_a_different_graph(engine, client, auth):
    with unit_of_work(session_factory(engine)) as session:
        assert create_demo_sharing(session) > 0
        assert create_demo_sharing(session) == 0  # idempotent
    seen = {}
    for user in ("korea", "japan", "officer"):
        r = client.get("/sharing/cti", headers={"accept": "text/html", **auth(user)})
        assert r.status_code == 200
        seen[user] = {
            n
            for n in ("Kimsuky", "Spear-phishing", "Command-and-control", "Implant")
            if n in r.text
        }
    assert seen["korea"] == {"Kimsuky", "Spear-phishing"}
    assert seen["japan"] == {"Kimsuky", "Spear-phishing", "Command-and-control"}
    assert seen["officer"] == {"Kimsuky", "Spear-phishing", "Command-and-control", "Implant"}
    r = client.get("/sharing/allied-cyber", headers={"accept": "text/html", **auth("korea")})
    assert r.status_code == 404
