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


# The errors every API operation may answer, each as RFC 9457 problem JSON (documented once,
# here, for every /api/v1 operation of the OpenAPI spec).
PROBLEM_RESPONSES: dict[int, str] = {
    400: "Bad request: the request cannot be understood.",
    401: "Unauthorized: log in or send a bearer token.",
    404: "Not found: nothing there, or nothing you may see (the same answer).",
    409: "Conflict: a duplicate, or a state that forbids the change.",
    413: "Content too large: the body or the file is beyond a limit.",
    422: "Invalid input: a value is malformed or wrong.",
    429: "Too many requests: slow down and try again later.",
}
_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def document_problems(spec: dict[str, Any]) -> dict[str, Any]:
    """Add the problem responses to every ``/api/v1`` operation of an OpenAPI ``spec`` (in
    place; FastAPI's 422 ``HTTPValidationError`` is replaced: the API answers problem JSON)."""
    spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = _PROBLEM_SCHEMA
    content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in spec.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in PROBLEM_RESPONSES.items():
                responses[str(status)] = {"description": description, "content": content}
    return spec


def install(app: FastAPI) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(original())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_exception_handler(LiaisonError, _liaison_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _refused_value)
    app.add_exception_handler(Exception, _server_error)
