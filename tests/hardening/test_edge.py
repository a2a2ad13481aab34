"""Issue 14, finding 8: country search wildcards; login throttled per address and slowed per
account (never locked for its owner elsewhere), cleared by an administrator;
``X-Forwarded-For`` believed from configured proxies only; bodies capped while streaming; one
date parser; HSTS over HTTPS; ``Cache-Control: no-store`` on every response but static
files."""

import datetime as dt
import json

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from liaison.app import create_app
from liaison.cli.main import app as cli
from liaison.db.session import session_factory, unit_of_work
from liaison.demo import DEMO_PASSWORD as PASSWORD
from liaison.security.models import LoginFailure

runner = CliRunner()


def login(client, username, password=PASSWORD, headers=None):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        headers=headers or {},
        follow_redirects=False,
    )


def from_address(client, host):
    return TestClient(client.app, client=(host, 50000))


@pytest.mark.parametrize("q", ["%", "_"])
def test_a_country_search_for_a_wildcard_finds_nothing(client, q):
    assert client.get("/api/v1/countries").json()["total"] > 200
    assert client.get("/api/v1/countries", params={"q": q}).json()["total"] == 0


def test_failures_from_one_address_do_not_lock_the_owner_out_from_another(client):
    guesser = from_address(client, "198.51.100.7")
    for _ in range(5):
        assert login(guesser, "japan", "wrong-wrong-wrong").status_code == 401
    refused = login(guesser, "japan")
    assert refused.status_code == 429
    assert "from this address" in refused.text
    owner = from_address(client, "192.0.2.10")
    assert login(owner, "japan").status_code == 303


def _failures(engine, username, count, at):
    with unit_of_work(session_factory(engine)) as session:
        session.add_all(
            LoginFailure(username=username, address=f"203.0.113.{i}", at=at) for i in range(count)
        )


def test_many_failures_from_many_addresses_slow_the_account_down(client, engine):
    _failures(engine, "japan", 16, dt.datetime.now(dt.UTC))
    r = login(from_address(client, "192.0.2.10"), "japan")
    assert r.status_code == 429
    assert "for this account; wait" in r.text


def test_the_slow_down_passes_within_a_minute(client, engine):
    _failures(engine, "japan", 16, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2))
    assert login(from_address(client, "192.0.2.10"), "japan").status_code == 303


def test_an_administrator_clears_the_failures(client, engine, db_url, monkeypatch):
    _failures(engine, "japan", 16, dt.datetime.now(dt.UTC))
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    result = runner.invoke(cli, ["user", "unblock", "japan"])
    assert result.exit_code == 0, result.output
    assert "forgot 16 failed logins" in result.output
    assert login(from_address(client, "192.0.2.10"), "japan").status_code == 303


def _recorded_addresses(engine):
    with unit_of_work(session_factory(engine)) as session:
        return session.scalars(select(LoginFailure.address)).all()


def test_x_forwarded_for_from_an_unconfigured_peer_is_ignored(client, engine):
    peer = from_address(client, "127.0.0.1")
    for i in range(5):
        login(peer, "nobody", headers={"X-Forwarded-For": f"203.0.113.{i}"})
    assert set(_recorded_addresses(engine)) == {"127.0.0.1"}
    assert login(peer, "japan", headers={"X-Forwarded-For": "203.0.113.99"}).status_code == 429


def test_x_forwarded_for_from_a_configured_proxy_names_the_client(settings, engine):
    trusting = settings.model_copy(update={"trusted_proxies": "10.0.0.0/8"})
    with TestClient(create_app(trusting, engine=engine), client=("10.1.2.3", 1)) as proxied:
        login(proxied, "nobody", headers={"X-Forwarded-For": "203.0.113.5, 10.9.9.9"})
        https = proxied.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert _recorded_addresses(engine) == ["203.0.113.5"]
    assert "max-age" in https.headers["strict-transport-security"]


def test_hsts_over_https_only(client):
    assert "strict-transport-security" not in client.get("/healthz").headers
    https = TestClient(client.app, base_url="https://testserver")
    assert https.get("/healthz").headers["strict-transport-security"].startswith("max-age=")


def test_a_declared_large_json_body_is_refused_before_it_is_read(client, auth):
    body = json.dumps({"name": "x" * (2 * 1024 * 1024)})
    r = client.post(
        "/api/v1/offices",
        content=body,
        headers={**auth("officer"), "Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"


def test_a_streamed_body_is_cut_off_at_the_limit(client, auth):
    """60 MB sent in chunks without a length, straight to the ASGI app: refused with 413 once
    the limit (1 MiB) is passed, the rest never read."""
    chunk, total = b" " * 65536, 60 * 16
    read, sent = 0, []
    headers = [(k.lower().encode(), v.encode()) for k, v in auth("officer").items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/offices",
        "raw_path": b"/api/v1/offices",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("192.0.2.1", 1),
        "server": ("testserver", 80),
    }

    async def receive():
        nonlocal read
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": read < total}

    async def send(message):
        sent.append(message)

    anyio.run(client.app, scope, receive, send)
    assert sent[0]["status"] == 413
    assert read <= 1024 * 1024 // len(chunk) + 1


@pytest.mark.parametrize("on", ["0.0", "0", "1e9", "2024-13-01", "20240101"])
def test_a_date_is_yyyy_mm_dd_and_nothing_else(client, on):
    r = client.get("/api/v1/allies", params={"member_on": on})
    assert r.status_code == 422, r.text
    assert client.get("/api/v1/allies", params={"member_on": "2024-01-01"}).status_code == 200
    assert client.get("/api/v1/security-agreements", params={"on": on}).status_code == 422


def test_a_date_in_a_body_is_yyyy_mm_dd_too(client, auth):
    r = client.post(
        "/api/v1/security-agreements",
        json={
            "partner": "KOR",
            "title": "Dated by a number",
            "kind": "binding_agreement",
            "max_level": "NATO RESTRICTED",
            "signed_on": 0,
        },
        headers=auth("officer"),
    )
    assert r.status_code == 422, r.text


@pytest.mark.parametrize(
    "path", ["/", "/audit", "/partners", "/offices", "/security-agreements", "/allies"]
)
def test_pages_are_never_stored(client, auth, path):
    r = client.get(path, headers=auth("officer"))
    assert r.headers["cache-control"] == "no-store", (path, r.status_code)


def test_static_files_may_be_cached(client):
    r = client.get("/static/liaison.css")
    assert r.status_code == 200
    assert r.headers.get("cache-control") != "no-store"
