# SPDX-License-Identifier: Apache-2.0
"""Backups an administrator can take while the server runs, and restore only if they verify.

``backup(settings, path)`` copies the database to ``path`` — SQLite through its online backup
API (pages copied while others read and write; the copy is one consistent snapshot), PostgreSQL
with ``pg_dump`` in its custom format, run on a snapshot exported by a REPEATABLE READ
transaction in which the chain is read too — then verifies the copy's audit chain against the
anchor file and writes next to it ``path.anchor``: a signed checkpoint (kind ``backup``) of the
copy's head, also appended to the anchor file.

``restore(settings, path)`` refuses a backup whose signed checkpoint is missing or forged, or
whose chain does not verify or does not hold that checkpoint's head; it restores only into an
empty database (a new SQLite file; a PostgreSQL database without tables), unless asked to
replace one. A restored database starts a new span of the anchor file (a ``restore``
checkpoint): the checkpoints before it describe the database it replaced.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from liaison.audit import anchor
from liaison.audit.anchor import Checkpoint, Paths
from liaison.audit.chain import Anchor, Verdict, verify
from liaison.config import Settings
from liaison.db.engine import build_engine
from liaison.errors import Conflict, InvalidInput, LiaisonError

DUMP_TIMEOUT = 6 * 3600  # seconds


class BackupError(LiaisonError):
    """A backup that cannot be taken or may not be restored."""


@dataclass(frozen=True, slots=True)
class Report:
    path: Path
    events: int
    head: str


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".anchor")


# ---- backup ---------------------------------------------------------------------------------


def backup(settings: Settings, path: Path) -> Report:
    """Copy the database to ``path`` (refusing to overwrite) and sign its head."""
    where = anchor.paths(settings)
    key = anchor.load_key(where.key)
    held = [
        c.anchor(str(where.anchors))
        for c in anchor.binding(anchor.read(where.anchors, key.public_key()))
    ]
    if path.exists() or sidecar(path).exists():
        raise Conflict(f"{path} exists; a backup never overwrites a file")
    url = make_url(settings.database_url)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if url.get_backend_name() == "sqlite":
            verdict = _backup_sqlite(url, path, held)
        else:
            verdict = _backup_postgresql(settings, url, path, held)
    except (OSError, sqlite3.Error) as exc:
        _remove(path)
        raise BackupError(f"cannot write the backup {path}: {exc}") from exc
    except BaseException:
        _remove(path)
        raise
    if not verdict.ok:
        _remove(path)
        raise BackupError(f"backup not kept: its audit chain does not verify: {_said(verdict)}")
    checkpoint = Checkpoint(verdict.rows, verdict.head, anchor.now_text(), "backup")
    line = anchor.sign(checkpoint, key)
    anchor.append(where.anchors, line)
    sidecar(path).write_text(line + "\n", encoding="utf-8")
    return Report(path, verdict.rows, verdict.head)


def _backup_sqlite(url: URL, path: Path, held: list[Anchor]) -> Verdict:
    source = _sqlite_file(url)
    with _sqlite(source) as live, _sqlite(path) as copy:
        live.backup(copy)  # the online backup API: a consistent snapshot, writers go on
    return _verify_file(path, held)


def _backup_postgresql(settings: Settings, url: URL, path: Path, held: list[Anchor]) -> Verdict:
    dump = _tool("pg_dump")
    engine = build_engine(settings.database_url, pooled=False)
    try:
        with (
            engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
            conn.begin(),
        ):
            snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
            # The chain is verified in the very snapshot pg_dump copies.
            verdict = _verify_connection(conn, held)
            _run(
                [dump, "--format=custom", f"--snapshot={snapshot}", "--file", str(path)],
                url,
            )
    finally:
        engine.dispose()
    return verdict


# ---- restore --------------------------------------------------------------------------------


def restore(
    settings: Settings, path: Path, *, public_key: Path | None = None, replace: bool = False
) -> Report:
    """Restore the backup at ``path`` into the configured database, if it verifies."""
    where = anchor.paths(settings)
    key = anchor.load_public(public_key or where.key)
    try:
        line = sidecar(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise BackupError(f"no signed checkpoint next to the backup ({sidecar(path)})") from exc
    signed = anchor.parse(line, key, str(sidecar(path)))
    if not path.is_file():
        raise InvalidInput(f"no backup at {path}")
    url = make_url(settings.database_url)
    try:
        if url.get_backend_name() == "sqlite":
            verdict = _restore_sqlite(url, path, signed, replace=replace)
        else:
            verdict = _restore_postgresql(settings, url, path, signed, replace=replace)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"cannot restore {path}: {exc}") from exc
    restored = Checkpoint(verdict.rows, verdict.head, anchor.now_text(), "restore")
    anchor.append(where.anchors, anchor.sign(restored, anchor.load_key(where.key)))
    return Report(path, verdict.rows, verdict.head)


def _restore_sqlite(url: URL, path: Path, signed: Checkpoint, *, replace: bool) -> Verdict:
    target = _sqlite_file(url)
    if not _is_sqlite(path):
        raise BackupError(f"{path} is not a SQLite backup")
    verdict = _verify_file(path, [signed.anchor(str(sidecar(path)))], exact=signed.seq)
    if not verdict.ok:
        raise BackupError(f"backup refused: its audit chain does not verify: {_said(verdict)}")
    if target.exists() and target.stat().st_size > 0 and not replace:
        raise Conflict(f"{target} exists; restore into a new file, or give --replace")
    with _sqlite(path) as source, _sqlite(target) as copy:
        source.backup(copy)
    return verdict


def _restore_postgresql(
    settings: Settings, url: URL, path: Path, signed: Checkpoint, *, replace: bool
) -> Verdict:
    restore_tool = _tool("pg_restore")
    engine = build_engine(settings.database_url, pooled=False)
    try:
        if inspect(engine).get_table_names() and not replace:
            raise Conflict(
                f"the database {url.database} holds tables; restore into an empty one, "
                "or give --replace"
            )
        _empty_postgresql(engine)
        _run(
            [restore_tool, "--no-owner", "--exit-on-error", "--single-transaction", str(path)],
            url,
            dbname_option=True,
        )
        with engine.connect() as conn, conn.begin():
            held = [signed.anchor(str(sidecar(path)))]
            verdict = _verify_connection(conn, held, exact=signed.seq)
        if not verdict.ok:
            _empty_postgresql(engine)
            raise BackupError(
                f"backup refused (the database was emptied again): its audit chain does not "
                f"verify: {_said(verdict)}"
            )
    finally:
        engine.dispose()
    return verdict


def _empty_postgresql(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


# ---- helpers ---------------------------------------------------------------------------------


def _remove(path: Path) -> None:
    """Remove a partial backup, if there is one to remove."""
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _said(verdict: Verdict) -> str:
    at = f"at event {verdict.broken_seq}: " if verdict.broken_seq is not None else ""
    return at + verdict.reason


def _verify_file(path: Path, held: Iterable[Anchor], *, exact: int | None = None) -> Verdict:
    # A plain connection: none of the serving engine's pragmas or BEGIN IMMEDIATE, it only reads.
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        with engine.connect() as conn, conn.begin():
            return _verify_connection(conn, held, exact=exact)
    finally:
        engine.dispose()


def _verify_connection(
    conn: Connection, held: Iterable[Anchor], *, exact: int | None = None
) -> Verdict:
    """The chain as ``conn`` sees it, against ``held``; ``exact``: the count it must have."""
    with Session(bind=conn) as session:
        verdict = verify(session, anchors=held)
    if verdict.ok and exact is not None and verdict.rows != exact:
        return Verdict(
            False,
            verdict.rows,
            exact + 1,
            f"it holds {verdict.rows} events, its signed checkpoint {exact}",
            verdict.head,
        )
    return verdict


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise InvalidInput("an in-memory database has nothing to back up or restore into")
    return Path(url.database)


@contextmanager
def _sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path)
    try:
        yield connection
    finally:
        connection.close()


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (PostgreSQL's client tools are needed)")
    return found


def _run(command: list[str], url: URL, *, dbname_option: bool = False) -> None:
    """Run a PostgreSQL client tool on ``url`` (its password through the environment)."""
    env = {**os.environ}
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    target = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    args = [*command[:1], "--dbname", target, *command[1:]] if dbname_option else [*command, target]
    try:
        done = subprocess.run(  # noqa: S603 - a fixed tool with arguments we built
            args, env=env, capture_output=True, text=True, timeout=DUMP_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{command[0]} did not finish within {DUMP_TIMEOUT} s") from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise BackupError(f"{Path(command[0]).name} failed: {last}")


__all__ = ["BackupError", "Paths", "Report", "backup", "restore", "sidecar"]
