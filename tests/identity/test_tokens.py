"""API tokens: bearer authentication, expiry, revocation, scopes, and storage as hashes only."""

import datetime as dt
import hashlib
import json

from sqlalchemy import select, update

from liaison.audit.models import AuditEvent
from liaison.security.models import ApiToken

PROBLEM = "application/problem+json"


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def assert_401(response):
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith(PROBLEM)


def test_a_valid_token_authenticates_and_records_its_use(client, identity, engine):
    issued = identity(lambda s: s.create_token("japan", "sync", days=1))
    r = client.get("/api/v1/me", headers=bearer(issued.secret))
    assert r.status_code == 200
    assert r.json()["username"] == "japan"
    with engine.connect() as conn:
        used = conn.scalar(select(ApiToken.last_used_at).where(ApiToken.id == issued.token.id))
    assert used is not None


def test_an_expired_token_is_401(client, identity, engine):
    issued = identity(lambda s: s.create_token("officer", "old"))
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with engine.begin() as conn:
        conn.execute(update(ApiToken).where(ApiToken.id == issued.token.id).values(expires_at=past))
    assert_401(client.get("/api/v1/me", headers=bearer(issued.secret)))


def test_a_revoked_token_is_401(client, identity):
    issued = identity(lambda s: s.create_token("officer", "leaked"))
    assert client.get("/api/v1/me", headers=bearer(issued.secret)).status_code == 200
    identity(lambda s: s.revoke_token(issued.token.id))
    assert_401(client.get("/api/v1/me", headers=bearer(issued.secret)))


def test_a_disabled_users_token_is_401_until_enabled(client, identity):
    issued = identity(lambda s: s.create_token("analyst", "ci"))
    identity(lambda s: s.set_disabled("analyst", disabled=True))
    assert_401(client.get("/api/v1/me", headers=bearer(issued.secret)))
    identity(lambda s: s.set_disabled("analyst", disabled=False))
    assert client.get("/api/v1/me", headers=bearer(issued.secret)).status_code == 200


def test_unknown_or_malformed_credentials_are_401(client):
    assert_401(client.get("/api/v1/me", headers=bearer("lia_not-a-real-token")))
    assert_401(client.get("/api/v1/me", headers=bearer("not-even-our-prefix")))
    assert_401(client.get("/api/v1/me", headers={"Authorization": "Basic b2ZmaWNlcjp4"}))


class TestScopes:
    def test_a_read_only_token_reads_but_cannot_write(self, client, auth):
        headers = auth("officer", frozenset({"read"}))
        assert client.get("/api/v1/allies/FRA", headers=headers).status_code == 200
        r = client.patch("/api/v1/allies/FRA", json={"notes": "x"}, headers=headers)
        assert r.status_code == 403
        assert "registry:entry:write" in r.json()["detail"]

    def test_a_read_only_token_keeps_read_permissions(self, client, auth):
        me = client.get("/api/v1/me", headers=auth("officer", frozenset({"read"}))).json()
        assert me["permissions"] == ["audit:event:read"]

    def test_a_read_write_token_writes(self, client, auth):
        r = client.patch("/api/v1/allies/FRA", json={"notes": "x"}, headers=auth("officer"))
        assert r.status_code == 200


def test_the_secret_is_never_stored_in_clear(identity, engine):
    issued = identity(lambda s: s.create_token("japan", "secret-check", scopes={"read"}))
    secret = issued.secret
    with engine.connect() as conn:
        tokens = [dict(row) for row in conn.execute(ApiToken.__table__.select()).mappings()]
        audit = [dict(row) for row in conn.execute(AuditEvent.__table__.select()).mappings()]
    assert len(tokens) == 1
    (row,) = tokens
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert row["prefix"] == secret[:10]
    stored = json.dumps(tokens + audit, default=str)
    assert secret not in stored
    assert secret[10:20] not in stored  # not even a part beyond the shown prefix
