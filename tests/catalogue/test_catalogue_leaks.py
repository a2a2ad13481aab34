# SPDX-License-Identifier: Apache-2.0
"""The leak suite for the catalogue, nominations, recommendations and plans: one probe item
(with one session) per probe marking × every read surface (API list, facets, sessions,
calendar, export, item, session; pages catalogue, calendar, "what serves my goals", item,
session; CLI list) × principals of every kind. A probe shows exactly when ``can_read`` allows;
a hidden one is absent and its id answers 404 like a missing one. Then nominations (a partner
sees only its own) and plans (partners see none), and the write-leak suite: a partner edits
only its own profile and nominations, and writes nothing it may not.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from catalogue_helpers import principal
from sqlalchemy import select
from typer.testing import CliRunner

from leak_probes import PROBE_MARKINGS, USERS, principal_of
from liaison.catalogue.exchange import FileFormat
from liaison.catalogue.models import CatalogueItem, CatalogueSession
from liaison.catalogue.nominations import NominationService
from liaison.catalogue.planning.run import DirectContext, run_plan
from liaison.catalogue.planning.service import PlanService
from liaison.catalogue.profiles import ProfileService
from liaison.catalogue.schemas import NominationCreate, PriorityIn, ProfileUpdate
from liaison.catalogue.service import CatalogueService
from liaison.cli.main import app
from liaison.db.session import session_factory, unit_of_work
from liaison.decisions.worker import tick
from liaison.security.marking_store import MarkingStore
from liaison.security.markings import short
from liaison.security.policy import can_read
from liaison.security.principal import SYSTEM

API = "/api/v1/catalogue"


def probe_row(index, marking):
    return {
        "item_code": f"PROBE-{index:02d}",
        "title": f"Probe item {index:02d}",
        "area": "cyber-defence",
        "kind": "course",
        "item_marking": marking,
        "session_code": "2027-1",
        "start_on": "2027-03-01",
        "end_on": "2027-03-03",
        "seats": "4",
        "session_marking": marking,
    }


def profile_data():
    return ProfileUpdate(
        people=[3, 3, 3, 3],
        languages=["en"],
        budget=10_000,
        travel_costs={},
        priorities=[PriorityIn(area="cyber-defence", weight=5, demand=2)],
    )


@pytest.fixture
def probes(engine):
    """code → (item id, session id, marking)."""
    made = {}
    with unit_of_work(session_factory(engine)) as session:
        service = CatalogueService(session, SYSTEM)
        service.import_rows([probe_row(i, m) for i, m in enumerate(PROBE_MARKINGS)])
        for index in range(len(PROBE_MARKINGS)):
            view, sessions = service.item(f"PROBE-{index:02d}")
            made[view.item.code] = (
                view.item.id,
                sessions[0].session.id,
                MarkingStore(session).get(view.item.marking_id),
            )
        profiles = ProfileService(session, SYSTEM)
        for partner in ("JPN", "KOR", "AUS"):
            profiles.save(partner, 2027, profile_data())
    return made


def codes_in(text, probes):
    return {code for code in probes if code in text}


def surfaces(client, headers, probes):
    def get(path, **params):
        r = client.get(path, headers=headers, params=params)
        assert r.status_code == 200, r.text
        return r

    def status(path, _code):
        r = client.get(path, headers=headers)
        assert r.status_code in {200, 404}, r.text
        if r.status_code == 404:  # the answer of a missing id: the path's own text, nothing more
            assert "Probe item" not in r.text
            assert "2027-03-01" not in r.text
        return r.status_code == 200

    items = get(API, limit=1000).json()
    return {
        "api list": {i["item_code"] if "item_code" in i else i["code"] for i in items["items"]}
        & set(probes),
        "api total": items["total"],
        "api facets": get(f"{API}/facets").json()["total"],
        "api sessions": {s["item_code"] for s in get(f"{API}/sessions").json()} & set(probes),
        "api calendar": codes_in(get(f"{API}/calendar.ics").text, probes),
        "api export": {
            r["item_code"] for r in json.loads(get(f"{API}/export", format="json").text)["rows"]
        }
        & set(probes),
        "api item": {c for c in probes if status(f"{API}/items/{c}", c)},
        "api session": {
            c for c, (_, sid, _) in probes.items() if status(f"{API}/sessions/{sid}", c)
        },
        "page catalogue": codes_in(get("/catalogue", limit=1000).text, probes),
        "page calendar": codes_in(get("/catalogue/calendar", year=2027, month=3).text, probes),
        "page item": {c for c in probes if status(f"/catalogue/items/{c}", c)},
        "page session": {
            c for c, (_, sid, _) in probes.items() if status(f"/catalogue/sessions/{sid}", c)
        },
    }


@pytest.mark.parametrize("username", USERS)
def test_visible_exactly_when_the_policy_allows(client, auth, engine, probes, username):
    reader = principal_of(engine, username)
    expected = {code for code, (_, _, marking) in probes.items() if can_read(reader, marking)}
    headers = auth(username) if username else {}
    found = surfaces(client, headers, probes)
    for surface, seen in found.items():
        if surface in {"api total", "api facets"}:
            assert seen == len(expected), surface
        else:
            assert seen == expected, surface
    if username in {"japan", "korea", "australia"}:
        ranked = codes_in(
            client.get("/catalogue/for-me", headers=headers, params={"year": 2027}).text, probes
        )
        assert ranked == expected
    result = CliRunner().invoke(
        app,
        ["catalogue", "list", "--as", username or "nobody", "--format", "json", "--limit", "1000"],
        env={"LIAISON_DATABASE_URL": str(engine.url.render_as_string(hide_password=False))},
    )
    if username is None:
        assert result.exit_code != 0
    else:
        assert result.exit_code == 0, result.output
        listed = {i["code"] for i in json.loads(result.stdout)["items"]} & set(probes)
        assert listed == expected


@pytest.fixture
def nominated(engine, probes):
    """A nomination by Japan and one by Korea on the PUBLIC probe; a finished plan."""
    public_session = probes["PROBE-00"][1]
    made = {}
    with unit_of_work(session_factory(engine)) as session:
        for user, nation in (("japan", "JPN"), ("korea", "KOR")):
            service = NominationService(session, principal(session, user))
            made[nation] = service.nominate(
                NominationCreate(
                    session_id=public_session,
                    person_name=f"Officer of {nation}",
                    nationality=nation,
                )
            ).nomination.id
        plan_id = (
            PlanService(session, principal(session, "officer"))
            .create(2027, 2, enqueue_job=False)
            .plan.id
        )
    run_plan(DirectContext(session_factory(engine), plan_id), {"plan_id": plan_id})
    made["plan"] = plan_id
    return made


@pytest.mark.parametrize("username", ["japan", "korea", "australia", None])
def test_partners_learn_nothing_of_other_partners_nominations_or_of_plans(
    client, auth, nominated, probes, username
):
    headers = auth(username) if username else {}
    own = {"japan": "JPN", "korea": "KOR"}.get(username)
    listed = client.get("/api/v1/nominations", headers=headers).json()
    assert {n["partner"] for n in listed["items"]} == ({own} if own else set())
    assert listed["total"] == (1 if own else 0)
    for nation in ("JPN", "KOR"):
        r = client.get(f"/api/v1/nominations/{nominated[nation]}", headers=headers)
        assert r.status_code == (200 if nation == own else 404)
    page = (
        client.get("/nominations", headers=headers).text
        + client.get(f"/catalogue/sessions/{probes['PROBE-00'][1]}", headers=headers).text
    )
    for nation in ("JPN", "KOR"):
        assert (f"Officer of {nation}" in page) == (nation == own)
    plan = nominated["plan"]
    assert client.get("/api/v1/plans", headers=headers).json() == []
    for path in (
        f"/api/v1/plans/{plan}",
        f"/api/v1/plans/{plan}/allocations",
        f"/api/v1/plans/{plan}/explanations",
        f"/plans/{plan}",
    ):
        r = client.get(path, headers=headers)
        assert r.status_code == 404, path
        assert "Officer" not in r.text


def test_staff_see_every_nomination_and_the_plan(client, auth, nominated):
    headers = auth("officer")
    assert client.get("/api/v1/nominations", headers=headers).json()["total"] == 2
    plan = client.get(f"/api/v1/plans/{nominated['plan']}", headers=headers).json()
    assert plan["run_state"] == "done"
    assert plan["objective"] >= plan["greedy_objective"]
    assert client.get(f"/plans/{nominated['plan']}", headers=headers).status_code == 200


# write leaks -----------------------------------------------------------------------------------
PROFILE = {
    "people": [1, 1, 1, 1],
    "languages": ["en"],
    "budget": 1,
    "travel_costs": {},
    "priorities": [],
}


def test_a_partner_edits_only_its_own_profile(client, auth, probes):
    korea, japan = auth("korea"), auth("japan")
    r = client.put(f"{API}/profiles/JPN/2027", headers=korea, json=PROFILE)
    assert r.status_code == 404
    assert client.put(f"{API}/profiles/NZL/2027", headers=korea, json=PROFILE).status_code == 404
    assert client.get(f"{API}/profiles/JPN/2027", headers=korea).status_code == 404
    assert client.get(f"{API}/profiles/JPN/2027", headers=japan).json()["budget"] == 10_000
    r = client.put(f"{API}/profiles/KOR/2027", headers=korea, json=PROFILE)
    assert r.status_code == 200, r.text
    assert [
        p["partner"]
        for p in client.get(f"{API}/profiles", headers=korea, params={"year": 2027}).json()
    ] == ["KOR"]
    history = client.get(f"{API}/profiles/KOR/2027/history", headers=korea).json()
    assert [h["version"] for h in history] == [2, 1]
    events = client.get("/api/v1/audit/events", headers=auth("admin"), params={"limit": 5})
    assert [
        (e["actor"], e["action"])
        for e in events.json()["items"]
        if e["action"] == "catalogue:profile:history"
    ] == [("korea", "catalogue:profile:history")]


def test_a_partner_changes_only_its_own_nominations(client, auth, nominated):
    korea = auth("korea")
    r = client.post(
        f"/api/v1/nominations/{nominated['JPN']}/state", headers=korea, json={"state": "withdrawn"}
    )
    assert r.status_code == 404
    assert "JPN" not in r.text
    r = client.post(
        f"/api/v1/nominations/{nominated['KOR']}/state", headers=korea, json={"state": "accepted"}
    )
    assert r.status_code == 403
    r = client.post(
        "/api/v1/nominations",
        headers=korea,
        json={"session_id": 1, "person_name": "X", "nationality": "JPN", "partner": "Japan"},
    )
    assert r.status_code in {404, 422}
    r = client.post(
        f"/api/v1/nominations/{nominated['KOR']}/state", headers=korea, json={"state": "withdrawn"}
    )
    assert r.status_code == 200
    assert r.json()["state"] == "withdrawn"


@pytest.mark.parametrize("username", ["korea", "japan", "analyst", None])
def test_only_staff_with_the_right_import_run_or_approve(client, auth, nominated, username):
    headers = auth(username) if username else {}
    expected = 401 if username is None else 403
    files = {"file": ("c.csv", b"item_code,title\nX,Y\n", "text/csv")}
    assert client.post(f"{API}/import", headers=headers, files=files).status_code == expected
    assert (
        client.post(
            "/api/v1/plans", headers=headers, json={"period": 2027, "time_limit": 1}
        ).status_code
        == expected
    )
    assert (
        client.post(f"/api/v1/plans/{nominated['plan']}/approve", headers=headers).status_code
        == expected
    )


def test_a_partner_holding_every_right_writes_no_alliance_record(
    client, auth, engine, nominated, probes, jpn_off
):
    """Roles are not sides: a partner's user with the officer role does not re-title or re-mark
    the alliance's catalogue, decide its own nation's nomination, or run or approve plans."""
    headers = auth(jpn_off)
    item = client.get(f"{API}/items/PROBE-00", headers=auth("officer")).json()
    export = client.get(f"{API}/export", params={"format": "csv"}, headers=headers).text
    hijacked = export.replace(item["title"], "HIJACKED BY A PARTNER")
    files = {"file": ("c.csv", hijacked.encode(), "text/csv")}
    r = client.post(f"{API}/import", headers=headers, files=files)
    assert r.status_code == 403
    assert "only the alliance side" in r.json()["detail"]
    assert client.get(f"{API}/items/PROBE-00", headers=auth("officer")).json() == item
    r = client.post(
        f"/api/v1/nominations/{nominated['JPN']}/state", headers=headers, json={"state": "accepted"}
    )
    assert r.status_code == 403
    nomination = client.get(f"/api/v1/nominations/{nominated['JPN']}", headers=auth("officer"))
    assert nomination.json()["state"] == "nominated"
    r = client.post("/api/v1/plans", headers=headers, json={"period": 2027, "time_limit": 1})
    assert r.status_code == 403
    assert "only the alliance side" in r.json()["detail"]
    r = client.post(f"/api/v1/plans/{nominated['plan']}/approve", headers=headers)
    assert r.status_code == 404  # plans are NATO only: hidden from a partner, whatever its roles
    assert client.get("/api/v1/plans", headers=auth("officer")).json()[0]["state"] == "draft"


@pytest.fixture
def offered(client, auth, engine, settings, nominated):
    """``nominated``'s plan approved by the allies (silence, then the tick) and published."""
    officer = auth("officer")
    plan = nominated["plan"]
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    r = client.post(
        f"/api/v1/plans/{plan}/approve", params={"deadline": deadline.isoformat()}, headers=officer
    )
    assert r.status_code == 202, r.text
    assert r.json()["state"] == "draft"
    tick(session_factory(engine), settings, deadline + dt.timedelta(minutes=1))
    assert client.get(f"/api/v1/plans/{plan}", headers=officer).json()["state"] == "approved"
    r = client.post(f"/api/v1/plans/{plan}/publish", headers=officer)
    assert r.status_code == 200, r.text
    assert r.json()["offered"] > 0
    listed = client.get("/api/v1/nominations", params={"state": "offered"}, headers=officer)
    return {n["id"]: n["partner"] for n in listed.json()["items"]}


@pytest.mark.parametrize("username", ["japan", "korea", "australia", None])
def test_a_partner_sees_and_answers_only_its_own_offers(client, auth, offered, username):
    headers = auth(username) if username else {}
    own = {"japan": "JPN", "korea": "KOR", "australia": "AUS"}.get(username)
    assert {"JPN", "KOR"} <= set(offered.values())
    if username is None:
        assert client.get("/api/v1/nominations", headers=headers).json()["items"] == []
        for nid in offered:
            r = client.post(f"/api/v1/nominations/{nid}/answer", json={"accept": False})
            assert r.status_code == 401
        return
    listed = client.get("/api/v1/nominations", params={"state": "offered"}, headers=headers)
    assert {n["partner"] for n in listed.json()["items"]} <= {own}
    assert {n["id"] for n in listed.json()["items"]} == {i for i, p in offered.items() if p == own}
    page = client.get("/nominations", headers=headers).text
    missing = client.post(
        "/api/v1/nominations/2147483000/answer", json={"accept": False}, headers=headers
    )
    assert missing.status_code == 404
    for nid, partner in offered.items():
        if partner == own:
            continue
        assert f"/nominations/{nid}/answer" not in page
        r = client.post(
            f"/api/v1/nominations/{nid}/answer", json={"accept": False}, headers=headers
        )
        assert r.status_code == 404
        assert r.json()["detail"] == missing.json()["detail"].replace("2147483000", str(nid))
        r = client.post(f"/nominations/{nid}/answer", data={"accept": "no"}, headers=headers)
        assert r.status_code == 404
    # nothing moved: every other partner's offer is still offered
    officer = auth("officer")
    for nid in offered:
        if offered[nid] != own:
            state = client.get(f"/api/v1/nominations/{nid}", headers=officer).json()["state"]
            assert state == "offered"
    mine = [i for i, p in offered.items() if p == own]
    if mine:
        r = client.post(
            f"/api/v1/nominations/{mine[0]}/answer",
            json={"accept": True, "person_name": "A. Person", "nationality": own},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "accepted"


@pytest.mark.parametrize("username", ["korea", "japan", "analyst", None])
def test_only_staff_with_the_right_publish_a_plan(client, auth, nominated, username):
    headers = auth(username) if username else {}
    expected = 401 if username is None else 403
    plan = nominated["plan"]
    assert client.post(f"/api/v1/plans/{plan}/publish", headers=headers).status_code == expected
    r = client.post(f"/api/v1/plans/{plan}/publish", headers=auth("officer"))
    assert r.status_code == 409  # a draft: approved only by the allies' decision
    assert "only an approved plan" in r.json()["detail"]


def test_importing_a_code_hidden_from_the_importer_answers_as_a_fresh_code(
    client, auth, engine, probes
):
    """A row whose code names an item the importer may not read is imported exactly as a row
    whose code exists nowhere: a new item of the importer's, same answer, same audit; the
    hidden item is untouched. (Answering "exists" or refusing would reveal it.)"""
    officer = principal_of(engine, "officer")
    hidden = [c for c, (_, _, m) in probes.items() if not can_read(officer, m)]
    assert hidden, "the probes hold nothing the officer may not read"
    headers = auth("officer")

    def imported(code):
        body = (
            "item_code,title,area,kind,item_marking,session_code,start_on,end_on,seats,"
            f"session_marking\n{code},Officer's course,space,course,NU,2027-1,2027-05-03,"
            "2027-05-07,6,NU\n"
        )
        files = {"file": ("c.csv", body.encode(), "text/csv")}
        return client.post(f"{API}/import", headers=headers, files=files)

    fresh = imported("FRESH-01")
    for code in hidden:
        r = imported(code)
        assert (r.status_code, r.json()) == (fresh.status_code, fresh.json()), code
        mine = client.get(f"{API}/items/{code}", headers=headers)
        assert mine.status_code == 200
        assert mine.json()["title"] == "Officer's course"
    with unit_of_work(session_factory(engine)) as session:
        for code in hidden:
            # the hidden item is as it was, and the importer's is another item
            rows = session.scalars(
                select(CatalogueItem).where(CatalogueItem.code == code).order_by(CatalogueItem.id)
            ).all()
            assert [(r.id, r.title) for r in rows] == [
                (probes[code][0], f"Probe item {code[-2:]}"),
                (rows[1].id, "Officer's course"),
            ]


def test_importing_a_session_code_hidden_from_the_importer_answers_as_a_fresh_one(
    client, auth, engine, probes
):
    """The same for a session's code within an item the importer reads: it used to collide with
    the hidden session (a 500, found by an attack review) and so tell hidden codes from free."""
    officer = principal_of(engine, "officer")
    hidden = next(m for _, _, m in probes.values() if not can_read(officer, m))
    header = (
        "item_code,title,area,kind,item_marking,session_code,start_on,end_on,seats,"
        "session_marking\n"
    )
    with unit_of_work(session_factory(engine)) as session:
        CatalogueService(session, SYSTEM).import_file(
            (
                header + "OPEN-01,Open course,space,course,PUBLIC,HID,2027-06-01,2027-06-03,5,"
                f'"{short(hidden)}"\n'
            ).encode(),
            FileFormat.CSV,
        )

    def imported(code):
        body = (
            f"{header}OPEN-01,Open course,space,course,PUBLIC,{code},2027-05-03,2027-05-07,6,NU\n"
        )
        files = {"file": ("c.csv", body.encode(), "text/csv")}
        return client.post(f"{API}/import", headers=auth("officer"), files=files)

    fresh, again = imported("NEW"), imported("HID")
    assert fresh.status_code == 200, fresh.text
    assert again.json() == {**fresh.json(), "sessions_created": 1, "items_updated": 1}
    with unit_of_work(session_factory(engine)) as session:
        rows = session.scalars(
            select(CatalogueSession)
            .where(CatalogueSession.code == "HID")
            .order_by(CatalogueSession.id)
        ).all()
        assert [(r.start_on.isoformat(), r.seats) for r in rows] == [
            ("2027-06-01", 5),  # the hidden session, untouched
            ("2027-05-03", 6),  # the officer's own
        ]
