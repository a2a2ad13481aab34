"""The audit chain's anchor: signed checkpoints outside the database catch a chain cut short
(its last rows or all of them deleted), ``--expect-head`` checks a head recorded elsewhere, the
hashes cover the marking rows, and an export verifies offline with the public key alone."""

import json
import stat

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from liaison.app import create_app
from liaison.audit import anchor
from liaison.audit.chain import verify
from liaison.audit.models import AuditEvent
from liaison.audit.recorder import Entry, record
from liaison.cli.main import app
from liaison.config import Settings
from liaison.db.session import session_factory, unit_of_work
from liaison.migrations import downgrade, upgrade
from liaison.security.classification import Classification
from liaison.security.marking_store import MarkingStore, forget_all
from liaison.security.markings import Marking
from liaison.security.principal import SYSTEM

runner = CliRunner()
NR = Classification.NATO_RESTRICTED


@pytest.fixture
def anchored(engine, db_url, monkeypatch):
    """A database with 60 more events, a key, and a checkpoint of its head; the CLI aimed at
    it. Returns the paths of the key and anchor file."""
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    with unit_of_work(session_factory(engine)) as session:
        mid = MarkingStore(session).intern(Marking(NR, frozenset({"AUS"})))
        record(
            session,
            SYSTEM,
            [Entry("test:event", "thing", str(i), marking_id=mid) for i in range(60)],
        )
    where = anchor.paths(Settings())
    assert anchor.create_key(where.key)
    result = runner.invoke(app, ["audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    return where


def _count(engine):
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(AuditEvent))


def _head(engine):
    with unit_of_work(session_factory(engine)) as session:
        return anchor.head(session)


def test_the_key_is_made_once_and_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "keys" / "audit.key"
    assert anchor.create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_bytes()
    assert not anchor.create_key(path)
    assert path.read_bytes() == first


def test_an_intact_chain_verifies_against_its_checkpoint(anchored):
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "1 checkpoints held" in result.output


@pytest.mark.audit_tampered
def test_deleting_the_last_50_events_is_detected(anchored, engine):
    count = _count(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE seq > :s"), {"s": count - 50})
    with unit_of_work(session_factory(engine)) as session:
        assert verify(session).ok  # the chain alone cannot tell
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"events {count - 49} to {count} are missing" in result.output


@pytest.mark.audit_tampered
def test_deleting_every_event_is_detected(anchored, engine):
    count = _count(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event"))
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"events 1 to {count} are missing" in result.output
    assert "the chain ends at event 0" in result.output


@pytest.mark.audit_tampered
def test_a_chain_rewritten_from_a_row_on_is_detected(anchored, engine):
    """Whoever deletes rows and appends as many of their own (hashed correctly) keeps the
    count, not the head."""
    count = _count(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE seq > :s"), {"s": count - 5})
    with unit_of_work(session_factory(engine)) as session:
        record(session, SYSTEM, [Entry("test:forged", "thing", str(i)) for i in range(5)])
    assert _count(engine) == count
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"broken at event {count}" in result.output
    assert "its hash is not the one the checkpoint of" in result.output


def test_a_checkpoint_without_the_key_is_refused(anchored):
    line = json.loads(anchored.anchors.read_text().splitlines()[0])
    forged = {**line, "seq": line["seq"] - 10}
    with anchored.anchors.open("a") as handle:
        handle.write(json.dumps(forged) + "\n")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "line 2 of" in result.output
    assert "signature is wrong" in result.output


def test_no_checkpoint_is_a_failure_unless_asked_for_the_chain_alone(engine, db_url, monkeypatch):
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    anchor.create_key(anchor.paths(Settings()).key)
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "not anchored" in result.output
    assert runner.invoke(app, ["audit", "verify", "--no-anchor"]).exit_code == 0


@pytest.mark.audit_tampered
def test_expect_head_with_and_without_a_count(anchored, engine):
    count, head = _head(engine)
    ok = runner.invoke(app, ["audit", "verify", "--no-anchor", "--expect-head", f"{head}:{count}"])
    assert ok.exit_code == 0, ok.output
    assert runner.invoke(app, ["audit", "verify", "--expect-head", head]).exit_code == 0
    wrong = runner.invoke(app, ["audit", "verify", "--no-anchor", "--expect-head", "ab" * 32])
    assert wrong.exit_code == 1
    assert f"no event has the hash {'ab' * 32}" in wrong.output
    bad = runner.invoke(app, ["audit", "verify", "--expect-head", "xyz"])
    assert bad.exit_code == 2
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE seq > :s"), {"s": count - 3})
    cut = runner.invoke(app, ["audit", "verify", "--no-anchor", "--expect-head", f"{head}:{count}"])
    assert cut.exit_code == 1
    assert f"events {count - 2} to {count} are missing" in cut.output
    cut = runner.invoke(app, ["audit", "verify", "--no-anchor", "--expect-head", head])
    assert cut.exit_code == 1


@pytest.mark.audit_tampered
@pytest.mark.parametrize(
    "change",
    [
        "UPDATE marking SET release_list = '' WHERE id = :m",  # the SQL face's column
        "UPDATE marking SET level_rank = 0 WHERE id = :m",
        "DELETE FROM marking_release WHERE marking_id = :m",  # the child rows
    ],
)
def test_an_altered_marking_row_is_detected(anchored, engine, change):
    with engine.connect() as conn:
        mid = conn.scalar(select(AuditEvent.marking_id).where(AuditEvent.action == "test:event"))
    with engine.begin() as conn:
        conn.execute(text(change), {"m": mid})
    forget_all()
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"marking {mid}'s" in result.output


@pytest.mark.audit_tampered
def test_a_marking_rewritten_whole_breaks_the_hash_of_its_events(anchored, engine):
    """Key, columns and child rows all changed to agree: the events that name the marking no
    longer hash (their hash covers its key)."""
    with engine.connect() as conn:
        mid, first = conn.execute(
            select(AuditEvent.marking_id, AuditEvent.seq)
            .where(AuditEvent.action == "test:event")
            .order_by(AuditEvent.seq)
        ).first()
    framed = "\x1fAUS\x1fJPN\x1f"
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE marking SET key = :k, release_list = :r WHERE id = :m"),
            {"k": Marking(NR, frozenset({"AUS", "JPN"})).key, "r": framed, "m": mid},
        )
        conn.execute(text("INSERT INTO marking_release VALUES (:m, 'JPN')"), {"m": mid})
    forget_all()
    result = runner.invoke(app, ["audit", "verify", "--no-anchor"])
    assert result.exit_code == 1
    assert f"broken at event {first}: its content does not match its hash" in result.output


def test_an_export_verifies_offline_with_the_public_key(anchored, tmp_path):
    out = tmp_path / "chain.jsonl"
    assert runner.invoke(app, ["audit", "export", "-f", "chain", "-o", str(out)]).exit_code == 0
    public = tmp_path / "audit.pub"
    keyed = runner.invoke(app, ["audit", "public-key"])
    public.write_text(keyed.output)
    assert "PRIVATE" not in keyed.output
    result = runner.invoke(app, ["audit", "verify-export", str(out), "--public-key", str(public)])
    assert result.exit_code == 0, result.output
    assert "export verified" in result.output
    with_private = runner.invoke(
        app, ["audit", "verify-export", str(out), "--key", str(anchored.key)]
    )
    assert with_private.exit_code == 0


def test_an_export_with_an_altered_or_missing_event_is_refused(anchored, tmp_path):
    out = tmp_path / "chain.jsonl"
    runner.invoke(app, ["audit", "export", "-f", "chain", "-o", str(out)])
    public = tmp_path / "audit.pub"
    public.write_text(anchor.public_pem(anchor.load_key(anchored.key)))
    lines = out.read_text().splitlines()
    events = [i for i, line in enumerate(lines) if line.startswith('{"event"')]

    altered = [*lines]
    event = json.loads(altered[events[3]])
    event["event"]["actor"] = "mallory"
    altered[events[3]] = json.dumps(event)
    (tmp_path / "altered.jsonl").write_text("\n".join(altered) + "\n")
    result = runner.invoke(
        app,
        ["audit", "verify-export", str(tmp_path / "altered.jsonl"), "--public-key", str(public)],
    )
    assert result.exit_code == 1
    assert "broken at event 4: its content does not match its hash" in result.output

    cut = [line for i, line in enumerate(lines) if i not in events[-10:]]
    (tmp_path / "cut.jsonl").write_text("\n".join(cut) + "\n")
    result = runner.invoke(
        app, ["audit", "verify-export", str(tmp_path / "cut.jsonl"), "--public-key", str(public)]
    )
    assert result.exit_code == 1
    assert "are missing" in result.output


def test_an_export_signed_by_another_key_is_refused(anchored, tmp_path):
    out = tmp_path / "chain.jsonl"
    runner.invoke(app, ["audit", "export", "-f", "chain", "-o", str(out)])
    other = tmp_path / "other.key"
    anchor.create_key(other)
    result = runner.invoke(app, ["audit", "verify-export", str(out), "--key", str(other)])
    assert result.exit_code == 1
    assert "signature is wrong" in result.output


def test_the_worker_checkpoints_only_when_the_head_moved(anchored, engine, settings):
    worker = anchor.CheckpointWorker(session_factory(engine), settings)
    before = len(anchored.anchors.read_text().splitlines())
    assert worker.once() is not None
    assert worker.once() is None
    with unit_of_work(session_factory(engine)) as session:
        record(session, SYSTEM, [Entry("test:more", "thing", "1")])
    written = worker.once()
    assert written is not None
    assert (written.seq, written.head) == _head(engine)
    assert len(anchored.anchors.read_text().splitlines()) == before + 2


def test_init_makes_the_key_and_a_first_checkpoint(empty_db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("LIAISON_DATABASE_URL", empty_db_url)
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    where = anchor.paths(Settings())
    assert stat.S_IMODE(where.key.stat().st_mode) == 0o600
    [checkpoint] = anchor.read(where.anchors, anchor.load_public(where.key))
    assert checkpoint.seq > 0
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0


def test_the_default_files_sit_next_to_the_sqlite_file(monkeypatch, tmp_path):
    monkeypatch.delenv("LIAISON_AUDIT_KEY_FILE")
    monkeypatch.delenv("LIAISON_AUDIT_ANCHOR_FILE")
    where = anchor.paths(Settings(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}"))
    assert where.key == tmp_path / "x.sqlite3.audit-key"
    assert where.anchors == tmp_path / "x.sqlite3.audit-anchors.jsonl"


def test_the_migration_rehashes_a_chain_that_verifies_and_stops_on_one_that_does_not(engine):
    downgrade(engine, "0014")
    upgrade(engine)
    with unit_of_work(session_factory(engine)) as session:
        assert verify(session).ok
    downgrade(engine, "0014")
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE seq = 3"))
    with pytest.raises(RuntimeError, match="does not verify at event 3"):
        upgrade(engine)
    with engine.begin() as conn:  # put it back, so the chain verifies after the test
        conn.execute(text("UPDATE audit_event SET actor = 'system' WHERE seq = 3"))
    upgrade(engine)


def test_serving_checkpoints_the_head_it_leaves(settings, engine, auth):
    """``liaison serve``'s lifespan runs the checkpoint worker; on the way out it signs the head
    the server leaves, so the anchor file holds it."""
    where = anchor.paths(settings)
    anchor.create_key(where.key)
    with TestClient(create_app(settings, engine=engine)) as served:
        assert (
            served.patch(
                "/api/v1/allies/FRA", json={"notes": "served"}, headers=auth("officer")
            ).status_code
            == 200
        )
    last = anchor.read(where.anchors, anchor.load_public(where.key))[-1]
    assert (last.seq, last.head) == _head(engine)
