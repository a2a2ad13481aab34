# SPDX-License-Identifier: Apache-2.0
"""An export of the whole chain that a verifier checks without the database.

The file is JSON lines: a header, every marking the events name (``id`` and ``key``, the
text the hashes cover), every event with all its hashed fields and both hashes, every
checkpoint of the anchor file as it was signed, and last a checkpoint of the exported head
signed at export time. ``verify_export`` recomputes the chain from the file alone and checks
every signature with a key the verifier supplies (never one read from the file), and that
the binding checkpoints name events the file holds, with their hashes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit import anchor as anchors
from liaison.audit.anchor import AnchorError, Checkpoint
from liaison.audit.chain import GENESIS, Verdict, _in_order, walk
from liaison.audit.models import AuditEvent
from liaison.security.models import MarkingRow

FORMAT = "liaison-audit-export/1"
_EVENT_FIELDS = [c.name for c in AuditEvent.__table__.columns]


def export_lines(session: Session, where: anchors.Paths) -> Iterator[str]:
    """The export, line by line; the last line is a checkpoint of the head it exported."""
    key = anchors.load_key(where.key)
    anchors.read(where.anchors, key.public_key())  # refuses a forged anchor file
    try:
        signed = where.anchors.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        signed = []
    yield _line({"format": FORMAT, "exported_at": anchors.now_text()})
    for mid, text in session.execute(select(MarkingRow.id, MarkingRow.key).order_by(MarkingRow.id)):
        yield _line({"marking": {"id": mid, "key": text}})
    seq, head = 0, GENESIS
    for event in _in_order(session, 5000):
        row = {name: getattr(event, name) for name in _EVENT_FIELDS}
        row["at"] = event.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
        seq, head = event.seq, event.hash
        yield _line({"event": row})
    for line in signed:  # as they were signed
        if line.strip():
            yield _line({"checkpoint": json.loads(line)})
    yield _checkpoint_line(Checkpoint(seq, head, anchors.now_text(), "export"), key)


def _checkpoint_line(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> str:
    return _line({"checkpoint": json.loads(anchors.sign(checkpoint, key))})


def _line(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":")) + "\n"


def verify_export(path: Path, key: Ed25519PublicKey) -> tuple[Verdict, list[Checkpoint]]:
    """Check the export at ``path``: the chain, every checkpoint's signature, and the
    binding checkpoints against the chain (a checkpoint of ``kind`` export must be last)."""
    keys: dict[int, str] = {}
    events: list[dict[str, Any]] = []
    checkpoints: list[Checkpoint] = []
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise AnchorError(f"cannot read {path}: {exc.strerror}") from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            where = f"line {number} of {path}"
            item = _parse(line, where)
            if number == 1:
                if item.get("format") != FORMAT:
                    raise AnchorError(f"{path} is not an audit export ({FORMAT})")
            elif "marking" in item:
                keys[int(item["marking"]["id"])] = str(item["marking"]["key"])
            elif "event" in item:
                events.append(_event(item["event"], keys, where))
            elif "checkpoint" in item:
                checkpoints.append(anchors.parse(json.dumps(item["checkpoint"]), key, where))
            else:
                raise AnchorError(f"{where} is neither a marking, an event nor a checkpoint")
    if not checkpoints or checkpoints[-1].kind != "export":
        raise AnchorError(f"{path} does not end with a signed checkpoint of its head")
    bound = [c.anchor(str(path)) for c in anchors.binding(checkpoints)]
    return walk(events, anchors=bound), checkpoints


def _parse(line: str, where: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except ValueError as exc:
        raise AnchorError(f"{where} is not JSON") from exc
    if not isinstance(item, dict):
        raise AnchorError(f"{where} is not a JSON object")
    return item


def _event(raw: Any, keys: dict[int, str], where: str) -> dict[str, Any]:  # noqa: ANN401
    try:
        row = {name: raw[name] for name in _EVENT_FIELDS}
        row["at"] = dt.datetime.fromisoformat(row["at"])
    except (KeyError, TypeError, ValueError) as exc:
        raise AnchorError(f"{where} is not an event") from exc
    mid = row["marking_id"]
    row["marking"] = keys.get(mid) if mid is not None else None
    return row
