"""The audit chain: writes and marked reads leave events; verify proves the chain and names
the first altered row; the audit views are filtered by the policy."""

import datetime as dt
import json
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from liaison.audit.anchor import create_key, paths
from liaison.audit.chain import canonical_of, verify
from liaison.audit.models import AuditEvent
from liaison.audit.recorder import Entry, _encoded, record
from liaison.cli.main import app
from liaison.config import Settings
from liaison.db.json import EncodedJSON, encoded_strings
from liaison.db.session import session_factory, unit_of_work
from liaison.identity.service import IdentityService
from liaison.security.classification import Classification
from liaison.security.permissions import Role
from liaison.security.principal import SYSTEM

runner = CliRunner()


def events(engine, action=None):
    with unit_of_work(session_factory(engine)) as session:
        stmt = select(AuditEvent).order_by(AuditEvent.seq)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        return list(session.scalars(stmt))


def test_a_write_is_audited_with_before_and_after(client, auth, engine):
    r = client.patch("/api/v1/allies/FRA", json={"notes": "checked"}, headers=auth("officer"))
    assert r.status_code == 200
    [event] = events(engine, "registry:ally:update")
    assert event.actor == "officer"
    assert event.before["notes"] != "checked"
    assert event.after["notes"] == "checked"
    assert event.request_id == r.headers["x-request-id"]


def test_a_failed_write_leaves_no_event(client, auth, engine):
    before = len(events(engine))
    r = client.post(
        "/api/v1/allies",
        json={"country": "FRA", "accession_date": "1949-08-24"},
        headers=auth("officer"),
    )
    assert r.status_code == 409
    assert len(events(engine)) == before + 1  # only the token creation of auth()


def test_a_marked_read_is_audited(client, auth, engine):
    client.get("/api/v1/security-agreements", params={"partner": "JPN"}, headers=auth("japan"))
    [event] = events(engine, "registry:security_agreement:read")
    assert event.actor == "japan"
    assert event.marking_id is not None


def test_public_reads_are_not_audited(client, engine):
    before = len(events(engine))
    client.get("/api/v1/allies")
    assert len(events(engine)) == before


@pytest.mark.audit_tampered
def test_verify_passes_then_names_the_altered_row(client, auth, engine, monkeypatch, db_url):
    client.patch("/api/v1/allies/FRA", json={"notes": "a"}, headers=auth("officer"))
    client.patch("/api/v1/allies/DEU", json={"notes": "b"}, headers=auth("officer"))
    with unit_of_work(session_factory(engine)) as session:
        verdict = verify(session)
        assert verdict.ok
        target = session.scalar(
            select(AuditEvent.seq)
            .where(AuditEvent.action == "registry:ally:update")
            .order_by(AuditEvent.seq)
        )
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    create_key(paths(Settings()).key)
    assert runner.invoke(app, ["audit", "checkpoint"]).exit_code == 0
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE seq = :s"), {"s": target})
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"broken at event {target}" in result.output
    assert "content does not match" in result.output


@pytest.mark.audit_tampered
def test_verify_detects_a_deleted_row(engine, client, auth):
    client.patch("/api/v1/allies/FRA", json={"notes": "a"}, headers=auth("officer"))
    with engine.begin() as conn:
        last = conn.scalar(select(func.max(AuditEvent.seq)))
        conn.execute(text("DELETE FROM audit_event WHERE seq = :s"), {"s": last - 1})
    with unit_of_work(session_factory(engine)) as session:
        verdict = verify(session)
    assert not verdict.ok
    assert verdict.broken_seq == last - 1


class TestAuditViews:
    def test_needs_the_audit_permission(self, client, auth):
        assert client.get("/api/v1/audit/events").status_code == 401
        assert client.get("/api/v1/audit/events", headers=auth("japan")).status_code == 403

    def test_events_about_hidden_objects_are_absent(self, client, auth, engine):
        # An ally auditor cleared only NATO RESTRICTED, outside the cyber community.
        with unit_of_work(session_factory(engine)) as session:
            identity = IdentityService(session, SYSTEM)
            identity.create_user(
                "auditor",
                display_name="Auditor",
                organisation=identity.organisation("Delegation of Italy to NATO"),
                clearance=Classification.NATO_RESTRICTED,
                roles={Role.OFFICER},
            )
        client.get("/api/v1/security-agreements", headers=auth("officer"))
        r = client.post(
            "/api/v1/security-agreements",
            headers=auth("officer"),
            json={
                "partner": "KOR",
                "title": "Secret annex",
                "kind": "binding_agreement",
                "max_level": "NATO SECRET",
                "marking": "NATO SECRET // NTK cyber",
            },
        )
        assert r.status_code == 201, r.text
        officer_view = client.get(
            "/api/v1/audit/events",
            headers=auth("officer"),
            params={"action": "registry:security_agreement:create", "limit": 100},
        ).json()
        auditor_view = client.get(
            "/api/v1/audit/events",
            headers=auth("auditor"),
            params={"action": "registry:security_agreement:create", "limit": 100},
        ).json()
        assert "Secret annex" in str(officer_view)
        assert "Secret annex" not in str(auditor_view)
        assert auditor_view["total"] == officer_view["total"] - 1

    def test_export_csv(self, client, auth):
        r = client.get("/api/v1/audit/export", params={"format": "csv"}, headers=auth("admin"))
        assert r.status_code == 200
        assert r.text.splitlines()[0].startswith("seq,at,request_id,actor")

    @pytest.mark.parametrize("fmt", ["jsonl", "csv"])
    def test_cli_export(self, db_url, monkeypatch, fmt):
        monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
        result = runner.invoke(app, ["audit", "export", "--format", fmt])
        assert result.exit_code == 0
        assert "identity:user:create" in result.output


def test_concurrent_appends_keep_one_chain(engine):
    """Appends from several threads at once: each takes the lock and the tail in turn (one
    round trip on PostgreSQL), so the chain stays one line with no gap or fork."""
    factory = session_factory(engine)
    before = len(events(engine))
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            start.wait()
            for i in range(10):
                with unit_of_work(factory) as session:
                    record(session, SYSTEM, [Entry("test:append", "thread", f"{worker}-{i}")])
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=append, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert len(events(engine)) == before + 40
    with unit_of_work(factory) as session:
        assert verify(session).ok


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ({"objects": ["a", "b"], "n": 2, "ok": True, "x": None}, None),  # plain: as given
        ({"at": dt.date(2026, 11, 23)}, {"at": "2026-11-23"}),
        ({"pair": ("a", 1)}, {"pair": ["a", 1]}),
        ({"by": {1: "x"}}, {"by": {"1": "x"}}),
        ({"f": float("nan")}, {"f": float("nan")}),
    ],
)
def test_audit_documents_are_stored_as_json_reads_them_back(given, stored):
    """The hash covers what is read back: anything JSON would change is normalised first."""
    expected = given if stored is None else stored
    result = json.loads(_encoded(given))
    assert json.dumps(result, sort_keys=True) == json.dumps(expected, sort_keys=True)
    assert json.loads(json.dumps(result, default=str)) == json.loads(json.dumps(expected))


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
_documents = st.none() | st.dictionaries(st.text(), _json, max_size=5)


@settings(max_examples=300, deadline=None)
@given(
    before=_documents,
    after=_documents,
    text_=st.text(),
    number=st.integers(min_value=0, max_value=2**40),
    marking=st.none() | st.integers(min_value=1, max_value=2**31),
    key=st.none() | st.text(),
)
def test_canonical_json_is_written_key_by_key_as_json_dumps_writes_it(
    before, after, text_, number, marking, key
):
    """The hash covers ``canonical_of``; it must be exactly the one-call ``json.dumps`` form
    that earlier rows were hashed with, whether a document comes as a value or pre-encoded."""
    at = dt.datetime(2026, 12, 1, 14, 30, tzinfo=dt.UTC)
    values = {
        "seq": number,
        "at": at,
        "request_id": text_,
        "actor": text_,
        "actor_user_id": number,
        "action": "a:b:c",
        "object_type": text_,
        "object_id": text_,
        "marking_id": marking,
        "marking": key,
        "before": before,
        "after": after,
    }
    reference = dict(values, at=at.isoformat(timespec="microseconds"))
    expected = json.dumps(reference, sort_keys=True, separators=(",", ":"), default=str)
    assert canonical_of(values) == expected.encode()
    encoded = dict(values, before=_encoded(before), after=_encoded(after))
    assert canonical_of(encoded) == expected.encode()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), max_size=20))
def test_a_list_of_strings_is_encoded_fast_exactly_as_canonically(items):
    assert encoded_strings("objects", items) == EncodedJSON.of({"objects": items})
