"""The leak suite: every marked model × every read surface × principals of every kind.

A *world* is a set of probe records, one per probe marking (every level, NATO only and
released to nations and groups, caveats, need-to-know), built once per backend into a
template that each test copies. A *surface* is one way of reading them — an API route, a
page, a fragment, an export, a feed, a CLI command — and says what it shows of the world's
probes and what the policy lets the reader see; the two must be equal, for each of the
readers in ``leak_probes.USERS``. Hidden probes are absent, not forbidden: 404 like a missing
id, missing from lists, counts, search snippets, exports and feeds.

A new read surface is one entry in ``SURFACES``; a new marked model one entry in ``WORLDS``.
(Sharing's TAXII surfaces have their own suite for now: tests/sharing/test_sharing_leaks.py;
the catalogue's and osint's too.)
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import select
from typer.testing import CliRunner

from leak_probes import PROBE_MARKINGS, USERS, principal_of
from liaison.cli.main import app
from liaison.db.session import session_factory, unit_of_work
from liaison.decisions.models import Notification, NotificationKind
from liaison.decisions.schemas import PositionCreate, ProposalCreate
from liaison.decisions.service import DecisionService
from liaison.documents.schemas import NoteCreate
from liaison.documents.service import DocumentService
from liaison.kit import clock
from liaison.programmes.rules import ProgrammeStatus
from liaison.programmes.schemas import (
    ActivityCreate,
    CommentCreate,
    GoalCreate,
    ProgrammeCreate,
    SectionCreate,
)
from liaison.programmes.service import ProgrammeService
from liaison.registry.schemas import SecurityAgreementCreate
from liaison.registry.service import RegistryService
from liaison.security.marking_store import MarkingStore
from liaison.security.markings import Marking
from liaison.security.models import User
from liaison.security.policy import can_read
from liaison.security.principal import SYSTEM, Principal
from liaison.terminal import output

HTML = {"accept": "text/html"}
AGREEMENTS, DOCUMENTS = "/api/v1/security-agreements", "/api/v1/documents"
DECISIONS, PROGRAMMES = "/api/v1/decisions", "/api/v1/programmes"
DELEGATION_USERS = {"analyst"}  # Italy's delegation: an elector of every probe proposal
REF = "ITPP-JPN-2023"  # the probes' programme, marked NU // REL IP4 (which caps them)
HIDDEN = "ITPP-KOR-2023"  # NATO only: no partner may see it


@dataclass(frozen=True)
class Probe:
    id: int
    marking: Marking
    partner: str = ""


# A world: probe title → probe (programmes: "<kind> NN" → probe, plus the two programmes).
World = dict[str, Probe]


@dataclass(frozen=True)
class Reader:
    client: Any
    headers: dict[str, str]
    username: str | None
    principal: Principal
    db_url: str

    def get(self, path: str, *, html: bool = False, **params: Any) -> Any:
        headers = {**HTML, **self.headers} if html else self.headers
        return self.client.get(path, headers=headers, params=params)


# worlds --------------------------------------------------------------------------------------
def _title(index: int) -> str:
    return f"Leak probe {index:02d}"


def agreement_world(session) -> World:
    service, store, world = RegistryService(session, SYSTEM), MarkingStore(session), {}
    for index, text in enumerate(PROBE_MARKINGS):
        partner = ["JPN", "KOR", "AUS"][index % 3]
        agreement = service.create_agreement(
            SecurityAgreementCreate(
                partner=partner,
                title=f"{_title(index)} agreement",
                kind="binding_agreement",
                signed_on="2020-01-01",
                in_force_on="2020-01-01",
                max_level="NATO SECRET",
                marking=text,
            )
        )
        world[agreement.title] = Probe(agreement.id, store.get(agreement.marking_id), partner)
    return world


def document_world(session) -> World:
    """One note per marking; every body says 'sentinel'."""
    service, store, world = DocumentService(session, SYSTEM), MarkingStore(session), {}
    for index, text in enumerate(PROBE_MARKINGS):
        view = service.add_note(
            NoteCreate(title=_title(index), body=f"sentinel {index:02d} body", marking=text)
        )
        world[_title(index)] = Probe(view.document.id, store.get(view.document.marking_id))
    return world


def proposal_world(session) -> World:
    """One proposal per marking (its text, a position and a statement carry a sentinel), and
    every reader notified about every probe (as if one had been re-marked above them since)."""
    service, store, world = DecisionService(session, SYSTEM), MarkingStore(session), {}
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=5)
    for index, text in enumerate(PROBE_MARKINGS):
        view = service.open(
            ProposalCreate(
                title=_title(index),
                text=f"sentinel {index:02d} text",
                marking=text,
                deadline=deadline,
            )
        )
        service.record_position(
            view.proposal.id,
            PositionCreate(
                ally="FRA", stance="footnote", statement=f"sentinel {index:02d} statement"
            ),
        )
        world[_title(index)] = Probe(view.proposal.id, store.get(view.proposal.marking_id))
    for user_id in session.scalars(select(User.id)).all():
        session.add_all(
            Notification(
                user_id=user_id,
                proposal_id=p.id,
                kind=NotificationKind.DECIDED,
                created_at=deadline,
            )
            for p in world.values()
        )
    return world


def _in_force(service, ref, on):
    service.transition(ref, ProgrammeStatus.SUBMITTED, on)
    service.record_approval(ref, on, "PO(2023)1")
    service.transition(ref, ProgrammeStatus.AGREED, on)
    service.transition(ref, ProgrammeStatus.IN_FORCE, on)


def programme_world(session) -> World:
    """A probe section, goal, activity and comment per marking in ``REF`` (in force), and a
    NATO-only programme ``HIDDEN`` with a hidden goal."""
    service, world = ProgrammeService(session, SYSTEM), {}
    today, start = clock.today(), dt.date(2023, 1, 1)
    programme = service.create(
        ProgrammeCreate(partner="JPN", period_start=start, marking="NU // REL IP4")
    )
    for i, text in enumerate(PROBE_MARKINGS):
        section = service.add_section(
            REF, SectionCreate(heading=f"Probe section {i:02d}", body=f"body {i:02d}", marking=text)
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
        world[f"section {i:02d}"] = Probe(section.row.id, section.marking)
        world[f"goal {i:02d}"] = Probe(goal.row.id, goal.marking)
        world[f"activity {i:02d}"] = Probe(act.row.id, act.marking)
    _in_force(service, REF, dt.date(2023, 7, 12))
    for i in range(len(PROBE_MARKINGS)):
        section_id = world[f"section {i:02d}"].id
        comment = service.add_comment(REF, section_id, CommentCreate(body=f"Probe comment {i:02d}"))
        world[f"comment {i:02d}"] = Probe(comment.row.id, comment.marking)
    world[REF] = Probe(programme.programme.id, programme.marking)
    hidden = service.create(ProgrammeCreate(partner="KOR", period_start=start, marking="NR"))
    service.add_section(HIDDEN, SectionCreate(heading="Hidden section", body="body"))
    service.add_goal(HIDDEN, GoalCreate(area="space", title="Hidden goal", due_on=start))
    _in_force(service, HIDDEN, dt.date(2023, 7, 11))
    world[HIDDEN] = Probe(hidden.programme.id, hidden.marking)
    return world


WORLDS: dict[str, Callable[[Any], World]] = {
    "agreement": agreement_world,
    "document": document_world,
    "proposal": proposal_world,
    "programme": programme_world,
}


# what the policy lets a reader see --------------------------------------------------------
def readable(reader: Reader, world: World) -> set[str]:
    return {title for title, p in world.items() if can_read(reader.principal, p.marking)}


def elements(kind: str) -> Callable[[Reader, World], set[str]]:
    """A programme's probe elements of ``kind`` the reader sees: none unless it reads the
    programme, then those whose (capped) marking it reads."""

    def expects(reader: Reader, world: World) -> set[str]:
        if not can_read(reader.principal, world[REF].marking):
            return set()
        return {
            t
            for t, p in world.items()
            if t.startswith(kind) and can_read(reader.principal, p.marking)
        }

    return expects


def notified(reader: Reader, world: World) -> set[str]:
    return readable(reader, world) if reader.username else set()


def awaiting(reader: Reader, world: World) -> set[str]:
    return readable(reader, world) if reader.username in DELEGATION_USERS else set()


def nothing(_reader: Reader, _world: World) -> set[str]:
    return set()


def yes(_reader: Reader, _world: World) -> bool:
    return True


def count_readable(reader: Reader, world: World) -> int:
    return len(readable(reader, world))


# what surfaces show -------------------------------------------------------------------------
def titles_in(text: str, world: World) -> set[str]:
    return {title for title in world if title in text}


def by_id(path: str, *, html: bool = False, sentinel: bool = False, words: str = "sentinel"):
    """GET ``path.format(id=…)`` for each probe: 200 shows it, 404 (the only other answer)
    shows nothing of it. ``sentinel``: a 200 must carry the probe's statement."""

    def shows(reader: Reader, world: World) -> set[str]:
        seen = set()
        for title, probe in world.items():
            r = reader.get(path.format(id=probe.id, p=probe), html=html)
            if r.status_code == 200:
                seen.add(title)
                if sentinel:
                    assert f"sentinel {title[-2:]} statement" in r.text
            else:
                assert r.status_code == 404, r.text
                assert title not in r.text
                assert words not in r.text
        return seen

    return shows


def listed(path: str, key: str = "title", **params: Any):
    """The probe titles in a JSON list (all pages in one); a 401 lists nothing."""

    def shows(reader: Reader, world: World) -> set[str]:
        r = reader.get(path, limit=1000, **params)
        if r.status_code == 401:
            return set()
        body = r.json()
        assert body["total"] == len(body["items"])
        return {item[key] for item in body["items"]} & set(world)

    return shows


def page(path: str, *, fragment: bool = False, **params: Any):
    """The probe titles on a page (every page of ``path.format(p=probe)``); 401 shows none."""

    def shows(reader: Reader, world: World) -> set[str]:
        seen = set()
        for url in sorted({path.format(p=p) for p in world.values()}):
            extra = {"hx-request": "true"} if fragment else HTML
            r = reader.client.get(url, headers={**reader.headers, **extra}, params=params)
            if r.status_code == 401:
                continue
            assert r.status_code == 200, r.text
            if fragment:
                assert "<html" not in r.text
            seen |= titles_in(r.text, world)
        return seen

    return shows


def agreements_by_partner(reader: Reader, world: World) -> set[str]:
    seen = set()
    for partner in sorted({p.partner for p in world.values()}):
        seen |= listed(AGREEMENTS, partner=partner)(reader, world)
    return seen


def agreement_counts_agree(reader: Reader, world: World) -> bool:
    body = reader.get(AGREEMENTS, limit=1000).json()
    openable = [
        a for a in body["items"] if reader.get(f"{AGREEMENTS}/{a['id']}").status_code == 200
    ]
    return body["total"] == len(body["items"]) == len(openable)


def document_facets_total(reader: Reader, world: World) -> int:
    return reader.get(f"{DOCUMENTS}/facets").json()["total"]


def released_to(partner: str):
    """Documents listed as releasable to ``partner`` that the reader may not read: none."""

    def shows(reader: Reader, world: World) -> set[str]:
        return listed(DOCUMENTS, releasable_to=partner)(reader, world) - readable(reader, world)

    return shows


def cli(reader: Reader, *args: str) -> Any:
    env = {"LIAISON_DATABASE_URL": reader.db_url, "COLUMNS": "400"}
    return CliRunner().invoke(app, [*args, "--as", str(reader.username)], env=env)


def cli_list(feature: str):
    def shows(reader: Reader, world: World) -> set[str]:
        result = cli(reader, feature, "list", "--limit", "1000")
        assert result.exit_code == 0, result.output
        return titles_in(result.output, world)

    return shows


def cli_show_hidden_proposal(reader: Reader, world: World) -> set[str]:
    """``decisions show`` of the first probe hidden from the reader says only "no proposal"."""
    hidden = sorted(set(world) - readable(reader, world))[:1]
    for title in hidden:
        ident = world[title].id
        result = cli(reader, "decisions", "show", str(ident))
        assert result.exit_code != 0
        assert f"no proposal {ident}" in result.output
        if "sentinel" not in result.output:
            return set()
    return set(hidden)


def calendar(path: str):
    def shows(reader: Reader, world: World) -> set[str]:
        r = reader.get(path)
        if r.status_code == 401:
            return set()
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/calendar")
        unfolded = r.text.replace("\r\n ", "")  # RFC 5545 folds long lines
        return {t for t in world if t in unfolded or f"sentinel {t[-2:]}" in unfolded}

    return shows


def probes_in(text: str, kind: str, world: World) -> set[str]:
    return {t for t in world if t.startswith(kind) and f"Probe {t}" in text}


def _pdf(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def _docx(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def shown_in(
    path: str, kind: str, *, html: bool = False, read: Callable[[bytes], str] | None = None
):
    """The programme's probes of ``kind`` in one response (a 404 shows none)."""

    def shows(reader: Reader, world: World) -> set[str]:
        r = reader.get(path, html=html)
        if r.status_code != 200:
            assert r.status_code == 404, r.text
            return probes_in(r.text, kind, world)
        return probes_in(read(r.content) if read else r.text, kind, world)

    return shows


def element_by_id(kind: str, path: str, *, html: bool = False):
    """GET one element of ``kind`` per probe: 200 or 404 with nothing of any probe."""

    def shows(reader: Reader, world: World) -> set[str]:
        seen = set()
        for title, probe in world.items():
            if not title.startswith(kind):
                continue
            r = reader.get(path.format(id=probe.id), html=html)
            if r.status_code == 200:
                seen.add(title)
            else:
                assert r.status_code == 404, r.text
                assert "Probe" not in r.text
        return seen

    return shows


def comments(reader: Reader, world: World) -> set[str]:
    text = ""
    for title, probe in world.items():
        if title.startswith("section"):
            r = reader.get(f"{PROGRAMMES}/{REF}/sections/{probe.id}/comments")
            text += r.text if r.status_code == 200 else ""
    return probes_in(text, "comment", world)


def dashboard(kind: str):
    def shows(reader: Reader, world: World) -> set[str]:
        text = reader.get(f"{PROGRAMMES}/dashboard", horizon=3000).text
        return probes_in(text + reader.get("/programmes", html=True).text, kind, world)

    return shows


def compared_goals(reader: Reader, world: World) -> int:
    body = reader.get(f"{PROGRAMMES}/compare").json()
    return sum(row["goals"].get("JPN", 0) for row in body["areas"])


def count_goals(reader: Reader, world: World) -> int:
    return len(elements("goal")(reader, world))


def reads_hidden(reader: Reader, world: World) -> bool:
    return can_read(reader.principal, world[HIDDEN].marking)


def hidden_on_dashboard(reader: Reader, world: World) -> bool:
    text = reader.get(f"{PROGRAMMES}/dashboard", horizon=3000).text
    return "Hidden goal" in text + reader.get("/programmes", html=True).text


def hidden_status(reader: Reader, world: World) -> int:
    return reader.get(f"{PROGRAMMES}/{HIDDEN}").status_code


def status_of_hidden(reader: Reader, world: World) -> int:
    return 200 if reads_hidden(reader, world) else 404


def hidden_listed(reader: Reader, world: World) -> bool:
    body = reader.get(PROGRAMMES, limit=1000).json()
    assert body["total"] == len(body["items"])
    return HIDDEN in {p["reference"] for p in body["items"]}


def cli_programme_goals(reader: Reader, world: World) -> set[str]:
    result = cli(reader, "programmes", "show", REF)
    if result.exit_code != 0:
        assert "no programme" in result.output
        return set()
    return probes_in(result.output, "goal", world)


# the surfaces -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Surface:
    world: str
    shows: Callable[[Reader, World], object]
    expects: Callable[[Reader, World], object] = readable
    signed_in: bool = False  # a CLI command: it acts as a user (``--as``)


def _programme_surfaces() -> dict[str, Surface]:
    out: dict[str, Surface] = {}

    def add(kind: str, name: str, shows, **kw: Any) -> None:
        out[f"programme:{kind}:{name}"] = Surface("programme", shows, elements(kind), **kw)

    detail = f"{PROGRAMMES}/{REF}"
    for kind in ("section", "goal", "activity"):
        add(kind, "api-detail", shown_in(detail, kind))
        add(
            kind,
            "api-list",
            shown_in(f"{detail}/{kind}s" if kind != "activity" else f"{detail}/activities", kind),
        )
        add(kind, "page-detail", shown_in(f"/programmes/{REF}", kind, html=True))
        add(kind, "page-document", shown_in(f"/programmes/{REF}/document", kind, html=True))
        add(kind, "pdf", shown_in(f"{detail}/document.pdf", kind, read=_pdf))
        add(kind, "docx", shown_in(f"{detail}/document.docx", kind, read=_docx))
    for kind in ("goal", "activity"):
        add(kind, "page-roadmap", shown_in(f"/programmes/{REF}/roadmap", kind, html=True))
        add(kind, "roadmap-svg", shown_in(f"{detail}/roadmap.svg", kind))
        add(kind, "dashboard", dashboard(kind))
        add(kind, "calendar", shown_in(f"{PROGRAMMES}/calendar.ics", kind), signed_in=True)
    add("section", "api-one", element_by_id("section", f"{detail}/sections/{{id}}"))
    add(
        "section",
        "page-one",
        element_by_id("section", f"/programmes/{REF}/sections/{{id}}", html=True),
    )
    add("section", "api-revisions", element_by_id("section", f"{detail}/sections/{{id}}/revisions"))
    add("goal", "page-one", element_by_id("goal", f"/programmes/{REF}/goals/{{id}}", html=True))
    add("goal", "api-revisions", element_by_id("goal", f"{detail}/goals/{{id}}/revisions"))
    add("goal", "cli-show", cli_programme_goals, signed_in=True)
    add("comment", "api-comments", comments)
    out["programme:goal:compare"] = Surface("programme", compared_goals, count_goals)
    out["programme:hidden:dashboard"] = Surface("programme", hidden_on_dashboard, reads_hidden)
    out["programme:hidden:api-get"] = Surface("programme", hidden_status, status_of_hidden)
    out["programme:hidden:api-list"] = Surface("programme", hidden_listed, reads_hidden)
    return out


SURFACES: dict[str, Surface] = {
    "agreement:api-get": Surface("agreement", by_id(f"{AGREEMENTS}/{{id}}")),
    "agreement:api-list": Surface("agreement", listed(AGREEMENTS)),
    "agreement:api-list-by-partner": Surface("agreement", agreements_by_partner),
    "agreement:api-counts": Surface("agreement", agreement_counts_agree, yes),
    "agreement:page-list": Surface("agreement", page("/security-agreements")),
    "agreement:page-fragment": Surface("agreement", page("/security-agreements", fragment=True)),
    "agreement:page-partner": Surface("agreement", page("/partners/{p.partner}")),
    "document:api-get": Surface("document", by_id(f"{DOCUMENTS}/{{id}}")),
    "document:api-preview": Surface("document", by_id(f"{DOCUMENTS}/{{id}}/preview")),
    "document:api-content": Surface("document", by_id(f"{DOCUMENTS}/{{id}}/content")),
    "document:api-list": Surface("document", listed(DOCUMENTS)),
    "document:api-search": Surface("document", listed(DOCUMENTS, q="sentinel")),
    "document:api-facets": Surface("document", document_facets_total, count_readable),
    **{
        f"document:api-released-to-{partner}": Surface("document", released_to(partner), nothing)
        for partner in ("Japan", "Korea", "Australia", "IP4")
    },
    "document:page-list": Surface("document", page("/documents", limit=1000)),
    "document:page-search": Surface("document", page("/documents", q="sentinel", limit=1000)),
    "document:page-document": Surface("document", by_id("/documents/{id}", html=True)),
    "document:cli-list": Surface("document", cli_list("documents"), signed_in=True),
    "proposal:api-get": Surface("proposal", by_id(f"{DECISIONS}/{{id}}")),
    "proposal:api-standings": Surface(
        "proposal", by_id(f"{DECISIONS}/{{id}}/standings", sentinel=True)
    ),
    "proposal:api-positions": Surface(
        "proposal", by_id(f"{DECISIONS}/{{id}}/positions", sentinel=True)
    ),
    "proposal:api-versions": Surface("proposal", by_id(f"{DECISIONS}/{{id}}/versions")),
    "proposal:api-list": Surface("proposal", listed(DECISIONS)),
    "proposal:api-search": Surface("proposal", listed(DECISIONS, q="probe")),
    "proposal:api-calendar": Surface("proposal", calendar(f"{DECISIONS}/calendar.ics")),
    "proposal:api-inbox": Surface("proposal", listed(f"{DECISIONS}/inbox"), awaiting),
    "proposal:api-notifications": Surface(
        "proposal", listed(f"{DECISIONS}/notifications"), notified
    ),
    "proposal:page-proposal": Surface("proposal", by_id("/decisions/{id}", html=True)),
    "proposal:page-status": Surface("proposal", by_id("/decisions/{id}/status", html=True)),
    "proposal:page-list": Surface("proposal", page("/decisions", limit=1000)),
    "proposal:page-inbox": Surface("proposal", page("/decisions/inbox", limit=1000), awaiting),
    "proposal:page-notifications": Surface(
        "proposal", page("/decisions/notifications", limit=1000), notified
    ),
    "proposal:cli-list": Surface("proposal", cli_list("decisions"), signed_in=True),
    "proposal:cli-show-hidden": Surface(
        "proposal", cli_show_hidden_proposal, nothing, signed_in=True
    ),
    **_programme_surfaces(),
}

CASES = [
    pytest.param(name, username, id=f"{name}-{username or 'anonymous'}")
    for name, surface in SURFACES.items()
    for username in USERS
    if username is not None or not surface.signed_in
]


def _world_of(request: pytest.FixtureRequest) -> str:
    if "surface" in request.fixturenames:
        return SURFACES[request.node.callspec.params["surface"]].world
    return request.node.callspec.params["kind"]


def _build(kind: str) -> Callable[[Any], World]:
    def build(engine) -> World:
        with unit_of_work(session_factory(engine)) as session:
            return WORLDS[kind](session)

    return build


@pytest.fixture
def world_template(request, derived_templates) -> tuple[str, World]:
    kind = _world_of(request)
    return derived_templates(f"leak-{kind}", _build(kind))


@pytest.fixture
def db_template(world_template) -> str:
    """Each test copies the template of its world (built once per backend)."""
    return world_template[0]


@pytest.fixture
def world(world_template) -> World:
    return world_template[1]


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    monkeypatch.setattr(output.console, "_width", 250)  # one table row per record


@pytest.mark.parametrize(("surface", "username"), CASES)
def test_visible_exactly_when_the_policy_allows(
    client, auth, engine, db_url, world, surface, username
):
    reader = Reader(
        client, auth(username) if username else {}, username, principal_of(engine, username), db_url
    )
    shown, expected = (
        SURFACES[surface].shows(reader, world),
        SURFACES[surface].expects(reader, world),
    )
    if isinstance(expected, set):
        assert shown == expected, {
            "leaked": sorted(shown - expected),
            "missing": sorted(expected - shown),
        }
    else:
        assert shown == expected


KINDS = {"programme": ("section", "goal", "activity", "comment")}  # one world, four models
SEES_ALL_OR_NOTHING = {"programme": {"korea"}}  # Korea reads none of ITPP-JPN-2023


@pytest.mark.parametrize("kind", list(WORLDS))
def test_each_world_covers_every_kind_of_reader(engine, world, kind):
    """Each signed-in reader sees some probes of each model and misses others — a suite where
    everybody sees everything (or nothing) would prove little."""
    for username in USERS[1:]:
        if username in SEES_ALL_OR_NOTHING.get(kind, set()):
            continue
        reader = Reader(None, {}, username, principal_of(engine, username), "")
        for model in KINDS.get(kind, ("",)):
            seen = elements(model)(reader, world) if model else readable(reader, world)
            probes = [t for t in world if t.startswith(model)] if model else list(world)
            assert 0 < len(seen) < len(probes), (kind, model, username)
