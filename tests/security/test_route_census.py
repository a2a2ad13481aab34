"""Route census: every route resolves the caller's principal (so the policy and the guards can
apply), except a short public list. A new route without a guard fails here."""

import re

from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from liaison.app import create_app
from liaison.config import Settings
from liaison.web import deps

# (method, path) pairs that may answer without knowing who asks, and why.
PUBLIC = {
    ("GET", "/healthz"),  # liveness probe: says "ok" and the version, nothing else
    ("GET", "/api/v1/openapi.json"),  # the API's shape is public
    ("GET", "/api/v1/docs"),
    ("GET", "/favicon.ico"),  # the site's icon
    ("GET", "/login"),  # the login form
    ("POST", "/login"),  # checks a password; rate-limited and audited
}


def _routes(routes):
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            yield from _routes(original.routes)
        else:
            yield route


def _calls(dependant):
    for dep in dependant.dependencies:
        yield dep.call
        yield from _calls(dep)


def census(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'census.sqlite3'}"))
    unguarded, seen = [], set()
    for route in _routes(app.router.routes):
        if isinstance(route, Mount):
            assert route.path in {"/static", "/api/v1/docs/assets"}, (
                f"unexpected mount {route.path}"
            )
            continue
        methods = sorted(route.methods or [])
        for method in methods:
            if method == "HEAD":
                continue
            seen.add((method, route.path))
            # Guarded: the principal is a dependency, or the endpoint resolves it itself with
            # ``deps.authenticated_in_thread`` (marked by ``deps.resolves_principal``).
            guarded = isinstance(route, APIRoute) and (
                deps._principal in set(_calls(route.dependant))
                or getattr(route.endpoint, "__liaison_guard__", None) is deps._principal
            )
            if not guarded and (method, route.path) not in PUBLIC:
                unguarded.append(f"{method} {route.path}")
        assert isinstance(route, Route | APIRoute)
    return unguarded, seen


def test_every_route_has_a_guard_or_is_on_the_public_list(tmp_path):
    unguarded, _ = census(tmp_path)
    assert unguarded == []


def test_the_census_sees_the_feature_routes(tmp_path):
    _, seen = census(tmp_path)
    assert ("GET", "/api/v1/security-agreements/{agreement_id}") in seen
    assert ("POST", "/api/v1/allies") in seen
    assert ("GET", "/audit") in seen
    assert len(seen) > 40


def test_every_response_but_static_files_is_never_stored(tmp_path, client, auth):
    """``Cache-Control: no-store`` is set once, by middleware (``web.edge``), on every answer —
    found or not, allowed or not — of every GET route; static files may be cached."""
    _, seen = census(tmp_path)
    stored = []
    for method, path in sorted(seen):
        if method != "GET":
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        for headers in ({}, auth("admin")):
            r = client.get(url, headers=headers, follow_redirects=False)
            if r.headers.get("cache-control") != "no-store":
                stored.append(f"{url} ({r.status_code})")
    assert stored == []
    assert client.get("/static/liaison.css").headers.get("cache-control") != "no-store"
