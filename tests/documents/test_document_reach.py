# SPDX-License-Identifier: Apache-2.0
"""A document's writer is warned, never refused, when a named release of its marking cannot
reach its partner (issue 16, item 7): the upload, note and re-mark answers carry ``warnings``,
the CLI prints them on stderr, and the forms show who can read the marking beneath the field."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from liaison.cli.main import app

BASE = "/api/v1/documents"
KOREA = "South Korea cannot read this: no security agreement in force"
HTML = {"accept": "text/html"}


def test_an_upload_marked_nr_rel_kor_succeeds_with_a_warning(client, auth):
    files = {"file": ("brief.txt", b"Seoul brief", "text/plain")}
    r = client.post(BASE, files=files, data={"marking": "NR // REL KOR"}, headers=auth("officer"))
    assert r.status_code == 201, r.text
    assert r.json()["warnings"] == [KOREA]
    fine = client.post(
        BASE, files=files, data={"marking": "NU // REL KOR"}, headers=auth("officer")
    )
    assert fine.json()["warnings"] == []


def test_a_note_and_a_remark_carry_the_warnings(client, auth):
    note = {"title": "t", "body": "b", "marking": "NU // REL KOR"}
    made = client.post(f"{BASE}/notes", json=note, headers=auth("officer"))
    assert made.status_code == 201
    assert made.json()["warnings"] == []
    url = f"{BASE}/{made.json()['id']}/marking"
    r = client.post(url, json={"marking": "NR // REL KOR"}, headers=auth("officer"))
    assert r.status_code == 200, r.text
    assert r.json()["warnings"] == [KOREA]
    assert r.json()["marking"] == "NR // REL KOR"


def test_the_cli_prints_the_warning_on_stderr(monkeypatch, db_url):
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    args = ["documents", "add-note", "--title", "t", "--marking", "NR // REL KOR"]
    result = CliRunner().invoke(app, [*args, "--body", "b", "--as", "officer"])
    assert result.exit_code == 0, result.output
    assert f"warning: {KOREA}" in result.stderr
    assert "warning" not in result.stdout


@pytest.mark.parametrize("marking", ["NR // REL KOR"])
def test_the_edit_form_shows_who_can_read_the_marking(client, auth, marking):
    note = {"title": "t", "body": "b", "marking": marking}
    made = client.post(f"{BASE}/notes", json=note, headers=auth("officer")).json()
    page = client.get(f"/documents/{made['id']}/edit", headers={**HTML, **auth("officer")})
    assert page.status_code == 200
    box = page.text.split('class="reach"', 1)[1].split("</div>", 1)[0]
    assert "allies&#39; users cleared NATO RESTRICTED or higher; partners: none." in box
    assert f"⚠ {KOREA}" in box
