# SPDX-License-Identifier: Apache-2.0
"""The STIX writer's side (issue 14, finding 1, for the TAXII store): reading an object never
lets a writer change it. A line of versions is versioned and deleted only by its owner — the
alliance side for alliance material, the partner mission that wrote it for a partner's — or an
administrator (``security.writes``); a version keeps its object's ``created_by_ref``, and a
writer names no identity but its own. On both backends.

The write-leak table: every demo principal × objects written by the console (alliance), by
Korea and by Japan under every probe marking their writer may read; for each object the
principal reads, a new version over TAXII POST and a DELETE, with the one right answer each.
(What a principal cannot read answers as a missing id: test_fail_closed.py's suite.)
"""

from __future__ import annotations

import uuid

import pytest
from sharing_helpers import KEY, ROOT, indicator, make_collection, marking_ref, taxii_headers
from sqlalchemy import select, text

from leak_probes import PROBE_MARKINGS, USERS, principal_of
from liaison.db.session import session_factory, unit_of_work
from liaison.migrations import downgrade, upgrade
from liaison.registry.service import RegistryService
from liaison.security.classification import Classification
from liaison.security.marking_store import MarkingStore
from liaison.security.markings import Marking
from liaison.security.models import OwnerSide
from liaison.security.permissions import Permission
from liaison.security.policy import can_read
from liaison.security.principal import SYSTEM, Principal
from liaison.sharing.ingest import CREATOR_CHANGED, NOT_OWNER, NOT_YOUR_IDENTITY
from liaison.sharing.models import StixObject
from liaison.sharing.service import SharingService

ALLY = {"admin", "officer", "analyst"}
MISSION = {"japan": "japan", "korea": "korea"}
OWNERS = ("console", "korea", "japan")
NOT_YOURS = NOT_OWNER.removeprefix("not stored: ")


def may_change(user: str, owner: str) -> bool:
    """By hand, DESIGN.md's rule: admin changes anything it reads; alliance material is the
    alliance side's; a partner's object is its mission's."""
    if user == "admin":
        return True
    if owner == "console":
        return user in ALLY
    return MISSION.get(user) == owner


def principal(engine, owner: str) -> Principal:
    return SYSTEM if owner == "console" else principal_of(engine, owner)


def post(client, headers, collection, objects):
    return client.post(
        f"{ROOT}/collections/{collection}/objects/",
        json={"objects": objects},
        headers=taxii_headers(headers, post=True),
    )


def stored_as(engine, who: Principal, collection: str, objects: list[dict]) -> None:
    with unit_of_work(session_factory(engine)) as session:
        outcome = SharingService(session, who, KEY).post(collection, objects)
        assert not outcome.status.failure_count, outcome.status.failures[:3]


def names(engine, stix_id: str) -> list[str]:
    """The names of every stored version of an object, oldest first."""
    with unit_of_work(session_factory(engine)) as session:
        bodies = session.scalars(
            select(StixObject.body).where(StixObject.stix_id == stix_id).order_by(StixObject.id)
        )
        return [b.split('"name":"', 1)[1].split('"', 1)[0] for b in bodies if '"name"' in b]


@pytest.fixture
def writes(engine) -> str:
    return make_collection(
        engine, title="Writes", alias="writes", writers=("ally", "partner"), default="PUBLIC"
    )


@pytest.mark.parametrize("username", [u for u in USERS if u])
def test_a_writer_changes_only_what_it_owns_among_what_it_reads(
    client, auth, engine, writes, username
):
    probes: list[tuple[str, dict, object]] = []
    for owner in OWNERS:
        writer = principal(engine, owner)
        with unit_of_work(session_factory(engine)) as session:
            mine = []
            for n, text_ in enumerate(PROBE_MARKINGS):
                marking = RegistryService(session, SYSTEM).parse_marking(text_)
                if not can_read(writer, marking):
                    continue  # nobody writes what they could not read
                mref, mdef = marking_ref(session, text_)
                probe = indicator(n, markings=[mref])
                mine += [mdef, probe]
                probes.append((owner, probe, marking))
        stored_as(engine, writer, writes, mine)
    user = principal_of(engine, username)
    h = auth(username)
    may_write = user.can(Permission.SHARING_OBJECT_WRITE)
    checked = 0
    for owner, probe, marking in probes:
        if not can_read(user, marking):
            continue  # hidden: answered as a missing id (test_fail_closed.py)
        checked += 1
        newer = {**probe, "modified": "2026-05-01T00:00:00.000Z", "name": f"by {username}"}
        r = post(client, h, writes, [newer])
        gone = client.delete(
            f"{ROOT}/collections/{writes}/objects/{probe['id']}/", headers=taxii_headers(h)
        )
        if not may_write:
            assert (r.status_code, gone.status_code) == (403, 403), (owner, probe["name"])
            assert names(engine, probe["id"]) == [probe["name"]]
        elif may_change(username, owner):
            assert r.status_code == 202
            assert r.json()["success_count"] == 1, r.json()
            assert gone.status_code == 200
            assert names(engine, probe["id"]) == []
        else:
            status = r.json()
            assert (status["success_count"], status["failure_count"]) == (0, 1)
            assert status["failures"][0]["message"] == NOT_OWNER
            assert gone.status_code == 403
            assert gone.json()["description"] == NOT_YOURS
            assert names(engine, probe["id"]) == [probe["name"]]  # untouched, both ways
    assert checked  # every principal reads something here (PUBLIC at least)


def test_the_owner_stays_with_the_line_whoever_versions_it(client, auth, engine, writes):
    """An administrator versions Korea's object; the line stays Korea's, so Korea versions it
    again and Japan (which reads it) still may not."""
    korea = principal_of(engine, "korea")
    mine = indicator(1)
    stored_as(engine, korea, writes, [mine])
    by_admin = {**mine, "modified": "2026-02-01T00:00:00.000Z", "name": "admin's"}
    assert post(client, auth("admin"), writes, [by_admin]).json()["success_count"] == 1
    again = {**mine, "modified": "2026-03-01T00:00:00.000Z", "name": "korea's again"}
    assert post(client, auth("korea"), writes, [again]).json()["success_count"] == 1
    japans = {**mine, "modified": "2026-04-01T00:00:00.000Z", "name": "japan's"}
    assert post(client, auth("japan"), writes, [japans]).json()["failures"][0]["message"] == (
        NOT_OWNER
    )
    with unit_of_work(session_factory(engine)) as session:
        owners = set(
            session.execute(
                select(StixObject.owner_side, StixObject.owner_organisation_id).where(
                    StixObject.stix_id == mine["id"]
                )
            ).all()
        )
    assert owners == {(OwnerSide.PARTNER, korea.organisation_id)}


def identity(name: str, **extra: object) -> dict:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": f"identity--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": name,
        "identity_class": "organization",
        **extra,
    }


def test_a_writer_names_only_its_own_identity(client, auth, engine, writes):
    with unit_of_work(session_factory(engine)) as session:
        ns_ref, ns_def = marking_ref(session, "NS")
    alliance = identity("The alliance")
    hidden = identity("Hidden", object_marking_refs=[ns_ref])
    stored_as(engine, SYSTEM, writes, [alliance, ns_def, hidden])
    korea = auth("korea")

    def claimed_by(creator: str) -> dict:
        return {**indicator(2), "created_by_ref": creator}

    forged = post(client, korea, writes, [claimed_by(alliance["id"])]).json()
    nowhere = f"identity--{uuid.uuid4()}"
    answers = {
        ref: post(client, korea, writes, [claimed_by(ref)]).json()
        for ref in (hidden["id"], nowhere)
    }
    assert forged["failures"][0]["message"] == NOT_YOUR_IDENTITY.format(ref=alliance["id"])
    # A hidden identity is as unknown as one that exists nowhere.
    for ref, status in answers.items():
        assert status["failures"][0]["message"] == NOT_YOUR_IDENTITY.format(ref=ref)
    # Its own: created in the envelope, then stored and named again.
    own = identity("Mission of Korea")
    first = claimed_by(own["id"])
    assert post(client, korea, writes, [own, first]).json()["success_count"] == 2
    later = claimed_by(own["id"])
    assert post(client, korea, writes, [later]).json()["success_count"] == 1
    # A copy of the alliance's identity in the envelope does not make it Korea's.
    copied = post(client, korea, writes, [alliance, claimed_by(alliance["id"])]).json()
    assert copied["failures"][0]["message"] == NOT_YOUR_IDENTITY.format(ref=alliance["id"])
    # Allies name the alliance's identity; the administrator any.
    assert (
        post(client, auth("officer"), writes, [claimed_by(alliance["id"])]).json()["success_count"]
        == 1
    )
    assert post(client, auth("admin"), writes, [claimed_by(nowhere)]).json()["success_count"] == 1


def test_a_pull_keeps_its_remotes_identities(engine, writes):
    """A federation pull (capped by its remote's ceiling) stores objects whose creator is the
    remote's producer; it still may not version what it reads but does not own."""
    officer = principal_of(engine, "officer")
    remote_identity = f"identity--{uuid.uuid4()}"
    pulled = {**indicator(7), "created_by_ref": remote_identity}
    with unit_of_work(session_factory(engine)) as session:
        service = SharingService(session, officer, KEY)
        ceiling = RegistryService(session, SYSTEM).parse_marking("NU")
        assert not service.post(writes, [pulled], ceiling=ceiling).status.failure_count
        refused = service.post(writes, [{**pulled, "id": f"indicator--{uuid.uuid4()}"}])
        assert refused.status.failures[0]["message"].startswith("not stored: created_by_ref")
    stored_as(engine, principal_of(engine, "korea"), writes, [koreas := indicator(8)])
    with unit_of_work(session_factory(engine)) as session:
        newer = {**koreas, "modified": "2026-02-01T00:00:00.000Z"}
        outcome = SharingService(session, officer, KEY).post(writes, [newer], ceiling=ceiling)
        assert outcome.status.failures[0]["message"] == NOT_OWNER


def test_a_version_keeps_the_created_by_ref(client, auth, engine, writes):
    korea = auth("korea")
    own, other = identity("Mission of Korea"), identity("Korea's second desk")
    first = {**indicator(3), "created_by_ref": own["id"]}
    assert post(client, korea, writes, [own, other, first]).json()["success_count"] == 3
    moved = {**first, "modified": "2026-02-01T00:00:00.000Z", "created_by_ref": other["id"]}
    dropped = {k: v for k, v in first.items() if k != "created_by_ref"}
    dropped["modified"] = "2026-02-01T00:00:00.000Z"
    for changed in (moved, dropped):
        status = post(client, korea, writes, [changed]).json()
        assert status["failures"][0]["message"] == CREATOR_CHANGED.format(creator=own["id"])
    kept = {**first, "modified": "2026-02-01T00:00:00.000Z", "name": "kept"}
    assert post(client, korea, writes, [kept]).json()["success_count"] == 1
    # Two versions of a new object in one envelope: the same rule.
    fresh = {**indicator(9), "created_by_ref": own["id"]}
    swapped = {**fresh, "modified": "2026-02-01T00:00:00.000Z", "created_by_ref": other["id"]}
    status = post(client, korea, writes, [fresh, swapped]).json()
    assert status["failures"][0]["message"] == CREATOR_CHANGED.format(creator=own["id"])


def test_a_delete_of_several_lines_is_all_or_nothing(client, auth, engine, writes):
    """One id, two lines: the alliance's (NR, hidden from Korea when Korea wrote its own) and
    Korea's. Once the alliance's is readable to Korea, Korea's versions go to its own line,
    and its DELETE — which selects both — is refused whole."""
    with unit_of_work(session_factory(engine)) as session:
        nr_ref, nr_def = marking_ref(session, "NR")
        public_id = MarkingStore(session).intern(Marking(Classification.PUBLIC))
    shared = indicator(4, markings=[nr_ref])
    stored_as(engine, SYSTEM, writes, [nr_def, shared])
    mine = {k: v for k, v in shared.items() if k != "object_marking_refs"}
    stored_as(engine, principal_of(engine, "korea"), writes, [{**mine, "name": "korea's"}])
    with engine.begin() as connection:  # the alliance's line now PUBLIC (by hand)
        connection.execute(
            text(
                "UPDATE stix_object SET own_marking_id = :m, marking_id = :m "
                "WHERE stix_id = :i AND owner_side = 'ally'"
            ),
            {"m": public_id, "i": shared["id"]},
        )
    korea = auth("korea")
    newer = {**mine, "modified": "2026-02-01T00:00:00.000Z", "name": "korea's newer"}
    assert post(client, korea, writes, [newer]).json()["success_count"] == 1
    gone = client.delete(
        f"{ROOT}/collections/{writes}/objects/{shared['id']}/", headers=taxii_headers(korea)
    )
    assert gone.status_code == 403
    assert sorted(names(engine, shared["id"])) == sorted(
        [shared["name"], "korea's", "korea's newer"]
    )
    admin = client.delete(
        f"{ROOT}/collections/{writes}/objects/{shared['id']}/",
        headers=taxii_headers(auth("admin")),
    )
    assert admin.status_code == 200
    assert names(engine, shared["id"]) == []


def test_migration_0023_gives_partners_back_their_lines(engine, writes):
    korea = principal_of(engine, "korea")
    theirs, ours = indicator(5), indicator(6)
    stored_as(engine, korea, writes, [theirs])
    stored_as(engine, principal_of(engine, "officer"), writes, [ours])
    downgrade(engine, "0021")
    upgrade(engine)
    with unit_of_work(session_factory(engine)) as session:
        owners = {
            sid: (side, org)
            for sid, side, org in session.execute(
                select(
                    StixObject.stix_id, StixObject.owner_side, StixObject.owner_organisation_id
                ).where(StixObject.stix_id.in_([theirs["id"], ours["id"]]))
            )
        }
    assert owners[theirs["id"]] == (OwnerSide.PARTNER, korea.organisation_id)
    assert owners[ours["id"]] == (OwnerSide.ALLY, None)
