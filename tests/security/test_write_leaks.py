"""The write-leak suite: every write route × every principal kind × records they may read but
not change (DESIGN.md; issue 14, finding 1).

One table, ``ROUTES``: each write route of the API and the pages, the kind of record it writes,
the permission it needs and a request that would change the record. Each kind has a *world*
(records of several markings and owners, made for the test) and a *snapshot* (the rows as
stored, and the write events the audit trail holds about them). For every principal kind —
anonymous, admin, an ally officer, an ally national analyst (read only), Japan (a partner with
a security agreement), Korea (a partner without one), and a user of Japan's mission holding
the officer role (a partner with every write right) — and every record:

- a principal that may not write gets one answer, worked out here by hand from DESIGN.md: 401
  anonymous; 403 without the route's permission (it names no record, so it reveals nothing);
  404 for a record it may not read, exactly like a missing one; 403 for a record it reads but
  whose side is not its own (alliance material: the alliance side; a partner's record: that
  partner's mission) — admin writes everything it reads;
- and the records are read back: nothing changed, no write event recorded.

Then one who may write makes the same request (a positive control, so that a route that
refuses everybody cannot pass): it gets past the guard (2xx, or the feature's own 409/422 when
the record's state forbids the change) and, where the route always succeeds, the record
changes. ``test_every_write_route_is_in_the_table`` fails on a write route of the app that the
table does not cover.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select, text
from test_route_census import app_for, write_census
from typer.testing import CliRunner

from leak_probes import principal_of
from liaison.audit.models import AuditEvent
from liaison.cli.main import app as cli_app
from liaison.db.session import session_factory, unit_of_work
from liaison.decisions.schemas import ProposalCreate
from liaison.decisions.service import DecisionService
from liaison.documents.schemas import NoteCreate
from liaison.documents.service import DocumentService
from liaison.programmes.schemas import (
    ActivityCreate,
    GoalCreate,
    ObjectiveCreate,
    ProgrammeCreate,
    SectionCreate,
)
from liaison.programmes.service import ProgrammeService
from liaison.registry.schemas import OfficeCreate, SecurityAgreementCreate
from liaison.registry.service import RegistryService
from liaison.security.classification import Classification
from liaison.security.marking_store import MarkingStore
from liaison.security.markings import Marking
from liaison.security.permissions import Permission as P
from liaison.security.policy import can_read
from liaison.security.principal import SYSTEM, Principal

PRINCIPALS: list[str | None] = [None, "admin", "officer", "analyst", "japan", "korea", "jpn_off"]
ALLY = {"admin", "officer", "analyst"}
MISSION = {"japan": "japan", "jpn_off": "japan", "korea": "korea"}
HTML = {"accept": "text/html"}
READ_SUFFIXES = (":read", ":preview", ":download", ":feed", ":list")
UNMARKED = Marking(Classification.PUBLIC)


@dataclass(frozen=True)
class Target:
    """A record of a world: its URL parts, owner ("alliance", or the partner user whose mission
    made it), marking, and the rows a snapshot reads: ``(table, column, value)``."""

    name: str
    key: str  # as the URL names it
    owner: str
    marking: str | None  # None: an unmarked record (everybody reads it)
    rows: tuple[tuple[str, str, Any], ...]
    audit: tuple[str, str] | None = None  # (object_type, object_id) of its write events
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as the route census names it
    world: str
    right: P
    url: Callable[[Target], str]
    request: Callable[[str, Target], dict[str, Any]]  # (user, target) → json= / data= / files=
    page: bool = False
    owner_rule: bool = True  # False: the route adds the caller's own record (a comment, a note)
    changes: bool = True  # the positive control always changes the record (else: gets past)
    control: bool = True  # False: nobody here may (positions: only a delegation records one)


# worlds -----------------------------------------------------------------------------------------
def _document(session, who, name, marking) -> Target:
    view = DocumentService(session, who).add_note(
        NoteCreate(title=f"Write probe: {name}", body="A probe note.", marking=marking)
    )
    i = view.document.id
    rows = (("document", "id", i),)
    return Target(name, str(i), "", marking, rows, ("document", str(i)))


def documents_world(session, principal) -> list[Target]:
    targets = []
    for name, owner, marking in [
        ("alliance PUBLIC", "alliance", "PUBLIC"),
        ("alliance NU // REL IP4", "alliance", "NU // REL IP4"),
        ("alliance NU // REL KOR", "alliance", "NU // REL KOR"),
        ("alliance NR // REL JPN", "alliance", "NR // REL JPN"),
        ("alliance NR", "alliance", "NR"),
        ("japan's NR // REL JPN", "japan", "NR // REL JPN"),
        ("japan's NU // REL IP4", "japan", "NU // REL IP4"),
        ("korea's NU // REL IP4", "korea", "NU // REL IP4"),
    ]:
        who = SYSTEM if owner == "alliance" else principal(owner)
        t = _document(session, who, name, marking)
        targets.append(Target(name, t.key, owner, marking, t.rows, t.audit))
    return targets


PROGRAMME_TABLES = (
    "strategic_objective",
    "partnership_goal",
    "programme_activity",
    "programme_section",
    "programme_revision",
    "programme_comment",
)


def programmes_world(session, _principal) -> list[Target]:
    service = ProgrammeService(session, SYSTEM)
    area = session.scalar(text("SELECT code FROM cooperation_area ORDER BY code LIMIT 1"))
    targets = []
    for partner, kind, marking in [
        ("JPN", "ITPP", "NU // REL JPN"),
        ("KOR", "ITPP", "NU // REL IP4"),
        ("JPN", "IPCP", "NR"),
    ]:
        view = service.create(
            ProgrammeCreate(
                partner=partner, kind=kind, period_start=dt.date(2027, 1, 1), marking=marking
            )
        )
        ref, pid = view.programme.reference, view.programme.id
        objective = service.add_objective(ref, ObjectiveCreate(title="Objective"))
        goal = service.add_goal(
            ref, GoalCreate(area=area, title="Goal", due_on=dt.date(2027, 6, 1))
        )
        activity = service.add_activity(
            ref,
            ActivityCreate(
                goal_id=goal.row.id, title="Course", kind="course", start_on=dt.date(2027, 3, 1)
            ),
        )
        section = service.add_section(ref, SectionCreate(heading="Preamble", body="Text."))
        rows = (("programme", "id", pid), *((t, "programme_id", pid) for t in PROGRAMME_TABLES))
        extra = {
            "objective": objective.row.id,
            "goal": goal.row.id,
            "activity": activity.row.id,
            "section": section.row.id,
            "area": area,
        }
        targets.append(Target(f"{ref} {marking}", ref, "alliance", marking, rows, None, extra))
    return targets


def decisions_world(session, _principal) -> list[Target]:
    service = DecisionService(session, SYSTEM)
    targets = []
    for marking in ["NU // REL JPN", "NU // REL IP4", "NR"]:
        view = service.open(
            ProposalCreate(
                title=f"Write probe {marking}", text="Text.", marking=marking, procedure="meeting"
            )
        )
        pid = view.proposal.id
        rows = tuple(
            (t, c, pid)
            for t, c in [
                ("proposal", "id"),
                ("proposal_version", "proposal_id"),
                ("proposal_position", "proposal_id"),
            ]
        )
        targets.append(Target(f"proposal {marking}", str(pid), "alliance", marking, rows))
    return targets


def agreements_world(session, _principal) -> list[Target]:
    service = RegistryService(session, SYSTEM)
    targets = []
    for marking in ["NU // REL JPN", "NU // REL IP4", "NR"]:
        agreement = service.create_agreement(
            SecurityAgreementCreate(
                partner="JPN",
                title=f"Write probe {marking}",
                kind="binding_agreement",
                signed_on=dt.date(2020, 1, 1),
                max_level="NATO RESTRICTED",
                marking=marking,
            )
        )
        session.flush()
        rows = (("security_agreement", "id", agreement.id),)
        targets.append(Target(f"agreement {marking}", str(agreement.id), "alliance", marking, rows))
    return targets


def _first(session, table: str) -> int:
    return session.scalar(text(f"SELECT min(id) FROM {table}"))


def registry_world(session, _principal) -> list[Target]:
    """One unmarked entry of each kind (public facts: everybody reads them)."""
    office = RegistryService(session, SYSTEM).create_office(
        OfficeCreate(name="Write probe office", kind="partner_liaison", city="Nowhere")
    )
    session.flush()
    ally = session.scalar(text("SELECT country_iso3 FROM ally WHERE country_iso3 = 'ITA'"))
    partner = session.scalar(text("SELECT id FROM partner WHERE country_iso3 = 'JPN'"))
    mandate = _first(session, "contact_point_mandate")
    return [
        Target("ally", ally, "alliance", None, (("ally", "country_iso3", ally),)),
        Target("partner", "JPN", "alliance", None, (("partner", "id", partner),)),
        Target("office", str(office.id), "alliance", None, (("office", "id", office.id),)),
        Target(
            "mandate", str(mandate), "alliance", None, (("contact_point_mandate", "id", mandate),)
        ),
    ]


def table_world(table: str, owner: str = "alliance") -> Callable[..., list[Target]]:
    """For a route that creates: the table it adds to (a snapshot counts its rows)."""

    def build(_session, _principal) -> list[Target]:
        return [Target(f"new {table}", "", owner, None, ((table, "", None),))]

    return build


WORLDS: dict[str, Callable[..., list[Target]]] = {
    "document": documents_world,
    "programme": programmes_world,
    "proposal": decisions_world,
    "agreement": agreements_world,
    "registry": registry_world,
    "new document": table_world("document", owner="self"),
    "new programme": table_world("programme"),
    "new proposal": table_world("proposal"),
    "new ally": table_world("ally"),
    "new framework": table_world("framework"),
    "new partner": table_world("partner"),
    "new agreement": table_world("security_agreement"),
    "new office": table_world("office"),
    "new mandate": table_world("contact_point_mandate"),
}


# requests ---------------------------------------------------------------------------------------
# A marking each user could give a document that only raises it (narrower releasability or a
# higher level) and that it may read itself: the write is then refused by the write policy
# alone, never by the downgrade right or "above what you may read".
RAISE = {
    ("PUBLIC", "partner"): "NU // REL {nation}",
    ("NU // REL IP4", "partner"): "NU // REL {nation}",
    ("NU // REL KOR", "partner"): "NU // REL {nation}",
    ("NR // REL JPN", "partner"): "NS // REL {nation}",
    ("PUBLIC", "ally"): "NU",
    ("NU // REL IP4", "ally"): "NU",
    ("NU // REL KOR", "ally"): "NU",
    ("NR // REL JPN", "ally"): "NR",
    ("NR", "ally"): "NC",
}
NATION = {"japan": "JPN", "jpn_off": "JPN", "korea": "KOR"}


def raised(user: str, target: Target) -> str:
    side = "ally" if user in ALLY else "partner"
    # A record the user may not read gets any marking: the answer is 404 whatever it asks.
    return RAISE.get((target.marking or "", side), "NU").format(nation=NATION.get(user, ""))


def j(body: dict[str, Any] | Callable[[str, Target], dict[str, Any]]):
    return lambda u, t: {"json": body(u, t) if callable(body) else body}


def form(body: dict[str, Any] | Callable[[str, Target], dict[str, Any]]):
    return lambda u, t: {"data": body(u, t) if callable(body) else body}


def nothing(_u: str, _t: Target) -> dict[str, Any]:
    return {}


def changed_by(u: str, _t: Target) -> dict[str, Any]:
    return {"title": f"Changed by {u}"}


D, PR, DE = "/api/v1/documents", "/api/v1/programmes", "/api/v1/decisions"
DW, PW, PA = (
    P.DOCUMENTS_DOCUMENT_WRITE,
    P.PROGRAMMES_PROGRAMME_WRITE,
    P.PROGRAMMES_PROGRAMME_APPROVE,
)
DM, RW = P.DECISIONS_PROPOSAL_MANAGE, P.REGISTRY_ENTRY_WRITE
NOTE = {"title": "Write probe: new", "body": "b", "marking": "PUBLIC"}
UPLOAD = {
    "data": {"title": "Write probe: file", "marking": "PUBLIC"},
    "files": {"file": ("probe.txt", b"probe", "text/plain")},
}


def _p(path: str) -> Callable[[Target], str]:
    """A programme URL: ``{ref}`` and the element ids of the world."""
    return lambda t: path.format(ref=t.key, **t.extra)


ROUTES: list[Route] = [
    # documents: the caller's own new record, then changes to existing ones
    Route("POST", D, "new document", DW, lambda t: D, lambda u, t: UPLOAD, owner_rule=False),
    Route("POST", f"{D}/notes", "new document", DW, lambda t: f"{D}/notes", j(NOTE)),
    Route("PATCH", f"{D}/{{document_id}}", "document", DW, lambda t: f"{D}/{t.key}", j(changed_by)),
    Route(
        "POST",
        f"{D}/{{document_id}}/marking",
        "document",
        DW,
        lambda t: f"{D}/{t.key}/marking",
        j(lambda u, t: {"marking": raised(u, t)}),
    ),
    Route("DELETE", f"{D}/{{document_id}}", "document", DW, lambda t: f"{D}/{t.key}", nothing),
    Route(
        "POST",
        "/documents/upload",
        "new document",
        DW,
        lambda t: "/documents/upload",
        lambda u, t: UPLOAD,
        page=True,
    ),
    Route(
        "POST",
        "/documents/notes",
        "new document",
        DW,
        lambda t: "/documents/notes",
        form(NOTE),
        page=True,
    ),
    Route(
        "POST",
        "/documents/{document_id}/edit",
        "document",
        DW,
        lambda t: f"/documents/{t.key}/edit",
        form(changed_by),
        page=True,
    ),
    Route(
        "POST",
        "/documents/{document_id}/marking",
        "document",
        DW,
        lambda t: f"/documents/{t.key}/marking",
        form(lambda u, t: {"marking": raised(u, t), "reason": ""}),
        page=True,
    ),
    Route(
        "POST",
        "/documents/{document_id}/delete",
        "document",
        DW,
        lambda t: f"/documents/{t.key}/delete",
        nothing,
        page=True,
    ),
    # programmes: alliance material
    Route(
        "POST",
        PR,
        "new programme",
        PW,
        lambda t: PR,
        j({"partner": "JPN", "period_start": "2031-01-01"}),
    ),
    Route(
        "POST",
        f"{PR}/from-ipcp",
        "new programme",
        PW,
        lambda t: f"{PR}/from-ipcp",
        j({"partner": "JPN"}),
        changes=False,
    ),
    Route("PATCH", f"{PR}/{{ref}}", "programme", PW, _p(PR + "/{ref}"), j(changed_by)),
    Route(
        "POST",
        f"{PR}/{{ref}}/transitions",
        "programme",
        PW,
        _p(PR + "/{ref}/transitions"),
        j({"to": "negotiating"}),
    ),
    Route(
        "POST",
        f"{PR}/{{ref}}/approval",
        "programme",
        PA,
        _p(PR + "/{ref}/approval"),
        j({"approved_on": "2026-11-01", "reference": "PO(2026)0001"}),
        changes=False,  # a draft is not approved: 409 past the guard
    ),
    Route(
        "POST",
        f"{PR}/{{ref}}/renewal",
        "programme",
        PW,
        _p(PR + "/{ref}/renewal"),
        j({}),
        changes=False,
    ),
    Route(
        "POST",
        f"{PR}/{{ref}}/objectives",
        "programme",
        PW,
        _p(PR + "/{ref}/objectives"),
        j({"title": "New objective"}),
    ),
    Route(
        "PATCH",
        f"{PR}/{{ref}}/objectives/{{ident}}",
        "programme",
        PW,
        _p(PR + "/{ref}/objectives/{objective}"),
        j(changed_by),
    ),
    Route(
        "POST",
        f"{PR}/{{ref}}/goals",
        "programme",
        PW,
        _p(PR + "/{ref}/goals"),
        j(lambda u, t: {"area": t.extra["area"], "title": "New goal", "due_on": "2027-07-01"}),
    ),
    Route(
        "PATCH",
        f"{PR}/{{ref}}/goals/{{ident}}",
        "programme",
        PW,
        _p(PR + "/{ref}/goals/{goal}"),
        j(changed_by),
    ),
    Route(
        "POST",
        f"{PR}/{{ref}}/activities",
        "programme",
        PW,
        _p(PR + "/{ref}/activities"),
        j(
            lambda u, t: {
                "goal_id": t.extra["goal"],
                "title": "New course",
                "kind": "course",
                "start_on": "2027-04-01",
            }
        ),
    ),
    Route(
        "PATCH",
        f"{PR}/{{ref}}/activities/{{ident}}",
        "programme",
        PW,
        _p(PR + "/{ref}/activities/{activity}"),
        j(changed_by),
    ),
    Route(
        "POST",
        f"{PR}/{{ref}}/sections",
        "programme",
        PW,
        _p(PR + "/{ref}/sections"),
        j({"heading": "New section", "body": "Text."}),
    ),
    Route(
        "PATCH",
        f"{PR}/{{ref}}/sections/{{ident}}",
        "programme",
        PW,
        _p(PR + "/{ref}/sections/{section}"),
        j({"body": "Changed text."}),
    ),
    Route(
        "POST",
        f"{PR}/{{ref}}/sections/{{ident}}/comments",
        "programme",
        P.PROGRAMMES_COMMENT_WRITE,
        _p(PR + "/{ref}/sections/{section}/comments"),
        j({"body": "A comment."}),
        owner_rule=False,  # a comment is its author's, on a section the author reads
    ),
    Route(
        "POST",
        "/programmes/from-ipcp",
        "new programme",
        PW,
        lambda t: "/programmes/from-ipcp",
        form({"partner": "JPN"}),
        page=True,
        changes=False,
    ),
    Route(
        "POST",
        "/programmes/new",
        "new programme",
        PW,
        lambda t: "/programmes/new",
        form({"partner": "JPN", "kind": "ITPP", "period_start": "2031-01-01", "marking": ""}),
        page=True,
    ),
    Route(
        "POST",
        "/programmes/{ref}/transition",
        "programme",
        PW,
        _p("/programmes/{ref}/transition"),
        form({"to": "negotiating"}),
        page=True,
    ),
    Route(
        "POST",
        "/programmes/{ref}/renew",
        "programme",
        PW,
        _p("/programmes/{ref}/renew"),
        nothing,
        page=True,
        changes=False,
    ),
    Route(
        "POST",
        "/programmes/{ref}/sections/{ident}/edit",
        "programme",
        PW,
        _p("/programmes/{ref}/sections/{section}/edit"),
        form({"heading": "Preamble", "body": "Changed text.", "note": ""}),
        page=True,
    ),
    Route(
        "POST",
        "/programmes/{ref}/sections/{ident}/comments",
        "programme",
        P.PROGRAMMES_COMMENT_WRITE,
        _p("/programmes/{ref}/sections/{section}/comments"),
        form({"body": "A comment."}),
        page=True,
        owner_rule=False,
    ),
    Route(
        "POST",
        "/programmes/{ref}/{kind}/new",
        "programme",
        PW,
        _p("/programmes/{ref}/objectives/new"),
        form({"title": "New objective"}),
        page=True,
    ),
    Route(
        "POST",
        "/programmes/{ref}/{kind}/{ident}/status",
        "programme",
        PW,
        _p("/programmes/{ref}/goals/{goal}/status"),
        form({"status": "at_risk"}),
        page=True,
    ),
    Route(
        "POST",
        "/programmes/{ref}/goals/{ident}/edit",
        "programme",
        PW,
        _p("/programmes/{ref}/goals/{goal}/edit"),
        form({"title": "Changed goal", "wording": "Changed.", "note": ""}),
        page=True,
    ),
    # decisions: alliance material; positions are their delegation's
    Route(
        "POST",
        DE,
        "new proposal",
        DM,
        lambda t: DE,
        j({"title": "Probe", "text": "t", "marking": "NU", "procedure": "meeting"}),
    ),
    Route(
        "POST",
        f"{DE}/{{proposal_id}}/positions",
        "proposal",
        P.DECISIONS_POSITION_RECORD,
        lambda t: f"{DE}/{t.key}/positions",
        j({"stance": "concur"}),
        control=False,  # only a user of an ally's delegation records its ally's position
    ),
    Route(
        "POST",
        f"{DE}/{{proposal_id}}/versions",
        "proposal",
        DM,
        lambda t: f"{DE}/{t.key}/versions",
        j({"text": "Amended text."}),
    ),
    Route(
        "POST",
        f"{DE}/{{proposal_id}}/revise",
        "proposal",
        DM,
        lambda t: f"{DE}/{t.key}/revise",
        j({"text": "Revised text."}),
        changes=False,  # only a broken or lapsed proposal is revised: 409 past the guard
    ),
    Route(
        "POST",
        f"{DE}/{{proposal_id}}/withdraw",
        "proposal",
        DM,
        lambda t: f"{DE}/{t.key}/withdraw",
        j({"reason": "Overtaken."}),
    ),
    Route(
        "POST",
        "/decisions",
        "new proposal",
        DM,
        lambda t: "/decisions",
        form({"title": "Probe", "text": "t", "marking": "NU", "procedure": "meeting"}),
        page=True,
    ),
    Route(
        "POST",
        "/decisions/{proposal_id}/positions",
        "proposal",
        P.DECISIONS_POSITION_RECORD,
        lambda t: f"/decisions/{t.key}/positions",
        form({"stance": "concur"}),
        page=True,
        control=False,
    ),
    Route(
        "POST",
        "/decisions/{proposal_id}/revise",
        "proposal",
        DM,
        lambda t: f"/decisions/{t.key}/revise",
        form({"text": "Revised text."}),
        page=True,
        changes=False,
    ),
    Route(
        "POST",
        "/decisions/{proposal_id}/withdraw",
        "proposal",
        DM,
        lambda t: f"/decisions/{t.key}/withdraw",
        form({"reason": "Overtaken."}),
        page=True,
    ),
    # registry: alliance material
    Route(
        "POST",
        "/api/v1/allies",
        "new ally",
        RW,
        lambda t: "/api/v1/allies",
        j({"country": "BRA", "accession_date": "2020-01-01"}),
    ),
    Route(
        "PATCH",
        "/api/v1/allies/{ref}",
        "registry",
        RW,
        lambda t: f"/api/v1/allies/{t.key}",
        j({"notes": "Changed."}),
    ),
    Route(
        "POST",
        "/api/v1/frameworks",
        "new framework",
        RW,
        lambda t: "/api/v1/frameworks",
        j({"code": "WLK", "name": "Write probe"}),
    ),
    Route(
        "POST",
        "/api/v1/partners",
        "new partner",
        RW,
        lambda t: "/api/v1/partners",
        j({"country": "BRA"}),
    ),
    Route(
        "PATCH",
        "/api/v1/partners/{ref}",
        "registry",
        RW,
        lambda t: f"/api/v1/partners/{t.key}",
        j({"notes": "Changed."}),
    ),
    Route(
        "POST",
        "/api/v1/security-agreements",
        "new agreement",
        RW,
        lambda t: "/api/v1/security-agreements",
        j(
            {
                "partner": "JPN",
                "title": "Probe",
                "kind": "binding_agreement",
                "max_level": "NATO RESTRICTED",
            }
        ),
    ),
    Route(
        "PATCH",
        "/api/v1/security-agreements/{agreement_id}",
        "agreement",
        RW,
        lambda t: f"/api/v1/security-agreements/{t.key}",
        j({"notes": "Changed."}),
    ),
    Route(
        "POST",
        "/api/v1/offices",
        "new office",
        RW,
        lambda t: "/api/v1/offices",
        j({"name": "Probe office 2", "kind": "partner_liaison", "city": "Nowhere"}),
    ),
    Route(
        "PATCH",
        "/api/v1/offices/{office_id}",
        "registry",
        RW,
        lambda t: f"/api/v1/offices/{t.key}",
        j({"notes": "Changed."}),
    ),
    Route(
        "POST",
        "/api/v1/offices/{office_id}/transitions",
        "registry",
        RW,
        lambda t: f"/api/v1/offices/{t.key}/transitions",
        j({"status": "approved", "on": "2026-01-02"}),
        changes=False,
    ),
    Route(
        "POST",
        "/api/v1/contact-point-mandates",
        "new mandate",
        RW,
        lambda t: "/api/v1/contact-point-mandates",
        j({"partner": "JPN", "ally": "PRT", "start_on": "2026-01-01"}),
        changes=False,
    ),
    Route(
        "PATCH",
        "/api/v1/contact-point-mandates/{mandate_id}",
        "registry",
        RW,
        lambda t: f"/api/v1/contact-point-mandates/{t.key}",
        j({"notes": "Changed."}),
    ),
    Route(
        "POST",
        "/contact-points",
        "new mandate",
        RW,
        lambda t: "/contact-points",
        form(
            {"partner": "JPN", "ally": "PRT", "start_on": "2026-01-01", "end_on": "", "notes": ""}
        ),
        page=True,
        changes=False,
    ),
]

# Which registry target each registry route writes (the world holds one entry of each kind).
REGISTRY_TARGET = {
    "/api/v1/allies/{ref}": "ally",
    "/api/v1/partners/{ref}": "partner",
    "/api/v1/offices/{office_id}": "office",
    "/api/v1/offices/{office_id}/transitions": "office",
    "/api/v1/contact-point-mandates/{mandate_id}": "mandate",
}

# Write routes that change only the caller's own state (never a record of anyone else), and
# the two that open and close a login session; tested in their features.
OWN_STATE = {
    ("POST", "/login"),  # checks a password; rate-limited and audited
    ("POST", "/logout"),  # ends the caller's own session
    ("POST", "/api/v1/programmes/calendar/feed"),  # rotates the caller's own feed secret
    ("POST", "/api/v1/decisions/notifications/read"),  # the caller's own notifications
    ("POST", "/decisions/notifications/read"),
}
# Served by the sharing feature's own write policy (issue 15, the TAXII store).
# TAXII's writes have their own write-leak suite, per collection and marking:
# tests/sharing/test_fail_closed.py::test_taxii_writes_never_touch_what_the_writer_cannot_read
# (hidden objects) and tests/sharing/test_stix_writers.py (objects read but not owned).
# The catalogue's and the open sources' writes have theirs in their own packages:
# tests/catalogue/test_catalogue_leaks.py (profiles, nominations, offers, import, plan runs, approval and
# publication)
# and tests/osint/test_osint_leaks.py (sources, polls, assessments, tags, publishing, watch
# terms; the API's routes and the pages' forms), each over the same principal kinds and probe markings.
CATALOGUE_AND_OSINT = {
    ("DELETE", "/api/v1/osint/watch/{term_id}"),
    ("POST", "/api/v1/catalogue/import"),
    ("POST", "/api/v1/nominations"),
    ("POST", "/api/v1/nominations/{nomination_id}/answer"),
    ("POST", "/api/v1/nominations/{nomination_id}/state"),
    ("POST", "/api/v1/osint/assessments/{assessment_id}/publish"),
    ("POST", "/api/v1/osint/poll"),
    ("POST", "/api/v1/osint/sources"),
    ("POST", "/api/v1/osint/stories/{story_id}/assessments"),
    ("POST", "/api/v1/osint/tags/{tag_id}/review"),
    ("POST", "/api/v1/osint/watch"),
    ("POST", "/osint/assessments/{raw_id}/publish"),
    ("POST", "/osint/sources"),
    ("POST", "/osint/stories/{raw_id}/assessments"),
    ("POST", "/osint/tags/{raw_id}/review"),
    ("POST", "/api/v1/plans"),
    ("POST", "/api/v1/plans/{plan_id}/approve"),
    ("POST", "/api/v1/plans/{plan_id}/publish"),
    ("POST", "/catalogue/sessions/{raw_id}/nominate"),
    ("POST", "/nominations/{raw_id}/answer"),
    ("POST", "/nominations/{raw_id}/state"),
    ("POST", "/plans"),
    ("POST", "/plans/{raw_id}/approve"),
    ("POST", "/plans/{raw_id}/publish"),
    ("PUT", "/api/v1/catalogue/profiles/{partner}/{year}"),
}
ELSEWHERE = CATALOGUE_AND_OSINT | {
    ("POST", "/taxii2/{api_root}/collections/{collection_id}/objects/"),
    ("DELETE", "/taxii2/{api_root}/collections/{collection_id}/objects/{object_id}/"),
}


# the expectation, by hand -----------------------------------------------------------------------
def on_its_side(user: str, target: Target) -> bool:
    """DESIGN.md: alliance material is written by the alliance side, a partner's record by
    that partner's mission; admin writes anything it reads."""
    if user == "admin" or target.owner == "self":
        return True
    if target.owner == "alliance":
        return user in ALLY
    return MISSION.get(user) == target.owner


def expected(
    route: Route, user: str | None, principal: Principal, target: Target, marking: Marking
) -> int | None:
    """The one answer a refused write gets; ``None`` when the write is allowed."""
    if user is None:
        return 401
    if not principal.can(route.right):
        return 403  # the route's permission guard: it names no record, so it reveals nothing
    if not can_read(principal, marking):
        return 404
    if route.world == "proposal" and route.right is P.DECISIONS_POSITION_RECORD:
        return 403  # a position is its ally delegation's: nobody here works for one
    if route.owner_rule and not on_its_side(user, target):
        return 403
    return None


def snapshot(session, target: Target) -> tuple[Any, ...]:
    dumped = []
    for table, column, value in target.rows:
        if not column:  # a whole table: its size and its newest row
            dumped.append(session.execute(text(f"SELECT count(*) FROM {table}")).one())
            continue
        rows = session.execute(
            text(f"SELECT * FROM {table} WHERE {column} = :v ORDER BY 1"),
            {"v": value},
        ).all()
        dumped.append(tuple(tuple(r) for r in rows))
    if target.audit:
        stmt = select(func.count()).where(
            AuditEvent.object_type == target.audit[0], AuditEvent.object_id == target.audit[1]
        )
        for suffix in READ_SUFFIXES:
            stmt = stmt.where(AuditEvent.action.not_like(f"%{suffix}"))
        dumped.append(session.scalar(stmt))
    return tuple(dumped)


def _marking_of(session, route: Route, target: Target) -> Marking:
    if target.marking is None:
        return UNMARKED
    table, column, value = target.rows[0]
    marking_id = session.scalar(
        text(f"SELECT marking_id FROM {table} WHERE {column} = :v"),
        {"v": value},
    )
    return MarkingStore(session).get(marking_id)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_a_write_is_refused_to_whoever_may_not_make_it(client, engine, auth, jpn_off, route):
    principals = {user: principal_of(engine, user) for user in PRINCIPALS}
    with unit_of_work(session_factory(engine)) as session:
        targets = WORLDS[route.world](session, lambda name: principals[name])
    if route.world == "registry":
        targets = [t for t in targets if t.name == REGISTRY_TARGET[route.path]]
    with unit_of_work(session_factory(engine)) as session:
        markings = {t.name: _marking_of(session, route, t) for t in targets}
    allowed: dict[str, str] = {}
    for target in targets:
        for user in PRINCIPALS:
            want = expected(route, user, principals[user], target, markings[target.name])
            if want is None:
                if user != "admin":
                    allowed.setdefault(target.name, user)
                continue
            with unit_of_work(session_factory(engine)) as session:
                before = snapshot(session, target)
            r = _send(client, auth, route, user, target)
            assert r.status_code == want, (user, target.name, r.status_code, r.text[:300])
            if want == 404:
                assert target.name not in r.text  # hidden: the answer names nothing of it
            with unit_of_work(session_factory(engine)) as session:
                assert snapshot(session, target) == before, (user, target.name)
    if not route.control:
        return
    # The positive control: whoever may write does, once per record (admin where nobody else).
    for target in targets:
        user = allowed.get(target.name, "admin")
        with unit_of_work(session_factory(engine)) as session:
            before = snapshot(session, target)
        r = _send(client, auth, route, user, target)
        assert r.status_code < 400 or (r.status_code in {409, 422} and not route.changes), (
            user,
            target.name,
            r.status_code,
            r.text[:300],
        )
        if route.changes:
            with unit_of_work(session_factory(engine)) as session:
                assert snapshot(session, target) != before, (user, target.name)


def _send(client, auth, route: Route, user: str | None, target: Target):
    headers = {**(HTML if route.page else {}), **(auth(user) if user else {})}
    return client.request(
        route.method,
        route.url(target),
        headers=headers,
        follow_redirects=False,
        **route.request(user or "anonymous", target),
    )


def test_every_write_route_is_in_the_table(tmp_path):
    """The table covers every write route of the app (the route census lists them), apart from
    those that write only the caller's own state and the TAXII store's (issue 15)."""
    _, writes = write_census(app_for(tmp_path))
    covered = {(r.method, r.path) for r in ROUTES}
    assert writes - covered - OWN_STATE - ELSEWHERE == set()
    assert covered - writes == set()  # and names no route that does not exist


# the CLI: the same services, the same answers (a refusal is exit code 2 and one line) --------
CLI = [
    ("programme", PW, lambda t, u: ["programmes", "transition", t.key, "negotiating", "--as", u]),
    ("programme", PW, lambda t, u: ["programmes", "renew", t.key, "--as", u]),
    ("proposal", DM, lambda t, u: ["decisions", "withdraw", t.key, "--as", u, "--reason", "No."]),
    ("proposal", DM, lambda t, u: ["decisions", "amend", t.key, "--as", u, "--text", "New."]),
]


@pytest.mark.parametrize(
    "command", CLI, ids=lambda c: " ".join(c[2](Target("", "REF", "", None, ()), "USER")[:2])
)
def test_a_cli_write_is_refused_to_whoever_may_not_make_it(engine, db_url, jpn_off, command):
    world, right, argv = command
    route = Route("CLI", "", world, right, lambda t: "", nothing)
    principals = {user: principal_of(engine, user) for user in PRINCIPALS if user}
    with unit_of_work(session_factory(engine)) as session:
        targets = WORLDS[world](session, lambda name: principals[name])
        markings = {t.name: _marking_of(session, route, t) for t in targets}
    refused = 0
    for target in targets:
        for user, principal in principals.items():
            if expected(route, user, principal, target, markings[target.name]) is None:
                continue
            with unit_of_work(session_factory(engine)) as session:
                before = snapshot(session, target)
            result = CliRunner().invoke(
                cli_app, argv(target, user), env={"LIAISON_DATABASE_URL": db_url}
            )
            assert result.exit_code == 2, (user, target.name, result.output)
            # No route guard before the service: a hidden record is missing whatever the rights.
            hidden = not can_read(principal, markings[target.name])
            words = ("no ",) if hidden else ("not change it", "needs the permission")
            assert any(w in result.output for w in words), (user, target.name, result.output)
            with unit_of_work(session_factory(engine)) as session:
                assert snapshot(session, target) == before, (user, target.name)
            refused += 1
    assert refused > 0


def test_pages_offer_alliance_writes_only_to_the_alliance_side(client, engine, auth, jpn_off):
    """A partner user holding the officer role reads a programme released to it, but the page
    offers no write form (each write would be refused anyway); the officer's page does."""
    with unit_of_work(session_factory(engine)) as session:
        target = programmes_world(session, None)[0]
    url = f"/programmes/{target.key}"
    transition = f'action="/programmes/{target.key}/transition"'
    officer = client.get(url, headers={**HTML, **auth("officer")})
    partner = client.get(url, headers={**HTML, **auth("jpn_off")})
    assert (officer.status_code, partner.status_code) == (200, 200)
    assert transition in officer.text
    assert transition not in partner.text
