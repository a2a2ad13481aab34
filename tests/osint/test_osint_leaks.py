# SPDX-License-Identifier: Apache-2.0
"""The leak suites for OSINT: one probe assessment and one probe technique tag per marking
(every level, NATO only and released, groups, caveats, need-to-know) on a story imported from
the corpus × every read surface (API story, assessments list and one, tags; the story page;
the CLI's show in JSON and as a table; the one search, page and API; the dashboard; TAXII
after publishing) × principals of every kind.
Each surface shows a probe exactly when ``can_read`` allows, and nothing else about it.
Write leaks: a reader who may not read a probe cannot review, publish or find it (404 like a
missing id), and nobody writes a marking above what they may read.
"""

from __future__ import annotations

import shutil

import pytest
from osint_helpers import CORPUS, import_folder
from typer.testing import CliRunner

from leak_probes import PROBE_MARKINGS, USERS, principal_of
from liaison.cli.main import app
from liaison.db.session import session_factory, unit_of_work
from liaison.demo import DEMO_PASSWORD
from liaison.identity.service import IdentityService
from liaison.osint import disarm
from liaison.osint.errors import NotPermitted
from liaison.osint.models import TagStatus
from liaison.osint.service import OsintService
from liaison.registry.service import RegistryService
from liaison.security.marking_store import MarkingStore
from liaison.security.policy import can_read
from liaison.security.principal import SYSTEM
from liaison.sharing.service import SharingService
from liaison.web.deps import SESSION_COOKIE

BASE = "/api/v1/osint"
runner = CliRunner()
TECHNIQUES = sorted(disarm.techniques())[: len(PROBE_MARKINGS)]


@pytest.fixture
def story(db_url, tmp_path, osint_models):
    folder = tmp_path / "two"
    folder.mkdir()
    for stem in ("a1_ledger_vilnius", "a2_wire_june"):
        shutil.copy(CORPUS / f"{stem}.txt", folder)
    return import_folder(db_url, folder)


@pytest.fixture
def probes(engine, story):
    """title -> (assessment id, tag id, marking); bodies say 'sentinel NN'."""
    made = {}
    with unit_of_work(session_factory(engine)) as session:
        service = OsintService(session, SYSTEM)
        story_id = service.article(story["a1_ledger_vilnius"]).story_id
        for index, text in enumerate(PROBE_MARKINGS):
            title = f"Leak probe {index:02d}"
            row = service.create_assessment(story_id, title, f"sentinel {index:02d} body", text)
            tag = service.add_tag(story_id, TECHNIQUES[index], text)
            made[title] = (row.id, tag.id, MarkingStore(session).get(row.marking_id), story_id)
    return made


def expected(engine, user, probes):
    principal = principal_of(engine, user)
    return {t for t, (_, _, m, _) in probes.items() if can_read(principal, m)}


def titles_in(text, probes):
    return {t for t in probes if t in text}


def tags_in(text, probes):
    return {t for t, (_, _, _, _) in probes.items() if TECHNIQUES[int(t[-2:])] in text}


@pytest.mark.parametrize("user", USERS)
def test_probes_show_exactly_where_the_policy_allows(
    client, auth, engine, probes, user, monkeypatch, db_url
):
    headers = auth(user) if user else {}
    want = expected(engine, user, probes)
    story_id = next(iter(probes.values()))[3]

    body = client.get(f"{BASE}/stories/{story_id}", headers=headers)
    assert body.status_code == 200
    data = body.json()
    assert {a["title"] for a in data["assessments"]} == want
    assert {t["technique_id"] for t in data["tags"]} == {TECHNIQUES[int(t[-2:])] for t in want}

    listed = client.get(f"{BASE}/assessments", headers=headers).json()
    assert {a["title"] for a in listed} == want

    for title, (assessment_id, tag_id, _, _) in probes.items():
        one = client.get(f"{BASE}/assessments/{assessment_id}", headers=headers)
        tag = client.get(f"{BASE}/tags/{tag_id}", headers=headers)
        if title in want:
            assert one.status_code == 200
            assert tag.status_code == 200
        else:
            assert one.status_code == 404
            assert tag.status_code == 404
            assert one.json()["detail"] == f"no assessment {assessment_id}"
            assert "sentinel" not in one.text
            assert tag.json()["detail"] == f"no technique tag {tag_id}"

    page = client.get(f"/osint/stories/{story_id}", headers={**headers, "accept": "text/html"})
    assert page.status_code == 200
    assert titles_in(page.text, probes) == want
    hidden = {f"sentinel {t[-2:]}" for t in probes if t not in want}
    assert not any(h in page.text for h in hidden)

    # the one search (page and API): the probes the reader may read, by title and by body
    found = client.get("/api/v1/search", params={"q": "sentinel"}, headers=headers)
    assert found.status_code == 200
    groups = {g["kind"]: g for g in found.json()["groups"]}
    shown = groups.get("osint-assessments", {"hits": [], "total": 0})
    assert shown["total"] == len(want)  # the count is through the policy too
    assert {h["label"] for h in shown["hits"]} <= want
    assert len(shown["hits"]) == min(len(want), 10)  # the first ten of each kind
    searched = client.get(
        "/search", params={"q": "Leak probe"}, headers={**headers, "accept": "text/html"}
    )
    assert titles_in(searched.text, probes) <= want
    assert len(titles_in(searched.text, probes)) == min(len(want), 10)
    # the dashboard: no tile shows an assessment the reader may not read
    home = client.get("/", headers={**headers, "accept": "text/html"}).text
    assert not titles_in(home, probes) - want
    assert not any(h in home for h in hidden)

    if user is not None:
        monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
        shown = runner.invoke(
            app, ["osint", "show", str(story_id), "--as", user, "--format", "json"]
        )
        assert shown.exit_code == 0, shown.output
        assert titles_in(shown.output, probes) == want
        table = runner.invoke(app, ["osint", "show", str(story_id), "--as", user])
        assert table.exit_code == 0, table.output
        assert not any(h in table.output for h in hidden)


@pytest.mark.parametrize("user", ["analyst", "japan", "korea", "australia"])
def test_no_write_reaches_a_probe_the_writer_may_not_read(client, auth, engine, probes, user):
    headers = auth(user)
    want = expected(engine, user, probes)
    for title, (assessment_id, tag_id, _, _) in probes.items():
        if title in want:
            continue
        review = client.post(
            f"{BASE}/tags/{tag_id}/review",
            headers=headers,
            json={"status": "rejected", "marking": "PUBLIC"},
        )
        publish = client.post(
            f"{BASE}/assessments/{assessment_id}/publish",
            headers=headers,
            json={"collection": "anything"},
        )
        # a reader without the right gets 403 before any lookup; one with it, 404 like a missing id
        assert review.status_code in ({403} if user == "analyst" else {404})
        assert publish.status_code in ({403} if user == "analyst" else {404})
        assert "sentinel" not in review.text + publish.text
        assert title not in review.text + publish.text


@pytest.mark.parametrize("user", ["japan", "korea", "officer"])
def test_nobody_marks_an_assessment_above_what_they_may_read(client, auth, probes, user):
    story_id = next(iter(probes.values()))[3]
    r = client.post(
        f"{BASE}/stories/{story_id}/assessments",
        headers=auth(user),
        json={"title": "t", "body": "b", "marking": "COSMIC TOP SECRET"},
    )
    assert r.status_code == 422
    assert "above what you may read" in r.json()["detail"]


def test_anonymous_and_readers_cannot_write(client, auth, probes):
    story_id = next(iter(probes.values()))[3]
    new = {"title": "t", "body": "b", "marking": "PUBLIC"}
    assert client.post(f"{BASE}/stories/{story_id}/assessments", json=new).status_code == 401
    assert (
        client.post(
            f"{BASE}/stories/{story_id}/assessments", json=new, headers=auth("analyst")
        ).status_code
        == 403
    )
    source = {"name": "x", "kind": "feed", "url": "http://127.0.0.1:1/feed"}
    assert client.post(f"{BASE}/sources", json=source, headers=auth("japan")).status_code == 403


def test_a_partner_cannot_overturn_an_allys_review(engine, probes):
    title = "Leak probe 02"  # NU // REL IP4: Japan reads it
    _, tag_id, _, _ = probes[title]
    with unit_of_work(session_factory(engine)) as session:
        OsintService(session, principal_of(engine, "officer")).review_tag(
            tag_id, TagStatus.CONFIRMED, "NU // REL IP4"
        )
    with unit_of_work(session_factory(engine)) as session, pytest.raises(NotPermitted):
        OsintService(session, principal_of(engine, "japan")).review_tag(
            tag_id, TagStatus.REJECTED, "NU // REL IP4"
        )


def test_a_partner_reviews_only_the_tags_its_organisation_added(client, auth, engine, probes):
    """The console's suggestions are alliance material: a partner that reads one may not
    confirm, reject or re-mark it (it used to mark one releasable to itself, hiding it from
    everyone else); its own analysts' tags it may."""
    title = "Leak probe 00"  # PUBLIC: korea and japan read it
    _, tag_id, marking, story_id = probes[title]
    assert marking.level.value == "PUBLIC"
    before = client.get(f"{BASE}/tags/{tag_id}").json()
    refused = client.post(
        f"{BASE}/tags/{tag_id}/review",
        headers=auth("korea"),
        json={"status": "rejected", "marking": "NU // REL KOR"},
    )
    assert refused.status_code == 403
    assert "may read this technique tag but not change it" in refused.json()["detail"]
    assert client.get(f"{BASE}/tags/{tag_id}").json() == before  # anonymous still reads it
    assert client.get(f"{BASE}/tags/{tag_id}", headers=auth("japan")).json() == before

    extra = sorted(disarm.techniques())[len(PROBE_MARKINGS) :]
    korea, japan = principal_of(engine, "korea"), principal_of(engine, "japan")
    with unit_of_work(session_factory(engine)) as session:
        own_id = OsintService(session, korea).add_tag(story_id, extra[0], "PUBLIC").id
    with unit_of_work(session_factory(engine)) as session:
        japans = OsintService(session, japan).add_tag(story_id, extra[1], "PUBLIC").id
    assert (
        client.post(
            f"{BASE}/tags/{own_id}/review",
            headers=auth("korea"),
            json={"status": "rejected", "marking": "NU // REL KOR"},
        ).status_code
        == 200
    )
    assert client.get(f"{BASE}/tags/{own_id}", headers=auth("japan")).status_code == 404
    # another partner's tag that korea reads is not its to change, nor the alliance side's;
    # an administrator may
    for user, status in (("korea", 403), ("officer", 403), ("admin", 200)):
        r = client.post(
            f"{BASE}/tags/{japans}/review",
            headers=auth(user),
            json={"status": "confirmed", "marking": "PUBLIC"},
        )
        assert r.status_code == status, (user, r.text)


def make_collection(engine, settings) -> str:
    with unit_of_work(session_factory(engine)) as session:
        marking = RegistryService(session, SYSTEM).parse_marking("NU")
        view = SharingService(
            session, SYSTEM, settings.taxii_cursor_key.encode()
        ).create_collection(
            title="Findings",
            alias="findings",
            readers=("all",),
            writers=("all",),
            default_marking=marking,
        )
        return view.row.id


def test_a_published_finding_reaches_over_taxii_only_whom_it_is_released_to(
    client, auth, engine, probes, settings
):
    collection = make_collection(engine, settings)
    title = "Leak probe 04"  # NR // REL JPN
    assessment_id, _, _, _ = probes[title]
    r = client.post(
        f"{BASE}/assessments/{assessment_id}/publish",
        headers=auth("officer"),
        json={"collection": collection},
    )
    assert r.status_code == 200, r.text
    stix_id = r.json()["stix_id"]
    taxii = {"accept": "application/taxii+json;version=2.1"}
    seen = {}
    for user in ("japan", "korea", "australia", "officer"):
        objects = client.get(
            f"/taxii2/liaison/collections/{collection}/objects/", headers={**taxii, **auth(user)}
        )
        seen[user] = stix_id in objects.text
    assert seen == {"japan": True, "korea": False, "australia": False, "officer": True}


def test_watch_terms_are_their_owners_alone(client, auth, story):
    assert client.get(f"{BASE}/watch").status_code == 401
    assert client.post(f"{BASE}/watch", json={"term": "Vilnius"}).status_code == 401
    made = client.post(f"{BASE}/watch", headers=auth("japan"), json={"term": "Vilnius"})
    assert made.status_code == 201
    term_id = made.json()["id"]
    mine = client.get(f"{BASE}/watch", headers=auth("japan")).json()
    assert [(t["term"], t["hits"]) for t in mine] == [("Vilnius", 2)]  # both articles name Vilnius
    assert client.get(f"{BASE}/watch", headers=auth("korea")).json() == []
    page = client.get("/osint", headers={**auth("japan"), "accept": "text/html"})
    assert "Your watch terms" in page.text
    assert "Asia-Pacific leaders to join NATO summit in Vilnius" in page.text
    other = client.get("/osint", headers={**auth("korea"), "accept": "text/html"})
    assert "Your watch terms" not in other.text
    # the home page's tile: the owner's hits only (issue 16: features add their own tiles)
    home = client.get("/", headers={**auth("japan"), "accept": "text/html"}).text
    tile = home[
        home.index('id="watch-terms"') : home.index("</section>", home.index('id="watch-terms"'))
    ]
    assert "Asia-Pacific leaders to join NATO summit in Vilnius" in tile
    assert "“Vilnius”" in tile
    theirs = client.get("/", headers={**auth("korea"), "accept": "text/html"}).text
    assert "No hits for your watch terms" in theirs
    assert "Vilnius" not in theirs
    gone = client.delete(f"{BASE}/watch/{term_id}", headers=auth("korea"))
    assert gone.status_code == 404
    assert gone.json()["detail"] == f"no watch term {term_id}"
    assert client.delete(f"{BASE}/watch/{term_id}", headers=auth("japan")).status_code == 204
    assert (
        client.post(f"{BASE}/watch", headers=auth("japan"), json={"term": "x"}).status_code == 422
    )


# the page forms: the same writes as the API, through the same service checks ------------------
def _tag_state(engine, tag_id):
    with unit_of_work(session_factory(engine)) as session:
        tag, marking = OsintService(session, SYSTEM).tag(tag_id)
        return tag.status, tag.reviewed_by, str(marking)


def _assessment_state(engine, assessment_id):
    with unit_of_work(session_factory(engine)) as session:
        row, _ = OsintService(session, SYSTEM).assessment(assessment_id)
        return row.stix_id, row.collection


def _assessment_count(engine):
    with unit_of_work(session_factory(engine)) as session:
        return len(OsintService(session, SYSTEM).assessments())


PAGE = {"accept": "text/html"}


@pytest.mark.parametrize("user", USERS)
def test_page_forms_never_reach_a_probe_the_writer_may_not_read(
    client, auth, engine, probes, settings, user
):
    """Review and publish forms on hidden probes: 401 anonymous, 403 without the right, else
    the 404 of a missing id (no title, no sentinel); nothing changes."""
    collection = make_collection(engine, settings)
    headers = {**(auth(user) if user else {}), **PAGE}
    principal = principal_of(engine, user) if user else None
    for title, (assessment_id, tag_id, marking, _) in probes.items():
        if principal is not None and can_read(principal, marking):
            continue
        before = (_tag_state(engine, tag_id), _assessment_state(engine, assessment_id))
        review = client.post(
            f"/osint/tags/{tag_id}/review",
            headers=headers,
            data={"status": "rejected", "marking": "PUBLIC"},
            follow_redirects=False,
        )
        publish = client.post(
            f"/osint/assessments/{assessment_id}/publish",
            headers=headers,
            data={"collection": collection},
            follow_redirects=False,
        )
        want = 401 if user is None else 403 if user == "analyst" else 404
        assert (review.status_code, publish.status_code) == (want, want), title
        assert "sentinel" not in review.text + publish.text
        assert title not in review.text + publish.text
        if want == 404:
            missing = client.post(
                f"/osint/tags/{10**6}/review", headers=headers, data={"status": "rejected"}
            )
            assert missing.status_code == 404
            assert f"no technique tag {tag_id}" in review.text  # word for word a missing id's
            assert review.text.replace(f"tag {tag_id}", "tag N") == missing.text.replace(
                f"tag {10**6}", "tag N"
            )
            assert f"no assessment {assessment_id}" in publish.text
        after = (_tag_state(engine, tag_id), _assessment_state(engine, assessment_id))
        assert after == before


@pytest.mark.parametrize("user", [None, "analyst", "japan", "korea", "officer"])
def test_the_assessment_form_refuses_a_marking_above_the_writer(client, auth, engine, probes, user):
    story_id = next(iter(probes.values()))[3]
    count = _assessment_count(engine)
    r = client.post(
        f"/osint/stories/{story_id}/assessments",
        headers={**(auth(user) if user else {}), **PAGE},
        data={"title": "Mine", "body": "b", "marking": "COSMIC TOP SECRET", "confidence": "60"},
        follow_redirects=False,
    )
    assert r.status_code == {None: 401, "analyst": 403}.get(user, 422)
    if user not in {None, "analyst"}:
        assert "above what you may read" in r.text
        assert 'id="assess-error"' in r.text
    assert _assessment_count(engine) == count


def test_page_forms_review_assess_and_publish_with_the_session_csrf_token(
    client, engine, probes, settings
):
    collection = make_collection(engine, settings)
    story_id = next(iter(probes.values()))[3]
    _, tag_id, _, _ = probes["Leak probe 02"]  # NU // REL IP4
    with unit_of_work(session_factory(engine)) as session:
        issued = IdentityService(session, SYSTEM).login("officer", DEMO_PASSWORD, "testclient")
    client.cookies.set(SESSION_COOKIE, issued.cookie)
    token = issued.session.csrf_token

    page = client.get(f"/osint/stories/{story_id}", headers=PAGE)
    assert f'action="/osint/tags/{tag_id}/review"' in page.text
    assert f'action="/osint/stories/{story_id}/assessments"' in page.text
    assert token in page.text
    assert 'value="' + collection + '"' in page.text

    # without the token the form is refused and nothing is written
    stale = client.post(
        f"/osint/stories/{story_id}/assessments",
        headers=PAGE,
        data={"title": "No token", "body": "b", "marking": "NU // REL JPN"},
        follow_redirects=False,
    )
    assert stale.status_code == 403
    assert "CSRF" in stale.text

    made = client.post(
        f"/osint/stories/{story_id}/assessments",
        headers=PAGE,
        data={
            "csrf_token": token,
            "title": "Officer's view",
            "body": "The June date is an error.",
            "marking": "NU // REL JPN",
            "confidence": "70",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    with unit_of_work(session_factory(engine)) as session:
        mine = [
            (a.id, a.created_by)
            for a, _ in OsintService(session, SYSTEM).assessments()
            if a.title == "Officer's view"
        ]
    assert [m[1] for m in mine] == ["officer"]

    reviewed = client.post(
        f"/osint/tags/{tag_id}/review",
        headers=PAGE,
        data={"csrf_token": token, "status": "confirmed", "marking": "NU // REL JPN"},
        follow_redirects=False,
    )
    assert reviewed.status_code == 303
    assert _tag_state(engine, tag_id)[:2] == (TagStatus.CONFIRMED, "officer")

    published = client.post(
        f"/osint/assessments/{mine[0][0]}/publish",
        headers=PAGE,
        data={"csrf_token": token, "collection": collection},
        follow_redirects=False,
    )
    assert published.status_code == 303, published.text
    assert _assessment_state(engine, mine[0][0])[1] == collection


def test_a_partner_cannot_overturn_an_allys_review_or_publish_anothers_work_by_form(
    client, auth, engine, probes, settings
):
    collection = make_collection(engine, settings)
    _, tag_id, _, story_id = probes["Leak probe 02"]  # NU // REL IP4: Japan and Korea read it
    assessment_id = probes["Leak probe 02"][0]  # written by the system, not by Japan
    with unit_of_work(session_factory(engine)) as session:
        OsintService(session, principal_of(engine, "officer")).review_tag(
            tag_id, TagStatus.CONFIRMED, "NU // REL IP4"
        )
    before = _tag_state(engine, tag_id)
    r = client.post(
        f"/osint/tags/{tag_id}/review",
        headers={**auth("japan"), **PAGE},
        data={"status": "rejected", "marking": "NU // REL IP4"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert "you may read this technique tag but not change it" in r.text
    assert _tag_state(engine, tag_id) == before
    p = client.post(
        f"/osint/assessments/{assessment_id}/publish",
        headers={**auth("korea"), **PAGE},
        data={"collection": collection},
        follow_redirects=False,
    )
    assert p.status_code == 403
    assert "only its author or the alliance side" in p.text
    assert _assessment_state(engine, assessment_id) == (None, None)
    assert story_id


def test_the_add_source_form_is_for_source_managers(client, auth, engine):
    data = {"name": "Ledger feed", "kind": "feed", "url": "http://127.0.0.1:9/feed.xml"}
    assert (
        client.post("/osint/sources", headers=PAGE, data=data, follow_redirects=False).status_code
        == 401
    )
    refused = client.post(
        "/osint/sources", headers={**auth("japan"), **PAGE}, data=data, follow_redirects=False
    )
    assert refused.status_code == 403
    page = client.get("/osint/sources", headers={**auth("japan"), **PAGE})
    assert 'action="/osint/sources"' not in page.text
    officer = {**auth("officer"), **PAGE}
    assert 'action="/osint/sources"' in client.get("/osint/sources", headers=officer).text
    bad = client.post(
        "/osint/sources", headers=officer, data={**data, "url": "ftp://x"}, follow_redirects=False
    )
    assert bad.status_code == 422
    assert "needs an http(s) URL" in bad.text
    made = client.post("/osint/sources", headers=officer, data=data, follow_redirects=False)
    assert made.status_code == 303
    again = client.post("/osint/sources", headers=officer, data=data, follow_redirects=False)
    assert again.status_code == 409
    with unit_of_work(session_factory(engine)) as session:
        assert [s.name for s in OsintService(session, SYSTEM).sources()] == ["Ledger feed"]
