# SPDX-License-Identifier: Apache-2.0
"""Request-scoped dependencies, as Annotated aliases features put in their signatures.

- ``DbSession``: the request's unit of work.
- ``CurrentPrincipal``: who is asking — a bearer token (or HTTP Basic with a username and an
  API token as the password), else the login-session cookie, else anonymous. A
  cookie-authenticated unsafe request must carry the session's CSRF token (``X-CSRF-Token``
  header or ``csrf_token`` form field); bearer requests need none.
- ``AuthenticatedPrincipal``: the same, but anonymous gets 401.
- ``require(permission)``: a guard for writes; anonymous gets 401, others without it 403
  (writes name no hidden object, so 403 reveals nothing). It is the route's *write guard*:
  the service behind it applies the write policy (``security.writes``) to the record itself.
- ``writes_own_state``: marks the write guard of an endpoint that changes only the caller's own
  state (its session, notifications, feed secret); ``writes_checked_in_service``: of one whose
  service applies the write policy without a route-level permission. The route census
  (tests/security/test_route_census.py) fails on a POST/PUT/PATCH/DELETE route without one.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, ClassVar, TypeVar

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from liaison.audit.recorder import DEFERRED, Entry, append_deferred, record_one
from liaison.config import Settings
from liaison.db.session import SessionFactory, finish
from liaison.errors import Forbidden, LiaisonError, NotFound
from liaison.kit.ids import MAX_ID, parse_id
from liaison.kit.pagination import PageRequest
from liaison.security.authn import (
    Holder,
    NationFacts,
    principal_for,
    principal_of,
    session_for_cookie,
    user_for_token,
)
from liaison.security.permissions import Permission
from liaison.security.principal import ANONYMOUS, Principal, Side
from liaison.security.reach import preview_principal

SESSION_COOKIE = "liaison_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Unauthenticated(LiaisonError):
    status_code = 401
    title = "Unauthorized"
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="liaison"'}


async def _session(request: Request) -> AsyncIterator[Session]:
    """One unit of work per request: commits after the handler returns, before the response
    is sent (scope="function"), so a client that reads right after a write sees it.

    On SQLite it takes the write lock only at its first write (``db.engine.WRITE_ON_DEMAND``):
    reads, parsing and password hashing before it hold no lock. A read request (GET, HEAD,
    OPTIONS) writes nothing until it ends: the audit events of what it read are appended then,
    in a short write transaction of their own, before the response is sent."""
    factory: SessionFactory = request.app.state.request_session_factory
    # Made here, on the event loop (a session connects at its first query, in the handler's
    # thread); only its end, which talks to the database, goes to a worker thread. One thread
    # hop fewer per request than a synchronous dependency.
    async with db_slot(request):
        session = factory()
        if request.method in SAFE_METHODS:
            session.info[DEFERRED] = []
        try:
            yield session
        except BaseException:
            await run_in_threadpool(finish, session, failed=True)
            raise
        await run_in_threadpool(_finish_request, session)


@asynccontextmanager
async def db_slot(request: Request) -> AsyncIterator[None]:
    """One of the app's slots for database work (``app.state.db_slots``), held from before a
    request's unit of work begins until after it ends. There are fewer slots than pooled
    connections and worker threads: requests beyond them wait here, on the event loop,
    holding neither a thread nor a connection — so a request that holds a connection always
    finds a thread to finish on, and throughput holds however many clients wait."""
    slots: asyncio.Semaphore | None = getattr(request.app.state, "db_slots", None)
    if slots is None:
        yield
        return
    async with slots:
        request.state.db_slot = slots
        try:
            yield
        finally:
            request.state.db_slot = None


@asynccontextmanager
async def outside_db_slot(request: Request) -> AsyncIterator[None]:
    """Give the request's slot back while it does long work that needs no database (parsing
    an upload in a child process), and take one again after; outside any transaction only."""
    slots: asyncio.Semaphore | None = getattr(request.state, "db_slot", None)
    if slots is None:
        yield
        return
    slots.release()
    try:
        yield
    finally:
        await slots.acquire()


def _finish_request(session: Session) -> None:
    """Commit the request's work; a read request's deferred audit events go in first (in a
    new, short transaction once the reads' is over: no lock was held while reading)."""
    if session.info.get(DEFERRED):
        try:
            session.commit()  # ends the reads' transaction (it wrote nothing)
            append_deferred(session)
        except BaseException:
            finish(session, failed=True)
            raise
    finish(session, failed=False)


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DbSession = Annotated[Session, Depends(_session, scope="function")]
AppSettings = Annotated[Settings, Depends(_settings)]


async def _submitted_csrf(request: Request) -> str | None:
    """The CSRF token a cookie-authenticated unsafe request carries (header or form field)."""
    if request.method in SAFE_METHODS:
        return None
    # Only a cookie session needs the token; never parse a body for anybody else (a bearer or
    # anonymous request is authenticated, or refused, before its body is read).
    if "authorization" in request.headers or SESSION_COOKIE not in request.cookies:
        return None
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def _principal(
    request: Request,
    session: DbSession,
    submitted_csrf: Annotated[str | None, Depends(_submitted_csrf)],
) -> Principal:
    facts: NationFacts = request.app.state.nation_facts
    authorization = request.headers.get("authorization", "")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "basic":
            found = _basic_user(session, token.strip())
        else:
            found = user_for_token(session, token.strip()) if scheme.lower() == "bearer" else None
        if found is None:
            raise Unauthenticated("the bearer token is missing, unknown, expired or revoked")
        holder, scopes = found
        principal = principal_of(session, holder, facts, scopes=scopes)
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        login = session_for_cookie(session, cookie) if cookie else None
        if login is None:
            principal = ANONYMOUS
        else:
            if request.method not in SAFE_METHODS and not (
                submitted_csrf and hmac.compare_digest(submitted_csrf, login.csrf_token)
            ):
                raise Forbidden("the form is out of date (CSRF check failed); reload the page")
            request.state.csrf_token = login.csrf_token
            principal = principal_for(session, login.user, facts)
    preview = request.query_params.get(PREVIEW)
    if preview is not None:
        principal = _previewing(request, session, principal, preview)
    request.state.principal = principal
    if request.method not in SAFE_METHODS and session.in_transaction():
        # End the reads that found the principal: what the request does next (read a body,
        # parse a file) runs outside any transaction, and its writes begin a new one.
        session.commit()
    return principal


# The query parameter that shows a page as a partner's mission would see it (issue 16).
PREVIEW = "preview"
PreviewNation = Callable[[Session, str], tuple[str, Principal] | None]


def _previewing(request: Request, session: Session, viewer: Principal, ref: str) -> Principal:
    """The principal of a preview: an ally's user reading as the partner ``ref`` names would,
    never more than either (``security.reach.preview_principal``), for safe methods only.
    Anonymous: 401; a partner's user: 403 (a preview is for the alliance side, and says so:
    what it refuses is the feature, not a record); a name that is no partner: 404. Each
    previewed request is audited as such (``security:page:preview``), and every read in it
    carries the actor "officer (preview as KOR)"."""
    if not viewer.authenticated:
        raise Unauthenticated("log in to preview a page as a partner")
    if viewer.side is not Side.ALLY:
        raise Forbidden("only the alliance side may preview a page as a partner")
    if request.method not in SAFE_METHODS:
        raise Forbidden("a preview is read-only: leave the preview to change anything")
    lookup: PreviewNation = request.app.state.preview_nation
    found = lookup(session, ref.strip()[:100])
    if found is None:
        raise NotFound(f"no partner {ref.strip()[:100]!r} to preview as")
    name, reader = found
    principal = preview_principal(viewer, reader)
    request.state.preview = {"code": reader.nation, "name": name}
    record_one(
        session,
        principal,
        Entry(
            "security:page:preview",
            "partner",
            reader.nation or "",
            after={"viewer": viewer.username, "path": request.url.path},
        ),
    )
    return principal


def _basic_user(session: Session, credentials: str) -> tuple[Holder, frozenset[str]] | None:
    """HTTP Basic with a username and one of that user's API tokens as the password (what
    TAXII clients such as taxii2-client send); never the account's password."""
    try:
        decoded = base64.b64decode(credentials, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, _, token = decoded.partition(":")
    found = user_for_token(session, token)
    if found is None or not hmac.compare_digest(found[0].username.encode(), username.encode()):
        return None
    return found


CurrentPrincipal = Annotated[Principal, Depends(_principal)]


def authenticated_in_thread(request: Request, session: Session) -> Principal:
    """The request's authenticated principal, resolved by ``_principal`` itself — for an
    endpoint that does all its work, this included, in one worker-thread hop instead of one
    hop per dependency (``resolves_principal``). A safe method only: no CSRF to check."""
    if request.method not in SAFE_METHODS:
        msg = "only a safe method may resolve its principal in its own thread"
        raise RuntimeError(msg)
    return _must_be_authenticated(_principal(request, session, None))


E = TypeVar("E", bound=Callable[..., Any])


def resolves_principal(endpoint: E) -> E:
    """Marks an endpoint that resolves its principal with ``authenticated_in_thread``; the
    route census (tests/security/test_route_census.py) counts it as guarded."""
    endpoint.__liaison_guard__ = _principal  # type: ignore[attr-defined]
    return endpoint


def _must_be_authenticated(principal: Principal) -> Principal:
    if not principal.authenticated:
        raise Unauthenticated("log in or send a bearer token")
    return principal


async def _authenticated(principal: CurrentPrincipal) -> Principal:
    return _must_be_authenticated(principal)


AuthenticatedPrincipal = Annotated[Principal, Depends(_authenticated)]
authenticated = _authenticated  # a ``serves`` guard: anonymous gets 401


def require(permission: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through principals holding ``permission``."""

    async def guard(principal: AuthenticatedPrincipal) -> Principal:
        if not principal.can(permission):
            raise Forbidden(f"this needs the permission {permission}")
        return principal

    guard.__name__ = f"require_{permission.value.replace(':', '_')}"
    setattr(guard, WRITE_GUARD, permission)
    return guard


# The attribute the route census reads: on a dependency (``require``) or on an endpoint.
WRITE_GUARD = "__liaison_write_guard__"


def writes_own_state(endpoint: E) -> E:
    """Marks an endpoint that writes only the caller's own state (never a record another
    principal reads), so the route census counts its write as guarded."""
    setattr(endpoint, WRITE_GUARD, "own state")
    return endpoint


def writes_checked_in_service(endpoint: E) -> E:
    """Marks an endpoint whose service applies the write policy (``security.writes``) to every
    record it writes, with no route-level permission (e.g. per-collection rights)."""
    setattr(endpoint, WRITE_GUARD, "service")
    return endpoint


Limit = Annotated[int | None, Query(ge=1, le=1000, description="Page size (default 50).")]
# Row ids: ``kit.ids`` (a larger number is simply no row: 422 here, not a driver overflow).
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="Items to skip.")]
RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="The row's id.")]


def path_id(raw: str, not_found: Callable[[str], Exception]) -> int:
    """A row id taken from a path as text: anything that is not one (``kit.ids.parse_id``)
    raises ``not_found(raw)``, the same answer as for a hidden row."""
    value = parse_id(raw)
    if value is None:
        raise not_found(raw)
    return value


def page_request(
    settings: Settings, limit: int | None, offset: int, sort: str | None
) -> PageRequest:
    """The page a list asks for: the configured size when none is given, never above the cap."""
    size = min(limit or settings.page_size, settings.max_page_size)
    return PageRequest(limit=size, offset=offset, sort=sort or None)


async def _unsorted_page(
    settings: AppSettings, limit: Limit = None, offset: Offset = 0
) -> PageRequest:
    return page_request(settings, limit, offset, None)


# The one way a list endpoint or page takes its page: ``page: ListPage`` (limit and offset), or
# ``page: SortedPage`` (and ``sort``), then ``Page[X].of(items, total, page)`` for the answer.
ListPage = Annotated[PageRequest, Depends(_unsorted_page)]
Sort = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Fields to sort by, comma-separated; '-' before one sorts it descending.",
    ),
]


async def _sorted_page(
    settings: AppSettings, limit: Limit = None, offset: Offset = 0, sort: Sort = None
) -> PageRequest:
    return page_request(settings, limit, offset, sort)


SortedPage = Annotated[PageRequest, Depends(_sorted_page)]

F = TypeVar("F")


def serves(
    factory: Callable[[Session, Principal], F],
    guard: Permission | Callable[..., Principal | Awaitable[Principal]] = _principal,
) -> Callable[..., Awaitable[F]]:
    """The dependency that hands an endpoint its feature's service, made for the request's
    session and principal: ``Programmes = Annotated[ProgrammeService, Depends(serves(
    ProgrammeService))]``. ``guard``: the principal it acts as — a permission for a write
    (``require(permission)``, which the route census sees), ``authenticated`` for a reader who
    must log in, the current principal by default."""
    if isinstance(guard, Permission):
        guard = require(guard)

    # async: made on the event loop (a service's constructor does no I/O), so taking a service
    # costs the request no thread hop of its own
    async def service(session: Session, principal: Principal) -> F:
        return factory(session, principal)

    # real objects, not this module's postponed strings: ``guard`` lives only in this closure
    service.__annotations__ = {
        "session": DbSession,
        "principal": Annotated[Principal, Depends(guard)],
        "return": factory,
    }
    service.__name__ = f"serve_{getattr(factory, '__name__', 'service')}"
    return service
