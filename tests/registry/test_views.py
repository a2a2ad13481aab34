# SPDX-License-Identifier: Apache-2.0
"""The registry's pages: what a reader sees, HTMX fragments, error pages and the mandate form.

The registry is public; security agreements are marked (NU releasable to their partner), so
what a page shows of them depends on who asks: anonymous readers see none, the demo "analyst"
(an ally's national) sees all four, Japan's mission sees Japan's. A page showing any carries
the banner of the most restrictive marking it shows, top and bottom.

Status codes of the mandate form (``POST /contact-points``), held by the tests below:
- 401 anonymous, 403 without ``registry:entry:write`` (an error page, not the form);
- 303 to ``/contact-points?partner=ISO3`` when the mandate is saved;
- 409 when it conflicts with one of the embassy's existing mandates (an overlap, a second
  open-ended mandate): the page re-renders with the message and the user's input;
- 422 for every other input error (missing or malformed field, end before start, unknown
  partner or ally): the same re-rendered page.
A filter value that is not a date or not a known choice is a 422 error page, never a 500.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from liaison.audit.models import AuditEvent
from liaison.db.session import session_factory, unit_of_work
from liaison.demo import DEMO_PASSWORD
from liaison.identity.service import IdentityService
from liaison.kit.clock import today
from liaison.security.principal import SYSTEM
from liaison.web.deps import SESSION_COOKIE

HTML = {"accept": "text/html,application/xhtml+xml"}
HTMX = {**HTML, "hx-request": "true"}
DASH = "\u2013"  # the pager writes f"Showing 1{DASH}10 of 32" with an en dash


def rows(html: str) -> list[str]:
    """The rows of the page's first table body, as HTML snippets."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr\b.*?</tr>", body, flags=re.DOTALL)


def get(client, path, headers=None, **params):
    response = client.get(path, params=params, headers={**HTML, **(headers or {})})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def tokyo_id(client) -> int:
    offices = client.get("/api/v1/offices", params={"status": "shelved"}).json()["items"]
    return next(o["id"] for o in offices if o["city"] == "Tokyo")


def mandate_total(client, partner: str) -> int:
    return client.get("/api/v1/contact-point-mandates", params={"partner": partner}).json()["total"]


def banners(html: str) -> list[str]:
    return re.findall(r'<div class="banner" data-level="[^"]*">([^<]*)</div>', html)


def agreement_reads(engine) -> int:
    with unit_of_work(session_factory(engine)) as session:
        stmt = select(func.count()).where(AuditEvent.action == "registry:security_agreement:read")
        return session.scalar(stmt) or 0


@pytest.fixture
def officer(client, auth):
    """The demo liaison officer: may write the registry."""
    client.headers.update(auth("officer"))


# start page -------------------------------------------------------------------------------------
def test_home_keeps_counts_and_answers_on_this_day(client, auth):
    html = get(client, "/", auth("analyst"))
    day = today().isoformat()
    assert "<strong>32</strong> allies today" in html
    assert f'href="/allies?member_on={day}"><strong>32</strong> allies are members' in html
    assert f'href="/offices?open_on={day}"><strong>8</strong> offices' in html
    assert f'href="/partners?agreement_in_force_on={day}"><strong>3</strong> partners' in html
    assert "Japan's contact-point embassy is the embassy of" in html
    assert "<strong>Romania</strong>" in html


def test_home_counts_only_what_the_reader_may_see(client):
    html = get(client, "/")
    assert "<strong>0</strong> partners have a security agreement in force" in html
    assert "<strong>0</strong> security agreements in force" in html
    assert banners(html) == []


# allies -----------------------------------------------------------------------------------------
def test_allies_lists_the_32_members_with_the_membership_chart(client):
    html = get(client, "/allies")
    assert "<h1>Allies</h1>" in html
    assert len(rows(html)) == 32
    assert "Sweden" in html
    assert f"Showing 1{DASH}32 of 32" in html
    assert 'aria-label="Membership over time"' in html
    main = html.index("<main")  # the page's own content, inside the print frame
    assert html.index("<svg", main) < html.index("<table", main)


def test_allies_member_on_a_date(client):
    html = get(client, "/allies", member_on="2023-07-11")
    table = html.split("<table", 1)[1]
    assert len(rows(html)) == 31
    assert "Finland" in table
    assert "Sweden" not in table
    assert 'value="2023-07-11"' in html


def test_allies_sort_by_accession_descending(client):
    html = get(client, "/allies", sort="-accession_date")
    assert "Sweden" in rows(html)[0]
    assert 'aria-sort="descending"' in html
    assert 'href="?sort=accession_date"' in html  # the header now sorts ascending


def test_allies_pages_with_previous_and_next(client):
    first = get(client, "/allies", limit=10)
    assert len(rows(first)) == 10
    assert f"Showing 1{DASH}10 of 32" in first
    assert 'href="?limit=10&amp;offset=10"' in first
    assert 'rel="prev"' not in first
    last = get(client, "/allies", limit=10, offset=30)
    assert f"Showing 31{DASH}32 of 32" in last
    assert 'href="?limit=10&amp;offset=20"' in last
    assert 'rel="next"' not in last


def test_htmx_gets_the_table_fragment_only(client):
    response = client.get("/allies", params={"member_on": "2023-07-11"}, headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "<svg" not in response.text  # the chart stays on the page, outside the fragment
    assert len(rows(response.text)) == 31
    assert "HX-Request" in response.headers["vary"]


def test_htmx_history_restore_gets_the_whole_page(client):
    headers = {**HTMX, "hx-history-restore-request": "true"}
    response = client.get("/allies", headers=headers)
    assert "<html" in response.text


@pytest.mark.parametrize(
    "path", ["/partners", "/security-agreements", "/offices", "/contact-points"]
)
def test_every_list_has_a_fragment(client, auth, path):
    response = client.get(path, headers={**HTMX, **auth("analyst")})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "<table" in response.text
    assert f"Showing 1{DASH}" in response.text


def test_filter_forms_use_htmx_and_work_without_it(client):
    html = get(client, "/partners")
    form = re.search(r'<form class="filters"[^>]*>', html)
    assert form is not None
    tag = form.group(0)
    assert 'method="get" action="/partners"' in tag
    assert 'hx-get="/partners"' in tag
    assert 'hx-target="#partners-results"' in tag
    assert 'hx-push-url="true"' in tag
    assert '<div id="partners-results"' in html


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/allies", {"member_on": "2023-13-01"}),
        ("/allies", {"member_on": "yesterday"}),
        ("/partners", {"agreement_in_force_on": "2023/01/01"}),
        ("/security-agreements", {"on": "20230101"}),
        ("/security-agreements", {"in_force_on": "2023-02-30"}),
        ("/offices", {"open_on": "soon"}),
        ("/contact-points", {"on": "1"}),
    ],
)
def test_a_bad_date_in_a_filter_is_422(client, path, params):
    response = client.get(path, params=params, headers=HTML)
    assert response.status_code == 422
    assert "<html" in response.text
    assert "is not a date; write YYYY-MM-DD" in response.text


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/partners", {"status": "dormant"}),
        ("/offices", {"status": "demolished"}),
        ("/allies", {"sort": "height"}),
        ("/contact-points", {"partner": "XXX"}),
        ("/allies", {"offset": "-1"}),
    ],
)
def test_a_bad_filter_choice_is_422(client, path, params):
    assert client.get(path, params=params, headers=HTML).status_code == 422


def test_empty_filter_fields_mean_no_filter(client):
    html = get(client, "/partners", framework="", status="", agreement_in_force_on="")
    assert len(rows(html)) == 37


# partners ---------------------------------------------------------------------------------------
def test_partners_list(client):
    html = get(client, "/partners")
    assert len(rows(html)) == 37
    japan = next(r for r in rows(html) if "Japan" in r)
    assert '<a href="/partners/JPN">Japan</a>' in japan
    assert '<span class="badge framework" title="Interoperability Platform">IPF</span>' in japan
    assert '<span class="badge active">active</span>' in japan
    assert "2025-01-16" in japan
    assert '<option value="ICI">ICI · Istanbul Cooperation Initiative</option>' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"framework": "ICI"}, {"Bahrain", "Kuwait", "Qatar", "United Arab Emirates"}),
        ({"status": "suspended"}, {"Belarus", "Russian Federation"}),
        ({"agreement_in_force_on": "2023-01-01"}, {"Australia", "Japan", "New Zealand"}),
        ({"agreement_in_force_on": "2021-01-01"}, {"Australia", "Japan"}),
    ],
)
def test_partners_filters(client, auth, params, expected):
    html = get(client, "/partners", auth("analyst"), **params)
    assert {re.search(r'">([^<]+)</a>', r).group(1) for r in rows(html)} == expected


def test_agreement_filter_shows_only_what_the_reader_may_see(client, auth):
    assert rows(get(client, "/partners", agreement_in_force_on="2023-01-01")) == [
        '<tr><td colspan="4" class="muted">No partners match these filters.</td></tr>'
    ]
    html = get(client, "/partners", auth("japan"), agreement_in_force_on="2023-01-01")
    assert len(rows(html)) == 1
    assert "Japan" in rows(html)[0]


def test_partner_page_japan(client, auth, engine):
    html = get(client, "/partners/JPN", auth("analyst"))
    assert "<h1>Japan</h1>" in html
    assert "Japan <code>JPN</code>" in html
    assert "Indo-Pacific partners (AP4)" in html
    assert "Agreement between Japan and NATO on the security of information" in html
    assert "2010-06-25" in html
    assert '<span class="badge in_force">in force</span>' in html
    assert '<code class="portion">NU // REL JPN</code>' in html
    assert banners(html) == ["NATO UNCLASSIFIED Releasable to Japan"] * 2
    assert agreement_reads(engine) == 1  # reading a marked record leaves an audit trace
    mandates = html.split('id="contact-points"', 1)[1]
    assert "Denmark" in mandates
    current = re.search(r'<tr class="current">.*?</tr>', mandates, flags=re.DOTALL)
    assert current is not None
    assert "Romania" in current.group(0)
    assert "Denmark" not in current.group(0)
    assert "NATO Liaison Office Tokyo" in html.split('id="offices"', 1)[1]


def test_partner_page_resolves_other_codes_and_names(client):
    assert "<h1>Japan</h1>" in get(client, "/partners/jp")


def test_anonymous_sees_japan_without_its_agreement(client, engine):
    html = get(client, "/partners/JPN")
    assert "Agreement between Japan and NATO" not in html
    assert "No security agreement of Japan is recorded that you may see." in html
    assert banners(html) == []
    assert "Romania" in html  # the rest of the registry is public
    assert agreement_reads(engine) == 0


def test_korea_does_not_see_japan_agreement(client, auth):
    html = get(client, "/partners/JPN", auth("korea"))
    assert "Agreement between Japan and NATO" not in html


@pytest.mark.parametrize(
    "path", ["/partners/XXX", "/partners/FRA", "/offices/99999", "/offices/abc"]
)
def test_unknown_partner_or_office_is_a_404_page(client, path):
    response = client.get(path, headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>404 · Not found</h1>" in response.text


def test_unknown_partner_is_problem_json_for_non_browsers(client):
    response = client.get("/partners/XXX", headers={"accept": "application/json"})
    assert response.status_code == 404
    assert response.json()["status"] == 404


# security agreements ----------------------------------------------------------------------------
def test_agreements_list_with_status_today(client, auth):
    html = get(client, "/security-agreements", auth("analyst"))
    assert len(rows(html)) == 4
    binding = next(r for r in rows(html) if "concerning the security of information" in r)
    assert '<span class="badge signed">signed</span>' in binding  # no entry into force known
    nzl = next(r for r in rows(html) if "New Zealand" in r)
    assert "attested 2022-02-01" in nzl
    assert "NATO SECRET" in nzl
    assert f"Status on {today().isoformat()}" in html
    assert '<code class="portion">NU // REL NZL</code>' in nzl
    # releasable to different partners, so the page as a whole is for NATO only
    assert banners(html) == ["NATO UNCLASSIFIED"] * 2


@pytest.mark.parametrize(
    ("user", "partners", "banner"),
    [
        (None, [], None),
        ("korea", [], None),
        ("japan", ["Japan"], "NATO UNCLASSIFIED Releasable to Japan"),
        ("australia", ["Australia", "Australia"], "NATO UNCLASSIFIED Releasable to Australia"),
    ],
)
def test_agreements_are_listed_as_the_policy_allows(client, auth, user, partners, banner):
    html = get(client, "/security-agreements", auth(user) if user else None)
    shown = [re.search(r'">([^<]+)</a>', r).group(1) for r in rows(html) if "href" in r]
    assert shown == partners
    assert banners(html) == ([banner] * 2 if banner else [])
    if not partners:
        assert "No agreement you may see matches these filters." in html


def test_agreements_in_force_on_and_status_on(client, auth):
    client.headers.update(auth("analyst"))
    html = get(client, "/security-agreements", in_force_on="2008-01-01")
    assert len(rows(html)) == 1
    assert "exchange of letters" in rows(html)[0]
    assert banners(html) == ["NATO UNCLASSIFIED"] * 2  # covers what the unfiltered list shows
    html = get(client, "/security-agreements", on="2000-01-01")
    assert html.count('<span class="badge negotiating">negotiating</span>') == 4


# offices ----------------------------------------------------------------------------------------
def test_offices_list_with_timeline(client):
    html = get(client, "/offices")
    assert len(rows(html)) == 11
    assert 'aria-label="Office timeline"' in html
    tokyo = next(r for r in rows(html) if "Tokyo" in r)
    assert '<span class="badge shelved">shelved</span>' in tokyo
    assert f'href="/offices/{tokyo_id(client)}"' in tokyo


def test_offices_filters(client):
    assert len(rows(get(client, "/offices", status="shelved"))) == 1
    names = [
        re.search(r'">([^<]+)</a>', r).group(1)
        for r in rows(get(client, "/offices", open_on="2016-01-01"))
    ]
    assert names == [
        "NATO Headquarters Sarajevo",
        "NATO Liaison Office Georgia",
        "NATO Military Liaison Office Belgrade",
        "NATO Representation to Ukraine",
    ]


def test_tokyo_office_reads_as_shelved(client):
    html = get(client, f"/offices/{tokyo_id(client)}")
    assert "NATO Liaison Office Tokyo" in html
    assert "<strong>Shelved on 2025-06-24.</strong>" in html
    assert "France objected" in html
    steps = re.findall(r'<li class="step (\w+)"><time datetime="([\d-]+)">', html)
    assert steps == [("proposed", "2023-04-01"), ("shelved", "2025-06-24")]
    assert '<a href="/partners/JPN">Japan</a>' in html


def test_office_without_dates_says_so(client):
    offices = client.get("/api/v1/offices", params={"limit": 100}).json()["items"]
    un = next(o for o in offices if o["city"] == "New York")
    html = get(client, f"/offices/{un['id']}")
    assert "No lifecycle date is recorded" in html


# contact points ---------------------------------------------------------------------------------
def test_contact_points_list_and_filters(client):
    html = get(client, "/contact-points", partner="JPN")
    assert "Adding a mandate needs the permission" in html  # anonymous: no form
    assert 'action="/contact-points"' in html  # the filter form is there
    assert 'method="post"' not in html
    assert len(rows(html)) == 2
    assert '<option value="JPN" selected>Japan</option>' in html
    assert '<tr class="current">' in html
    on = get(client, "/contact-points", partner="JPN", on="2024-06-01")
    assert len(rows(on)) == 1
    assert "Denmark" in rows(on)[0]


def form(**changes):
    values = {
        "partner": "KOR",
        "ally": "DEU",
        "start_on": "2025-01-01",
        "end_on": "",
        "notes": "German embassy in Seoul",
    }
    values.update(changes)
    return values


def test_officer_sees_the_form(client, officer):
    html = get(client, "/contact-points")
    assert '<form class="entry" method="post" action="/contact-points">' in html
    assert 'name="csrf_token"' not in html  # a bearer token needs none


@pytest.mark.parametrize(("user", "status"), [(None, 401), ("analyst", 403), ("japan", 403)])
def test_only_registry_writers_may_add(client, auth, user, status):
    headers = {**HTML, **(auth(user) if user else {})}
    response = client.post("/contact-points", data=form(), headers=headers)
    assert response.status_code == status
    assert "<html" in response.text
    assert mandate_total(client, "KOR") == 0


def test_add_mandate_redirects_and_lists_it(client, officer):
    response = client.post("/contact-points", data=form(), headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/contact-points?partner=KOR"
    html = get(client, "/contact-points", partner="KOR")
    assert len(rows(html)) == 1
    assert "Germany" in rows(html)[0]
    assert "open-ended" in rows(html)[0]


def test_overlapping_mandate_is_409_and_nothing_is_written(client, officer):
    data = form(partner="JPN", ally="DNK", start_on="2024-06-01", end_on="2025-05-31")
    response = client.post("/contact-points", data=data, headers=HTML)
    assert response.status_code == 409
    assert "The mandate was not saved." in response.text
    assert "overlaps the embassy&#39;s mandate 2023-01-01 to 2024-12-31" in response.text
    assert '<option value="DNK" selected>Denmark</option>' in response.text
    assert 'value="2025-05-31"' in response.text
    assert mandate_total(client, "JPN") == 2


def test_second_open_mandate_is_409(client, officer):
    first = client.post("/contact-points", data=form(), follow_redirects=False)
    assert first.status_code == 303
    second = client.post("/contact-points", data=form(start_on="2027-01-01"), headers=HTML)
    assert second.status_code == 409
    assert "already has an open mandate" in second.text
    assert mandate_total(client, "KOR") == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (form(end_on="2024-01-01"), "the mandate ends (2024-01-01) before it starts (2025-01-01)"),
        (form(partner="FRA"), "no partner &#39;FRA&#39;"),
        (form(ally="JPN"), "no ally &#39;JPN&#39;"),
        (form(partner="", ally=""), "Choose a partner."),
        (form(start_on=""), "Give the first day of the mandate."),
    ],
)
def test_invalid_mandate_is_422_with_the_message(client, officer, data, message):
    response = client.post("/contact-points", data=data, headers=HTML)
    assert response.status_code == 422
    assert message in response.text
    assert 'role="alert"' in response.text
    assert mandate_total(client, "KOR") == 0


def test_malformed_date_is_a_form_error(client, officer):
    response = client.post("/contact-points", data=form(start_on="1 Jan 2025"), headers=HTML)
    assert response.status_code == 422
    assert "start_on: &#39;1 Jan 2025&#39; is not a date; write YYYY-MM-DD" in response.text
    assert 'value="1 Jan 2025"' in response.text  # the input is kept for correction
    assert 'aria-invalid="true" aria-describedby="field-start_on-error"' in response.text
    assert "German embassy in Seoul</textarea>" in response.text


def test_the_form_works_in_a_login_session_with_its_csrf_token(client, engine):
    with unit_of_work(session_factory(engine)) as session:
        issued = IdentityService(session, SYSTEM).login("officer", DEMO_PASSWORD, "testclient")
        csrf = issued.session.csrf_token
    client.cookies.set(SESSION_COOKIE, issued.cookie)
    html = get(client, "/contact-points")
    assert f'<input type="hidden" name="csrf_token" value="{csrf}">' in html
    forged = client.post("/contact-points", data=form(), headers=HTML)
    assert forged.status_code == 403
    data = {**form(), "csrf_token": csrf}
    saved = client.post("/contact-points", data=data, headers=HTML, follow_redirects=False)
    assert saved.status_code == 303
    assert mandate_total(client, "KOR") == 1


def test_htmx_error_is_a_fragment_not_json(client):
    r = client.get("/allies", params={"sort": "password"}, headers={"hx-request": "true"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html")
    assert "<html" not in r.text
    assert 'class="error-box"' in r.text
    assert "cannot sort by" in r.text
