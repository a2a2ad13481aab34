# SPDX-License-Identifier: Apache-2.0
"""The leak suite for decisions, after ``tests/documents/test_document_leaks.py``: one probe
proposal per marking (its text, a position and a statement each carry a sentinel) × every read
surface (API get, standings, positions, versions, list, inbox, notifications, calendar; pages
list, proposal, status fragment, inbox, notifications; CLI list and show) × principals of every
kind. Each surface shows a probe exactly when ``can_read`` allows, and nothing else about it.

Every reader also holds a notification about every probe (as if a proposal had been re-marked
above them since): the notification lists must still show only what the reader may read.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from leak_probes import PROBE_MARKINGS, USERS, principal_of
from liaison.cli.main import app
from liaison.db.session import session_factory, unit_of_work
from liaison.decisions.models import Notification, NotificationKind
from liaison.decisions.schemas import PositionCreate, ProposalCreate
from liaison.decisions.service import DecisionService
from liaison.security.marking_store import MarkingStore
from liaison.security.models import User
from liaison.security.policy import can_read
from liaison.security.principal import SYSTEM

BASE = "/api/v1/decisions"
HTML = {"accept": "text/html"}
DELEGATION_USERS = {"analyst"}  # Italy's delegation: an elector of every probe


@pytest.fixture
def probes(engine):
    """title → (id, marking); text, statement and deadline carry the sentinel."""
    made = {}
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=5)
    with unit_of_work(session_factory(engine)) as session:
        service = DecisionService(session, SYSTEM)
        for index, text in enumerate(PROBE_MARKINGS):
            title = f"Leak probe {index:02d}"
            view = service.open(
                ProposalCreate(
                    title=title, text=f"sentinel {index:02d} text", marking=text, deadline=deadline
                )
            )
            service.record_position(
                view.proposal.id,
                PositionCreate(
                    ally="FRA", stance="footnote", statement=f"sentinel {index:02d} statement"
                ),
            )
            made[title] = (view.proposal.id, MarkingStore(session).get(view.proposal.marking_id))
        users = session.scalars(select(User.id)).all()
        for user_id in users:
            for pid, _ in made.values():
                session.add(
                    Notification(
                        user_id=user_id,
                        proposal_id=pid,
                        kind=NotificationKind.DECIDED,
                        created_at=deadline,
                    )
                )
    return made


def titles_in(text, probes):
    return {title for title in probes if title in text}


def by_id(client, headers, probes, suffix, html=False):
    seen = set()
    for title, (ident, _) in probes.items():
        path = f"/decisions/{ident}{suffix}" if html else f"{BASE}/{ident}{suffix}"
        r = client.get(path, headers={**HTML, **headers} if html else headers)
        assert r.status_code in {200, 404}, r.text
        if r.status_code == 200:
            seen.add(title)
            if suffix in {"/standings", "/positions"}:
                assert f"sentinel {title[-2:]} statement" in r.text
        else:
            assert title not in r.text
            assert "sentinel" not in r.text
    return seen


def api_items(client, path, headers, key="title"):
    r = client.get(path, headers=headers, params={"limit": 1000})
    if r.status_code == 401:
        return set()
    body = r.json()
    assert body["total"] == len(body["items"])
    return {item[key] for item in body["items"]}


def calendar_titles(client, headers, probes):
    r = client.get(f"{BASE}/calendar.ics", headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    unfolded = r.text.replace("\r\n ", "")  # RFC 5545 folds long lines
    for title in set(probes) - titles_in(unfolded, probes):
        assert f"sentinel {title[-2:]}" not in unfolded
    return titles_in(unfolded, probes)


def page(client, path, headers):
    r = client.get(path, params={"limit": 1000}, headers={**HTML, **headers})
    if r.status_code == 401:
        return ""
    assert r.status_code == 200
    return r.text


def surfaces(client, headers, probes):
    return {
        "api-get": by_id(client, headers, probes, ""),
        "api-standings": by_id(client, headers, probes, "/standings"),
        "api-positions": by_id(client, headers, probes, "/positions"),
        "api-versions": by_id(client, headers, probes, "/versions"),
        "api-list": api_items(client, BASE, headers) & set(probes),
        "api-search": api_items(client, f"{BASE}?q=probe", headers) & set(probes),
        "api-calendar": calendar_titles(client, headers, probes),
        "page-proposal": by_id(client, headers, probes, "", html=True),
        "page-status": by_id(client, headers, probes, "/status", html=True),
        "page-list": titles_in(page(client, "/decisions", headers), probes),
    }


def personal_surfaces(client, headers, probes):
    return {
        "api-inbox": api_items(client, f"{BASE}/inbox", headers) & set(probes),
        "page-inbox": titles_in(page(client, "/decisions/inbox", headers), probes),
        "api-notifications": api_items(client, f"{BASE}/notifications", headers) & set(probes),
        "page-notifications": titles_in(page(client, "/decisions/notifications", headers), probes),
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
    notified = expected if username else set()
    awaiting = expected if username in DELEGATION_USERS else set()
    for surface, visible in personal_surfaces(client, headers, probes).items():
        wanted = awaiting if "inbox" in surface else notified
        assert visible == wanted, {
            "surface": surface,
            "leaked": sorted(visible - wanted),
            "missing": sorted(wanted - visible),
        }
    if username is not None:
        assert cli_titles(db_url, username, probes) == expected
        hidden = sorted(set(probes) - expected)
        if hidden:
            ident = probes[hidden[0]][0]
            result = cli(db_url, ["decisions", "show", str(ident), "--as", username])
            assert result.exit_code != 0
            assert "sentinel" not in result.output
            assert f"no proposal {ident}" in result.output


def cli(db_url, args):
    return CliRunner().invoke(app, args, env={"LIAISON_DATABASE_URL": db_url, "COLUMNS": "400"})


def cli_titles(db_url, username, probes):
    result = cli(db_url, ["decisions", "list", "--limit", "1000", "--as", username])
    assert result.exit_code == 0, result.output
    return titles_in(result.output, probes)
