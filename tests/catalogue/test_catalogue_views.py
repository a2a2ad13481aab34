# SPDX-License-Identifier: Apache-2.0
"""The catalogue pages: the nomination form on a session page (a refusal re-rendered with its
message), the planner's run form and a queued plan's page, and the pages' banners."""

from __future__ import annotations


def test_a_partner_nominates_through_the_session_page(client, auth, catalogue):
    korea = auth("korea")
    page = client.get(f"/catalogue/sessions/{catalogue['IP4-1/2027-1']}", headers=korea)
    assert page.status_code == 200
    assert "Nominate a person" in page.text
    assert "NATO UNCLASSIFIED" in page.text  # the banner of an NU // REL IP4 session
    refused = client.post(
        f"/catalogue/sessions/{catalogue['IP4-1/2027-1']}/nominate",
        headers=korea,
        data={"person_name": "Kim", "nationality": "Japan"},
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert "is not the nominating partner" in refused.text
    done = client.post(
        f"/catalogue/sessions/{catalogue['IP4-1/2027-1']}/nominate",
        headers=korea,
        data={"person_name": "Kim Min-jun", "nationality": "KOR"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Kim Min-jun" in client.get(done.headers["location"], headers=korea).text
    assert "Kim Min-jun" not in client.get("/nominations", headers=auth("japan")).text
    assert "Kim Min-jun" in client.get("/nominations", headers=auth("officer")).text


def test_the_planner_page_queues_a_run_and_shows_it(client, auth, catalogue):
    officer = auth("officer")
    assert "Run the planner" in client.get("/plans", headers=officer).text
    assert "Run the planner" not in client.get("/plans", headers=auth("korea")).text
    posted = client.post(
        "/plans", headers=officer, data={"period": 2027, "time_limit": 1}, follow_redirects=False
    )
    assert posted.status_code == 303
    page = client.get(posted.headers["location"], headers=officer)
    assert page.status_code == 200
    assert "Plan " in page.text
    assert client.get(posted.headers["location"], headers=auth("korea")).status_code == 404
    assert client.post("/plans", headers=auth("korea"), data={"period": 2027}).status_code == 403
