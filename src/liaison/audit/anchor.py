# SPDX-License-Identifier: Apache-2.0
"""The chain's anchor outside the database: signed checkpoints in an append-only file.

A hash chain proves that no row was altered or removed *inside* it, but not that its end is
still there: deleting the last rows (or all of them) leaves a shorter chain that verifies.
A *checkpoint* — the count of events, the hash of the last one (the head) and the time — is
signed with an Ed25519 key kept outside the database (``LIAISON_AUDIT_KEY_FILE``, made by
``liaison init`` with mode 0600) and appended, one JSON line each, to a file outside the
database (``LIAISON_AUDIT_ANCHOR_FILE``): by ``liaison audit checkpoint``, by ``liaison
serve`` every ``LIAISON_AUDIT_CHECKPOINT_SECONDS`` when the head moved, and by ``liaison
init``, ``backup`` and ``restore``. ``liaison audit verify`` then requires every checkpoint
to name an event the chain still holds, with the same hash: whoever deletes rows cannot make
the checkpoints agree without the key.

A ``restore`` checkpoint (written by ``liaison restore``) starts over: the checkpoints before
it describe a database that was replaced, and only it and those after it bind.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from liaison.audit.chain import GENESIS, Anchor
from liaison.audit.models import AuditEvent
from liaison.config import DEFAULT_VAR_DIR, Settings
from liaison.db.session import SessionFactory
from liaison.errors import LiaisonError
from liaison.kit.clock import utcnow

log = logging.getLogger(__name__)
FORMAT = "liaison-audit-checkpoint/1"
KINDS = frozenset({"checkpoint", "restore", "backup", "export"})


class AnchorError(LiaisonError):
    """The key or the anchor file cannot be read, or a checkpoint's signature is wrong."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    seq: int  # how many events the chain held (the head's seq; 0: none)
    head: str  # the hash of event ``seq`` (GENESIS for none)
    at: str  # when it was taken, ISO 8601 UTC
    kind: str = "checkpoint"

    def payload(self) -> bytes:
        """The signed bytes: the checkpoint's canonical JSON."""
        body = {"format": FORMAT, "kind": self.kind, "seq": self.seq, "head": self.head}
        return json.dumps({**body, "at": self.at}, sort_keys=True, separators=(",", ":")).encode()

    def anchor(self, where: str) -> Anchor:
        return Anchor(self.seq, self.head, f"the {self.kind} of {self.at} ({where})")


@dataclass(frozen=True, slots=True)
class Paths:
    key: Path
    anchors: Path


def paths(settings: Settings) -> Paths:
    """The key and anchor files: the settings', or next to the SQLite file, or under var/."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in {None, "", ":memory:"}:
        base = Path(str(url.database))
    else:
        base = DEFAULT_VAR_DIR / f"{url.database or 'liaison'}"
    return Paths(
        settings.audit_key_file or base.with_name(base.name + ".audit-key"),
        settings.audit_anchor_file or base.with_name(base.name + ".audit-anchors.jsonl"),
    )


# ---- the key ------------------------------------------------------------------------------


def create_key(path: Path) -> bool:
    """Make a new Ed25519 key at ``path`` (mode 0600) unless one is there; whether it made one."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    except OSError as exc:
        raise AnchorError(f"cannot create the audit key {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return True


def load_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError as exc:
        raise AnchorError(f"no audit key at {path} (`liaison init` makes one)") from exc
    except (OSError, ValueError, TypeError) as exc:
        raise AnchorError(f"cannot read the audit key {path}: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise AnchorError(f"the audit key {path} is not an Ed25519 key")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    """A public key from ``path``: a public key PEM, or the private key it belongs to."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AnchorError(f"cannot read the key {path}: {exc.strerror}") from exc
    if b"PRIVATE KEY" in data:
        return load_key(path).public_key()
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise AnchorError(f"cannot read the public key {path}: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise AnchorError(f"the key {path} is not an Ed25519 public key")
    return key


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


# ---- checkpoints ----------------------------------------------------------------------------


def sign(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> str:
    """The checkpoint as one signed JSON line (without its newline)."""
    signature = base64.b64encode(key.sign(checkpoint.payload())).decode()
    return json.dumps(
        {
            "format": FORMAT,
            "kind": checkpoint.kind,
            "seq": checkpoint.seq,
            "head": checkpoint.head,
            "at": checkpoint.at,
            "signature": signature,
        },
        sort_keys=True,
    )


def parse(line: str, key: Ed25519PublicKey, where: str) -> Checkpoint:
    """A signed line back as a checkpoint; ``AnchorError`` naming ``where`` if it is not one or
    its signature is wrong."""
    try:
        data = json.loads(line)
        checkpoint = Checkpoint(
            seq=int(data["seq"]), head=str(data["head"]), at=str(data["at"]), kind=data["kind"]
        )
        signature = base64.b64decode(data["signature"], validate=True)
    except (ValueError, KeyError, TypeError) as exc:
        raise AnchorError(f"{where} is not a checkpoint") from exc
    if data.get("format") != FORMAT or checkpoint.kind not in KINDS or checkpoint.seq < 0:
        raise AnchorError(f"{where} is not a checkpoint")
    try:
        key.verify(signature, checkpoint.payload())
    except InvalidSignature as exc:
        raise AnchorError(f"{where}: the checkpoint's signature is wrong") from exc
    return checkpoint


def read(path: Path, key: Ed25519PublicKey) -> list[Checkpoint]:
    """Every checkpoint in the anchor file, in order (none if there is no file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise AnchorError(f"cannot read the anchor file {path}: {exc}") from exc
    return [
        parse(line, key, f"line {number} of {path}")
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]


def binding(checkpoints: Iterable[Checkpoint]) -> list[Checkpoint]:
    """The checkpoints that bind the database now: from the last restore on."""
    found = list(checkpoints)
    starts = [i for i, c in enumerate(found) if c.kind == "restore"]
    return found[starts[-1] :] if starts else found


def append(path: Path, line: str) -> None:
    """Append one line and flush it to disk (the file is only ever appended to)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, (line + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise AnchorError(f"cannot append to the anchor file {path}: {exc.strerror}") from exc


def head(session: Session) -> tuple[int, str]:
    """The chain's last event: its ``seq`` and hash (0 and GENESIS when empty)."""
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (last[0], last[1]) if last else (0, GENESIS)


def now_text() -> str:
    return utcnow().astimezone(dt.UTC).isoformat(timespec="seconds")


def write(where: Paths, seq: int, head_hash: str, kind: str = "checkpoint") -> Checkpoint:
    """Sign a checkpoint of ``seq``/``head_hash`` and append it to the anchor file."""
    checkpoint = Checkpoint(seq, head_hash, now_text(), kind)
    append(where.anchors, sign(checkpoint, load_key(where.key)))
    return checkpoint


def checkpoint(session: Session, where: Paths, kind: str = "checkpoint") -> Checkpoint:
    """Checkpoint the chain as ``session`` sees it."""
    seq, head_hash = head(session)
    return write(where, seq, head_hash, kind)


def anchors(where: Paths) -> list[Anchor]:
    """The binding checkpoints of the anchor file, as anchors for ``chain.verify``."""
    return [
        c.anchor(str(where.anchors)) for c in binding(read(where.anchors, load_public(where.key)))
    ]


class CheckpointWorker:
    """Writes a checkpoint every ``LIAISON_AUDIT_CHECKPOINT_SECONDS`` while the app serves,
    when the head moved since the last one (in a thread: the event loop never waits on the
    database or the disk). Without a key it writes nothing and says so once."""

    def __init__(self, factory: SessionFactory, settings: Settings) -> None:
        self.factory = factory
        self.where = paths(settings)
        self.interval = settings.audit_checkpoint_seconds
        self._task: asyncio.Task[None] | None = None
        self._last: tuple[int, str] | None = None

    def start(self) -> None:
        if self.interval <= 0 or self._task is not None:
            return
        if not self.where.key.exists():
            log.warning("no audit key at %s: no checkpoints are written", self.where.key)
            return
        self._task = asyncio.get_running_loop().create_task(self._run(), name="checkpoints")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        try:  # a last one on the way out
            await asyncio.to_thread(self.once)
        except Exception:
            log.exception("could not write the last audit checkpoint")

    def once(self) -> Checkpoint | None:
        """Write a checkpoint if the head moved since the last one this worker wrote."""
        with self.factory() as session:
            now = head(session)
            session.rollback()
        if now == self._last:
            return None
        written = write(self.where, *now)
        self._last = now
        return written

    async def _run(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.once)
            except Exception:
                log.exception("could not write an audit checkpoint")
            await asyncio.sleep(self.interval)
