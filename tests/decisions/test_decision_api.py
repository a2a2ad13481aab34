# SPDX-License-Identifier: Apache-2.0
"""The decisions REST API on both databases: open, positions, standings, inbox, notifications,
calendar, amend, revise, withdraw — and a clear 4xx problem for every refusal, nothing half
written."""

from __future__ import annotations

import datetime as dt

import pytest
from decision_helpers import UTC, audit_count, now
from icalendar import Calendar

BASE = "/api/v1/decisions"
pytestmark = pytest.mark.usefixtures("delegates")


def deadline(days=3):
    return (now() + dt.timedelta(days=days)).isoformat()


def open_via_api(client, auth, **fields):
    body = {
        "title": "Cyber defence pledge follow-up",
        "text": "The Council agrees.",
        "marking": "NU",
        "deadline": deadline(),
    } | fields
    r = client.post(BASE, json=body, headers=auth("officer"))
    assert r.status_code == 201, r.text
    return r.json()


def test_open_and_read(client, auth):
    made = open_via_api(client, auth)
    assert made["reference"].startswith(f"DEC-{now().year}-")
    assert made["outcome"] == "pending"
    assert made["tally"] == {
        "electors": 32,
        "consent": 0,
        "reservations": 0,
        "broke_silence": 0,
        "silent": 32,
    }
    assert made["banner"] == "NATO UNCLASSIFIED"
    got = client.get(f"{BASE}/{made['id']}", headers=auth("france")).json()
    assert got["reference"] == made["reference"]
    assert (
        client.get(f"{BASE}/{made['id']}/versions", headers=auth("france")).json()[0]["text"]
        == "The Council agrees."
    )
    listed = client.get(BASE, params={"state": "open"}, headers=auth("france")).json()
    assert [p["id"] for p in listed["items"]] == [made["id"]]


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"marking": "NOT A MARKING"}, 422, "marking"),
        ({"deadline": None}, 422, "needs a deadline"),
        ({"deadline": "2020-01-01T00:00:00Z"}, 422, "must come after the proposal opens"),
        ({"deadline": "2030-01-01T00:00:00"}, 422, "timezone"),
        (
            {"subject_kind": "office_opening", "subject_ref": "424242", "title": None},
            422,
            "no office",
        ),
        ({"subject_kind": "document_release", "subject_ref": "1"}, 422, "no document 1"),
        ({"release_to": ["Japan"]}, 422, "only a document release"),
        ({"depends_on": "DEC-1999-0001"}, 422, "no proposal"),
        ({"title": None}, 422, "give a title"),
        ({"marking": "CTS", "title": "Above me"}, 422, "above what you may read"),
        ({"unknown": 1}, 422, "extra"),
    ],
)
def test_open_refusals_are_clear_and_write_nothing(client, auth, fields, status, words):
    body = {"title": "T", "text": "x", "marking": "NU", "deadline": deadline()} | fields
    r = client.post(BASE, json=body, headers=auth("officer"))
    assert r.status_code == status, r.text
    assert words.lower() in r.text.lower()
    assert client.get(BASE, headers=auth("admin")).json()["total"] == 0


def test_a_shelved_office_is_not_decidable(client, auth):
    offices = client.get("/api/v1/offices", params={"limit": 100}).json()["items"]
    tokyo = next(o for o in offices if o["city"] == "Tokyo")
    r = client.post(
        BASE,
        json={
            "subject_kind": "office_opening",
            "subject_ref": str(tokyo["id"]),
            "text": "x",
            "marking": "NU",
            "deadline": deadline(),
        },
        headers=auth("officer"),
    )
    assert r.status_code == 409
    assert "only a proposed office is decided" in r.json()["detail"]


def test_who_may_open(client, auth):
    body = {"title": "T", "text": "x", "marking": "NU", "deadline": deadline()}
    assert client.post(BASE, json=body).status_code == 401
    assert client.post(BASE, json=body, headers=auth("france")).status_code == 403
    assert client.post(BASE, json=body, headers=auth("japan")).status_code == 403


def test_positions_and_their_refusals(client, auth):
    made = open_via_api(client, auth, marking="NU // REL JPN")
    url = f"{BASE}/{made['id']}/positions"
    r = client.post(url, json={"stance": "concur"}, headers=auth("japan"))
    assert r.status_code == 403
    assert "partners do not take part" in r.json()["detail"]
    r = client.post(url, json={"stance": "concur"}, headers=auth("officer"))
    assert r.status_code == 403
    assert "delegation" in r.json()["detail"]
    r = client.post(url, json={"stance": "break_silence"}, headers=auth("france"))
    assert r.status_code == 409
    assert "needs a statement" in r.json()["detail"]
    r = client.post(url, json={"stance": "maybe"}, headers=auth("france"))
    assert r.status_code == 422
    r = client.post(url, json={"stance": "concur"}, headers=auth("france", frozenset({"read"})))
    assert r.status_code == 403
    r = client.post(
        url,
        json={"stance": "footnote", "statement": "France notes the costs."},
        headers=auth("france"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["ally"] == "FRA"
    grid = client.get(f"{BASE}/{made['id']}/standings", headers=auth("germany")).json()
    assert len(grid) == 32
    france = next(row for row in grid if row["ally"] == "FRA")
    assert france["stance"] == "footnote"
    assert france["counts_as_consent"] is True
    history = client.get(f"{BASE}/{made['id']}/positions", headers=auth("japan")).json()
    assert [p["statement"] for p in history] == ["France notes the costs."]
    assert audit_count(client.app.state.engine, "decisions:position:record", made["id"]) == 1


def test_a_position_outside_the_electorate(client, auth, open_proposal):
    pid = open_proposal(
        opened_at=dt.datetime(2023, 7, 11, 9, tzinfo=UTC),
        record_past=True,
        deadline=now() + dt.timedelta(days=1),
    )
    r = client.post(f"{BASE}/{pid}/positions", json={"stance": "concur"}, headers=auth("sweden"))
    assert r.status_code == 422
    assert r.json()["detail"].startswith("Sweden is not among the 31 electors")
    assert client.get(f"{BASE}/{pid}", headers=auth("sweden")).json()["tally"]["electors"] == 31


def test_hidden_is_404_everywhere(client, auth, open_proposal):
    pid = open_proposal(marking="NC")
    for suffix in ("", "/standings", "/positions", "/versions"):
        hidden = client.get(f"{BASE}/{pid}{suffix}", headers=auth("japan"))
        missing = client.get(f"{BASE}/999999{suffix}", headers=auth("japan"))
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json()["detail"] == f"no proposal {pid}"
    r = client.post(f"{BASE}/{pid}/positions", json={"stance": "concur"}, headers=auth("japan"))
    assert r.status_code == 404


def test_break_silence_changes_the_outcome_at_once(client, auth):
    made = open_via_api(client, auth)
    r = client.post(
        f"{BASE}/{made['id']}/positions",
        json={"stance": "break_silence", "statement": "France objects."},
        headers=auth("france"),
    )
    assert r.status_code == 201
    got = client.get(f"{BASE}/{made['id']}", headers=auth("germany")).json()
    assert got["outcome"] == "broken"
    assert got["settled"] is True
    assert got["outcome_reason"] == "France broke silence"
    r = client.post(
        f"{BASE}/{made['id']}/positions", json={"stance": "concur"}, headers=auth("germany")
    )
    assert r.status_code == 409
    revised = client.post(
        f"{BASE}/{made['id']}/revise",
        json={"text": "The Council agrees, revised.", "deadline": deadline()},
        headers=auth("officer"),
    )
    assert revised.status_code == 201, revised.text
    assert revised.json()["revises"] == made["reference"]


def test_inbox_and_notifications(client, auth):
    made = open_via_api(client, auth)
    inbox = client.get(f"{BASE}/inbox", headers=auth("germany")).json()
    assert [p["id"] for p in inbox["items"]] == [made["id"]]
    assert client.get(f"{BASE}/inbox", headers=auth("officer")).json()["total"] == 0
    assert client.get(f"{BASE}/inbox").status_code == 401
    client.post(
        f"{BASE}/{made['id']}/positions", json={"stance": "concur"}, headers=auth("germany")
    )
    assert client.get(f"{BASE}/inbox", headers=auth("germany")).json()["total"] == 0
    notes = client.get(f"{BASE}/notifications", headers=auth("france")).json()
    assert [(n["kind"], n["reference"], n["read"]) for n in notes["items"]] == [
        ("opened", made["reference"], False)
    ]
    assert client.get(f"{BASE}/notifications", headers=auth("japan")).json()["total"] == 0
    marked = client.post(f"{BASE}/notifications/read", json={}, headers=auth("france")).json()
    assert marked == {"marked": 1}
    unread = client.get(
        f"{BASE}/notifications", params={"unread": True}, headers=auth("france")
    ).json()
    assert unread["total"] == 0


def test_calendar_feed(client, auth):
    made = open_via_api(client, auth)
    r = client.get(f"{BASE}/calendar.ics", headers=auth("france"))
    assert r.status_code == 200
    events = list(Calendar.from_ical(r.content).walk("VEVENT"))
    assert len(events) == 1
    assert str(events[0]["summary"]) == (
        f"(NU) Silence ends: {made['reference']} Cyber defence pledge follow-up"
    )
    due = dt.datetime.fromisoformat(made["deadline"]).replace(microsecond=0)
    assert events[0]["dtstart"].dt == due
    assert client.get(f"{BASE}/calendar.ics").text.count("BEGIN:VEVENT") == 0


def test_meeting_amend_and_withdraw(client, auth):
    made = open_via_api(client, auth, procedure="meeting", deadline=None)
    url = f"{BASE}/{made['id']}"
    client.post(f"{url}/positions", json={"stance": "concur"}, headers=auth("france"))
    amended = client.post(
        f"{url}/versions", json={"text": "Amended.", "note": "typo"}, headers=auth("officer")
    ).json()
    assert amended["version"] == 2
    assert amended["tally"]["consent"] == 0
    r = client.post(f"{url}/versions", json={"text": "x"}, headers=auth("france"))
    assert r.status_code == 403
    withdrawn = client.post(
        f"{url}/withdraw", json={"reason": "overtaken by events"}, headers=auth("officer")
    ).json()
    assert withdrawn["outcome"] == "withdrawn"
    r = client.post(f"{url}/withdraw", json={"reason": "again"}, headers=auth("officer"))
    assert r.status_code == 409
