# SPDX-License-Identifier: Apache-2.0
"""audit append in one round trip on PostgreSQL: ``liaison_audit_append``

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 15:30:00

A single audit event (a TAXII page read, most writes) took two round trips — the lock and the
chain's tail, then the insert — with its hash computed in Python in between. The function
takes the lock, reads the tail, completes the event's canonical JSON with its ``seq`` (the
last key in sorted order, so the text is the caller's pieces followed by ``"seq":N}``),
hashes it with ``sha256`` exactly as ``liaison.audit.chain.digest`` does (the text is ASCII:
``json.dumps`` escapes everything else), and inserts the row. ``liaison audit verify`` checks
every such row in Python, as before.
SQLite: nothing to do.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

APPEND = """
CREATE OR REPLACE FUNCTION liaison_audit_append(
    p_head text, p_mid text, p_tail text,
    p_at timestamptz, p_request_id varchar, p_actor varchar, p_actor_user_id integer,
    p_action varchar, p_object_type varchar, p_object_id varchar, p_marking_id integer,
    p_before text, p_after text
) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    last_seq bigint;
    last_hash varchar;
    doc text;
BEGIN
    PERFORM pg_advisory_xact_lock(1279869257);  -- 0x4C494149, liaison.audit.chain._LOCK_KEY
    SELECT e.seq, e.hash INTO last_seq, last_hash FROM audit_event e ORDER BY e.seq DESC LIMIT 1;
    IF last_seq IS NULL THEN
        last_seq := 0;
        last_hash := repeat('0', 64);
    END IF;
    doc := p_head || coalesce(p_after, 'null') || p_mid || coalesce(p_before, 'null') || p_tail
        || ',"seq":' || (last_seq + 1)::text || '}';
    INSERT INTO audit_event (seq, at, request_id, actor, actor_user_id, action, object_type,
                             object_id, marking_id, before, after, prev_hash, hash)
    VALUES (last_seq + 1, p_at, p_request_id, p_actor, p_actor_user_id, p_action, p_object_type,
            p_object_id, p_marking_id, p_before::json, p_after::json, last_hash,
            encode(sha256(convert_to(last_hash || E'\\n' || doc, 'UTF8')), 'hex'));
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(APPEND)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "DROP FUNCTION IF EXISTS liaison_audit_append(text, text, text, timestamptz, varchar, "
        "varchar, integer, varchar, varchar, varchar, integer, text, text)"
    )
