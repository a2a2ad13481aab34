# SPDX-License-Identifier: Apache-2.0
"""Who can read a marking (issue 16, item 7): the reach is the one policy's answer for each
partner's nation reader, its reasons explain exactly the refusals, its warnings name each
release that cannot reach its partner, and the API tells a caller nothing it may not read."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from leak_probes import PROBE_MARKINGS, principal_of
from liaison.audit.models import AuditEvent
from liaison.cli.main import app
from liaison.db.session import session_factory, unit_of_work
from liaison.registry.schemas import SecurityAgreementCreate
from liaison.registry.service import RegistryService
from liaison.security.classification import Classification
from liaison.security.markings import Caveat, Marking
from liaison.security.policy import can_read
from liaison.security.principal import SYSTEM, AgreementSpan
from liaison.security.reach import (
    Nation,
    effective_reach,
    nation_reader,
    preview_principal,
    reach_of,
    why_not,
)
from liaison.terminal import output

C = Classification
URL = "/api/v1/markings/reach"
DAY = dt.date(2026, 12, 6)
SPANS = {
    "none": (),
    "nr": (AgreementSpan(dt.date(2010, 1, 1), None, C.NATO_RESTRICTED),),
    "ns": (AgreementSpan(dt.date(2010, 1, 1), None, C.NATO_SECRET),),
    "ended": (AgreementSpan(dt.date(2010, 1, 1), dt.date(2020, 1, 1), C.NATO_SECRET),),
    "future": (AgreementSpan(dt.date(2030, 1, 1), None, C.NATO_SECRET),),
}


def _markings() -> list[Marking]:
    found = [Marking(C.PUBLIC)]
    releases = [frozenset(), frozenset({"KOR"}), frozenset({"IP4"}), frozenset({"JPN", "AUS"})]
    for level, release, ntk in itertools.product(
        list(C)[1:], releases, [frozenset(), frozenset({"cyber"})]
    ):
        found.append(Marking(level, release, communities=ntk))
    found.append(Marking(C.NATO_SECRET, caveats=frozenset({Caveat.ATOMAL})))
    return found


@pytest.mark.parametrize("spans", sorted(SPANS))
def test_a_reason_is_given_exactly_when_the_policy_refuses(spans):
    reader = nation_reader("KOR", frozenset({"IP4"}), SPANS[spans], frozenset({"cyber"}))
    for marking in _markings():
        reason = why_not(reader, marking, DAY)
        assert (reason is None) == can_read(reader, marking, DAY), marking


def _nations(kor=()):
    return [
        Nation("KOR", "Korea", frozenset({"IP4"}), kor),
        Nation("JPN", "Japan", frozenset({"IP4"}), SPANS["ns"]),
        Nation("AUS", "Australia", frozenset({"IP4"}), SPANS["ns"]),
        Nation("NZL", "New Zealand", frozenset({"IP4"}), ()),
        Nation("CHE", "Switzerland", frozenset({"PFP"}), ()),
    ]


def test_a_release_to_a_partner_without_agreement_warns():
    reach = reach_of(Marking(C.NATO_RESTRICTED, frozenset({"KOR"})), DAY, _nations())
    assert [p.code for p in reach.partners] == ["KOR"]
    assert reach.readers == ()
    assert reach.warnings == ("Korea cannot read this: no security agreement in force",)


def test_nato_unclassified_needs_no_agreement():
    reach = reach_of(Marking(C.NATO_UNCLASSIFIED, frozenset({"IP4"})), DAY, _nations())
    assert [p.name for p in reach.readers] == ["Australia", "Japan", "Korea", "New Zealand"]
    assert reach.warnings == ()


def test_a_group_release_warns_for_each_member_it_cannot_reach():
    reach = reach_of(Marking(C.NATO_RESTRICTED, frozenset({"IP4"})), DAY, _nations())
    assert [p.name for p in reach.readers] == ["Australia", "Japan"]
    assert reach.warnings == (
        "Korea, New Zealand (IP4) cannot read this: no security agreement in force",
    )


def test_the_agreement_on_the_day_counts():
    marking = Marking(C.NATO_SECRET, frozenset({"KOR"}))
    for spans, reads in [("ns", True), ("nr", False), ("ended", False), ("future", False)]:
        reach = reach_of(marking, DAY, _nations(SPANS[spans]))
        assert bool(reach.readers) is reads, spans
    low = reach_of(marking, DAY, _nations(SPANS["nr"]))
    assert low.warnings == (
        (
            "Korea cannot read this: its security agreement in force covers only up to "
            "NATO RESTRICTED"
        ),
    )


def test_nato_only_and_caveats_reach_no_partner_and_say_which_allies():
    secret = reach_of(Marking(C.NATO_SECRET), DAY, _nations())
    assert secret.partners == ()
    assert secret.warnings == ()
    assert secret.allies == "allies' users cleared NATO SECRET or higher"
    atomal = Marking(C.NATO_SECRET, caveats=frozenset({Caveat.ATOMAL}), communities={"cyber"})
    assert reach_of(atomal, DAY, _nations()).allies == (
        "allies' users cleared NATO SECRET or higher holding ATOMAL in the community cyber"
    )
    assert reach_of(Marking(C.PUBLIC), DAY, _nations()).public


def test_a_release_to_no_partner_warns_unless_it_is_an_ally():
    marking = Marking(C.NATO_RESTRICTED, frozenset({"CHN", "FRA"}))
    reach = reach_of(marking, DAY, _nations(), allies=frozenset({"FRA"}), names={"CHN": "China"})
    assert reach.warnings == ("China is not a partner: nobody there can read this",)


def test_effective_reach_is_what_the_policy_lets_a_partner_read(engine):
    assert effective_reach(principal_of(engine, "korea")) == (
        "PUBLIC, NATO UNCLASSIFIED releasable to KOR/IP4/PAG"
    )
    assert effective_reach(principal_of(engine, "japan")) == (
        "PUBLIC, up to NATO SECRET releasable to JPN/IP4/IPF/PAG"
    )
    assert effective_reach(principal_of(engine, "officer")) == "NATO SECRET"


@pytest.mark.parametrize("viewer", ["admin", "officer", "analyst"])
@pytest.mark.parametrize("partner", ["japan", "korea", "australia"])
def test_a_preview_reads_nothing_either_may_not(engine, viewer, partner):
    seen, own = principal_of(engine, viewer), principal_of(engine, partner)
    reader = nation_reader(own.nation, own.groups, own.agreements)
    preview = preview_principal(seen, reader)
    for marking in _markings():
        if can_read(preview, marking, DAY):
            assert can_read(seen, marking, DAY), marking
            assert can_read(reader, marking, DAY), marking
    assert preview.permissions == frozenset()


# the API --------------------------------------------------------------------------------------
def test_the_api_warns_that_korea_cannot_read_nr_rel_kor(client, auth):
    r = client.get(URL, params={"marking": "NR // REL KOR"}, headers=auth("officer"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["marking"] == "NR // REL KOR"
    assert body["readers"] == []
    assert body["warnings"] == ["South Korea cannot read this: no security agreement in force"]
    assert body["partners"] == [
        {
            "code": "KOR",
            "name": "South Korea",
            "reads": False,
            "reason": "no security agreement in force",
            "via": "KOR",
        }
    ]


def test_the_api_names_the_ip4_readers_and_the_day_counts(client, auth):
    h = auth("officer")
    body = client.get(URL, params={"marking": "NU // REL IP4"}, headers=h).json()
    assert body["readers"] == ["Australia", "Japan", "New Zealand", "South Korea"]
    before = client.get(
        URL, params={"marking": "NR // REL JPN", "on": "2010-06-24"}, headers=h
    ).json()
    assert before["warnings"] == ["Japan cannot read this: no security agreement in force"]
    after = client.get(URL, params={"marking": "NR // REL JPN", "on": "2010-06-25"}, headers=h)
    assert after.json()["readers"] == ["Japan"]


def test_the_api_refuses_anonymous_and_explains_a_bad_marking(client, auth):
    assert client.get(URL, params={"marking": "NR // REL KOR"}).status_code == 401
    r = client.get(URL, params={"marking": "NATO SORTA SECRET"}, headers=auth("officer"))
    assert r.status_code == 422
    assert "unknown classification" in r.json()["detail"]


def _agreement(engine, partner, level, marking=None):
    """An agreement of ``partner`` in force since 2020 up to ``level``, marked ``marking``."""
    with unit_of_work(session_factory(engine)) as session:
        RegistryService(session, SYSTEM).create_agreement(
            SecurityAgreementCreate(
                partner=partner,
                title=f"{partner} probe agreement",
                kind="binding_agreement",
                signed_on="2020-01-01",
                in_force_on="2020-01-01",
                max_level=level,
                marking=marking,
            )
        )


def test_an_agreement_the_caller_may_not_read_counts_as_absent(client, auth, engine):
    _agreement(
        engine, "KOR", "NATO SECRET", "NS"
    )  # NATO only, NATO SECRET: the analyst (NR) may not
    ask = {"marking": "NR // REL KOR"}
    officer = client.get(URL, params=ask, headers=auth("officer")).json()
    analyst = client.get(URL, params=ask, headers=auth("analyst")).json()
    assert officer["readers"] == ["South Korea"]
    assert officer["warnings"] == []
    assert analyst["readers"] == []
    assert analyst["warnings"] == ["South Korea cannot read this: no security agreement in force"]


@pytest.mark.parametrize("text", PROBE_MARKINGS)
def test_a_partner_learns_nothing_about_another_partners_agreements(client, auth, engine, text):
    """Korea's answer is about Korea only, and the same whether or not other partners'
    agreements exist."""
    ask = {"marking": text}
    before = client.get(URL, params=ask, headers=auth("korea")).json()
    _agreement(engine, "NZL", "COSMIC TOP SECRET")
    after = client.get(URL, params=ask, headers=auth("korea")).json()
    assert before == after
    assert {p["code"] for p in after["partners"]} <= {"KOR"}
    assert all("South Korea" in w for w in after["warnings"])


def test_an_allys_reach_audits_the_agreements_it_read(client, auth, engine):
    client.get(URL, params={"marking": "NS // REL JPN"}, headers=auth("officer"))
    with unit_of_work(session_factory(engine)) as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor == "officer")
        ).all()
    assert "registry:security_agreement:read" in actions


@pytest.mark.parametrize(
    "text", ["NR // REL a\x00b", "NR // REL " + "x" * 480, "NR // NTK \x1f", "//", "NR // REL"]
)
def test_odd_markings_are_invalid_input_never_a_server_error(client, auth, text):
    for user in ("officer", "korea"):
        r = client.get(URL, params={"marking": text}, headers=auth(user))
        assert r.status_code == 422, (user, r.text)


def test_the_cli_answers_as_the_api_does(monkeypatch, db_url, client, auth):
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    monkeypatch.setattr(output.console, "_width", 250)  # one table row per partner
    runner = CliRunner()
    result = runner.invoke(app, ["reach", "NR // REL KOR", "--as", "officer"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "│ South Korea" in line)
    assert [cell.strip() for cell in row.split("│")[1:6]] == [
        "South Korea",
        "KOR",
        "KOR",
        "no",
        "no security agreement in force",
    ]
    assert "warning: South Korea cannot read this: no security agreement in force" in (
        result.stderr
    )
    as_json = runner.invoke(app, ["reach", "NU // REL IP4", "--as", "korea", "--format", "json"])
    api = client.get(URL, params={"marking": "NU // REL IP4"}, headers=auth("korea")).json()
    assert json.loads(as_json.stdout) == api
    bad = runner.invoke(app, ["reach", "NATO SORTA SECRET", "--as", "officer"])
    assert bad.exit_code == 2
