# SPDX-License-Identifier: Apache-2.0
"""The lifecycle through the API: a programme from draft to in force, renewal, the IPCP →
ITPP transition, the allies' approval from a decision, and every bad input a clear 4xx with
nothing half-written."""

from __future__ import annotations

import datetime as dt

import pytest
from programme_helpers import BASE, count_rows

from leak_probes import principal_of
from liaison.db.session import session_factory, unit_of_work
from liaison.decisions import worker
from liaison.errors import NotFound
from liaison.events import (
    ProposalAdopted,
    SubjectKind,
    describe_subject,
    publish,
    subject_suggestions,
)
from liaison.kit import clock
from liaison.programmes.models import Programme
from liaison.security.principal import SYSTEM

pytestmark = pytest.mark.usefixtures("demo")


def post(client, headers, path, body, expect):
    r = client.post(f"{BASE}{path}", headers=headers, json=body)
    assert r.status_code == expect, r.text
    return r.json()


def draft(client, headers, partner="Mongolia", start="2027-01-01"):
    return post(client, headers, "", {"partner": partner, "period_start": start}, 201)


def test_dashboard_shows_the_ap4_renewals_due(client, auth):
    body = client.get(f"{BASE}/dashboard", headers=auth("officer")).json()
    assert body["today"] == clock.today().isoformat()
    refs = {p["reference"]: p for p in body["expiring"]}
    assert {"ITPP-AUS-2023", "ITPP-JPN-2023", "ITPP-KOR-2023"} <= set(refs)
    assert all(p["period_end"] == "2026-12-31" for p in refs.values())
    assert "ITPP-NZL-2024" not in refs  # agreed, ends 2027
    assert body["overdue_total"] > 0
    assert body["activities_total"] > 0
    narrow = client.get(f"{BASE}/dashboard", headers=auth("officer"), params={"horizon": 7})
    assert narrow.json()["expiring"] == []
    assert client.get(f"{BASE}/dashboard", params={"horizon": 0}).status_code == 422


def test_demo_history_is_real(client, auth):
    jpn = client.get(f"{BASE}/ITPP-JPN-2023", headers=auth("officer")).json()["programme"]
    assert jpn["status"] == "in_force"
    assert jpn["agreed_on"] == "2023-07-12"
    assert jpn["supersedes"] == "IPCP-JPN-2020"
    ipcp = client.get(f"{BASE}/IPCP-JPN-2020", headers=auth("officer")).json()["programme"]
    assert ipcp["status"] == "superseded"
    assert ipcp["ended_on"] == "2023-07-12"
    nzl = client.get(f"{BASE}/ITPP-NZL-2024", headers=auth("officer")).json()["programme"]
    assert (nzl["status"], nzl["agreed_on"]) == ("agreed", "2024-07-10")


def test_from_draft_to_in_force(client, auth, engine, settings):
    officer = auth("officer")
    p = draft(client, officer)
    ref = p["reference"]
    assert (ref, p["status"], p["period_end"]) == ("ITPP-MNG-2027", "draft", "2030-12-31")
    goal = post(
        client,
        officer,
        f"/{ref}/goals",
        {"area": "cyber-defence", "title": "Cyber", "due_on": "2028-06-30"},
        201,
    )
    post(client, officer, f"/{ref}/transitions", {"to": "negotiating", "on": "2026-11-01"}, 200)
    post(client, officer, f"/{ref}/transitions", {"to": "submitted", "on": "2026-11-10"}, 200)
    # approved needs a reference: refused with the reason, nothing changes
    bad = post(client, officer, f"/{ref}/transitions", {"to": "approved"}, 409)
    assert "approval date and reference" in bad["detail"]
    post(
        client,
        officer,
        f"/{ref}/approval",
        {"approved_on": "2026-11-20", "reference": "PO(2026)0123"},
        200,
    )
    early = post(client, officer, f"/{ref}/transitions", {"to": "agreed", "on": "2026-11-19"}, 409)
    assert "cannot precede" in early["detail"]
    post(client, officer, f"/{ref}/transitions", {"to": "agreed", "on": "2026-11-21"}, 200)
    # asked before its period starts, it is scheduled: the tick moves it on 2027-01-01
    done = post(client, officer, f"/{ref}/transitions", {"to": "in_force", "on": "2026-11-22"}, 200)
    assert (done["status"], done["in_force_on"], done["approval_reference"]) == (
        "agreed",
        "2027-01-01",
        "PO(2026)0123",
    )
    new_year = dt.datetime(2027, 1, 1, 0, 5, tzinfo=dt.UTC)
    assert worker.tick(session_factory(engine), settings, now=new_year).done == [
        f"{ref} entered into force"
    ]
    shown = client.get(f"{BASE}/{ref}", headers=officer).json()["programme"]
    assert (shown["status"], shown["in_force_on"]) == ("in_force", "2027-01-01")
    # wording is frozen once in force; progress is not
    frozen = client.patch(f"{BASE}/{ref}/goals/{goal['id']}", headers=officer, json={"title": "x"})
    assert frozen.status_code == 409
    moved = client.patch(
        f"{BASE}/{ref}/goals/{goal['id']}", headers=officer, json={"status": "on_track"}
    )
    assert moved.json()["status"] == "on_track"


def test_one_programme_in_force_per_partner(client, auth, engine):
    officer = auth("officer")
    ref = "ITPP-JPN-2019"
    p = draft(client, officer, "Japan", "2019-01-01")
    assert p["reference"] == ref
    for step in (
        {"to": "submitted", "on": "2019-03-01"},
        {"to": "approved", "on": "2019-04-01", "reference": "PO(2019)1"},
        {"to": "agreed", "on": "2019-04-02"},
    ):
        post(client, officer, f"/{ref}/transitions", step, 200)
    before = count_rows(engine, Programme, status="in_force")
    clash = post(
        client, officer, f"/{ref}/transitions", {"to": "in_force", "on": "2019-05-01"}, 409
    )
    assert "ITPP-JPN-2023 is in force" in clash["detail"]
    assert count_rows(engine, Programme, status="in_force") == before
    again = client.get(f"{BASE}/{ref}", headers=officer).json()["programme"]
    assert again["status"] == "agreed"


def test_renewal_links_by_supersedes_and_carries_the_content(client, auth):
    officer = auth("officer")
    new = post(client, officer, "/ITPP-AUS-2023/renewal", {}, 201)
    assert (new["reference"], new["supersedes"], new["period_start"]) == (
        "ITPP-AUS-2027",
        "ITPP-AUS-2023",
        "2027-01-01",
    )
    body = client.get(f"{BASE}/ITPP-AUS-2027", headers=officer).json()
    assert len(body["objectives"]) == 3
    assert {g["status"] for g in body["goals"]} == {"open"}  # only open goals came over
    assert all("2027-01-01" <= g["due_on"] <= "2030-12-31" for g in body["goals"])
    dash = client.get(f"{BASE}/dashboard", headers=officer).json()
    assert dash["renewal_started"] == {"ITPP-AUS-2023": "ITPP-AUS-2027"}
    twice = post(client, officer, "/ITPP-AUS-2023/renewal", {}, 409)
    assert "already has a successor" in twice["detail"]


def test_ipcp_to_itpp_transition(client, auth):
    officer = auth("officer")
    itpp = post(
        client, officer, "/from-ipcp", {"partner": "New Zealand", "period_start": "2028-01-01"}, 201
    )
    assert (itpp["reference"], itpp["kind"], itpp["supersedes"]) == (
        "ITPP-NZL-2028",
        "ITPP",
        "IPCP-NZL-2012",
    )
    none = post(client, officer, "/from-ipcp", {"partner": "Mongolia"}, 409)
    assert none["detail"] == "Mongolia has no IPCP to turn into an ITPP; create an ITPP instead"
    assert post(client, officer, "/from-ipcp", {"partner": "Atlantis"}, 404)["status"] == 404


def test_an_itpp_entering_into_force_supersedes_the_ipcp(client, auth):
    officer = auth("officer")
    ipcp = post(
        client,
        officer,
        "",
        {"partner": "Mongolia", "kind": "IPCP", "period_start": "2024-01-01"},
        201,
    )
    ref = ipcp["reference"]
    for step in (
        {"to": "submitted", "on": "2024-01-10"},
        {"to": "approved", "on": "2024-02-01", "reference": "PO(2024)7"},
        {"to": "agreed", "on": "2024-02-02"},
        {"to": "in_force", "on": "2024-02-03"},
    ):
        post(client, officer, f"/{ref}/transitions", step, 200)
    post(
        client,
        officer,
        f"/{ref}/goals",
        {"area": "wps", "title": "WPS", "due_on": "2025-12-31"},
        409,
    )
    itpp = post(
        client, officer, "/from-ipcp", {"partner": "MNG", "period_start": "2026-01-01"}, 201
    )
    for step in (
        {"to": "submitted", "on": "2026-02-01"},
        {"to": "approved", "on": "2026-03-01", "reference": "PO(2026)9"},
        {"to": "agreed", "on": "2026-03-02"},
        {"to": "in_force", "on": "2026-03-03"},
    ):
        post(client, officer, f"/{itpp['reference']}/transitions", step, 200)
    old = client.get(f"{BASE}/{ref}", headers=officer).json()["programme"]
    assert (old["status"], old["ended_on"]) == ("superseded", "2026-03-03")


@pytest.mark.parametrize(
    ("path", "body", "status", "words"),
    [
        (
            "/ITPP-MNG-2027/goals",
            {"area": "basket-weaving", "title": "x", "due_on": "2028-01-01"},
            422,
            "unknown cooperation area",
        ),
        (
            "/ITPP-MNG-2027/goals",
            {"area": "space", "title": "x", "due_on": "2031-01-01"},
            422,
            "outside the programme's period",
        ),
        (
            "/ITPP-MNG-2027/activities",
            {"goal_id": 999999, "title": "x", "kind": "course", "start_on": "2028-01-01"},
            404,
            "no goal",
        ),
        (
            "/ITPP-MNG-2027/sections",
            {"heading": "x", "marking": "NATO SECRET ATOMAL"},
            422,
            "above what you may read",
        ),
        ("/ITPP-MNG-2027/transitions", {"to": "in_force"}, 409, "from draft to in_force"),
        (
            "",
            {"partner": "Japan", "period_start": "2023-03-01"},
            409,
            "ITPP-JPN-2023 already exists",
        ),
        (
            "",
            {"partner": "Mongolia", "period_start": "2027-01-01", "period_end": "2026-01-01"},
            422,
            "end after it starts",
        ),
        ("", {"partner": "France", "period_start": "2027-01-01"}, 404, "no partner"),
    ],
)
def test_bad_input_is_a_clear_4xx_and_writes_nothing(
    client, auth, engine, path, body, status, words
):
    officer = auth("officer")
    draft(client, officer)
    before = count_rows(engine)
    r = client.post(f"{BASE}{path}", headers=officer, json=body)
    assert r.status_code == status, r.text
    assert words in r.json()["detail"]
    assert count_rows(engine) == before


def test_permissions(client, auth):
    assert (
        client.post(BASE, json={"partner": "Japan", "period_start": "2027-01-01"}).status_code
        == 401
    )
    denied = client.post(
        BASE, headers=auth("japan"), json={"partner": "Japan", "period_start": "2027-01-01"}
    )
    assert denied.status_code == 403
    read_only = auth("officer", frozenset({"read"}))
    assert (
        client.post(f"{BASE}/ITPP-JPN-2023/renewal", headers=read_only, json={}).status_code == 403
    )
    # without the route's permission the answer is 403 before any record is read: the same
    # for a hidden programme as for one it reads, so it reveals nothing (as the write-leak
    # suite's ``expected`` has it)
    for ref in ("ITPP-AUS-2023", "ITPP-JPN-2023"):
        r = client.post(f"{BASE}/{ref}/renewal", headers=auth("japan"), json={})
        assert r.status_code == 403, ref


def test_an_adopted_decision_approves_a_submitted_itpp_once(client, auth, engine):
    officer = auth("officer")
    ref = draft(client, officer)["reference"]
    post(client, officer, f"/{ref}/transitions", {"to": "submitted", "on": "2026-11-01"}, 200)
    event = ProposalAdopted(
        dt.date(2026, 11, 20), 7, "PO(2026)0777", SubjectKind.ITPP_APPROVAL, ref
    )
    with unit_of_work(session_factory(engine)) as session:
        info = describe_subject(session, SYSTEM, SubjectKind.ITPP_APPROVAL, ref)
        assert (info.state, info.decidable, info.href) == ("submitted", True, f"/programmes/{ref}")
        publish(session, event)
        publish(session, event)  # replayed: idempotent
        publish(
            session,
            ProposalAdopted(
                dt.date(2020, 1, 1), 1, "OLD", SubjectKind.ITPP_APPROVAL, "ITPP-JPN-2023"
            ),
        )
    p = client.get(f"{BASE}/{ref}", headers=officer).json()["programme"]
    assert (p["status"], p["approved_on"], p["approval_reference"]) == (
        "approved",
        "2026-11-20",
        "PO(2026)0777",
    )
    jpn = client.get(f"{BASE}/ITPP-JPN-2023", headers=officer).json()["programme"]
    assert jpn["status"] == "in_force"
    assert jpn["approval_reference"] != "OLD"
    with unit_of_work(session_factory(engine)) as session:
        info = describe_subject(session, SYSTEM, SubjectKind.ITPP_APPROVAL, "ITPP-JPN-2023")
        assert not info.decidable
        assert "in_force" in info.why


def test_the_describer_hides_what_the_principal_cannot_read(engine):
    japan = principal_of(engine, "japan")
    with unit_of_work(session_factory(engine)) as session:
        with pytest.raises(NotFound) as hidden:
            describe_subject(session, japan, SubjectKind.ITPP_APPROVAL, "ITPP-AUS-2023")
        with pytest.raises(NotFound) as missing:
            describe_subject(session, japan, SubjectKind.ITPP_APPROVAL, "ITPP-XXX-2023")
    assert str(hidden.value).replace("AUS", "XXX") == str(missing.value)


def test_a_submitted_itpp_is_suggested_and_found_in_any_case(client, auth, engine):
    officer = auth("officer")
    ref = draft(client, officer)["reference"]
    post(client, officer, f"/{ref}/transitions", {"to": "submitted", "on": "2026-11-01"}, 200)
    typo = ref[:-1] + ("0" if ref[-1] != "0" else "1")
    japan = principal_of(engine, "japan")  # reads no submitted programme: no suggestion
    with unit_of_work(session_factory(engine)) as session:
        offered = [s.value for s in subject_suggestions(session, SYSTEM)]
        assert ref in offered
        assert "ITPP-JPN-2023" not in offered  # in force: nothing to approve
        assert describe_subject(session, SYSTEM, SubjectKind.ITPP_APPROVAL, ref.lower()).ref == ref
        with pytest.raises(NotFound, match=f"did you mean {ref}"):
            describe_subject(session, SYSTEM, SubjectKind.ITPP_APPROVAL, typo)
        assert [s for s in subject_suggestions(session, japan) if s.value.startswith("ITPP")] == []
