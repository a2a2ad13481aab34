# SPDX-License-Identifier: Apache-2.0
"""RFC 9457 problem details for the API, and the handlers that render every error once.

A 500 never echoes exception text: the body names the request id to quote, nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from liaison.errors import LiaisonError
from liaison.web.templating import is_htmx, render_error_page

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("liaison")


def problem(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """Render an error for the surface that asked: problem JSON for the API, an error fragment
    for an HTMX request from a page, an error page for a browser."""
    on_page = not request.url.path.startswith("/api/")
    if on_page and (is_htmx(request) or "text/html" in request.headers.get("accept", "")):
        return render_error_page(request, status, title, detail)
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _liaison_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LiaisonError)  # noqa: S101 - registered for LiaisonError only
    extra = {"errors": [{"field": exc.field, "message": exc.message}]} if exc.field else {}
    return problem(
        request, exc.status_code, exc.title, exc.message, headers=exc.headers or None, extra=extra
    )


def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for it only
    errors: list[dict[str, str | None]] = []
    parts: list[str] = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or None
        message = str(err.get("msg", "invalid"))
        errors.append({"field": field, "message": message})
        parts.append(f"{field}: {message}" if field else message)
    detail = "; ".join(parts)
    return problem(request, 422, "Invalid input", detail, extra={"errors": errors})


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for it only
    title = HTTPStatus(exc.status_code).phrase
    return problem(request, exc.status_code, title, str(exc.detail), headers=exc.headers)


def _refused_value(request: Request, exc: Exception) -> Response:
    """The database refused a value the request carried (a NUL byte in text on PostgreSQL, a
    number out of a column's range): the request's fault, and the unit of work rolled back."""
    assert isinstance(exc, DataError)  # noqa: S101 - registered for it only
    reason = str(exc.orig).splitlines()[0] if exc.orig is not None else "invalid value"
    return problem(request, 422, "Invalid input", f"A value was refused: {reason}.")


def _server_error(request: Request, exc: Exception) -> Response:
    request_id = getattr(request.state, "request_id", "-")
    log.error("unhandled error (request %s)", request_id, exc_info=exc)
    return problem(
        request,
        500,
        "Internal server error",
        f"Something went wrong on our side; quote request id {request_id}.",
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(LiaisonError, _liaison_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _refused_value)
    app.add_exception_handler(Exception, _server_error)
