"""Route census: every route resolves the caller's principal (so the policy and the guards can
apply), except a short public list; and every write route (POST, PUT, PATCH, DELETE) declares a
write guard (``deps.require``, ``deps.writes_own_state`` or ``deps.writes_checked_in_service``).
A new route without a guard fails here."""

import re
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from liaison.app import create_app
from liaison.config import Settings
from liaison.security.permissions import Permission
from liaison.security.principal import Principal
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


WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Write routes that need no write guard: they write nothing another principal reads.
PUBLIC_WRITES = {
    ("POST", "/login"),  # opens the caller's own session (rate-limited, audited)
}
# Write routes whose guard another branch declares (issue 15: the TAXII store's write rights,
# applied by the sharing service per collection; to be marked ``writes_checked_in_service``).
GUARDED_ELSEWHERE: set[tuple[str, str]] = set()  # none: TAXII's writes declare theirs


def write_guard(route) -> object | None:
    """The route's declared write guard: a dependency's or the endpoint's marker."""
    if not isinstance(route, APIRoute):
        return None
    for call in (route.endpoint, *_calls(route.dependant)):
        marker = getattr(call, deps.WRITE_GUARD, None)
        if marker is not None:
            return marker
    return None


def app_for(tmp_path) -> FastAPI:
    return create_app(Settings(database_url=f"sqlite:///{tmp_path / 'census.sqlite3'}"))


def write_census(app: FastAPI) -> tuple[list[str], set[tuple[str, str]]]:
    """The write routes without a write guard, and every write route seen."""
    unguarded, writes = [], set()
    for route in _routes(app.router.routes):
        for method in sorted(set(getattr(route, "methods", None) or []) & WRITES):
            key = (method, route.path)
            writes.add(key)
            if key in PUBLIC_WRITES or key in GUARDED_ELSEWHERE:
                continue
            if write_guard(route) is None:
                unguarded.append(f"{method} {route.path}")
    return unguarded, writes


def census(tmp_path):
    app = app_for(tmp_path)
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


def test_every_write_route_declares_a_write_guard(tmp_path):
    unguarded, writes = write_census(app_for(tmp_path))
    assert unguarded == []
    assert ("PATCH", "/api/v1/documents/{document_id}") in writes
    assert len(writes) > 50


def test_the_write_census_fails_on_an_unguarded_write_route(tmp_path):
    """A route that knows its principal (the read guard) but declares no write guard: the
    census names it; declared with ``require`` or ``writes_own_state``, it passes."""
    app = app_for(tmp_path)

    @app.post("/api/v1/fake-unguarded")
    def fake(principal: deps.CurrentPrincipal) -> dict[str, str]:
        return {"who": principal.username}

    @app.delete("/api/v1/fake-guarded")
    def fake_guarded(
        principal: Annotated[Principal, Depends(deps.require(Permission.REGISTRY_ENTRY_WRITE))],
    ) -> None:
        return None

    @app.put("/api/v1/fake-own")
    @deps.writes_own_state
    def fake_own(principal: deps.CurrentPrincipal) -> None:
        return None

    unguarded, writes = write_census(app)
    assert unguarded == ["POST /api/v1/fake-unguarded"]
    assert {("DELETE", "/api/v1/fake-guarded"), ("PUT", "/api/v1/fake-own")} <= writes
    # and the read census still sees the principal on all three
    assert deps._principal in set(_calls(_route(app, "/api/v1/fake-unguarded").dependant))


def _route(app: FastAPI, path: str) -> APIRoute:
    return next(r for r in _routes(app.router.routes) if getattr(r, "path", None) == path)
