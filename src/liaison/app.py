# SPDX-License-Identifier: Apache-2.0
"""The composition root: ``create_app(settings)`` wires storage, routers, pages and errors.

Nothing is built at import time; uvicorn uses ``liaison.app:factory`` with ``--factory``.
"""

from __future__ import annotations

import asyncio
import gc
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Connection, Engine
from sqlalchemy.pool import QueuePool
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import liaison.decisions.api as decisions_api
import liaison.decisions.views as decisions_views
from liaison import __version__, wiring
from liaison.audit.anchor import CheckpointWorker
from liaison.catalogue import api as catalogue_api
from liaison.catalogue import views as catalogue_views
from liaison.config import Settings
from liaison.db.engine import READ_ONLY, WRITE_ON_DEMAND, build_engine
from liaison.db.session import session_factory
from liaison.decisions.worker import DeadlineWorker
from liaison.documents import api as documents_api
from liaison.documents import views as documents_views
from liaison.documents.extract import MAX_BYTES
from liaison.documents.uploads import FORM_OVERHEAD
from liaison.identity import api as identity_api
from liaison.identity import views as identity_views
from liaison.jobs import api as jobs_api
from liaison.jobs.worker import Worker, WorkerThread
from liaison.kit.context import request_id
from liaison.osint import api as osint_api
from liaison.osint import views as osint_views
from liaison.programmes import api as programmes_api
from liaison.programmes import views as programmes_views
from liaison.registry import api as registry_api
from liaison.registry import views as registry_views
from liaison.registry.reach import preview_nation
from liaison.registry.service import nation_profile
from liaison.sharing import feed as sharing_feed
from liaison.sharing import taxii as sharing_taxii
from liaison.sharing import views as sharing_views
from liaison.trail import api as trail_api
from liaison.trail import views as trail_views
from liaison.web import apidocs, edge, home, problems, search
from liaison.web.edge import BodyLimit, ForwardedFor
from liaison.web.templating import STATIC_DIR

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'"
    ),
}


def create_app(settings: Settings, *, engine: Engine | None = None) -> FastAPI:
    """Build the application for ``settings`` (an engine may be passed in by tests)."""
    wiring.install()
    app = FastAPI(
        title="Liaison",
        version=__version__,
        summary="Partnership registry, programmes, decisions, sharing and audit.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine or build_engine(settings.database_url, echo=settings.echo_sql)
    app.state.session_factory = session_factory(app.state.engine)
    # Requests take SQLite's write lock at their first write only (web.deps._session).
    app.state.request_session_factory = session_factory(
        app.state.engine.execution_options(**{WRITE_ON_DEMAND: True})
    )
    app.state.db_slots = asyncio.Semaphore(db_slots(app.state.engine, settings))
    app.state.health = HealthProbe(app.state.engine)
    app.state.nation_facts = nation_profile
    app.state.preview_nation = preview_nation  # web.deps: ?preview=KOR (issue 16)
    problems.install(app)
    upload_limit = MAX_BYTES + FORM_OVERHEAD
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        wider={"/taxii2/": None, "/api/v1/documents": upload_limit, "/documents": upload_limit},
    )
    app.add_middleware(RequestContext)
    app.add_middleware(ForwardedFor, trusted=edge.networks(settings.trusted_proxies))
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.mount(apidocs.ASSETS_PATH, apidocs.assets(), name="apidocs")
    app.include_router(apidocs.router)
    app.include_router(_health_router())
    # The TAXII routes first: routing tries routes in order, and a client paging a collection
    # sends thousands of requests (the prefix /taxii2/ overlaps no other route).
    app.include_router(sharing_taxii.router)
    app.include_router(home.router)
    app.include_router(search.router)
    app.include_router(registry_api.router)
    app.include_router(registry_views.router)
    app.include_router(documents_api.router)
    app.include_router(documents_views.router)
    app.include_router(identity_api.router)
    app.include_router(identity_views.router)
    app.include_router(trail_api.router)
    app.include_router(trail_views.router)
    app.include_router(programmes_api.router)
    app.include_router(programmes_views.router)
    app.include_router(decisions_api.router)
    app.include_router(decisions_views.router)
    app.include_router(sharing_views.router)
    app.include_router(sharing_feed.router)
    app.include_router(catalogue_api.router)
    app.include_router(catalogue_api.nominations_router)
    app.include_router(catalogue_api.plans_router)
    app.include_router(catalogue_views.router)
    app.include_router(jobs_api.router)
    app.include_router(osint_api.router)
    app.include_router(osint_views.router)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Background work while the app serves: the decisions' deadline worker."""
    worker = DeadlineWorker(app.state.session_factory, app.state.settings)
    app.state.decisions_worker = worker
    worker.start()
    jobs = _job_worker(app)
    checkpoints = CheckpointWorker(app.state.session_factory, app.state.settings)
    checkpoints.start()
    # What start-up built (modules, models, routes, templates) lives as long as the process:
    # move it out of the collector's sight, so a full collection while serving walks only
    # what requests made (measured: a 220 ms pause on a TAXII page without this).
    gc.collect()
    gc.freeze()
    # A TAXII envelope parses into ~10^5 objects; with the default thresholds (700, 10, 10)
    # the collector ran dozens of times per envelope (~70 ms of a 10,000-object POST).
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        await worker.stop()
        await checkpoints.stop()
        if jobs is not None:
            jobs.stop()
        app.state.health.close()


def _job_worker(app: FastAPI) -> WorkerThread | None:
    """The job queue's worker thread, run in process on SQLite (or when configured)."""
    settings: Settings = app.state.settings
    engine: Engine = app.state.engine
    wanted = settings.jobs_in_process
    if wanted is None:
        wanted = engine.dialect.name == "sqlite"
    if not wanted:
        return None
    thread = WorkerThread(
        Worker(
            app.state.session_factory,
            lease_seconds=settings.jobs_lease_seconds,
            poll_seconds=settings.jobs_poll_seconds,
            retry_base_seconds=settings.jobs_retry_base_seconds,
        )
    )
    app.state.jobs_worker = thread
    thread.start()
    return thread


class RequestContext:
    """Gives every request an id (the client's ``X-Request-ID`` or a new one) for the audit
    trail, and adds it and the security headers to the response. Plain ASGI: it never touches
    the body (Starlette's ``BaseHTTPMiddleware`` would stream every response through a queue,
    which costs milliseconds on a TAXII page of a thousand objects)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id")
        rid = (given or uuid.uuid4().hex)[:64]
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id.set(rid)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = rid
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                edge.response_headers(scope, message)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            request_id.reset(token)


# Pooled connections kept out of the request slots: the health check's, and the background
# workers' (decisions, jobs).
RESERVED_CONNECTIONS = 3
SLOTS_PER_CORE = 2
# Threads of the server's pool (anyio's default); slots never exceed it less a margin.
THREADS = 40


def db_slots(engine: Engine, settings: Settings) -> int:
    """How many requests may work with the database at once (``web.deps.db_slot``)."""
    if settings.db_slots is not None:
        return settings.db_slots
    pool = engine.pool
    connections = (
        pool.size() + getattr(pool, "_max_overflow", 0) if isinstance(pool, QueuePool) else THREADS
    )
    # More threads than this doing Python work only wait for each other (the GIL) and for
    # the cores; with fewer, a health check or a commit gets its turn sooner.
    busy = SLOTS_PER_CORE * len(os.sched_getaffinity(0)) + 2
    return max(1, min(connections - RESERVED_CONNECTIONS, THREADS - RESERVED_CONNECTIONS, busy))


class HealthProbe:
    """The health check's own connection, kept open and used on the event loop: the check
    waits for no request slot, no worker thread and no pooled connection, takes no lock (a
    read-only transaction) and, on PostgreSQL, gives up after a second."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None

    def check(self) -> None:
        if self._connection is None or self._connection.closed:
            self._connection = self.engine.connect().execution_options(**{READ_ONLY: True})
            if self.engine.dialect.name == "postgresql":
                self._connection.exec_driver_sql("SET statement_timeout = 1000")
                self._connection.commit()
        try:
            with self._connection.begin():
                self._connection.exec_driver_sql("SELECT 1")
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="Liveness and database check")
    async def healthz(request: Request) -> dict[str, str]:
        """Answers while every request slot is busy (see ``HealthProbe``)."""
        probe: HealthProbe = request.app.state.health
        probe.check()
        return {"status": "ok", "version": __version__}

    return router


def factory() -> FastAPI:
    """Entry point for ``uvicorn --factory liaison.app:factory``: settings from the environment."""
    return create_app(Settings())
