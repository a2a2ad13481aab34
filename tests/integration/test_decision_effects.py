"""Features meet only through domain events (``liaison.events``): an allies' decision taken in
``decisions`` moves a programme in ``programmes`` and an office in ``registry``. These tests
drive both features through their public APIs on the real wiring, and the deadline worker's
``tick`` at a moment after the deadline, with no request in between."""

from __future__ import annotations

import datetime as dt

from liaison.config import Settings
from liaison.db.session import session_factory
from liaison.decisions.worker import tick

DECISIONS = "/api/v1/decisions"
PROGRAMMES = "/api/v1/programmes"


def _submitted_renewal(client, officer):
    """Renew Japan's ITPP 2023-2026 into a draft and bring it to the allies (submitted)."""
    r = client.post(f"{PROGRAMMES}/ITPP-JPN-2023/renewal", json={}, headers=officer)
    assert r.status_code == 201, r.text
    ref = r.json()["reference"]
    for state in ("negotiating", "submitted"):
        r = client.post(f"{PROGRAMMES}/{ref}/transitions", json={"to": state}, headers=officer)
        assert r.status_code == 200, r.text
    return ref


def _programme(client, headers, ref):
    r = client.get(f"{PROGRAMMES}/{ref}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["programme"]


def _open_silence(client, officer, deadline, **fields):
    body = {"text": "The Council approves.", "marking": "NU", "deadline": deadline.isoformat()}
    r = client.post(DECISIONS, json=body | fields, headers=officer)
    assert r.status_code == 201, r.text
    return r.json()


def test_silence_adopted_at_the_deadline_approves_the_itpp_once(client, auth, engine, db_url):
    officer = auth("officer")
    ref = _submitted_renewal(client, officer)
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    proposal = _open_silence(
        client, officer, deadline, subject_kind="itpp_approval", subject_ref=ref
    )
    assert _programme(client, officer, ref)["status"] == "submitted"

    factory = session_factory(engine)
    settings = Settings(database_url=db_url)
    report = tick(factory, settings, deadline + dt.timedelta(minutes=1))
    assert (proposal["reference"], "adopted") in report.settled
    assert tick(factory, settings, deadline + dt.timedelta(minutes=2)).settled == []

    programme = _programme(client, officer, ref)
    assert programme["status"] == "approved"
    assert programme["approval_reference"] == proposal["reference"]
    assert programme["approved_on"] == deadline.date().isoformat()
    events = client.get(
        "/api/v1/audit/events", params={"limit": 1000}, headers=auth("admin")
    ).json()["items"]
    transitions = [e for e in events if e["action"].startswith("programmes:") and ref in str(e)]
    assert transitions, "the approval was not audited"


def test_a_proposal_on_an_itpp_not_submitted_is_refused_and_writes_nothing(client, auth):
    officer = auth("officer")
    before = client.get(DECISIONS, headers=officer).json()["total"]
    r = client.post(
        DECISIONS,
        json={
            "text": "The Council approves.",
            "marking": "NU",
            "deadline": (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat(),
            "subject_kind": "itpp_approval",
            "subject_ref": "ITPP-JPN-2023",  # in force: nothing left to approve
        },
        headers=officer,
    )
    assert 400 <= r.status_code < 500, r.text
    assert client.get(DECISIONS, headers=officer).json()["total"] == before


def test_silence_broken_leaves_the_itpp_submitted(client, auth, engine, db_url):
    officer = auth("officer")
    ref = _submitted_renewal(client, officer)
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    proposal = _open_silence(
        client, officer, deadline, subject_kind="itpp_approval", subject_ref=ref
    )
    r = client.post(
        f"{DECISIONS}/{proposal['id']}/positions",
        json={"stance": "break_silence", "statement": "France needs more time."},
        headers=auth("france"),
    )
    assert r.status_code == 201, r.text
    tick(session_factory(engine), Settings(database_url=db_url), deadline + dt.timedelta(hours=1))
    assert client.get(f"{DECISIONS}/{proposal['id']}", headers=officer).json()["outcome"] == (
        "broken"
    )
    assert _programme(client, officer, ref)["status"] == "submitted"
