# SPDX-License-Identifier: Apache-2.0
"""The documents API against the demo library, on SQLite and PostgreSQL.

What each demo account may read is worked out by hand in ``conftest.VISIBLE``; every read
surface — list, count (``total``), facets, search, get, preview, content — must agree with it,
and a hidden document must answer exactly like a missing one on every route.
"""

from __future__ import annotations

import re

import pytest
from document_helpers import ALL, USERS, VISIBLE
from sqlalchemy import select

from liaison.audit.models import AuditEvent
from liaison.db.session import session_factory, unit_of_work
from liaison.documents import uploads

PROBLEM = "application/problem+json"
MISSING = 999_999
BASE = "/api/v1/documents"


@pytest.fixture
def as_user(auth):
    def headers(user):
        return auth(user) if user else {}

    return headers


def listed(client, headers, **params):
    r = client.get(BASE, params={"limit": 500, **params}, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    return {item["id"] for item in body["items"]}, body["total"], body["items"]


def names(docs, ids):
    by_id = {v: k for k, v in docs.items()}
    return {by_id[i] for i in ids if i in by_id}


def assert_problem(r, status, text=""):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert text in r.json()["detail"]


def events(engine, action=None):
    with unit_of_work(session_factory(engine)) as session:
        stmt = select(AuditEvent).order_by(AuditEvent.seq)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        return list(session.scalars(stmt))


# who sees what ----------------------------------------------------------------------------------
@pytest.mark.parametrize("user", [None, *USERS])
def test_list_count_facets_search_and_get_agree(client, docs, as_user, user):
    headers = as_user(user)
    expected = VISIBLE[user]
    ids, total, _ = listed(client, headers)
    assert names(docs, ids) == expected
    assert total == len(ids) == len(expected)
    facets = client.get(f"{BASE}/facets", headers=headers).json()
    assert facets["total"] == sum(facets["level"].values()) == sum(facets["kind"].values()) == total
    # Every demo note says "partnership": search finds exactly what the user may open.
    found, found_total, items = listed(client, headers, q="partnership")
    assert names(docs, found) == expected
    assert found_total == len(expected)
    assert all("<mark>" in item["snippet"] for item in items if item["snippet"])
    for key in ALL:
        r = client.get(f"{BASE}/{docs[key]}", headers=headers)
        assert r.status_code == (200 if key in expected else 404), (user, key)


def test_korea_sees_nothing_above_nu_and_only_what_is_releasable_to_it(client, docs, auth):
    headers = auth("korea")
    _, total, items = listed(client, headers)
    assert total == 4
    for item in items:
        assert item["level"] in {"PUBLIC", "NATO UNCLASSIFIED"}
        assert item["level"] == "PUBLIC" or re.search(r"REL .*\b(KOR|IP4)\b", item["marking"])
    for q in ("minutes", "Tokyo", "cyber", "ATOMAL", "Australia"):
        _, _, hits = listed(client, headers, q=q)
        assert all(h["id"] in {docs[k] for k in VISIBLE["korea"]} for h in hits), q
    for level in ("NR", "NC", "NS", "CTS"):
        assert listed(client, headers, level=level)[1] == 0
        assert (
            client.get(f"{BASE}/facets", params={"level": level}, headers=headers).json()["total"]
            == 0
        )


def test_anonymous_sees_only_public(client, docs):
    ids, total, items = listed(client, {})
    assert names(docs, ids) == {"press", "glossary"}
    assert total == 2
    assert {i["marking"] for i in items} == {"PUBLIC"}
    assert client.get(f"{BASE}/{docs['ap4']}").status_code == 404
    assert client.get(f"{BASE}/{docs['press']}/content").status_code == 200


def test_japan_reads_nr_rel_jpn_under_its_agreement_but_not_nato_only(client, docs, auth):
    headers = auth("japan")
    minutes = client.get(f"{BASE}/{docs['minutes']}", headers=headers)
    assert minutes.status_code == 200
    assert minutes.json()["marking"] == "NR // REL JPN"
    assert minutes.json()["banner"] == "NATO RESTRICTED Releasable to Japan"
    assert client.get(f"{BASE}/{docs['tokyo']}", headers=headers).status_code == 404


def test_need_to_know_community(client, docs, auth):
    threat = f"{BASE}/{docs['threat']}"
    assert client.get(threat, headers=auth("officer")).json()["marking"] == "NS // NTK cyber"
    assert client.get(threat, headers=auth("analyst")).status_code == 404
    assert listed(client, auth("analyst"), q='"threat brief"')[1] == 0
    assert listed(client, auth("officer"), q='"threat brief"')[1] == 1


# hidden means absent ----------------------------------------------------------------------------
@pytest.mark.parametrize(("user", "hidden"), [("korea", "tokyo"), ("japan", "threat")])
def test_hidden_answers_404_like_a_missing_id_on_every_route(client, docs, auth, user, hidden):
    headers = auth(user)
    routes = [
        ("GET", "{}", None),
        ("GET", "{}/preview", None),
        ("GET", "{}/content", None),
        ("POST", "{}/marking", {"marking": "PUBLIC", "reason": "try"}),
        ("PATCH", "{}", {"title": "renamed"}),
        ("DELETE", "{}", None),
    ]
    for method, path, body in routes:
        answers = []
        for target in (docs[hidden], MISSING):
            r = client.request(method, f"{BASE}/{path.format(target)}", json=body, headers=headers)
            assert_problem(r, 404)
            answers.append(r.json() | {"detail": "", "instance": ""})
            assert str(target) in r.json()["detail"]
        assert answers[0] == answers[1], (method, path)
    for page in ("/documents/{}", "/documents/{}/edit"):
        statuses = {
            client.get(page.format(t), headers=headers).status_code for t in (docs[hidden], MISSING)
        }
        assert statuses == {404}
    # Nothing was changed by the attempts.
    officer = client.get(f"{BASE}/{docs[hidden]}", headers=auth("officer")).json()
    assert officer["title"] != "renamed"
    assert officer["level"] != "PUBLIC"


@pytest.mark.parametrize("bad", ["0", "-1", "99999999999999999999", "abc"])
def test_odd_ids_never_error(client, auth, bad):
    r = client.get(f"{BASE}/{bad}", headers=auth("officer"))
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)


# writes -----------------------------------------------------------------------------------------
def test_write_guards(client, docs, auth):
    note = {"title": "t", "body": "b", "marking": "PUBLIC"}
    assert_problem(client.post(f"{BASE}/notes", json=note), 401)
    assert_problem(client.post(f"{BASE}/notes", json=note, headers=auth("analyst")), 403)
    assert_problem(client.patch(f"{BASE}/{docs['press']}", json={"title": "x"}), 401)
    read_only = auth("officer", scopes=frozenset({"read"}))
    assert_problem(client.delete(f"{BASE}/{docs['press']}", headers=read_only), 403)


def test_note_round_trip(client, docs, auth, engine):
    note = {
        "title": "Tokyo visit notes",
        "body": "# Visit\nZebrafish *cooperation*.",
        "marking": "NATO RESTRICTED Releasable to Japan",
    }
    r = client.post(f"{BASE}/notes", json=note, headers=auth("japan"))
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["marking"], made["banner"]) == (
        "NR // REL JPN",
        "NATO RESTRICTED Releasable to Japan",
    )
    assert (made["kind"], made["content_type"], made["filename"]) == (
        "note",
        "text/markdown",
        "tokyo-visit-notes.md",
    )
    assert made["created_by"] == "japan"
    preview = client.get(f"{BASE}/{made['id']}/preview", headers=auth("officer")).json()
    assert preview["text"] == note["body"]
    assert preview["marking"] == "NR // REL JPN"
    assert client.get(f"{BASE}/{made['id']}", headers=auth("korea")).status_code == 404
    assert listed(client, auth("japan"), q="zebrafish")[1] == 1
    assert listed(client, auth("korea"), q="zebrafish")[1] == 0
    (created,) = events(engine, "documents:document:create")[-1:]
    assert created.object_id == str(made["id"])
    assert created.actor == "japan"
    assert created.after["marking"] == "NR // REL JPN"
    assert created.before is None


@pytest.mark.parametrize(
    ("user", "marking", "words"),
    [
        ("japan", "NC", "above what you may read"),  # NATO only: not releasable to Japan
        ("japan", "CTS // REL JPN", "above what you may read"),  # above the agreement
        ("korea", "NR // REL KOR", "above what you may read"),  # no agreement
        ("officer", "COSMIC TOP SECRET", "above what you may read"),  # above clearance
        ("officer", "NS ATOMAL", "above what you may read"),  # no ATOMAL access
        ("officer", "NS // NTK maritime", "above what you may read"),  # not in the community
        ("officer", "NATO PINK", "unknown classification"),
        ("officer", "NR // REL Atlantis", "unknown nation or partner group 'Atlantis'"),
        ("officer", "PUBLIC // REL JPN", "cannot carry releasability"),
    ],
)
def test_nobody_marks_above_what_they_may_read(client, auth, user, marking, words):
    note = {"title": "t", "body": "b", "marking": marking}
    r = client.post(f"{BASE}/notes", json=note, headers=auth(user))
    assert_problem(r, 422, words)
    assert r.json()["errors"][0]["field"] == "marking"


def test_rename(client, docs, auth, engine, own_note):
    url = f"{BASE}/{own_note('japan', 'NR // REL JPN', 'Japan staff talks: our minutes')}"
    r = client.patch(
        url, json={"title": "Japan staff talks: minutes (final)"}, headers=auth("japan")
    )
    assert r.status_code == 200
    assert r.json()["updated_by"] == "japan"
    assert listed(client, auth("japan"), q="final")[1] == 1
    event = events(engine, "documents:document:update")[-1]
    assert event.before["title"] == "Japan staff talks: our minutes"
    assert event.after["title"] == "Japan staff talks: minutes (final)"
    assert_problem(client.patch(url, json={"title": "two\nlines"}, headers=auth("japan")), 422)


def test_raising_a_marking_needs_no_downgrade_right(client, docs, auth, engine, own_note):
    url = f"{BASE}/{own_note('japan', 'NR // REL JPN', 'Japan: own minutes')}/marking"
    r = client.post(url, json={"marking": "NS // REL JPN"}, headers=auth("japan"))
    assert r.status_code == 200, r.text
    assert r.json()["marking"] == "NS // REL JPN"
    event = events(engine, "documents:document:remark")[-1]
    assert (event.before["marking"], event.after["marking"]) == ("NR // REL JPN", "NS // REL JPN")


def test_downgrade_without_the_permission_is_403(client, docs, auth, engine, own_note):
    url = f"{BASE}/{own_note('japan', 'NR // REL JPN', 'Japan: own minutes')}"
    r = client.post(
        f"{url}/marking", json={"marking": "NU // REL JPN", "reason": "old"}, headers=auth("japan")
    )
    assert_problem(r, 403, "documents:document:downgrade")
    assert client.get(url, headers=auth("japan")).json()["marking"] == "NR // REL JPN"
    assert not events(engine, "documents:document:downgrade")


def test_downgrade_needs_a_reason_and_is_recorded(client, docs, auth, engine):
    url = f"{BASE}/{docs['tokyo']}"
    officer = auth("officer")
    assert client.get(url, headers=auth("analyst")).status_code == 404
    r = client.post(f"{url}/marking", json={"marking": "NR"}, headers=officer)
    assert_problem(r, 422, "the level goes down from NATO CONFIDENTIAL to NATO RESTRICTED")
    assert r.json()["errors"][0]["field"] == "reason"
    reason = "Council agreed to share the assessment at NR"
    r = client.post(f"{url}/marking", json={"marking": "NR", "reason": reason}, headers=officer)
    assert r.status_code == 200, r.text
    assert client.get(url, headers=auth("analyst")).status_code == 200
    (event,) = events(engine, "documents:document:downgrade")
    assert (event.before["marking"], event.after["marking"]) == ("NC", "NR")
    assert event.after["reason"] == reason
    assert event.actor == "officer"
    assert event.object_id == str(docs["tokyo"])


def test_widening_releasability_is_a_downgrade(client, docs, auth):
    url = f"{BASE}/{docs['minutes']}/marking"
    r = client.post(url, json={"marking": "NR // REL JPN, KOR"}, headers=auth("officer"))
    assert_problem(r, 422, "releasable to KOR")


def test_delete(client, docs, auth, engine, own_note):
    title = "Cyber exercise: observers' own note (Australia, Japan)"
    url = f"{BASE}/{own_note('japan', 'NR // REL AUS, JPN', title)}"
    assert client.delete(url, headers=auth("australia")).status_code == 403
    assert client.delete(url, headers=auth("japan")).status_code == 204
    for user in ("japan", "australia", "officer"):
        assert client.get(url, headers=auth(user)).status_code == 404
    assert listed(client, auth("officer"), q="observers")[1] == 1  # the demo note only
    event = events(engine, "documents:document:delete")[-1]
    assert event.before["title"] == title
    assert event.after is None


# uploads ----------------------------------------------------------------------------------------
def upload(client, headers, name, data, marking, content_type=None, title=""):
    files = {"file": (name, data, content_type or "application/octet-stream")}
    return client.post(
        BASE, files=files, data={"marking": marking, "title": title}, headers=headers
    )


def test_pdf_and_docx_uploads_are_searchable(client, auth, pdf_file, docx_file):
    officer = auth("officer")
    pdf = upload(client, officer, "report.pdf", pdf_file, "NU // REL JPN", "application/pdf")
    assert pdf.status_code == 201, pdf.text
    assert pdf.json()["title"] == "report"
    word = upload(client, officer, "Minutes.docx", docx_file, "NR", title="Workshop minutes")
    assert word.status_code == 201, word.text
    assert word.json()["content_type"].endswith("wordprocessingml.document")
    assert [i["id"] for i in listed(client, officer, q="hydrography")[2]] == [pdf.json()["id"]]
    assert [i["id"] for i in listed(client, officer, q="bathymetry")[2]] == [word.json()["id"]]
    assert listed(client, auth("japan"), q="hydrography")[1] == 1
    assert listed(client, auth("japan"), q="bathymetry")[1] == 0  # NATO only
    assert listed(client, auth("korea"), q="hydrography")[1] == 0  # not releasable to Korea


def test_download_keeps_bytes_type_and_marking(client, auth, pdf_file):
    made = upload(client, auth("officer"), "Bericht über.pdf", pdf_file, "NU // REL JPN").json()
    r = client.get(f"{BASE}/{made['id']}/content", headers=auth("japan"))
    assert r.status_code == 200
    assert r.content == pdf_file
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == (
        "attachment; filename=\"Bericht _ber.pdf\"; filename*=UTF-8''Bericht%20%C3%BCber.pdf"
    )
    assert r.headers["x-classification"] == "NU // REL JPN"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("name", "data", "status", "words"),
    [
        ("photo.png", b"\x89PNG\r\n", 415, "cannot take a file of type '.png'"),
        ("page.html", b"<script>alert(1)</script>", 415, "upload PDF (.pdf)"),
        ("broken.pdf", b"%PDF-1.4 nothing", 422, "damaged"),
        ("fake.docx", b"not a zip", 422, "not one"),
        ("empty.txt", b"", 422, "empty"),
    ],
)
def test_refused_uploads_are_clean_4xx(client, auth, name, data, status, words):
    r = upload(client, auth("officer"), name, data, "NU")
    assert_problem(r, status, words)
    assert listed(client, auth("officer"))[1] == 0


def test_upload_needs_a_file_and_a_marking(client, auth):
    r = client.post(
        BASE, data={"marking": "NU"}, files={"other": ("x", b"y")}, headers=auth("officer")
    )
    assert_problem(r, 422, "attach a file")
    assert_problem(upload(client, auth("officer"), "a.txt", b"text", ""), 422, "marking is empty")


def test_size_cap(client, auth, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_BYTES", 1000)
    r = upload(client, auth("officer"), "big.txt", b"x" * 2000, "NU")
    assert_problem(r, 413, "larger than")  # read past the cap
    r = upload(client, auth("officer"), "huge.txt", b"x" * (uploads.FORM_OVERHEAD + 5000), "NU")
    assert_problem(r, 413, "larger than")  # refused by Content-Length alone


def test_anonymous_upload_is_401_and_leaves_no_open_files(client):
    # filterwarnings=error turns an unclosed spooled upload file into a failure here.
    files = {"file": ("a.txt", b"x" * 2_000_000, "text/plain")}
    assert_problem(client.post(BASE, files=files, data={"marking": "NU"}), 401)


def test_upload_without_content_length_is_411(client, auth):
    def chunks():
        yield b"--x\r\n"

    headers = {**auth("officer"), "content-type": "multipart/form-data; boundary=x"}
    r = client.post(BASE, content=chunks(), headers=headers)
    assert_problem(r, 411, "Content-Length")


def test_text_and_markdown_uploads(client, auth):
    r = upload(
        client, auth("japan"), "agenda.md", "# Agenda\n- Kōbe port call".encode(), "NU // REL JPN"
    )
    assert r.status_code == 201, r.text
    assert r.json()["content_type"] == "text/markdown"
    content = client.get(f"{BASE}/{r.json()['id']}/content", headers=auth("japan"))
    assert content.headers["content-type"] == "text/markdown; charset=utf-8"
    assert listed(client, auth("japan"), q="Kōbe")[1] == 1


# lists ------------------------------------------------------------------------------------------
def test_filters_and_sorting(client, docs, auth):
    officer = auth("officer")
    ids, total, _ = listed(client, officer, level="NR")
    assert names(docs, ids) == {"minutes", "observer", "allied", "aus_cyber"}
    assert total == 4
    assert names(docs, listed(client, officer, level="NATO RESTRICTED")[0]) == names(docs, ids)
    # Releasable to Japan: naming Japan or a group Japan belongs to (IP4).
    assert names(docs, listed(client, officer, releasable_to="Japan")[0]) == {
        "ap4",
        "minutes",
        "observer",
    }
    assert names(docs, listed(client, officer, releasable_to="KOR")[0]) == {"ap4", "korea"}
    assert listed(client, officer, kind="file")[1] == 0
    titles = [i["title"] for i in listed(client, officer, sort="title")[2]]
    assert titles == sorted(titles)
    levels = [i["level"] for i in listed(client, officer, sort="-level")[2]]
    assert levels[0] == "NATO SECRET"
    assert levels[-1] == "PUBLIC"
    first = client.get(BASE, params={"limit": 5}, headers=officer).json()
    second = client.get(BASE, params={"limit": 5, "offset": 5}, headers=officer).json()
    assert first["total"] == second["total"] == 12
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": "NATO PINK"}, "level"),
        ({"releasable_to": "Atlantis"}, "releasable_to"),
        ({"sort": "secret_column"}, "sort"),
        ({"kind": "video"}, "kind"),
    ],
)
def test_bad_filters_are_422(client, auth, params, field):
    r = client.get(BASE, params=params, headers=auth("officer"))
    assert_problem(r, 422)
    assert field in r.text


@pytest.mark.parametrize(
    "q", ['"', "NEAR(", "a AND", "*", "col:x", ")(", "-", "OR OR", "'; DROP TABLE document; --"]
)
def test_odd_search_input_never_errors(client, docs, auth, q):
    r = client.get(BASE, params={"q": q}, headers=auth("officer"))
    assert r.status_code == 200, r.text


def test_search_phrases_or_and_exclusion(client, docs, auth):
    officer = auth("officer")
    assert names(docs, listed(client, officer, q='"staff talks"')[0]) == {"minutes"}
    assert names(docs, listed(client, officer, q="Tokyo OR glossary")[0]) == {
        "tokyo",
        "minutes",
        "glossary",
    }
    assert "minutes" not in names(docs, listed(client, officer, q="Tokyo -minutes")[0])


def test_snippets_escape_document_text(client, auth):
    body = "<script>alert('x')</script> the quokka census: quokka < wombat & kiwi"
    note = {"title": "t", "body": body, "marking": "PUBLIC"}
    client.post(f"{BASE}/notes", json=note, headers=auth("officer"))
    (item,) = listed(client, {}, q="quokka")[2]
    assert "<script" not in item["snippet"]
    assert "<mark>quokka</mark>" in item["snippet"]
    assert "&lt; wombat &amp; kiwi" in item["snippet"]


def test_a_content_length_of_thousands_of_digits_is_too_large_not_a_crash(client, auth):
    def chunks():
        yield b"--x\r\n"

    headers = {
        **auth("officer"),
        "content-type": "multipart/form-data; boundary=x",
        "content-length": "9" * 5000,  # more digits than int() reads (a ValueError: was a 500)
    }
    r = client.post(BASE, content=chunks(), headers=headers)
    assert r.status_code == 413
