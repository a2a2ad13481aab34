# SPDX-License-Identifier: Apache-2.0
"""Preview as a partner (issue 16, item 7): an ally's user views a page as a partner's mission
would see it (``?preview=KOR``). The leak suite of the previews: for every page kind previewed
— documents, decisions, programmes, the registry, sharing; lists and single records — the
preview shows a probe exactly when the intersection principal may read it, so never one the
partner cannot read (it matches the partner's own page) nor one the viewer cannot read.
Every write is refused, partners and anonymous may not preview, and each preview is audited.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from leak_probes import PROBE_MARKINGS, principal_of
from liaison.audit.models import AuditEvent
from liaison.db.session import session_factory, unit_of_work
from liaison.decisions.schemas import ProposalCreate
from liaison.decisions.service import DecisionService
from liaison.documents.schemas import NoteCreate
from liaison.documents.service import DocumentService
from liaison.programmes.schemas import ProgrammeCreate, SectionCreate
from liaison.programmes.service import ProgrammeService
from liaison.registry.schemas import SecurityAgreementCreate
from liaison.registry.service import RegistryService
from liaison.security.marking_store import MarkingStore
from liaison.security.markings import short
from liaison.security.policy import can_read
from liaison.security.principal import SYSTEM
from liaison.security.reach import nation_reader, preview_principal
from liaison.sharing import stix
from liaison.sharing.service import SharingService

HTML = {"accept": "text/html"}
PROGRAMME = "ITPP-KOR-2023"
# (viewer, partner user, the partner's code): each ally kind previewing each partner kind
PAIRS = [("officer", "korea", "KOR"), ("analyst", "japan", "JPN"), ("admin", "australia", "AUS")]


@pytest.fixture
def world(engine):
    """kind → {probe title: (id, marking)}: one probe per marking of each kind."""
    made: dict[str, dict[str, tuple[object, object]]] = {
        "document": {},
        "decision": {},
        "agreement": {},
        "section": {},
        "indicator": {},
    }
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=5)
    with unit_of_work(session_factory(engine)) as session:
        store = MarkingStore(session)
        documents = DocumentService(session, SYSTEM)
        decisions = DecisionService(session, SYSTEM)
        registry = RegistryService(session, SYSTEM)
        programmes = ProgrammeService(session, SYSTEM)
        programmes.create(
            ProgrammeCreate(
                partner="KOR", period_start=dt.date(2023, 1, 1), marking="NU // REL IP4"
            )
        )
        for i, text in enumerate(PROBE_MARKINGS):
            doc = documents.add_note(
                NoteCreate(title=f"Probe document {i:02d}", body="b", marking=text)
            )
            made["document"][f"Probe document {i:02d}"] = (
                doc.document.id,
                store.get(doc.document.marking_id),
            )
            proposal = decisions.open(
                ProposalCreate(
                    title=f"Probe proposal {i:02d}", text="t", marking=text, deadline=deadline
                )
            )
            made["decision"][f"Probe proposal {i:02d}"] = (
                proposal.proposal.id,
                store.get(proposal.proposal.marking_id),
            )
            agreement = registry.create_agreement(
                SecurityAgreementCreate(
                    partner=["JPN", "AUS"][i % 2],  # never KOR: its reach must stay its own
                    title=f"Probe agreement {i:02d}",
                    kind="binding_agreement",
                    signed_on="2011-01-01",
                    in_force_on="2011-01-01",
                    max_level="NATO SECRET",
                    marking=text,
                )
            )
            made["agreement"][f"Probe agreement {i:02d}"] = (
                agreement.id,
                store.get(agreement.marking_id),
            )
            section = programmes.add_section(
                PROGRAMME,
                SectionCreate(heading=f"Probe section {i:02d}", body="b", marking=text),
            )
            made["section"][f"Probe section {i:02d}"] = (section.row.id, section.marking)
        made["indicator"] = _indicators(session, registry)
    return made


def _indicators(session, registry) -> dict[str, tuple[object, object]]:
    """One STIX indicator per probe marking in a collection everybody may read."""
    sharing = SharingService(session, SYSTEM, b"preview-test-key")
    collection = sharing.create_collection(
        title="Preview probes",
        alias="preview",
        readers=("all",),
        writers=("all",),
        default_marking=registry.parse_marking("PUBLIC"),
    )
    objects, made = [], {}
    for i, text in enumerate(PROBE_MARKINGS):
        marking = registry.parse_marking(text)
        ref = stix.liaison_marking_id(marking)
        ident = f"indicator--00000000-0000-4000-8000-{i:012d}"
        objects.append(stix.liaison_marking_definition(marking, short(marking)))
        objects.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": ident,
                "created": "2026-01-01T00:00:00.000Z",
                "modified": "2026-01-01T00:00:00.000Z",
                "name": f"Probe indicator {i:02d}",
                "pattern": f"[ipv4-addr:value = '198.51.100.{i}']",
                "pattern_type": "stix",
                "valid_from": "2026-01-01T00:00:00Z",
                "object_marking_refs": [ref],
            }
        )
        made[f"Probe indicator {i:02d}"] = ((collection.row.id, ident), marking)
    outcome = sharing.post(collection.row.id, objects)
    assert outcome.status.failure_count == 0, outcome.status.failures[:3]
    return made


def _pages(world) -> dict[str, list[str]]:
    """kind → the pages that show its probes: the lists, and every record's own page."""
    docs = [f"/documents/{i}" for i, _ in world["document"].values()]
    props = [f"/decisions/{i}" for i, _ in world["decision"].values()]
    return {
        "document": ["/documents?limit=100", *docs],
        "decision": ["/decisions?limit=100", *props],
        "agreement": ["/security-agreements?limit=100", "/partners/JPN", "/partners/AUS"],
        "section": [f"/programmes/{PROGRAMME}", f"/programmes/{PROGRAMME}/document"],
        "indicator": [f"/sharing/{cid}" for cid in {c for (c, _), _ in world["indicator"].values()}]
        + [f"/sharing/{c}/objects/{i}" for (c, i), _ in world["indicator"].values()],
    }


def _seen(client, headers, pages, titles, preview=None):
    """The probe titles the pages show, and each page's status."""
    seen, statuses = set(), []
    for page in pages:
        params = {"preview": preview} if preview else {}
        r = client.get(page, params=params, headers={**HTML, **headers})
        statuses.append(r.status_code)
        assert r.status_code in {200, 404}, (page, r.status_code, r.text[:300])
        seen |= {t for t in titles if t in r.text}
    return seen, statuses


@pytest.mark.parametrize(("viewer", "partner", "code"), PAIRS)
@pytest.mark.parametrize("kind", ["document", "decision", "agreement", "section", "indicator"])
def test_a_preview_shows_exactly_what_the_intersection_may_read(
    client, auth, engine, world, viewer, partner, code, kind
):
    probes = world[kind]
    pages = _pages(world)[kind]
    seen_viewer, principal_partner = principal_of(engine, viewer), principal_of(engine, partner)
    reader = nation_reader(code, principal_partner.groups, principal_partner.agreements)
    preview = preview_principal(seen_viewer, reader)
    expected = {t for t, (_, m) in probes.items() if can_read(preview, m)}
    shown, statuses = _seen(client, auth(viewer), pages, probes, preview=code)
    assert shown == expected
    own, own_statuses = _seen(client, auth(partner), pages, probes)
    mine, _ = _seen(client, auth(viewer), pages, probes)
    assert shown <= own, "the preview showed what the partner cannot read"
    assert shown <= mine, "the preview showed what the viewer cannot read"
    if partner == "korea":  # Korea's user holds the officer's clearance and no community
        assert shown == own
        assert statuses == own_statuses


def test_a_preview_of_a_hidden_record_is_the_404_of_a_missing_one(client, auth, world):
    hidden = next(i for i, m in world["document"].values() if m.nato_only)
    h = auth("officer")
    shown = client.get(f"/documents/{hidden}", params={"preview": "KOR"}, headers={**HTML, **h})
    missing = client.get("/documents/999999", params={"preview": "KOR"}, headers={**HTML, **h})
    assert shown.status_code == missing.status_code == 404
    body = shown.text.split("<main>", 1)[1].split("</main>", 1)[0]
    other = missing.text.split("<main>", 1)[1].split("</main>", 1)[0]
    assert body.replace(f"document {hidden}", "document N") == other.replace(
        "document 999999", "document N"
    )


def test_the_preview_bar_and_header_say_whose_view_it_is(client, auth):
    r = client.get("/documents", params={"preview": "Korea"}, headers={**HTML, **auth("officer")})
    assert r.status_code == 200
    assert "Preview as South Korea" in r.text
    assert 'class="previewing" data-preview="KOR"' in r.text
    assert "Reads: PUBLIC, NATO UNCLASSIFIED releasable to KOR/IP4/PAG" in r.text
    assert "New document" not in r.text  # a preview holds no write permission
    assert 'href="/audit"' not in r.text  # nor the audit view a nation does not hold
    audit = client.get("/audit", params={"preview": "KOR"}, headers={**HTML, **auth("officer")})
    assert audit.status_code == 403


def test_every_write_in_a_preview_is_refused(client, auth, world):
    h = auth("officer")
    doc_id = next(iter(world["document"].values()))[0]
    before = client.get(f"/api/v1/documents/{doc_id}", headers=h).json()
    r = client.patch(
        f"/api/v1/documents/{doc_id}", params={"preview": "KOR"}, json={"title": "x"}, headers=h
    )
    assert r.status_code == 403
    assert "preview is read-only" in r.json()["detail"]
    assert client.get(f"/api/v1/documents/{doc_id}", headers=h).json() == before


def test_partners_and_anonymous_may_not_preview(client, auth):
    anonymous = client.get("/documents", params={"preview": "KOR"}, headers=HTML)
    assert anonymous.status_code == 401
    for partner in ("korea", "japan"):
        r = client.get("/documents", params={"preview": "AUS"}, headers={**HTML, **auth(partner)})
        assert r.status_code == 403
    assert (
        client.get(
            "/api/v1/documents", params={"preview": "KOR"}, headers=auth("korea")
        ).status_code
        == 403
    )


def test_a_preview_as_no_partner_is_404(client, auth):
    for ref in ("FRA", "Atlantis", "PUBLIC"):
        r = client.get("/documents", params={"preview": ref}, headers={**HTML, **auth("officer")})
        assert r.status_code == 404, ref


def test_a_preview_is_audited_as_such(client, auth, engine, world):
    doc_id = next(i for i, m in world["document"].values() if m.releasable_to == {"KOR"})
    r = client.get(
        f"/documents/{doc_id}", params={"preview": "KOR"}, headers={**HTML, **auth("officer")}
    )
    assert r.status_code == 200
    with unit_of_work(session_factory(engine)) as session:
        events = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.object_id).where(
                AuditEvent.actor == "officer (preview as KOR)"
            )
        ).all()
    assert ("officer (preview as KOR)", "security:page:preview", "KOR") in events
    assert ("officer (preview as KOR)", "documents:document:preview", str(doc_id)) in events


def _routes(routes):  # the routes of included routers too (as the route census reads them)
    for route in routes:
        original = getattr(route, "original_router", None)
        yield from _routes(original.routes) if original is not None else [route]


def test_every_write_route_refuses_a_preview(client, auth):
    """Each POST/PUT/PATCH/DELETE route of the app, asked with ``?preview=KOR`` by the officer,
    answers the preview's 403 (before any body or record is looked at), or — for the few that
    never resolve a principal (login) — anything but a success."""
    h = auth("officer")
    refused, other = [], []
    for route in _routes(client.app.router.routes):
        if not isinstance(route, APIRoute):
            continue
        for method in route.methods & {"POST", "PUT", "PATCH", "DELETE"}:
            path = route.path_format
            for name in route.param_convertors:
                path = path.replace("{" + name + "}", "1")
            r = client.request(method, path, params={"preview": "KOR"}, headers=h)
            (refused if r.status_code == 403 and "preview" in r.text else other).append(
                (method, route.path, r.status_code)
            )
    assert len(refused) > 50, other[:5]
    assert all(status >= 400 for _, _, status in other), other
    assert {path for _, path, _ in other} <= {"/login"}, other
