# SPDX-License-Identifier: Apache-2.0
"""The home page (issue 16, item 1): what needs me, from every feature's tiles, through the one
policy. A reader's home is the same, byte for byte, whether or not records hidden from them
exist; counts and the banner count only what the reader may see."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison.db.session import session_factory, unit_of_work
from liaison.decisions.demo import create_delegation_accounts
from liaison.decisions.schemas import ProposalCreate
from liaison.decisions.service import DecisionService
from liaison.kit import clock
from liaison.programmes.demo import create_demo_programmes
from liaison.security.principal import SYSTEM

HTML = {"Accept": "text/html"}


@pytest.fixture
def world(engine):
    with unit_of_work(session_factory(engine)) as session:
        create_delegation_accounts(session)
        create_demo_programmes(session)


def _open(engine, title: str, marking: str, days: float = 3) -> str:
    data = ProposalCreate(
        title=title,
        text="The Council agrees.",
        marking=marking,
        deadline=clock.utcnow() + dt.timedelta(days=days),
    )
    with unit_of_work(session_factory(engine)) as session:
        return DecisionService(session, SYSTEM).open(data).proposal.reference


def _home(client, headers) -> str:
    response = client.get("/", headers={**HTML, **headers})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    return response.text


def _section(html: str, key: str) -> str:
    start = html.index(f'id="{key}"')
    return html[start : html.index("</section>", start)]


def test_a_delegation_sees_what_awaits_its_position(client, auth, engine, world):
    ref = _open(engine, "Open a liaison office in Testville", "NU")
    later = _open(engine, "A later question", "NU", days=20)
    html = _home(client, auth("france"))
    awaiting = _section(html, "awaiting")
    assert "Awaiting France&#39;s position" in awaiting
    assert ref in awaiting
    assert later in awaiting
    silence = _section(html, "silence")
    assert ref in silence
    assert later not in silence  # its silence ends in 20 days
    # the ITPPs due for renewal are NATO RESTRICTED: the strictest thing on the page
    assert "ITPP-JPN-2023" in _section(html, "renewals")
    assert '<div class="banner" data-level="NATO RESTRICTED">' in html


def test_the_officer_sees_programmes_stuck_between_agreed_and_in_force(client, auth, world):
    html = _home(client, auth("officer"))
    stuck = _section(html, "stuck-agreed")
    assert "ITPP-NZL-2024" in stuck
    assert "agreed 2024-07-10" in stuck
    assert 'href="/programmes/ITPP-NZL-2024"' in stuck
    assert "awaiting" not in html  # the officer is in no ally's delegation


def test_hidden_records_leave_a_partners_home_unchanged(client, auth, engine, world):
    korea, japan = auth("korea"), auth("japan")
    before = {"korea": _home(client, korea), "japan": _home(client, japan)}
    _open(engine, "Secret matter", "NS", days=2)
    _open(engine, "Alliance-only matter", "NU", days=2)
    assert _home(client, korea) == before["korea"]
    assert _home(client, japan) == before["japan"]
    assert "Secret matter" not in before["korea"]
    assert _section(before["korea"], "silence").count("<li") == 0


def test_the_banner_is_the_strictest_marking_on_the_page(client, auth, engine, world):
    _open(engine, "Secret matter", "NS", days=2)
    officer = _home(client, auth("officer"))
    assert "Secret matter" in _section(officer, "silence")
    assert '<div class="banner" data-level="NATO SECRET">NATO SECRET</div>' in officer
    analyst = _home(client, auth("analyst"))  # cleared NATO RESTRICTED: it is absent
    assert "Secret matter" not in analyst
    assert "NATO SECRET" not in analyst


def test_anonymous_sees_the_public_registry_only(client, world):
    html = _home(client, {})
    assert 'class="banner"' not in html
    assert 'id="registry"' in html
    assert 'id="silence"' in html
    assert 'id="notifications"' not in html


def test_the_silence_tile_counts_every_readable_procedure_in_the_window(
    client, auth, engine, world
):
    shown = [_open(engine, f"Question {n}", "NU", days=1 + n / 2) for n in range(7)]
    _open(engine, "A question past the window", "NU", days=9)
    silence = _section(_home(client, auth("korea")), "silence")
    assert silence.count("<li") == 0  # NU without REL: none of it is korea's
    silence = _section(_home(client, auth("france")), "silence")
    assert [ref in silence for ref in shown] == [True] * 5 + [False] * 2  # nearest five
    assert 'aria-label="7 in all"' in silence
    assert "All 7 →" in silence
