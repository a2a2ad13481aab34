# SPDX-License-Identifier: Apache-2.0
"""Issue 15: the STIX store and TAXII server fail closed. One test per numbered item of the
issue (integrity 1-3, side channels 4-8) and per server error it listed, on both backends.

The setting is the issue's: a collection "probe" that everyone reads and allies and partners
write, default marking NU // REL IP4; Korea (a partner without a security agreement) reads
PUBLIC and NATO UNCLASSIFIED released to it; the administrator reads everything.
"""

from __future__ import annotations

import base64
import uuid

import orjson
import pytest
from sharing_helpers import (
    KEY,
    ROOT,
    indicator,
    make_collection,
    marking_ref,
    relationship,
    taxii_headers,
)
from sqlalchemy import select, text
from stix2validator import ValidationOptions, validate_instance

from leak_probes import PROBE_MARKINGS, USERS, principal_of
from liaison.db.session import session_factory, unit_of_work
from liaison.migrations import downgrade, upgrade
from liaison.registry.service import RegistryService
from liaison.security.policy import can_read
from liaison.security.principal import SYSTEM
from liaison.sharing import stix
from liaison.sharing.ingest import STATUS_DETAILS_MAX
from liaison.sharing.models import StixObject
from liaison.sharing.service import SharingService


@pytest.fixture
def probe(engine) -> str:
    return make_collection(
        engine,
        title="Probe",
        alias="probe",
        readers=("all",),
        writers=("ally", "partner"),
        default="NU // REL IP4",
    )


def stored(engine, collection, objects) -> None:
    """Objects stored by the console (the administrator's side), all or nothing."""
    with unit_of_work(session_factory(engine)) as session:
        outcome = SharingService(session, SYSTEM, KEY).post(collection, objects)
        assert not outcome.status.failure_count, outcome.status.failures[:3]


def ref(engine, text):
    with unit_of_work(session_factory(engine)) as session:
        return marking_ref(session, text)


def post(client, headers, collection, objects):
    r = client.post(
        f"{ROOT}/collections/{collection}/objects/",
        json={"objects": objects},
        headers=taxii_headers(headers, post=True),
    )
    assert r.status_code == 202, r.text
    return r.json()


def get(client, headers, path, **params):
    return client.get(f"{ROOT}{path}", params=params, headers=taxii_headers(headers))


def answer(status):
    """What a status says, apart from its own id and time."""
    return (
        status["success_count"],
        status["failure_count"],
        [(d["message"], d.get("version")) for d in status["successes"] + status["failures"]],
    )


# 1 -------------------------------------------------------------------------------------------
def test_a_partner_cannot_overwrite_or_revoke_what_it_cannot_read(client, auth, engine, probe):
    ns_ref, ns_def = ref(engine, "NS")
    secret = indicator(1, markings=[ns_ref])
    stored(engine, probe, [ns_def, secret])
    korea = auth("korea")
    newer = {
        **secret,
        "modified": "2026-03-01T00:00:00.000Z",
        "name": "korea's text",
        "revoked": True,
    }
    newer.pop("object_marking_refs")
    fresh = {**newer, "id": f"indicator--{uuid.uuid4()}"}
    over_hidden = post(client, korea, probe, [newer])
    over_nothing = post(client, korea, probe, [fresh])
    assert answer(over_hidden) == answer(over_nothing)
    # Korea reads its own object back, exactly as it reads the fresh one.
    mine = get(client, korea, f"/collections/{probe}/objects/{secret['id']}/")
    theirs = get(client, korea, f"/collections/{probe}/objects/{fresh['id']}/")
    assert mine.status_code == theirs.status_code == 200
    assert mine.json()["objects"][0]["name"] == "korea's text"
    # The administrator's line is untouched: its latest is still its own text and marking.
    admin = get(client, auth("admin"), f"/collections/{probe}/objects/{secret['id']}/")
    served = {o["name"]: o for o in admin.json()["objects"]}
    assert served[secret["name"]]["object_marking_refs"] == [ns_ref]
    assert "revoked" not in served[secret["name"]]
    versions = get(client, auth("admin"), f"/collections/{probe}/objects/{secret['id']}/versions/")
    assert len(versions.json()["versions"]) == 2  # one of each line


def test_a_new_version_may_not_lower_the_marking(client, auth, engine, probe):
    nr_ref, nr_def = ref(engine, "NR")
    first = indicator(1, markings=[nr_ref])
    officer = auth("officer")
    assert post(client, officer, probe, [nr_def, first])["failure_count"] == 0
    lower = {**first, "modified": "2026-03-01T00:00:00.000Z"}
    lower.pop("object_marking_refs")  # the default, NU // REL IP4: lower than NR
    status = post(client, officer, probe, [lower])
    assert status["failure_count"] == 1
    assert "may not be marked lower" in status["failures"][0]["message"]
    ns_ref, ns_def = ref(engine, "NS")
    higher = {**first, "modified": "2026-03-01T00:00:00.000Z", "object_marking_refs": [ns_ref]}
    assert post(client, auth("admin"), probe, [ns_def, higher])["failure_count"] == 0


# 2 -------------------------------------------------------------------------------------------
def test_an_unknown_marking_reference_refuses_the_object(client, auth, engine, probe):
    nc_ref, _ = ref(engine, "NC")
    status = post(client, auth("admin"), probe, [indicator(1, markings=[nc_ref])])
    assert status["success_count"] == 0
    assert "cannot be resolved" in status["failures"][0]["message"]
    r = get(client, auth("korea"), f"/collections/{probe}/objects/")
    assert "objects" not in r.json()


# 3 -------------------------------------------------------------------------------------------
def test_what_is_served_names_the_effective_marking(client, auth, engine, probe):
    jpn_ref, jpn_def = ref(engine, "NR // REL JPN")
    kor_ref, kor_def = ref(engine, "NU // REL KOR")
    nr_ref, _ = ref(engine, "NR")  # the cap of both: defined nowhere in the envelope
    secret = indicator(1, markings=[jpn_ref])
    open_end = indicator(2, markings=[kor_ref])
    rel = relationship(open_end["id"], secret["id"], markings=[kor_ref])
    stored(engine, probe, [jpn_def, kor_def, secret, open_end, rel])
    admin = auth("admin")
    served = get(client, admin, f"/collections/{probe}/objects/{rel['id']}/").json()["objects"]
    assert served[0]["object_marking_refs"] == [nr_ref]
    # The definition it names is served in the collection.
    page = get(client, admin, f"/collections/{probe}/objects/", limit=100).json()["objects"]
    assert nr_ref in {o["id"] for o in page}
    assert (
        get(client, auth("korea"), f"/collections/{probe}/objects/{rel['id']}/").status_code == 404
    )
    # Posting it again is "already stored", though what is stored now names the cap.
    again = post(client, admin, probe, [jpn_def, kor_def, rel])
    assert [d["message"] for d in again["successes"]] == ["already stored"] * 3


# 4 -------------------------------------------------------------------------------------------
def test_date_added_counts_no_hidden_rows(client, auth, engine, probe):
    kor_ref, kor_def = ref(engine, "NU // REL KOR")
    ns_ref, ns_def = ref(engine, "NS")
    a, b = indicator(1, markings=[kor_ref]), indicator(2, markings=[kor_ref])
    hidden = [indicator(10 + i, markings=[ns_ref]) for i in range(3)]
    stored(engine, probe, [kor_def, ns_def, a, *hidden, b])
    manifest = get(client, auth("korea"), f"/collections/{probe}/manifest/").json()["objects"]
    added = {e["id"]: e["date_added"] for e in manifest}
    assert added[a["id"]] == added[b["id"]]


# 5 -------------------------------------------------------------------------------------------
def test_cursors_name_no_row_id_and_do_not_depend_on_hidden_rows(client, auth, engine, probe):
    kor_ref, kor_def = ref(engine, "NU // REL KOR")
    ns_ref, ns_def = ref(engine, "NS")
    visible = [indicator(i, markings=[kor_ref]) for i in range(4)]
    stored(engine, probe, [kor_def, ns_def, *visible[:2]])
    other = make_collection(engine, title="Allies", alias="allied", readers=("ally",))
    stored(engine, other, [ns_def] + [indicator(i, markings=[ns_ref]) for i in range(50)])
    stored(engine, probe, visible[2:])
    korea = auth("korea")
    page = get(client, korea, f"/collections/{probe}/objects/", limit=2).json()
    token = page["next"]
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert not raw.isascii()  # sealed: no position, count or row id in clear
    rest = get(client, korea, f"/collections/{probe}/objects/", limit=3, next=token).json()
    served = [o["id"] for o in page["objects"] + rest["objects"]]
    assert served[0] == kor_ref
    assert sorted(served[1:]) == sorted(o["id"] for o in visible)
    # The same reader, position and filters give the same token, whatever else was written.
    again = get(client, korea, f"/collections/{probe}/objects/", limit=2).json()["next"]
    stored(engine, other, [indicator(99, markings=[ns_ref])])
    assert get(client, korea, f"/collections/{probe}/objects/", limit=2).json()["next"] == again


# 6 -------------------------------------------------------------------------------------------
def test_reposting_a_hidden_id_answers_as_for_a_fresh_one(client, auth, engine, probe):
    ns_ref, ns_def = ref(engine, "NS")
    aus_ref, aus_def = ref(engine, "NS // REL AUS")
    secret = indicator(1, markings=[ns_ref])
    sco = {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": "ipv4-addr--ff7c3e5c-7d8b-5a2b-9c4e-1a2b3c4d5e6f",
        "value": "203.0.113.99",
        "object_marking_refs": [ns_ref],
    }
    stored(engine, probe, [ns_def, secret, sco])
    allies = make_collection(engine, title="Allies", alias="allied", readers=("ally",))
    stored(engine, allies, [aus_def])
    korea = auth("korea")
    same = {k: v for k, v in secret.items() if k != "object_marking_refs"}
    fresh = {**same, "id": f"indicator--{uuid.uuid4()}"}
    sco_mine = {k: v for k, v in sco.items() if k != "object_marking_refs"}
    sco_fresh = {**sco_mine, "id": "ipv4-addr--0f7c3e5c-7d8b-5a2b-9c4e-1a2b3c4d5e6f"}
    pairs = [([same], [fresh]), ([sco_mine], [sco_fresh])]
    for hidden_case, fresh_case in pairs:
        assert answer(post(client, korea, probe, hidden_case)) == answer(
            post(client, korea, probe, fresh_case)
        )
        for obj in (hidden_case[0], fresh_case[0]):
            r = get(client, korea, f"/collections/{probe}/objects/{obj['id']}/")
            assert r.status_code == 200
            assert r.json()["objects"][0].get("value", obj.get("value")) == obj.get("value")
    # A marking-definition stored where Korea cannot read is as unknown as a made-up one.
    made_up = f"marking-definition--{uuid.uuid4()}"
    answers = [
        answer(post(client, korea, probe, [indicator(5, markings=[r])]))
        for r in (aus_ref, made_up, aus_ref)
    ]
    assert answers[0] == answers[2]
    assert [m.replace(aus_ref, "X") for m in [answers[0][2][0][0]]] == [
        answers[1][2][0][0].replace(made_up, "X")
    ]


# 7 -------------------------------------------------------------------------------------------
def test_a_reference_resolves_only_within_its_collection(client, auth, engine, probe):
    public_ref, public_def = ref(engine, "PUBLIC")
    elsewhere = indicator(1, markings=[public_ref])
    allies = make_collection(engine, title="Allies", alias="allied", readers=("ally",))
    stored(engine, allies, [public_def, elsewhere])
    to_elsewhere = relationship(
        f"indicator--{uuid.uuid4()}", elsewhere["id"], markings=[public_ref]
    )
    to_nowhere = relationship(
        f"indicator--{uuid.uuid4()}", f"indicator--{uuid.uuid4()}", markings=[public_ref]
    )
    start = indicator(2, markings=[public_ref])
    to_elsewhere["source_ref"] = to_nowhere["source_ref"] = start["id"]
    stored(engine, probe, [public_def, start, to_elsewhere, to_nowhere])
    korea = auth("korea")
    a = get(client, korea, f"/collections/{probe}/objects/{to_elsewhere['id']}/")
    b = get(client, korea, f"/collections/{probe}/objects/{to_nowhere['id']}/")
    assert a.status_code == b.status_code == 404
    assert a.json() == b.json()


# 8 -------------------------------------------------------------------------------------------
def test_can_write_is_true_only_where_a_post_succeeds(client, auth, engine, probe):
    read_only = auth("officer", frozenset({"read"}))
    listed = get(client, read_only, "/collections/").json()["collections"]
    assert [c["can_write"] for c in listed] == [False]
    assert get(client, read_only, f"/collections/{probe}/").json()["can_write"] is False
    r = client.post(
        f"{ROOT}/collections/{probe}/objects/",
        json={"objects": [indicator(1)]},
        headers=taxii_headers(read_only, post=True),
    )
    assert r.status_code == 403
    writer = auth("officer")
    assert get(client, writer, f"/collections/{probe}/").json()["can_write"] is True
    assert post(client, writer, probe, [indicator(1)])["success_count"] == 1


# errors that were 500s -----------------------------------------------------------------------
def test_non_ascii_cursors_are_a_400(client, auth, engine, probe):
    stored(engine, probe, [indicator(1)])
    h = auth("korea")
    oid = f"indicator--{uuid.uuid4()}"
    for path in ("/objects/", "/manifest/", f"/objects/{oid}/", f"/objects/{oid}/versions/"):
        r = get(client, h, f"/collections/{probe}{path}", next="é.é")
        assert r.status_code == 400, path
        assert r.json()["http_status"] == "400"
    r = client.get(f"/sharing/{probe}", params={"next": "é.é"}, headers=h)
    assert r.status_code == 200  # the browse page starts again from its first page


def test_basic_auth_with_a_non_ascii_username_is_a_401(client, auth, engine, probe):
    token = auth("korea")["Authorization"].removeprefix("Bearer ")
    credentials = base64.b64encode(f"é:{token}".encode()).decode()
    r = client.get("/taxii2/", headers={"Authorization": f"Basic {credentials}", "Accept": "*/*"})
    assert r.status_code == 401
    assert r.json()["http_status"] == "401"


@pytest.mark.parametrize("depth", [200, stix.MAX_DEPTH - 1, stix.MAX_DEPTH, 300, 900])
def test_deep_nesting_is_refused_at_the_edge(client, auth, engine, probe, depth):
    """``depth`` levels of objects, the STIX object's own included."""
    nested: object = "bottom"
    for _ in range(depth - 1):
        nested = {"x_deeper": nested}
    status = post(client, auth("officer"), probe, [{**indicator(1), "x_nested": nested}])
    if depth <= stix.MAX_DEPTH:
        assert status["success_count"] == 1
        return
    assert status["success_count"] == 0
    assert "nests deeper" in status["failures"][0]["message"]


def test_timestamps_without_milliseconds_are_served_with_them(client, auth, engine, probe):
    obj = {**indicator(1), "created": "2026-01-01T00:00:00Z", "modified": "2026-01-02T00:00:00Z"}
    officer = auth("officer")
    assert post(client, officer, probe, [obj])["success_count"] == 1
    served = get(client, officer, f"/collections/{probe}/objects/{obj['id']}/").json()["objects"]
    assert served[0]["created"] == "2026-01-01T00:00:00.000Z"
    assert served[0]["modified"] == "2026-01-02T00:00:00.000Z"
    for o in get(client, officer, f"/collections/{probe}/objects/").json()["objects"]:
        assert validate_instance(o, ValidationOptions(version="2.1")).is_valid, o


def test_duplicates_and_changed_bodies_are_reported(client, auth, engine, probe):
    officer = auth("officer")
    obj = indicator(1)
    changed = {**obj, "name": "another body"}
    status = post(client, officer, probe, [obj, changed, obj])
    assert status["success_count"] == 2
    assert status["failure_count"] == 1
    assert status["failures"][0]["message"].startswith("not stored: objects[0] has the same id")
    again = post(client, officer, probe, [obj])
    assert [d["message"] for d in again["successes"]] == ["already stored"]
    conflict = post(client, officer, probe, [changed])
    assert conflict["failures"][0]["message"].startswith("not stored: this version is already")
    served = get(client, officer, f"/collections/{probe}/objects/{obj['id']}/").json()
    assert served["objects"][0]["name"] == obj["name"]


def test_a_big_status_keeps_exact_counts_and_bounded_details(client, auth, engine, probe):
    officer = auth("officer")
    objects = [indicator(i) for i in range(STATUS_DETAILS_MAX + 5)]
    status = post(client, officer, probe, objects)
    assert status["total_count"] == status["success_count"] == STATUS_DETAILS_MAX + 5
    assert len(status["successes"]) == STATUS_DETAILS_MAX
    again = get(client, officer, f"/status/{status['id']}/").json()
    assert again["success_count"] == STATUS_DETAILS_MAX + 5
    assert len(again["successes"]) == STATUS_DETAILS_MAX


# the write-leak suite: TAXII POST and DELETE × every reader × every probe marking -----------
@pytest.mark.parametrize("username", [u for u in USERS if u])
def test_taxii_writes_never_touch_what_the_writer_cannot_read(client, auth, engine, username):
    cid = make_collection(engine, title="Writes", alias="writes", default="PUBLIC")
    probes, objects = {}, []
    with unit_of_work(session_factory(engine)) as session:
        for n, text in enumerate(PROBE_MARKINGS):
            mref, mdef = marking_ref(session, text)
            probe = indicator(n, markings=[mref])
            objects += [mdef, probe]
            probes[probe["id"]] = (probe, RegistryService(session, SYSTEM).parse_marking(text))
    stored(engine, cid, objects)
    writer = principal_of(engine, username)
    h = auth(username)
    for pid, (probe, marking) in probes.items():
        readable = can_read(writer, marking)
        newer = {**probe, "modified": "2026-05-01T00:00:00.000Z", "name": "overwritten"}
        newer.pop("object_marking_refs")  # the collection's default: PUBLIC
        r = client.post(
            f"{ROOT}/collections/{cid}/objects/",
            json={"objects": [newer]},
            headers=taxii_headers(h, post=True),
        )
        fresh_obj = {**newer, "id": f"indicator--{uuid.uuid4()}"}
        fresh = client.post(
            f"{ROOT}/collections/{cid}/objects/",
            json={"objects": [fresh_obj]},
            headers=taxii_headers(h, post=True),
        )
        if not readable:  # the same answer as for an id that exists nowhere
            assert r.status_code == fresh.status_code
            if r.status_code == 202:
                assert answer(r.json()) == answer(fresh.json())
        # Deleting it: as deleting the fresh one (the writer's own line, if it wrote one).
        gone = client.delete(f"{ROOT}/collections/{cid}/objects/{pid}/", headers=taxii_headers(h))
        also = client.delete(
            f"{ROOT}/collections/{cid}/objects/{fresh_obj['id']}/", headers=taxii_headers(h)
        )
        if not readable:
            assert gone.status_code == also.status_code
            assert gone.content == also.content
        with unit_of_work(session_factory(engine)) as session:
            rows = session.execute(
                select(StixObject.chain, StixObject.body).where(StixObject.stix_id == pid)
            ).all()
        first = min((r[0] for r in rows), default=None)  # the console's line came first
        original = [r[1] for r in rows if r[0] == first and orjson.loads(r[1])["id"] == pid]
        if not readable:
            # The line the writer may not read is exactly as the console stored it.
            assert [orjson.loads(b)["name"] for b in original] == [probe["name"]]
        elif gone.status_code == 200:
            assert original == []


def test_migration_0017_keeps_the_first_line_going_down_and_comes_back_up(engine, probe):
    ns_ref, ns_def = ref(engine, "NS")
    secret = indicator(1, markings=[ns_ref])
    stored(engine, probe, [ns_def, secret])
    korea = principal_of(engine, "korea")
    with unit_of_work(session_factory(engine)) as session:
        mine = {k: v for k, v in secret.items() if k != "object_marking_refs"}
        outcome = SharingService(session, korea, KEY).post(probe, [mine])
        assert (secret["id"], "2026-01-01T00:00:00.000000000Z") in outcome.stored
    count = text("SELECT count(*) FROM stix_object WHERE stix_id = :i")
    with engine.connect() as connection:
        assert connection.execute(count, {"i": secret["id"]}).scalar() == 2
    downgrade(engine, "0016")
    with engine.connect() as connection:
        assert connection.execute(count, {"i": secret["id"]}).scalar() == 1
        body = connection.execute(
            text("SELECT body FROM stix_object WHERE stix_id = :i"), {"i": secret["id"]}
        ).scalar()
        assert orjson.loads(body)["object_marking_refs"] == [ns_ref]  # the console's line
    upgrade(engine)
    with unit_of_work(session_factory(engine)) as session:
        outcome = SharingService(session, korea, KEY).post(probe, [mine])
        assert outcome.stored
