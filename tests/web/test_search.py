# SPDX-License-Identifier: Apache-2.0
"""The one search (issue 16, item 2): page, API and CLI over registry, programmes, decisions
and documents, through the one policy — hidden records are absent from hits and counts, and a
reader's answer is the same whether or not they exist."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from liaison.cli.main import app
from liaison.db.session import session_factory, unit_of_work
from liaison.decisions.schemas import ProposalCreate
from liaison.decisions.service import DecisionService
from liaison.kit import clock
from liaison.programmes.demo import create_demo_programmes
from liaison.security.principal import SYSTEM

API = "/api/v1/search"


@pytest.fixture
def world(engine):
    with unit_of_work(session_factory(engine)) as session:
        create_demo_programmes(session)


def _open(engine, title: str, marking: str) -> str:
    data = ProposalCreate(
        title=title,
        text="The Council agrees.",
        marking=marking,
        deadline=clock.utcnow() + dt.timedelta(days=3),
    )
    with unit_of_work(session_factory(engine)) as session:
        return DecisionService(session, SYSTEM).open(data).proposal.reference


def _groups(body: dict) -> dict[str, dict]:
    return {g["kind"]: g for g in body["groups"]}


def test_one_search_finds_a_partner_by_any_name_and_its_programmes(client, auth, world):
    for name in ("Japan", "JPN", "japan"):
        body = client.get(API, params={"q": name}, headers=auth("officer")).json()
        groups = _groups(body)
        assert {"label": "Japan", "href": "/partners/JPN", "detail": "partner",
                "marking": "PUBLIC"} in groups["nations"]["hits"]  # fmt: skip
        if name != "JPN":
            labels = [h["label"] for h in groups["programmes"]["hits"]]
            assert any(label.startswith("ITPP-JPN-2023: ") for label in labels)
        assert body["total"] == sum(g["total"] for g in body["groups"])


def test_hidden_proposals_are_absent_and_change_nothing(client, auth, engine, world):
    korea, analyst = auth("korea"), auth("analyst")
    before = {
        who: client.get(API, params={"q": "matter"}, headers=h).text
        for who, h in (("korea", korea), ("analyst", analyst))
    }
    ref = _open(engine, "A secret matter", "NS")
    _open(engine, "An alliance matter", "NU")
    assert client.get(API, params={"q": "matter"}, headers=korea).text == before["korea"]
    officer = _groups(client.get(API, params={"q": "matter"}, headers=auth("officer")).json())
    assert officer["decisions"]["total"] == 2
    assert ref in json.dumps(officer["decisions"])
    shown = _groups(client.get(API, params={"q": "matter"}, headers=analyst).json())
    assert shown["decisions"]["total"] == 1  # the analyst is cleared NATO RESTRICTED
    assert ref not in json.dumps(shown["decisions"])
    page = client.get("/search", params={"q": ref}, headers=korea).text
    assert "Nothing you may read matches" in page
    assert 'id="hits-decisions"' not in page


def test_wildcards_match_only_themselves(client, auth, world):
    for q in ("%", "_", "\\"):
        body = client.get(API, params={"q": q}, headers=auth("officer")).json()
        assert body == {"query": q, "total": 0, "groups": []}


def test_bad_queries_are_refused_clearly(client, auth):
    assert client.get(API, params={"q": ""}, headers=auth("officer")).status_code == 422
    too_long = client.get(API, params={"q": "x" * 201}, headers=auth("officer"))
    assert too_long.status_code == 422
    page = client.get("/search", params={"q": "x" * 201}, headers={"Accept": "text/html"})
    assert page.status_code == 422
    assert "a search is at most 200 characters" in page.text
    blank = client.get("/search", params={"q": "   "}, headers={"Accept": "text/html"})
    assert blank.status_code == 200  # the form, waiting for words
    assert "result" not in blank.text


def test_the_page_groups_hits_and_carries_the_strictest_banner(client, auth, engine, world):
    _open(engine, "Tokyo matter", "NS")
    html = client.get("/search", params={"q": "Tokyo"}, headers=auth("officer")).text
    assert 'id="hits-decisions"' in html
    assert 'id="hits-offices"' in html
    assert '<div class="banner" data-level="NATO SECRET">NATO SECRET</div>' in html
    assert 'data-shortcut="/"' in html


def test_the_cli_prints_the_apis_fields(monkeypatch, db_url, world, client, auth):
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    result = CliRunner().invoke(app, ["search", "Japan", "--as", "officer", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert (
        json.loads(result.output)
        == client.get(API, params={"q": "Japan"}, headers=auth("officer")).json()
    )
    unknown = CliRunner().invoke(app, ["search", "Japan", "--as", "nobody"])
    assert unknown.exit_code != 0
    assert "Traceback" not in unknown.output
