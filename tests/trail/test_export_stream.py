"""``GET /api/v1/audit/export`` is streamed from one snapshot on a connection of its own: its
body is never built whole, the export is audited (with the number of events it holds) before
the first byte, and writes go through while a client is still reading it."""

from __future__ import annotations

import json

from sqlalchemy import select

from liaison.audit.models import AuditEvent
from liaison.audit.recorder import Entry, record
from liaison.db.session import session_factory, unit_of_work
from liaison.security.principal import SYSTEM


def test_the_export_is_streamed_audited_first_and_blocks_no_write(client, auth, engine):
    with unit_of_work(session_factory(engine)) as session:
        record(session, SYSTEM, [Entry("test:bulk:event", "test", str(n)) for n in range(2500)])
    admin = auth("admin")
    with client.stream("GET", "/api/v1/audit/export", headers=admin) as response:
        assert response.status_code == 200
        assert "content-length" not in response.headers  # streamed, not built in memory
        assert response.headers["content-type"].startswith("application/jsonl")
        lines = response.iter_lines()
        first = json.loads(next(lines))
        with unit_of_work(session_factory(engine)) as session:
            exported = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "audit:event:export")
            ).one()  # audited before the body is read
        # A write while the export is being read: the export holds no lock.
        note = client.post(
            "/api/v1/documents/notes",
            json={"title": "Meanwhile", "marking": "NATO UNCLASSIFIED", "body": "x"},
            headers=auth("officer"),
        )
        assert note.status_code == 201, note.text
        rest = [json.loads(line) for line in lines if line]
    events = [first, *rest]
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == len(seqs)
    assert exported.after == {"events": len(events)}  # the snapshot's count, as streamed
    assert "documents:document:create" not in {e["action"] for e in events}  # after it
    assert sum(e["action"] == "test:bulk:event" for e in events) == 2500
