# SPDX-License-Identifier: Apache-2.0
"""Pages (dashboard, programme, section edit with versions and redline, HTMX comments, road
map, comparison) and the CLI, on the demo programmes."""

from __future__ import annotations

import datetime as dt

import pytest
from programme_helpers import BASE, HTML, count_rows
from typer.testing import CliRunner

from liaison.cli.main import app
from liaison.kit import clock
from liaison.programmes.models import Revision
from liaison.terminal import output

pytestmark = pytest.mark.usefixtures("demo")


def page(client, path, headers=None, status=200):
    r = client.get(path, headers={**HTML, **(headers or {})})
    assert r.status_code == status, r.text[:500]
    return r.text


def test_the_dashboard_is_the_landing_view(client, auth):
    text = page(client, "/programmes", auth("officer"))
    assert "Renewal due" in text
    for ref in ("ITPP-AUS-2023", "ITPP-JPN-2023", "ITPP-KOR-2023"):
        assert f"<strong>{ref}</strong>" in text
    assert "renewal not started" in text
    assert "Goals overdue" in text
    assert "Activities this month" in text
    assert 'href="/programmes"' in page(client, "/", auth("officer"))
    japan = page(client, "/programmes", auth("japan"))
    assert "ITPP-AUS-2023" not in japan
    assert "NATO RESTRICTED Releasable to Japan" in japan  # the page's banner


def test_programme_page_shows_portion_marks_and_lifecycle(client, auth):
    text = page(client, "/programmes/ITPP-JPN-2023", auth("officer"))
    assert "(NR)</code> Allies see maritime" in text
    assert "2023-07-12</time> Agreed by the partner" in text
    assert 'class="banner"' in text
    japan = page(client, "/programmes/ITPP-JPN-2023", auth("japan"))
    assert "Allies see maritime" not in japan
    assert 'id="lifecycle-heading"' not in japan  # no write permission: no forms
    page(client, "/programmes/ITPP-AUS-2023", auth("japan"), 404)
    page(client, "/programmes/ITPP-XXX-2023", auth("japan"), 404)


def test_edit_a_section_and_read_the_redline(client, auth, engine):
    officer = auth("officer")
    new = client.post(f"{BASE}/ITPP-KOR-2023/renewal", headers=officer, json={}).json()
    ref = new["reference"]
    sections = client.get(f"{BASE}/{ref}/sections", headers=officer).json()
    sid = sections[0]["id"]
    form = page(client, f"/programmes/{ref}/sections/{sid}/edit", officer)
    assert "Save version 2" in form
    body = sections[0]["body"].replace("rules-based order", "rules-based international order")
    r = client.post(
        f"/programmes/{ref}/sections/{sid}/edit",
        headers=officer,
        data={"heading": sections[0]["heading"], "body": body, "note": "Seoul's wording"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    text = page(client, f"/programmes/{ref}/sections/{sid}", officer)
    assert "<ins>international </ins>" in text
    assert "Seoul&#39;s wording" in text
    fragment = client.get(
        f"/programmes/{ref}/sections/{sid}/redline",
        params={"from": 1, "to": 2},
        headers={**officer, "HX-Request": "true"},
    )
    assert fragment.text.lstrip().startswith('<div id="redline"')
    assert "<ins>international </ins>" in fragment.text
    api = client.get(f"{BASE}/{ref}/sections/{sid}/redline", headers=officer).json()
    assert {"op": "insert", "text": "international "} in api["body"]
    # an empty heading is refused on the form, with nothing saved
    before = count_rows(engine, Revision)
    bad = client.post(
        f"/programmes/{ref}/sections/{sid}/edit",
        headers=officer,
        data={"heading": "", "body": "x"},
    )
    assert bad.status_code == 422
    assert "Not saved" in bad.text
    assert count_rows(engine, Revision) == before
    frozen = client.get(
        f"/programmes/ITPP-KOR-2023/sections/{sid}/edit", headers={**HTML, **officer}
    )
    assert frozen.status_code == 404  # the renewal's section is not in ITPP-KOR-2023


def test_a_browser_edit_stores_the_text_as_the_api_does(client, auth):
    """A textarea posts \\r\\n line ends: stored as sent, every line differed and the redline
    showed blank lines deleted and inserted. Stored normalised, only the changed word shows."""
    officer = auth("officer")
    ref = client.post(f"{BASE}/ITPP-KOR-2023/renewal", headers=officer, json={}).json()["reference"]
    section = client.get(f"{BASE}/{ref}/sections", headers=officer).json()[0]
    sid, body = section["id"], section["body"] + "\n\nA second paragraph."
    saved = client.patch(f"{BASE}/{ref}/sections/{sid}", headers=officer, json={"body": body})
    assert saved.status_code == 200
    posted = body.replace("\n", "\r\n").replace("rules-based order", "rules-based  order  ")
    posted = posted.replace("rules-based  order  ", "rules-based global order") + "\r\n\r\n"
    r = client.post(
        f"/programmes/{ref}/sections/{sid}/edit",
        headers=officer,
        data={"heading": section["heading"], "body": posted, "note": "from a browser"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    stored = client.get(f"{BASE}/{ref}/sections/{sid}", headers=officer).json()["body"]
    assert stored == body.replace("rules-based order", "rules-based global order")
    redline = client.get(f"{BASE}/{ref}/sections/{sid}/redline", headers=officer).json()
    assert [p for p in redline["body"] if p["op"] != "equal"] == [
        {"op": "insert", "text": "global "}
    ]


def test_both_sides_comment_and_htmx_swaps_the_thread(client, auth):
    sections = client.get(f"{BASE}/ITPP-JPN-2023/sections", headers=auth("japan")).json()
    sid = sections[0]["id"]
    r = client.post(
        f"/programmes/ITPP-JPN-2023/sections/{sid}/comments",
        headers={**auth("japan"), "HX-Request": "true"},
        data={"body": "Japan prefers 'natural partners'."},
    )
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<div id="comment-thread"')
    assert "Japan prefers" in r.text
    first = client.get(f"{BASE}/ITPP-JPN-2023/sections/{sid}/comments", headers=auth("officer"))
    reply = client.post(
        f"{BASE}/ITPP-JPN-2023/sections/{sid}/comments",
        headers=auth("officer"),
        json={"body": "Allies agree.", "parent_id": first.json()[0]["id"]},
    )
    assert reply.status_code == 201
    thread = page(client, f"/programmes/ITPP-JPN-2023/sections/{sid}", auth("japan"))
    assert "depth-1" in thread
    assert "Allies agree." in thread
    nato_only = client.get(f"{BASE}/ITPP-JPN-2023/sections", headers=auth("officer")).json()
    hidden = next(s for s in nato_only if s["marking"] == "NR")
    denied = client.post(
        f"{BASE}/ITPP-JPN-2023/sections/{hidden['id']}/comments",
        headers=auth("japan"),
        json={"body": "x"},
    )
    assert denied.status_code == 404
    assert (
        client.post(
            f"{BASE}/ITPP-JPN-2023/sections/{sid}/comments",
            headers=auth("analyst"),
            json={"body": "x"},
        ).status_code
        == 403
    )


def test_road_map_and_comparison_pages(client, auth):
    text = page(client, "/programmes/ITPP-JPN-2023/roadmap", auth("japan"))
    assert 'role="img"' in text
    assert "Maritime security" in text
    compare = page(client, "/programmes/compare", auth("officer"))
    for name in ("Australia", "Japan", "South Korea", "New Zealand"):
        assert name in compare
    assert "ITPP-NZL-2024" in compare


def cli(db_url, *args):
    return CliRunner().invoke(
        app, ["programmes", *args], env={"LIAISON_DATABASE_URL": db_url, "COLUMNS": "200"}
    )


def test_cli(db_url, tmp_path, monkeypatch):
    monkeypatch.setattr(output.console, "_width", 250)  # one table row per programme
    dash = cli(db_url, "dashboard", "--as", "officer")
    assert dash.exit_code == 0, dash.output
    assert "ITPP-JPN-2023" in dash.output
    assert "not started" in dash.output
    listing = cli(db_url, "list", "--as", "japan")
    assert "ITPP-JPN-2023" in listing.output
    assert "ITPP-AUS-2023" not in listing.output
    hidden = cli(db_url, "show", "ITPP-AUS-2023", "--as", "japan")
    assert hidden.exit_code == 2
    assert "no programme ITPP-AUS-2023" in hidden.output
    out = tmp_path / "jpn.pdf"
    exported = cli(db_url, "export", "ITPP-JPN-2023", "--as", "japan", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    assert out.read_bytes().startswith(b"%PDF")
    clash = cli(db_url, "transition", "ITPP-JPN-2023", "draft", "--as", "officer")
    assert clash.exit_code == 3
    assert "cannot go from in_force to draft" in clash.output
    renewed = cli(db_url, "renew", "ITPP-JPN-2023", "--as", "officer")
    assert "ITPP-JPN-2027 drafted" in renewed.output
    redline = cli(db_url, "redline", "ITPP-JPN-2023", "--section", "1", "--as", "officer")
    assert redline.exit_code in {0, 2}
    ics = tmp_path / "me.ics"
    assert cli(db_url, "calendar", "--as", "japan", "--out", str(ics)).exit_code == 0
    assert ics.read_text().startswith("BEGIN:VCALENDAR")


def test_build_a_programme_with_the_page_forms(client, auth, engine):
    officer = auth("officer")
    r = client.post(
        "/programmes/new",
        headers=officer,
        data={"partner": "Mongolia", "kind": "ITPP", "period_start": "2027-01-01"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/programmes/ITPP-MNG-2027"
    base = "/programmes/ITPP-MNG-2027"
    for kind, data in (
        ("sections", {"heading": "Part 1", "body": "Mongolia and NATO."}),
        ("objectives", {"title": "Dialogue"}),
    ):
        made = client.post(f"{base}/{kind}/new", headers=officer, data=data, follow_redirects=False)
        assert made.status_code == 303, made.text[:300]
    objective = client.get(f"{BASE}/ITPP-MNG-2027/objectives", headers=officer).json()[0]
    goal = {
        "objective_id": str(objective["id"]),
        "area": "hadr",
        "title": "Disaster relief",
        "due_on": "2028-12-31",
        "marking": "NR // REL MNG",
    }
    assert (
        client.post(
            f"{base}/goals/new", headers=officer, data=goal, follow_redirects=False
        ).status_code
        == 303
    )
    late = {**goal, "due_on": "2031-06-30"}
    before = count_rows(engine)
    refused = client.post(f"{base}/goals/new", headers={**officer, **HTML}, data=late)
    assert refused.status_code == 422
    assert "outside the programme" in refused.text
    after = count_rows(engine)
    # nothing written; the page shown again is itself an audited read
    assert {**after, "audit_event": 0} == {**before, "audit_event": 0}
    assert after["audit_event"] > before["audit_event"]
    detail = client.get(f"{BASE}/ITPP-MNG-2027", headers=officer).json()
    goal_id = detail["goals"][0]["id"]
    act = {
        "goal_id": str(goal_id),
        "kind": "course",
        "title": "HADR course",
        "start_on": "2027-05-03",
    }
    assert (
        client.post(
            f"{base}/activities/new", headers=officer, data=act, follow_redirects=False
        ).status_code
        == 303
    )
    text = page(client, base, officer)
    assert "(NR // REL MNG)</code> <time>2027-05-03</time> HADR course" in text
    assert client.post(f"{base}/widgets/new", headers=officer, data={}).status_code == 404


def test_cli_builds_and_approves_a_programme(client, auth, db_url, monkeypatch):
    monkeypatch.setattr(output.console, "_width", 250)
    officer = auth("officer")
    client.post(BASE, headers=officer, json={"partner": "Mongolia", "period_start": "2027-01-01"})
    ref = "ITPP-MNG-2027"
    added = cli(
        db_url, "add-section", ref, "--as", "officer", "--heading", "Part 1", "--body", "Text."
    )
    assert added.exit_code == 0, added.output
    assert "marked NU // REL MNG" in added.output
    goal = cli(
        db_url,
        "add-goal",
        ref,
        "--as",
        "officer",
        "--area",
        "Space",
        "--title",
        "Space",
        "--due",
        "2028-01-01",
        "--marking",
        "NR // REL MNG",
    )
    assert "goal G1 added, marked NR // REL MNG" in goal.output, goal.output
    unknown = cli(
        db_url,
        "add-goal",
        ref,
        "--as",
        "officer",
        "--area",
        "Basketry",
        "--title",
        "x",
        "--due",
        "2028-01-01",
    )
    assert unknown.exit_code == 2
    assert "unknown cooperation area" in unknown.output
    sid = client.get(f"{BASE}/{ref}/sections", headers=officer).json()[0]["id"]
    said = cli(
        db_url, "comment", ref, "--as", "officer", "--section", str(sid), "--body", "Agreed."
    )
    assert said.exit_code == 0, said.output
    assert cli(db_url, "transition", ref, "submitted", "--as", "officer").exit_code == 0
    approved = cli(
        db_url,
        "approve",
        ref,
        "--as",
        "officer",
        "--on",
        "2026-11-20",
        "--reference",
        "PO(2026)0999",
    )
    assert approved.exit_code == 0, approved.output
    body = client.get(f"{BASE}/{ref}", headers=officer).json()["programme"]
    assert (body["status"], body["approval_reference"]) == ("approved", "PO(2026)0999")
    denied = cli(db_url, "approve", ref, "--as", "japan", "--on", "2026-11-20", "--reference", "x")
    assert denied.exit_code == 2


def test_progress_from_the_page_and_the_cli_and_expiry(client, auth, db_url, monkeypatch):
    monkeypatch.setattr(output.console, "_width", 250)
    officer = auth("officer")
    goals = client.get(f"{BASE}/ITPP-JPN-2023/goals", headers=officer).json()
    at_risk = next(g for g in goals if g["status"] == "at_risk")
    r = client.post(
        f"/programmes/ITPP-JPN-2023/goals/{at_risk['id']}/status",
        headers=officer,
        data={"status": "achieved"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    again = client.get(f"{BASE}/ITPP-JPN-2023/goals", headers=officer).json()
    assert next(g for g in again if g["id"] == at_risk["id"])["status"] == "achieved"
    bad = client.post(
        f"/programmes/ITPP-JPN-2023/goals/{at_risk['id']}/status",
        headers={**officer, **HTML},
        data={"status": "finished"},
    )
    assert bad.status_code == 422
    assert "unknown status" in bad.text
    act = client.get(f"{BASE}/ITPP-JPN-2023/activities", headers=officer).json()[0]
    done = cli(
        db_url, "progress", "ITPP-JPN-2023", "done", "--activity", str(act["id"]), "--as", "officer"
    )
    assert done.exit_code == 0, done.output
    none_due = cli(db_url, "expire-due", "--as", "officer")
    assert "0 expired" in none_due.output
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 1, 2))
    expired = cli(db_url, "expire-due", "--as", "officer")
    assert "ITPP-AUS-2023" in expired.output
    assert "ITPP-JPN-2023" in expired.output
    body = client.get(f"{BASE}/ITPP-JPN-2023", headers=officer).json()["programme"]
    assert (body["status"], body["ended_on"]) == ("expired", "2026-12-31")


def test_a_goal_has_versions_and_a_redline_page(client, auth):
    officer = auth("officer")
    ref = client.post(f"{BASE}/ITPP-JPN-2023/renewal", headers=officer, json={}).json()["reference"]
    goal = client.get(f"{BASE}/{ref}/goals", headers=officer).json()[0]
    path = f"/programmes/{ref}/goals/{goal['id']}"
    assert "Save version 2" in page(client, path, officer)
    saved = client.post(
        f"{path}/edit",
        headers=officer,
        data={"title": goal["title"], "wording": goal["wording"] + " Annual review.", "note": "r2"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    text = page(client, path, officer)
    assert "<ins>Annual review.</ins>" in text or "<ins> Annual review.</ins>" in text
    fragment = client.get(
        f"{path}/redline", params={"from": 1, "to": 2}, headers={**officer, "HX-Request": "true"}
    )
    assert fragment.text.lstrip().startswith('<div id="redline"')
    api = client.get(f"{BASE}/{ref}/goals/{goal['id']}/redline", headers=officer).json()
    assert api["inserted"] == 2
    frozen = client.post(
        f"/programmes/ITPP-JPN-2023/goals/{goal['id']}/edit",
        headers={**officer, **HTML},
        data={"title": "x", "wording": "y"},
    )
    assert frozen.status_code == 404  # the renewal's goal is not in the 2023 programme
    old_goal = client.get(f"{BASE}/ITPP-JPN-2023/goals", headers=officer).json()[0]
    refused = client.post(
        f"/programmes/ITPP-JPN-2023/goals/{old_goal['id']}/edit",
        headers={**officer, **HTML},
        data={"title": "x", "wording": "y"},
    )
    assert refused.status_code == 409
    assert "draft or under negotiation" in refused.text
    page(client, f"/programmes/ITPP-AUS-2023/goals/{old_goal['id']}", auth("japan"), 404)


def test_a_refused_programme_form_names_its_field(client, auth):
    """An unknown partner is refused beside the partner field, with the nearest names; the
    values typed are kept; a date that is not ISO is refused beside its own field."""
    officer = {**auth("officer"), **HTML}
    sent = {"partner": "Mongolai", "kind": "ITPP", "period_start": "2027-01-01", "marking": ""}
    refused = client.post("/programmes/new", headers=officer, data=sent)
    assert refused.status_code == 422
    assert "no partner &#39;Mongolai&#39;; did you mean Mongolia?" in refused.text
    assert 'id="field-programme-partner" aria-invalid="true"' in refused.text
    assert 'value="Mongolai"' in refused.text
    assert '<option value="Mongolia">' in refused.text  # the partners' names, suggested
    bad_date = client.post(
        "/programmes/new",
        headers=officer,
        data=sent | {"partner": "Mongolia", "period_start": "01/01/2027"},
    )
    assert bad_date.status_code == 422
    assert 'id="field-programme-period_start" aria-invalid="true"' in bad_date.text
    assert "write YYYY-MM-DD" in bad_date.text
    assert 'type="date"' not in page(client, "/programmes", auth("officer"))
