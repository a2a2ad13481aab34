# SPDX-License-Identifier: Apache-2.0
"""Decision pages: the list, a proposal (flags, timeline, redlines, status fragment), the inbox,
notifications, and the forms in a login session (CSRF, refusals re-rendered, nothing written)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from decision_helpers import now

HTML = {"accept": "text/html"}
pytestmark = pytest.mark.usefixtures("delegates")


def get(client, path, headers=None, status=200):
    r = client.get(path, headers={**HTML, **(headers or {})})
    assert r.status_code == status, r.text[:500]
    return r.text


def test_list_and_proposal_pages(client, auth, open_proposal):
    pid = open_proposal(title="Cyber pledge", marking="NR", text="open an office in Tokyo")
    listing = get(client, "/decisions", auth("france"))
    assert "Cyber pledge" in listing
    assert (
        listing.count('<div class="banner" data-level="NATO RESTRICTED">NATO RESTRICTED</div>') == 2
    )
    page = get(client, f"/decisions/{pid}", auth("germany"))
    assert page.count('<li class="stance-silent') == 32
    assert 'title="🇫🇷">FR</span>' in page
    assert "Germany&#39;s position" in page or "Germany's position" in page
    assert f'hx-get="/decisions/{pid}/status"' in page
    assert "decisions.js" in page
    assert get(client, "/decisions", {}).count("Cyber pledge") == 0  # anonymous
    assert "no proposal" in get(client, f"/decisions/{pid}", auth("japan"), status=404)
    fragment = get(client, f"/decisions/{pid}/status", auth("germany"))
    assert fragment.lstrip().startswith('<div id="status"')
    assert "Pending" in fragment


def test_inbox_and_notification_pages(client, auth, open_proposal):
    open_proposal(title="Awaiting Germany")
    assert "Awaiting Germany" in get(client, "/decisions/inbox", auth("germany"))
    assert "not one" in get(client, "/decisions/inbox", auth("officer"))
    assert "Awaiting Germany" in get(client, "/decisions/notifications", auth("germany"))
    get(client, "/decisions/inbox", status=401)


def test_breaking_silence_in_a_login_session(client, login, open_proposal):
    pid = open_proposal(title="Tokyo office", text="open an office")
    csrf = login("france")
    page = get(client, f"/decisions/{pid}")
    assert f'<input type="hidden" name="csrf_token" value="{csrf}">' in page
    refused = client.post(
        f"/decisions/{pid}/positions",
        data={"stance": "break_silence", "statement": "", "csrf_token": csrf},
        headers=HTML,
    )
    assert refused.status_code == 409
    assert "needs a statement" in refused.text
    assert "Pending" in refused.text
    statement = 'id="field-position-statement" aria-invalid="true"'
    assert statement in refused.text  # the message is beside the statement, which is kept
    assert '<span class="field-error" id="field-position-statement-error">' in refused.text
    assert '<a href="#field-position-statement">a break silence needs' in refused.text
    assert 'value="break_silence" checked' in refused.text
    forged = client.post(
        f"/decisions/{pid}/positions",
        data={"stance": "concur", "csrf_token": "forged"},
        headers=HTML,
    )
    assert forged.status_code == 403
    done = client.post(
        f"/decisions/{pid}/positions",
        data={"stance": "break_silence", "statement": "Articles 5 and 6.", "csrf_token": csrf},
        headers=HTML,
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = get(client, f"/decisions/{pid}")
    assert re.search(r'<strong class="outcome">Broken</strong>', page)
    assert "Articles 5 and 6." in page
    assert "The procedure is closed." in page


def test_a_partner_has_no_position_form(client, login, open_proposal):
    pid = open_proposal(marking="NU // REL JPN")
    csrf = login("japan")
    page = get(client, f"/decisions/{pid}")
    assert "position-form" not in page
    r = client.post(
        f"/decisions/{pid}/positions", data={"stance": "concur", "csrf_token": csrf}, headers=HTML
    )
    assert r.status_code == 403
    assert "partners do not take part" in r.text


def test_new_proposal_form(client, login):
    csrf = login("officer")
    assert "Open the proposal" in get(client, "/decisions/new")
    when = (now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    bad = client.post(
        "/decisions",
        data={"title": "T", "text": "x", "marking": "NOPE", "deadline": when, "csrf_token": csrf},
        headers=HTML,
    )
    assert bad.status_code == 422
    assert 'value="NOPE"' in bad.text
    made = client.post(
        "/decisions",
        data={
            "title": "Seabed cables",
            "text": "The Council agrees.",
            "marking": "NU",
            "procedure": "silence",
            "deadline": when,
            "csrf_token": csrf,
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert made.status_code == 303
    assert "Seabed cables" in get(client, made.headers["location"])
    login("france")
    get(client, "/decisions/new", status=403)


def test_revising_a_broken_proposal_from_its_page(client, auth, login, open_proposal):
    pid = open_proposal(title="Tokyo office", text="open an office in Tokyo")
    csrf = login("france")
    client.post(
        f"/decisions/{pid}/positions",
        data={"stance": "break_silence", "statement": "No.", "csrf_token": csrf},
        headers=HTML,
    )
    csrf = login("officer")
    assert "Open the revised proposal" in get(client, f"/decisions/{pid}")
    when = (now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    made = client.post(
        f"/decisions/{pid}/revise",
        data={"text": "study an office in Tokyo", "deadline": when, "csrf_token": csrf},
        headers=HTML,
        follow_redirects=False,
    )
    assert made.status_code == 303
    page = get(client, made.headers["location"])
    assert "<del>open</del><ins>study</ins>" in page
    assert "Revises" in page
    assert "Open the revised proposal" not in get(client, f"/decisions/{pid}")


def test_only_the_positions_that_apply_are_offered(client, login, open_proposal):
    pid = open_proposal(title="Offered positions")
    csrf = login("france")
    offered = re.compile(r'name="stance" value="(\w+)"')
    assert offered.findall(get(client, f"/decisions/{pid}")) == [
        "concur",
        "break_silence",
        "reservation",
        "footnote",
    ]
    client.post(
        f"/decisions/{pid}/positions",
        data={"stance": "reservation", "statement": "Paragraph 2.", "csrf_token": csrf},
        headers=HTML,
    )
    assert offered.findall(get(client, f"/decisions/{pid}")) == [
        "concur",
        "break_silence",
        "footnote",
        "withdraw_reservation",
    ]


def test_the_new_proposal_form_takes_an_office_by_name(client, login, proposed_office):
    office = proposed_office()
    csrf = login("officer")
    form = get(client, "/decisions/new")
    assert '<option value="NATO Liaison Office Testville">' in form  # a proposed office
    assert "NATO Liaison Office Tokyo" not in form  # shelved: nothing to decide
    sent = {"subject_kind": "office_opening", "text": "Open it.", "marking": "NU"}
    sent |= {"deadline": (now() + dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M")}
    done = client.post(
        "/decisions",
        data=sent | {"subject_ref": "testville", "csrf_token": csrf},
        headers=HTML,
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[-3000:]
    page = get(client, done.headers["location"])
    assert f'<a href="/offices/{office}">Opening of the NATO Liaison Office Testville</a>' in page
    shelved = client.post("/decisions", data=sent | {"subject_ref": "Tokyo", "csrf_token": csrf})
    assert shelved.status_code == 409
    assert "Opening of the NATO Liaison Office Tokyo cannot be decided now" in shelved.text
    unknown = client.post("/decisions", data=sent | {"subject_ref": "Tokio", "csrf_token": csrf})
    assert unknown.status_code == 422
    assert "no office &#39;Tokio&#39;; did you mean Tokyo?" in unknown.text
    assert 'id="field-subject_ref" aria-invalid="true"' in unknown.text
    assert 'value="Tokio"' in unknown.text
