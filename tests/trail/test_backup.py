"""``liaison backup`` and ``liaison restore``: a backup restored into a fresh database holds
every record and an intact chain; a backup whose chain does not verify against its signed
checkpoint is refused (both backends)."""

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from liaison.audit import anchor
from liaison.audit.recorder import Entry, record
from liaison.cli.main import app
from liaison.config import Settings
from liaison.db.base import Base
from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.security.principal import SYSTEM

runner = CliRunner()


@pytest.fixture
def keyed(db_url, monkeypatch):
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    where = anchor.paths(Settings())
    anchor.create_key(where.key)
    assert runner.invoke(app, ["audit", "checkpoint"]).exit_code == 0
    return where


def _everything(url):
    """Every row of every mapped table, in primary-key order."""
    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: [
                    tuple(row)
                    for row in conn.execute(select(table).order_by(*table.primary_key.columns))
                ]
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def _more_events(engine, n):
    with unit_of_work(session_factory(engine)) as session:
        record(session, SYSTEM, [Entry("test:event", "thing", str(i)) for i in range(n)])


def test_a_backup_restored_into_a_fresh_database_holds_everything(
    client, auth, engine, keyed, db_url, empty_db_url, tmp_path, monkeypatch
):
    assert client.patch("/api/v1/allies/FRA", json={"notes": "backed up"}, headers=auth("officer"))
    path = tmp_path / "backups" / "liaison.backup"
    result = runner.invoke(app, ["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "backups" / "liaison.backup.anchor").exists()
    assert runner.invoke(app, ["backup", str(path)]).exit_code == 3  # never overwrites

    monkeypatch.setenv("LIAISON_DATABASE_URL", empty_db_url)
    result = runner.invoke(app, ["restore", str(path)])
    assert result.exit_code == 0, result.output
    original, restored = _everything(db_url), _everything(empty_db_url)
    assert restored == original
    assert any("backed up" in str(row) for row in restored["ally"])
    verified = runner.invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    # a restore never lands on a database that holds one
    assert runner.invoke(app, ["restore", str(path)]).exit_code == 3


@pytest.mark.audit_tampered
def test_a_backup_whose_chain_does_not_hold_its_checkpoint_is_refused(
    engine, keyed, empty_db_url, tmp_path, monkeypatch
):
    """Backup A, more events, backup B; B's dump with A's signed checkpoint (and A's with
    B's) is refused: what was signed is not what the file holds."""
    first, second = tmp_path / "a.backup", tmp_path / "b.backup"
    assert runner.invoke(app, ["backup", str(first)]).exit_code == 0
    _more_events(engine, 5)
    assert runner.invoke(app, ["backup", str(second)]).exit_code == 0
    a_signed = (tmp_path / "a.backup.anchor").read_text()
    b_signed = (tmp_path / "b.backup.anchor").read_text()
    (tmp_path / "a.backup.anchor").write_text(b_signed)
    (tmp_path / "b.backup.anchor").write_text(a_signed)
    monkeypatch.setenv("LIAISON_DATABASE_URL", empty_db_url)
    for path, reason in [(first, "are missing"), (second, "its signed checkpoint")]:
        result = runner.invoke(app, ["restore", str(path)])
        assert result.exit_code == 2, result.output
        assert "backup refused" in result.output
        assert reason in result.output
    # and the target was left empty: a good backup still restores
    (tmp_path / "a.backup.anchor").write_text(a_signed)
    assert runner.invoke(app, ["restore", str(first)]).exit_code == 0


def test_a_backup_with_a_forged_or_missing_checkpoint_is_refused(
    keyed, empty_db_url, tmp_path, monkeypatch
):
    path = tmp_path / "x.backup"
    assert runner.invoke(app, ["backup", str(path)]).exit_code == 0
    signed = (tmp_path / "x.backup.anchor").read_text()
    (tmp_path / "x.backup.anchor").write_text(signed.replace('"seq": ', '"seq": 1'))
    monkeypatch.setenv("LIAISON_DATABASE_URL", empty_db_url)
    result = runner.invoke(app, ["restore", str(path)])
    assert result.exit_code == 2
    assert "signature is wrong" in result.output
    (tmp_path / "x.backup.anchor").unlink()
    result = runner.invoke(app, ["restore", str(path)])
    assert result.exit_code == 2
    assert "no signed checkpoint" in result.output


@pytest.mark.audit_tampered
def test_a_sqlite_backup_cut_short_is_refused(backend, engine, keyed, tmp_path, monkeypatch):
    if backend != "sqlite":
        pytest.skip("a pg_dump file is not edited in place; the swapped checkpoints test that")
    path = tmp_path / "x.backup"
    assert runner.invoke(app, ["backup", str(path)]).exit_code == 0
    cut = build_engine(f"sqlite:///{path}")
    with cut.begin() as conn:
        conn.execute(
            text("DELETE FROM audit_event WHERE seq > (SELECT max(seq) - 3 FROM audit_event)")
        )
    cut.dispose()
    monkeypatch.setenv("LIAISON_DATABASE_URL", f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    result = runner.invoke(app, ["restore", str(path)])
    assert result.exit_code == 2
    assert "are missing" in result.output
    assert not (tmp_path / "restored.sqlite3").exists()


@pytest.mark.audit_tampered
def test_a_database_whose_chain_was_cut_is_not_backed_up(engine, keyed, tmp_path):
    _more_events(engine, 3)
    assert runner.invoke(app, ["audit", "checkpoint"]).exit_code == 0
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM audit_event WHERE seq > (SELECT max(seq) - 2 FROM audit_event)")
        )
    result = runner.invoke(app, ["backup", str(tmp_path / "x.backup")])
    assert result.exit_code == 2
    assert "does not verify" in result.output
    assert not (tmp_path / "x.backup").exists()


def test_an_unwritable_backup_path_is_a_clear_error(keyed, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(app, ["backup", str(blocker / "x.backup")])
    assert result.exit_code == 2
    assert "cannot write the backup" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
