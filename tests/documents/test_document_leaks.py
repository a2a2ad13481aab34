# SPDX-License-Identifier: Apache-2.0
"""The leak suite for documents, after ``tests/security/test_leaks.py``: one probe document per
marking (every level, NATO only and released, groups, caveats, need-to-know) × every read
surface (API get, preview, content, list, search, facets; pages list, search, document; CLI)
× principals of every kind. Each surface must show a probe exactly when ``can_read`` allows,
and nothing else about it: hidden probes are absent from lists, counts and search snippets.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from leak_probes import PROBE_MARKINGS, USERS, principal_of
from liaison.cli.main import app
from liaison.db.session import session_factory, unit_of_work
from liaison.documents.schemas import NoteCreate
from liaison.documents.service import DocumentService
from liaison.security.marking_store import MarkingStore
from liaison.security.policy import can_read
from liaison.security.principal import SYSTEM

BASE = "/api/v1/documents"
HTML = {"accept": "text/html"}


@pytest.fixture
def probes(engine):
    """title → (id, marking) for one probe note per marking; every body says 'sentinel'."""
    made = {}
    with unit_of_work(session_factory(engine)) as session:
        service = DocumentService(session, SYSTEM)
        for index, text in enumerate(PROBE_MARKINGS):
            title = f"Leak probe {index:02d}"
            view = service.add_note(
                NoteCreate(title=title, body=f"sentinel {index:02d} body", marking=text)
            )
            made[title] = (view.document.id, MarkingStore(session).get(view.document.marking_id))
    return made


def titles_in(text, probes):
    return {title for title in probes if title in text}


def api_status(client, headers, probes, suffix):
    seen = set()
    for title, (ident, _) in probes.items():
        r = client.get(f"{BASE}/{ident}{suffix}", headers=headers)
        assert r.status_code in {200, 404}, r.text
        if r.status_code == 200:
            seen.add(title)
        else:
            assert title not in r.text
            assert "sentinel" not in r.text
    return seen


def api_list(client, headers, probes, **params):
    body = client.get(BASE, headers=headers, params={"limit": 1000, **params}).json()
    assert body["total"] == len(body["items"])
    return {item["title"] for item in body["items"]}


def surfaces(client, headers, probes):
    def page(path, **params):
        r = client.get(path, params=params, headers={**HTML, **headers})
        assert r.status_code == 200
        return titles_in(r.text, probes)

    def pages():
        seen = set()
        for title, (ident, _) in probes.items():
            r = client.get(f"/documents/{ident}", headers={**HTML, **headers})
            assert r.status_code in {200, 404}
            if r.status_code == 200:
                seen.add(title)
            else:
                assert "sentinel" not in r.text
        return seen

    return {
        "api-get": api_status(client, headers, probes, ""),
        "api-preview": api_status(client, headers, probes, "/preview"),
        "api-content": api_status(client, headers, probes, "/content"),
        "api-list": api_list(client, headers, probes),
        "api-search": api_list(client, headers, probes, q="sentinel"),
        "page-list": page("/documents", limit=1000),
        "page-search": page("/documents", q="sentinel", limit=1000),
        "page-document": pages(),
    }


@pytest.mark.parametrize("username", USERS)
def test_visible_exactly_when_the_policy_allows(client, auth, engine, db_url, probes, username):
    principal = principal_of(engine, username)
    headers = auth(username) if username else {}
    expected = {t for t, (_, marking) in probes.items() if can_read(principal, marking)}
    assert 0 < len(expected) < len(probes) or username is None
    for surface, visible in surfaces(client, headers, probes).items():
        assert visible == expected, {
            "surface": surface,
            "leaked": sorted(visible - expected),
            "missing": sorted(expected - visible),
        }
    facets = client.get(f"{BASE}/facets", headers=headers).json()
    assert facets["total"] == len(expected)
    for partner in ("Japan", "Korea", "Australia", "IP4"):
        assert api_list(client, headers, probes, releasable_to=partner) <= expected
    if username is not None:
        assert cli_titles(db_url, username, probes) == expected


def cli_titles(db_url, username, probes):
    env = {"LIAISON_DATABASE_URL": db_url}
    result = CliRunner().invoke(
        app, ["documents", "list", "--limit", "1000", "--as", username], env=env
    )
    assert result.exit_code == 0, result.output
    return titles_in(result.output, probes)
