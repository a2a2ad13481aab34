"""The write-leak suite: every write route × every principal kind × records they may read but
not change (DESIGN.md; issue 14, finding 1).

One table, ``ROUTES``: each write route of the API and the pages, with the kind of record it
writes and the request that would change it. Each kind has a *world* (records of several
markings and owners) and a *snapshot* (the row as stored, and the write events the audit trail
holds about it). For every principal kind — anonymous, admin, an ally officer, an ally national
analyst (read only), Japan (a partner with a security agreement), Korea (a partner without
one) — and every record:

- a principal that may not write gets one answer, worked out here by hand from DESIGN.md: 401
  anonymous; 403 without the kind's write right; 404 for a record it may not read (exactly
  like a missing one); 403 for a record it reads but does not own;
- and the record is read back: nothing changed, no write event recorded.

Then the one who may write makes the same request (a positive control, so that a route that
refuses everybody cannot pass) and the record changes. ``test_every_write_route_is_in_the_table``
fails on a write route the table does not cover (the route census lists them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from leak_probes import principal_of
from liaison.audit.models import AuditEvent
from liaison.db.session import session_factory, unit_of_work
from liaison.documents.models import Document
from liaison.documents.schemas import NoteCreate
from liaison.documents.service import DocumentService
from liaison.security.marking_store import MarkingStore
from liaison.security.policy import can_read
from liaison.security.principal import SYSTEM, Principal

PRINCIPALS: list[str | None] = [None, "admin", "officer", "analyst", "japan", "korea"]
ALLY = {"admin", "officer", "analyst"}
HTML = {"accept": "text/html"}
READ_SUFFIXES = (":read", ":preview", ":download", ":feed", ":list")


@dataclass(frozen=True)
class Target:
    """A record of a world: its id as URLs name it, its owner ("alliance" or the partner user
    whose mission made it) and its marking as written."""

    name: str
    id: int
    owner: str
    marking: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class World:
    build: Callable[[Any, Callable[[str], Principal]], list[Target]]
    snapshot: Callable[[Any, Target], Any]
    writers: frozenset[str]  # who holds the kind's write right (the roles of the demo users)
    object_type: str


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as the route census names it
    kind: str
    url: Callable[[Target], str]
    request: Callable[[str, Target], dict[str, Any]]  # (user, target) → json= / data=
    page: bool = False
    ok: tuple[int, ...] = (200, 201, 204)


# documents --------------------------------------------------------------------------------------
def _note(session, principal, title, marking) -> int:
    view = DocumentService(session, principal).add_note(
        NoteCreate(title=title, body="A note for the write-leak suite.", marking=marking)
    )
    return view.document.id


def documents_world(session, principal_named) -> list[Target]:
    specs = [
        ("alliance PUBLIC", "alliance", "PUBLIC"),
        ("alliance NU // REL IP4", "alliance", "NU // REL IP4"),
        ("alliance NU // REL KOR", "alliance", "NU // REL KOR"),
        ("alliance NR // REL JPN", "alliance", "NR // REL JPN"),
        ("alliance NR", "alliance", "NR"),
        ("japan's NR // REL JPN", "japan", "NR // REL JPN"),
        ("japan's NU // REL IP4", "japan", "NU // REL IP4"),
        ("korea's NU // REL IP4", "korea", "NU // REL IP4"),
    ]
    targets = []
    for name, owner, marking in specs:
        who = SYSTEM if owner == "alliance" else principal_named(owner)
        targets.append(
            Target(name, _note(session, who, f"Write probe: {name}", marking), owner, marking)
        )
    return targets


def document_snapshot(session, target):
    row = session.execute(
        select(Document.title, Document.marking_id, Document.updated_by).where(
            Document.id == target.id
        )
    ).one_or_none()
    return tuple(row) if row is not None else None


# A marking each user could give the record that only raises it (narrower releasability or a
# higher level), one it may read itself: the write is then refused only by the write policy.
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
NATION = {"japan": "JPN", "korea": "KOR"}


def raised(user: str, target: Target) -> str:
    side = "ally" if user in ALLY else "partner"
    # A record the user may not read gets any marking: the answer is 404 whatever it asks.
    return RAISE.get((target.marking, side), "NU").format(nation=NATION.get(user, ""))


def _title(user: str, _target: Target) -> dict[str, Any]:
    return {"json": {"title": f"Changed by {user}"}}


def _remark(user: str, target: Target) -> dict[str, Any]:
    return {"json": {"marking": raised(user, target)}}


def _form_title(user: str, _target: Target) -> dict[str, Any]:
    return {"data": {"title": f"Changed by {user}"}}


def _form_remark(user: str, target: Target) -> dict[str, Any]:
    return {"data": {"marking": raised(user, target), "reason": ""}}


def _nothing(_user: str, _target: Target) -> dict[str, Any]:
    return {}


WORLDS: dict[str, World] = {
    "document": World(
        documents_world,
        document_snapshot,
        frozenset({"admin", "officer", "japan", "korea"}),
        "document",
    ),
}

DOC = "/api/v1/documents/{document_id}"
ROUTES: list[Route] = [
    Route("PATCH", DOC, "document", lambda t: f"/api/v1/documents/{t.id}", _title),
    Route(
        "POST", f"{DOC}/marking", "document", lambda t: f"/api/v1/documents/{t.id}/marking", _remark
    ),
    Route("DELETE", DOC, "document", lambda t: f"/api/v1/documents/{t.id}", _nothing),
    Route(
        "POST",
        "/documents/{document_id}/edit",
        "document",
        lambda t: f"/documents/{t.id}/edit",
        _form_title,
        page=True,
        ok=(303,),
    ),
    Route(
        "POST",
        "/documents/{document_id}/marking",
        "document",
        lambda t: f"/documents/{t.id}/marking",
        _form_remark,
        page=True,
        ok=(303,),
    ),
    Route(
        "POST",
        "/documents/{document_id}/delete",
        "document",
        lambda t: f"/documents/{t.id}/delete",
        _nothing,
        page=True,
        ok=(303,),
    ),
]


# the expectation, by hand -----------------------------------------------------------------------
def may_write(user: str | None, target: Target, world: World) -> bool:
    """DESIGN.md: read access, the kind's write right, and the record's side — the alliance
    side for alliance material, the owning mission for a partner's — or admin."""
    if user is None or user not in world.writers:
        return False
    if user == "admin":
        return True
    if target.owner == "alliance":
        return user in ALLY
    return user == target.owner


def expected_refusal(user: str | None, principal: Principal, world: World, marking) -> int:
    if user is None:
        return 401
    if user not in world.writers:
        return 403  # the route's permission guard: it names no object, so it reveals nothing
    if not can_read(principal, marking):
        return 404
    return 403


def _write_events(session, object_type: str, target: Target) -> int:
    stmt = select(func.count()).where(
        AuditEvent.object_type == object_type, AuditEvent.object_id == str(target.id)
    )
    for suffix in READ_SUFFIXES:
        stmt = stmt.where(AuditEvent.action.not_like(f"%{suffix}"))
    return session.scalar(stmt) or 0


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_a_write_is_refused_to_whoever_may_not_make_it(client, engine, auth, route):
    world = WORLDS[route.kind]
    principals = {user: principal_of(engine, user) for user in PRINCIPALS}
    with unit_of_work(session_factory(engine)) as session:
        targets = world.build(session, lambda name: principals[name])
        markings = {
            t.id: MarkingStore(session).get(_marking_id(session, route.kind, t)) for t in targets
        }
    allowed: dict[int, str] = {}
    for target in targets:
        marking = markings[target.id]
        for user in PRINCIPALS:
            if may_write(user, target, world):
                if user != "admin":
                    allowed.setdefault(target.id, user)
                continue
            with unit_of_work(session_factory(engine)) as session:
                before = (
                    world.snapshot(session, target),
                    _write_events(session, world.object_type, target),
                )
            headers = {**(HTML if route.page else {}), **(auth(user) if user else {})}
            r = client.request(
                route.method,
                route.url(target),
                headers=headers,
                follow_redirects=False,
                **route.request(user or "anonymous", target),
            )
            want = expected_refusal(user, principals[user], world, marking)
            assert r.status_code == want, (user, target.name, r.status_code, r.text[:300])
            if want == 404:
                assert target.name not in r.text  # hidden: the answer names nothing of it
            with unit_of_work(session_factory(engine)) as session:
                after = (
                    world.snapshot(session, target),
                    _write_events(session, world.object_type, target),
                )
            assert after == before, (user, target.name)
    # The positive control: whoever may write does, once per record (admin where nobody else).
    for target in targets:
        user = allowed.get(target.id, "admin")
        with unit_of_work(session_factory(engine)) as session:
            before = world.snapshot(session, target)
        headers = {**(HTML if route.page else {}), **auth(user)}
        r = client.request(
            route.method,
            route.url(target),
            headers=headers,
            follow_redirects=False,
            **route.request(user, target),
        )
        assert r.status_code in route.ok, (user, target.name, r.status_code, r.text[:300])
        with unit_of_work(session_factory(engine)) as session:
            assert world.snapshot(session, target) != before, (user, target.name)


def _marking_id(session, kind: str, target: Target) -> int:
    if kind == "document":
        return session.scalar(select(Document.marking_id).where(Document.id == target.id))
    raise AssertionError(kind)
