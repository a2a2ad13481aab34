"""The login form, the session cookie, CSRF, logout and the login rate limit."""

import pytest
from fastapi.testclient import TestClient

from liaison.audit.models import AuditEvent
from liaison.identity.views import safe_next
from liaison.security.models import LoginFailure, LoginSession, User

PROBLEM = "application/problem+json"


def test_the_login_form_renders_for_anonymous(client):
    r = client.get("/login")
    assert r.status_code == 200
    assert 'name="username"' in r.text
    assert 'type="password"' in r.text
    assert "Log out" not in r.text


def test_login_sets_an_http_only_cookie_and_the_header_shows_the_user(client, count, login):
    r = login(client, "officer")
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("liaison_session=")
    for attribute in ("HttpOnly", "Max-Age=43200", "Path=/", "SameSite=lax"):
        assert attribute in cookie
    assert "Secure" not in cookie  # plain http (the test server); see the https test
    page = client.get("/login").text
    assert "Liaison officer" in page
    assert "NATO International Staff" in page
    assert "NATO SECRET" in page
    assert 'action="/logout"' in page
    assert 'href="/login' not in page
    assert count(AuditEvent, AuditEvent.action == "identity:login:success") == 1
    assert count(LoginSession) == 1


def test_every_page_header_offers_login_then_shows_the_user(client, login):
    anonymous = client.get("/allies?member_on=2024-03-07").text
    assert 'href="/login?next=/allies%3Fmember_on%3D2024-03-07"' in anonymous
    assert "Log out" not in anonymous
    login(client, "japan")
    page = client.get("/allies").text
    assert "Japan mission officer" in page
    assert "Mission of Japan to NATO" in page
    assert "Log out" in page


def test_the_cookie_is_secure_over_https(client, login):
    with TestClient(client.app, base_url="https://testserver") as secure:
        r = login(secure, "analyst")
    assert r.status_code == 303
    assert "Secure" in r.headers["set-cookie"]


def test_wrong_password_is_401_and_audited(client, count, login):
    r = login(client, "officer", "not-the-password")
    assert r.status_code == 401
    assert "unknown user or wrong password" in r.text
    assert 'value="officer"' in r.text  # the form keeps the username
    assert "set-cookie" not in r.headers
    assert count(LoginFailure, LoginFailure.username == "officer") == 1
    failed = AuditEvent.action == "identity:login:fail"
    assert count(AuditEvent, failed, AuditEvent.object_id == "officer") == 1


def test_unknown_user_fails_like_a_wrong_password(client, count, login):
    r = login(client, "nobody")
    assert r.status_code == 401
    assert "unknown user or wrong password" in r.text
    assert count(AuditEvent, AuditEvent.object_id == "nobody") == 1


def test_the_sixth_attempt_after_five_failures_is_429_even_with_the_right_password(client, login):
    for _ in range(5):
        assert login(client, "japan", "guess-guess-guess").status_code == 401
    r = login(client, "japan")
    assert r.status_code == 429
    assert "too many failed logins" in r.text
    assert "set-cookie" not in r.headers


def test_a_disabled_user_cannot_log_in_and_its_sessions_stop(client, identity, count, login):
    assert login(client, "analyst").status_code == 303
    assert client.get("/api/v1/me").json()["username"] == "analyst"
    identity(lambda s: s.set_disabled("analyst", disabled=True))
    assert count(LoginSession) == 0
    assert client.get("/api/v1/me").status_code == 401
    assert login(client, "analyst").status_code == 401


def test_logout_ends_the_session_and_clears_the_cookie(client, count, login, csrf_token):
    login(client, "officer")
    old_cookie = client.cookies["liaison_session"]
    r = client.post("/logout", data={"csrf_token": csrf_token(client)}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    assert 'liaison_session=""' in r.headers["set-cookie"]
    assert "Max-Age=0" in r.headers["set-cookie"]
    assert count(LoginSession) == 0
    assert count(AuditEvent, AuditEvent.action == "identity:logout") == 1
    client.cookies.set("liaison_session", old_cookie)
    assert client.get("/api/v1/me").status_code == 401


def test_logout_without_the_csrf_token_is_refused(client, count, login):
    login(client, "officer")
    r = client.post("/logout", follow_redirects=False)
    assert r.status_code == 403
    assert count(LoginSession) == 1
    assert client.get("/api/v1/me").status_code == 200


class TestCsrfOnApiWrites:
    """A cookie-authenticated write needs the session's CSRF token; a bearer write does not."""

    def test_without_the_token_is_403(self, client, login):
        login(client, "officer")
        r = client.patch("/api/v1/allies/FRA", json={"notes": "forged"})
        assert r.status_code == 403
        assert r.headers["content-type"].startswith(PROBLEM)
        assert "CSRF" in r.json()["detail"]
        assert client.get("/api/v1/allies/FRA").json()["notes"] != "forged"

    def test_with_a_wrong_token_is_403(self, client, login):
        login(client, "officer")
        headers = {"X-CSRF-Token": "not-the-token"}
        r = client.patch("/api/v1/allies/FRA", json={"notes": "x"}, headers=headers)
        assert r.status_code == 403

    def test_with_the_token_succeeds(self, client, login, csrf_token):
        login(client, "officer")
        headers = {"X-CSRF-Token": csrf_token(client)}
        r = client.patch("/api/v1/allies/FRA", json={"notes": "checked"}, headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["notes"] == "checked"


class TestNext:
    def test_a_local_path_is_followed(self, client, login):
        r = login(client, "officer", next="/allies?member_on=2024-03-07")
        assert r.status_code == 303
        assert r.headers["location"] == "/allies?member_on=2024-03-07"

    def test_an_absolute_url_is_refused(self, client, login):
        r = login(client, "officer", next="//evil.example/phish")
        assert r.status_code == 303
        assert r.headers["location"] == "/"

    @pytest.mark.parametrize(
        "target",
        [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/ok\r\nSet-Cookie: x=1",
            "",
            None,
        ],
    )
    def test_unsafe_targets_become_the_start_page(self, target):
        assert safe_next(target) == "/"

    def test_the_form_carries_only_a_safe_next(self, client):
        assert 'name="next" value="/"' in client.get("/login?next=//evil.example").text
        assert 'name="next" value="/offices"' in client.get("/login?next=/offices").text


class TestLoginCsrf:
    """The login POST has no session yet: a foreign Origin or Referer is refused."""

    @pytest.mark.parametrize(
        "headers",
        [
            {"Origin": "https://evil.example"},
            {"Origin": "null"},
            {"Origin": "https://testserver"},  # another scheme is another origin
            {"Referer": "https://evil.example/login"},
        ],
    )
    def test_a_foreign_origin_is_403(self, client, headers, count):
        r = client.post(
            "/login",
            data={"username": "officer", "password": "x"},
            headers=headers,
            follow_redirects=False,
        )
        assert r.status_code == 403
        assert "set-cookie" not in r.headers
        assert count(LoginFailure) == 0

    def test_the_same_origin_is_accepted(self, client):
        headers = {"Origin": "http://testserver", "Referer": "http://testserver/login"}
        r = client.post(
            "/login",
            data={"username": "officer", "password": "liaison-demo-2026"},
            headers=headers,
            follow_redirects=False,
        )
        assert r.status_code == 303


def test_passwords_are_argon2_hashes(engine):
    with engine.connect() as conn:
        hashes = conn.execute(User.__table__.select()).mappings().all()
    assert hashes
    assert all(row["password_hash"].startswith("$argon2id$") for row in hashes)
