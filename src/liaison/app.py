# SPDX-License-Identifier: Apache-2.0
"""The composition root: ``create_app(settings)`` wires storage, routers, pages and errors.

Nothing is built at import time; uvicorn uses ``liaison.app:factory`` with ``--factory``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text

import liaison.decisions.api as decisions_api
import liaison.decisions.views as decisions_views
from liaison import __version__, wiring
from liaison.config import Settings
from liaison.db.engine import build_engine
from liaison.db.session import session_factory
from liaison.decisions.worker import DeadlineWorker
from liaison.documents import api as documents_api
from liaison.documents import views as documents_views
from liaison.identity import api as identity_api
from liaison.identity import views as identity_views
from liaison.kit.context import request_id
from liaison.programmes import api as programmes_api
from liaison.programmes import views as programmes_views
from liaison.registry import api as registry_api
from liaison.registry import views as registry_views
from liaison.registry.service import nation_profile
from liaison.sharing import feed as sharing_feed
from liaison.sharing import taxii as sharing_taxii
from liaison.sharing import views as sharing_views
from liaison.trail import api as trail_api
from liaison.trail import views as trail_views
from liaison.web import problems
from liaison.web.deps import DbSession
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
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine or build_engine(settings.database_url, echo=settings.echo_sql)
    app.state.session_factory = session_factory(app.state.engine)
    app.state.nation_facts = nation_profile
    problems.install(app)
    app.middleware("http")(_request_context)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(_health_router())
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
    app.include_router(sharing_taxii.router)
    app.include_router(sharing_views.router)
    app.include_router(sharing_feed.router)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Background work while the app serves: the decisions' deadline worker."""
    worker = DeadlineWorker(app.state.session_factory, app.state.settings)
    app.state.decisions_worker = worker
    worker.start()
    try:
        yield
    finally:
        await worker.stop()


async def _request_context(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    rid = (request.headers.get("x-request-id") or uuid.uuid4().hex)[:64]
    request.state.request_id = rid
    request_id.set(rid)
    response = await call_next(request)
    response.headers["X-Request-ID"] = request.state.request_id
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="Liveness and database check")
    def healthz(session: DbSession) -> dict[str, str]:
        session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    return router


def factory() -> FastAPI:
    """Entry point for ``uvicorn --factory liaison.app:factory``: settings from the environment."""
    return create_app(Settings())
