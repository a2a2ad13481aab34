# SPDX-License-Identifier: Apache-2.0
"""The document pages: what each user sees, the banner top and bottom (the most restrictive
marking on the page), search highlights, hidden ids, and the forms in a login session.

Banners, held by the tests below: the library shows the highest level and caveats of the rows
on the page, releasable only to the nations every row reaches (Korea's page: "NATO
UNCLASSIFIED Releasable to South Korea"); a document's page shows its own banner.
"""

from __future__ import annotations

import re

import pytest
from document_helpers import USERS, VISIBLE, make_docx
from sqlalchemy import func, select

from liaison.audit.models import AuditEvent
from liaison.db.session import session_factory, unit_of_work
from liaison.demo import DEMO_PASSWORD
from liaison.documents.models import Document
from liaison.identity.service import IdentityService
from liaison.security.principal import SYSTEM
from liaison.web.deps import SESSION_COOKIE

HTML = {"accept": "text/html,application/xhtml+xml"}

BANNERS = {
    None: "PUBLIC",
    "korea": "NATO UNCLASSIFIED Releasable to South Korea",
    "japan": "NATO RESTRICTED Releasable to Japan",
    "australia": "NATO RESTRICTED Releasable to Australia",
    "analyst": "NATO RESTRICTED",
    "officer": "NATO SECRET",
    "admin": "NATO CONFIDENTIAL",
}


def banners(html):
    return re.findall(r'<div class="banner" data-level="[^"]*">([^<]*)</div>', html)


def rows(html):
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<a href="/documents/(\d+)">', body)


def page(client, path, headers=None, status=200, **params):
    r = client.get(path, params=params, headers={**HTML, **(headers or {})})
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("text/html")
    return r.text


@pytest.fixture
def as_user(auth):
    return lambda user: auth(user) if user else {}


@pytest.mark.parametrize("user", [None, *USERS])
def test_library_shows_what_the_user_may_read_between_banners(client, docs, as_user, user):
    html = page(client, "/documents", as_user(user))
    by_id = {str(v): k for k, v in docs.items()}
    assert {by_id[i] for i in rows(html)} == VISIBLE[user]
    assert banners(html) == [BANNERS[user]] * 2
    assert f"{len(VISIBLE[user])} documents" in html
    # Facets count only what the user may read: one NATO SECRET document, for the officer.
    assert f"NATO SECRET ({1 if user == 'officer' else 0})</option>" in html


def test_banner_follows_the_rows_shown(client, docs, auth):
    officer = auth("officer")
    assert banners(page(client, "/documents", officer, level="PUBLIC")) == ["PUBLIC"] * 2
    assert (
        banners(page(client, "/documents", officer, q="Korea"))
        == ["NATO UNCLASSIFIED Releasable to South Korea"] * 2
    )
    html = page(client, "/documents", officer, releasable_to="Japan")
    assert banners(html) == ["NATO RESTRICTED Releasable to Japan"] * 2
    assert banners(page(client, "/documents", officer, q="nothingmatchesthis")) == ["PUBLIC"] * 2


def test_marked_pages_are_not_cached(client, docs, auth):
    for path in ("/documents", f"/documents/{docs['minutes']}"):
        r = client.get(path, headers={**HTML, **auth("japan")})
        assert r.headers["cache-control"] == "no-store"


def test_search_highlights(client, docs, auth):
    html = page(client, "/documents", auth("japan"), q="Tokyo")
    assert "<mark>Tokyo</mark>" in html
    assert [int(i) for i in rows(html)] == [docs["minutes"]]  # the NC assessment is absent


def test_document_page(client, docs, auth):
    html = page(client, f"/documents/{docs['minutes']}", auth("japan"))
    assert banners(html) == ["NATO RESTRICTED Releasable to Japan"] * 2
    assert "Minutes of the staff talks with the Mission of Japan." in html
    assert f'href="/api/v1/documents/{docs["minutes"]}/content"' in html
    # Japan reads the alliance's minutes but may not change them; the officer may.
    assert "Rename, re-mark or delete" not in html
    assert "Rename, re-mark or delete" in page(
        client, f"/documents/{docs['minutes']}", auth("officer")
    )
    html = page(client, f"/documents/{docs['minutes']}", auth("analyst"))
    assert "Rename, re-mark or delete" not in html


@pytest.mark.parametrize("target", ["tokyo", "missing", "junk"])
def test_hidden_missing_and_junk_ids_are_the_same_404_page(client, docs, auth, target):
    ident = {"tokyo": docs["tokyo"], "missing": 999_999, "junk": "12abc"}[target]
    html = page(client, f"/documents/{ident}", auth("korea"), status=404)
    assert f"no document {ident}" in html
    assert "Tokyo" not in html.replace(f"no document {ident}", "")
    assert banners(html) == []


@pytest.mark.parametrize(
    ("params", "words"),
    [({"level": "pink"}, "unknown level"), ({"releasable_to": "Atlantis"}, "unknown nation")],
)
def test_bad_filters_are_an_error_page(client, docs, auth, params, words):
    html = page(client, "/documents", auth("officer"), status=422, **params)
    assert words in html


def test_pages_are_audited_reads(client, docs, auth, engine):
    page(client, "/documents", auth("japan"))
    page(client, f"/documents/{docs['minutes']}", auth("japan"))
    with unit_of_work(session_factory(engine)) as session:
        seen = session.execute(
            select(AuditEvent.action, func.count())
            .where(AuditEvent.actor == "japan")
            .group_by(AuditEvent.action)
        ).all()
    assert dict(seen) == {"documents:document:read": 3, "documents:document:preview": 1}


def test_pages_carry_no_inline_script_or_style(client, docs, auth):
    for path in (
        "/documents",
        f"/documents/{docs['minutes']}",
        "/documents/new",
        f"/documents/{docs['minutes']}/edit",
    ):
        html = page(client, path, auth("officer"))
        assert "style=" not in html
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert [s.split("/static/", 1)[1] for s in scripts] == [
            'htmx.min.js" defer>',
            'shortcuts.js" defer>',
            'reach.js" defer>',
        ]


def test_forms_need_the_write_permission(client, docs, auth):
    assert page(client, "/documents/new", status=401)
    assert page(client, "/documents/new", auth("analyst"), status=403)
    assert page(client, f"/documents/{docs['press']}/edit", auth("analyst"), status=403)


# forms in a login session -----------------------------------------------------------------------
@pytest.fixture
def login(client, engine):
    def start(username):
        with unit_of_work(session_factory(engine)) as session:
            issued = IdentityService(session, SYSTEM).login(username, DEMO_PASSWORD, "testclient")
        client.cookies.set(SESSION_COOKIE, issued.cookie)
        return issued.session.csrf_token

    return start


def count(engine, title):
    with unit_of_work(session_factory(engine)) as session:
        return session.scalar(select(func.count()).where(Document.title == title))


def test_note_form_in_a_login_session(client, docs, login, engine):
    csrf = login("japan")
    html = page(client, "/documents/new")
    assert f'<input type="hidden" name="csrf_token" value="{csrf}">' in html
    form = {
        "title": "Port visit",
        "marking": "NU // REL JPN",
        "body": "Kobe, 3 June.",
        "format": "text",
    }
    refused = client.post("/documents/notes", data=form, headers=HTML, follow_redirects=False)
    assert refused.status_code == 403
    assert count(engine, "Port visit") == 0
    r = client.post(
        "/documents/notes", data={**form, "csrf_token": csrf}, headers=HTML, follow_redirects=False
    )
    assert r.status_code == 303
    assert count(engine, "Port visit") == 1
    html = page(client, r.headers["location"])
    assert banners(html) == ["NATO UNCLASSIFIED Releasable to Japan"] * 2


def test_note_form_errors_re_render_with_input(client, docs, login):
    csrf = login("japan")
    form = {"title": "Port visit", "marking": "NC", "body": "text", "csrf_token": csrf}
    r = client.post("/documents/notes", data=form, headers=HTML)
    assert r.status_code == 422
    assert "you cannot mark a document above what you may read yourself" in r.text
    assert 'value="Port visit"' in r.text
    r = client.post(
        "/documents/notes", data={**form, "marking": "NU // REL JPN", "title": ""}, headers=HTML
    )
    assert r.status_code == 422


def test_upload_form(client, docs, login, engine):
    csrf = login("officer")
    files = {
        "file": ("workshop.docx", make_docx("Seabed warfare workshop"), "application/octet-stream")
    }
    data = {"title": "Seabed workshop", "marking": "NR", "csrf_token": csrf}
    r = client.post(
        "/documents/upload", data=data, files=files, headers=HTML, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    assert "Seabed warfare workshop" in page(client, r.headers["location"])
    files = {"file": ("image.png", b"\x89PNG", "image/png")}
    r = client.post("/documents/upload", data=data, files=files, headers=HTML)
    assert r.status_code == 415
    assert "cannot take a file of type &#39;.png&#39;" in r.text
    assert 'value="Seabed workshop"' in r.text
    assert count(engine, "Seabed workshop") == 1


def test_upload_form_with_a_wrong_csrf_token_is_403(client, docs, login, engine):
    login("officer")
    files = {"file": ("big.txt", b"x" * 2_000_000, "text/plain")}
    data = {"title": "Forged", "marking": "NU", "csrf_token": "forged"}
    r = client.post("/documents/upload", data=data, files=files, headers=HTML)
    assert r.status_code == 403
    assert count(engine, "Forged") == 0


def test_edit_forms(client, docs, login, engine, own_note):
    csrf = login("japan")
    url = f"/documents/{own_note('japan', 'NR // REL JPN', 'Japan: own minutes')}"
    html = page(client, f"{url}/edit")
    assert banners(html) == ["NATO RESTRICTED Releasable to Japan"] * 2
    r = client.post(
        f"{url}/edit",
        data={"title": "Staff talks (final)", "csrf_token": csrf},
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 303
    down = {"marking": "NU // REL JPN", "reason": "", "csrf_token": csrf}
    r = client.post(f"{url}/marking", data=down, headers=HTML)
    assert r.status_code == 403
    assert "documents:document:downgrade" in r.text
    assert banners(r.text) == ["NATO RESTRICTED Releasable to Japan"] * 2
    up = {"marking": "NS // REL JPN", "reason": "", "csrf_token": csrf}
    r = client.post(f"{url}/marking", data=up, headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert banners(page(client, url)) == ["NATO SECRET Releasable to Japan"] * 2


def test_downgrade_and_delete_forms(client, docs, login, engine):
    csrf = login("officer")
    url = f"/documents/{docs['tokyo']}"
    r = client.post(
        f"{url}/marking", data={"marking": "NR", "reason": "", "csrf_token": csrf}, headers=HTML
    )
    assert r.status_code == 422
    assert "give a reason" in r.text
    data = {"marking": "NR", "reason": "Cleared for release at NR", "csrf_token": csrf}
    r = client.post(f"{url}/marking", data=data, headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    r = client.post(
        f"{url}/delete", data={"csrf_token": csrf}, headers=HTML, follow_redirects=False
    )
    assert (r.status_code, r.headers["location"]) == (303, "/documents")
    assert page(client, url, status=404)
    with unit_of_work(session_factory(engine)) as session:
        tags = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == str(docs["tokyo"]))
        ).all()
    assert "documents:document:downgrade" in tags
    assert tags[-1] == "documents:document:delete"


def test_edit_buttons_and_form_only_for_whoever_may_change_the_document(
    client, docs, auth, own_note
):
    """Korea reads the AP4 agenda (alliance material released to IP4) but may not change it:
    no button, and the edit form is refused; Japan's own note shows both to Japan only."""
    link = "Rename, re-mark or delete"
    assert link not in page(client, f"/documents/{docs['ap4']}", auth("korea"))
    assert page(client, f"/documents/{docs['ap4']}/edit", auth("korea"), status=403)
    assert link in page(client, f"/documents/{docs['ap4']}", auth("officer"))
    mine = own_note("japan", "NU // REL IP4", "Japan: own agenda")
    assert link in page(client, f"/documents/{mine}", auth("japan"))
    assert page(client, f"/documents/{mine}/edit", auth("japan"))
    assert link not in page(client, f"/documents/{mine}", auth("korea"))
    assert page(client, f"/documents/{mine}/edit", auth("korea"), status=403)
