# SPDX-License-Identifier: Apache-2.0
"""The leak suite for programmes: one probe section, goal, activity and comment per marking
(every level, NATO only and released, groups, caveats, need-to-know), inside a programme
marked ``NU // REL IP4`` (which caps them), plus a NATO-only programme partners must never
see — × every read surface (API detail, lists, one section, versions, comments, dashboard,
comparison, road map; pages; PDF, DOCX, calendar; CLI) × principals of every kind.

Each surface must show a probe exactly when the policy allows its (capped) marking, and
nothing else about it: hidden probes are absent from lists, counts, exports and feeds.
"""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from programme_helpers import BASE, HTML
from pypdf import PdfReader
from typer.testing import CliRunner

from leak_probes import PROBE_MARKINGS, USERS, principal_of
from liaison.cli.main import app
from liaison.db.session import session_factory, unit_of_work
from liaison.events import subject_suggestions
from liaison.kit import clock
from liaison.programmes.models import (
    Comment,
    PartnershipGoal,
    Programme,
    ProgrammeActivity,
    ProgrammeSection,
)
from liaison.programmes.rules import ProgrammeStatus
from liaison.programmes.schemas import (
    ActivityCreate,
    CommentCreate,
    GoalCreate,
    ProgrammeCreate,
    SectionCreate,
)
from liaison.programmes.service import ProgrammeService
from liaison.security.marking_store import MarkingStore
from liaison.security.policy import can_read
from liaison.security.principal import SYSTEM
from liaison.terminal import output

REF = "ITPP-JPN-2023"
HIDDEN = "ITPP-KOR-2023"  # NATO only: no partner may see it
S = ProgrammeStatus


def _drive(service, ref, on):
    service.transition(ref, S.SUBMITTED, on)
    service.record_approval(ref, on, "PO(2023)1")
    service.transition(ref, S.AGREED, on)
    service.transition(ref, S.IN_FORCE, on)


@pytest.fixture
def probes(engine):
    """index → {model: stored marking} for every probe, in a programme in force."""
    today = clock.today()
    made = {}
    with unit_of_work(session_factory(engine)) as session:
        service = ProgrammeService(session, SYSTEM)
        store = MarkingStore(session)
        start = dt.date(2023, 1, 1)
        service.create(ProgrammeCreate(partner="JPN", period_start=start, marking="NU // REL IP4"))
        for i, text in enumerate(PROBE_MARKINGS):
            section = service.add_section(
                REF,
                SectionCreate(heading=f"Probe section {i:02d}", body=f"body {i:02d}", marking=text),
            )
            goal = service.add_goal(
                REF,
                GoalCreate(
                    area="cyber-defence",
                    title=f"Probe goal {i:02d}",
                    due_on=dt.date(2024, 6, 30),
                    marking=text,
                ),
            )
            act = service.add_activity(
                REF,
                ActivityCreate(
                    goal_id=goal.row.id,
                    title=f"Probe activity {i:02d}",
                    kind="course",
                    start_on=today.replace(day=1),
                    end_on=today,
                    marking=text,
                ),
            )
            made[i] = {
                ProgrammeSection: (section.row.id, section.marking),
                PartnershipGoal: (goal.row.id, goal.marking),
                ProgrammeActivity: (act.row.id, act.marking),
            }
        _drive(service, REF, dt.date(2023, 7, 12))
        for i, kinds in made.items():
            section_id = kinds[ProgrammeSection][0]
            comment = service.add_comment(
                REF, section_id, CommentCreate(body=f"Probe comment {i:02d}")
            )
            kinds[Comment] = (comment.row.id, comment.marking)
        service.create(ProgrammeCreate(partner="KOR", period_start=start, marking="NR"))
        service.add_section(HIDDEN, SectionCreate(heading="Hidden section", body="body"))
        service.add_goal(
            HIDDEN,
            GoalCreate(area="space", title="Hidden goal", due_on=dt.date(2024, 1, 1)),
        )
        _drive(service, HIDDEN, dt.date(2023, 7, 11))
        programme_marking = store.get(service.repo.programme(REF).marking_id)
    return made, programme_marking


def seen(text, word):
    return {i for i in range(len(PROBE_MARKINGS)) if f"Probe {word} {i:02d}" in text}


def expected_for(principal, made, programme_marking, model):
    if not can_read(principal, programme_marking):
        return set()
    return {i for i, kinds in made.items() if can_read(principal, kinds[model][1])}


def per_id(client, headers, made, model, url):
    visible = set()
    for i, kinds in made.items():
        r = client.get(url(kinds[model][0]), headers=headers)
        assert r.status_code in {200, 404}, r.text
        if r.status_code == 200:
            visible.add(i)
        else:
            assert "Probe" not in r.text
    return visible


def pdf_text(data):
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def docx_text(data):
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def surfaces(client, headers, made):
    def get(path, **kw):
        return client.get(path, headers={**headers, **kw.pop("extra", {})}, params=kw)

    detail = get(f"{BASE}/{REF}")
    found = {"section": {}, "goal": {}, "activity": {}, "comment": {}}
    if detail.status_code == 200:
        found["section"]["api-detail"] = seen(detail.text, "section")
        found["goal"]["api-detail"] = seen(detail.text, "goal")
        found["activity"]["api-detail"] = seen(detail.text, "activity")
        found["section"]["api-list"] = seen(get(f"{BASE}/{REF}/sections").text, "section")
        found["goal"]["api-list"] = seen(get(f"{BASE}/{REF}/goals").text, "goal")
        found["activity"]["api-list"] = seen(get(f"{BASE}/{REF}/activities").text, "activity")
        for name, path in (
            ("page-detail", f"/programmes/{REF}"),
            ("page-document", f"/programmes/{REF}/document"),
            ("page-roadmap", f"/programmes/{REF}/roadmap"),
        ):
            text = get(path, extra=HTML).text
            found["section"][name] = (
                seen(text, "section") if name != "page-roadmap" else found["section"]["api-list"]
            )
            found["goal"][name] = seen(text, "goal")
            found["activity"][name] = seen(text, "activity")
        pdf = pdf_text(get(f"{BASE}/{REF}/document.pdf").content)
        word = docx_text(get(f"{BASE}/{REF}/document.docx").content)
        for kind in ("section", "goal", "activity"):
            found[kind]["pdf"] = seen(pdf, kind)
            found[kind]["docx"] = seen(word, kind)
        svg = get(f"{BASE}/{REF}/roadmap.svg").text
        found["activity"]["roadmap-svg"] = seen(svg, "activity")
        found["goal"]["roadmap-svg"] = seen(svg, "goal")
    else:
        assert detail.status_code == 404
        assert "Probe" not in detail.text
    found["section"]["api-one"] = per_id(
        client, headers, made, ProgrammeSection, lambda i: f"{BASE}/{REF}/sections/{i}"
    )
    found["section"]["page-one"] = per_id(
        client,
        {**headers, **HTML},
        made,
        ProgrammeSection,
        lambda i: f"/programmes/{REF}/sections/{i}",
    )
    found["section"]["api-revisions"] = per_id(
        client,
        headers,
        made,
        ProgrammeSection,
        lambda i: f"{BASE}/{REF}/sections/{i}/revisions",
    )
    found["goal"]["page-one"] = per_id(
        client,
        {**headers, **HTML},
        made,
        PartnershipGoal,
        lambda i: f"/programmes/{REF}/goals/{i}",
    )
    found["goal"]["api-revisions"] = per_id(
        client,
        headers,
        made,
        PartnershipGoal,
        lambda i: f"{BASE}/{REF}/goals/{i}/revisions",
    )
    comments = ""
    for kinds in made.values():
        r = get(f"{BASE}/{REF}/sections/{kinds[ProgrammeSection][0]}/comments")
        comments += r.text if r.status_code == 200 else ""
    found["comment"]["api-comments"] = seen(comments, "comment")
    dash = get(f"{BASE}/dashboard", horizon=3000).text + get("/programmes", extra=HTML).text
    found["goal"]["dashboard"] = seen(dash, "goal")
    found["activity"]["dashboard"] = seen(dash, "activity")
    if headers:
        ics = get(f"{BASE}/calendar.ics").text
        found["goal"]["calendar"] = seen(ics, "goal")
        found["activity"]["calendar"] = seen(ics, "activity")
    return found, dash, get(f"{BASE}/compare").json()


MODELS = {
    "section": ProgrammeSection,
    "goal": PartnershipGoal,
    "activity": ProgrammeActivity,
    "comment": Comment,
}


@pytest.mark.parametrize("username", USERS)
def test_visible_exactly_when_the_policy_allows(
    client, auth, engine, db_url, probes, username, monkeypatch
):
    monkeypatch.setattr(output.console, "_width", 250)  # one table row per goal
    made, programme_marking = probes
    principal = principal_of(engine, username)
    headers = auth(username) if username else {}
    found, dash, compare = surfaces(client, headers, made)
    for kind, by_surface in found.items():
        expected = expected_for(principal, made, programme_marking, MODELS[kind])
        if username not in {None, "korea"}:
            assert 0 < len(expected) < len(made), (kind, username)
        for surface, visible in by_surface.items():
            assert visible == expected, {
                "kind": kind,
                "surface": surface,
                "leaked": sorted(visible - expected),
                "missing": sorted(expected - visible),
            }
    goals = expected_for(principal, made, programme_marking, PartnershipGoal)
    jpn = sum(row["goals"].get("JPN", 0) for row in compare["areas"])
    assert jpn == len(goals)
    hidden_visible = can_read(principal, MarkingStore_get(engine, HIDDEN))
    assert ("Hidden goal" in dash) == hidden_visible
    r = client.get(f"{BASE}/{HIDDEN}", headers=headers)
    assert r.status_code == (200 if hidden_visible else 404)
    listed = client.get(BASE, headers=headers, params={"limit": 1000}).json()
    assert listed["total"] == len(listed["items"])
    assert (HIDDEN in {p["reference"] for p in listed["items"]}) == hidden_visible
    if username is not None:
        assert cli_seen(db_url, username) == expected_for(
            principal, made, programme_marking, PartnershipGoal
        )


def MarkingStore_get(engine, ref):  # noqa: N802 - reads like the store it wraps
    with unit_of_work(session_factory(engine)) as session:
        programme = ProgrammeService(session, SYSTEM).repo.programme(ref)
        assert isinstance(programme, Programme)
        return MarkingStore(session).get(programme.marking_id)


def cli_seen(db_url, username):
    env = {"LIAISON_DATABASE_URL": db_url, "COLUMNS": "250"}
    result = CliRunner().invoke(app, ["programmes", "show", REF, "--as", username], env=env)
    if result.exit_code != 0:
        assert "no programme" in result.output
        return set()
    return seen(result.output, "goal")


@pytest.fixture
def submitted_probes(engine):
    """reference → stored marking: one submitted programme per probe marking (Japan's, a
    year each), the subjects a new proposal's form suggests to those who may read them."""
    made = {}
    with unit_of_work(session_factory(engine)) as session:
        service = ProgrammeService(session, SYSTEM)
        store = MarkingStore(session)
        for i, text in enumerate(PROBE_MARKINGS):
            start = dt.date(2040 + i, 1, 1)
            view = service.create(ProgrammeCreate(partner="JPN", period_start=start, marking=text))
            ref = view.programme.reference
            service.transition(ref, S.SUBMITTED, clock.today())
            made[ref] = store.get(session.get(Programme, view.programme.id).marking_id)
    return made


@pytest.mark.parametrize("username", USERS)
def test_subject_suggestions_are_what_the_reader_may_read(engine, submitted_probes, username):
    """The new-proposal form's suggestions (``events.subject_suggestions``): korea, japan and
    the others are offered exactly the submitted programmes the policy lets them read."""
    principal = principal_of(engine, username)
    with unit_of_work(session_factory(engine)) as session:
        offered = {s.value for s in subject_suggestions(session, principal)}
    expected = {ref for ref, marking in submitted_probes.items() if can_read(principal, marking)}
    assert offered & set(submitted_probes) == expected
