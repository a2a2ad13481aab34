# SPDX-License-Identifier: Apache-2.0
"""Jinja2 templates for every feature's pages, and the helpers pages share.

Features keep templates under ``web/templates/<feature>/``; fragments start with ``_`` and are
what HTMX asks for (``HX-Request: true``), so one view serves the page and its fragment.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.datastructures import QueryParams

from liaison.security.classification import Classification
from liaison.security.markings import short
from liaison.security.reach import effective_reach
from liaison.web.forms import DATE_INPUT, DATETIME_INPUT, field_errors

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def _with_query(params: QueryParams, **changes: Any) -> str:  # noqa: ANN401
    """The current query string with some parameters replaced (None removes one)."""
    merged = dict(params)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return "?" + urlencode(merged) if merged else "?"


def _date(value: dt.date | None, empty: str = "—") -> str:
    return value.isoformat() if value else empty


def _marking_level(banner: str) -> str:
    """The classification a banner text starts with (for the banner's colour)."""
    for level in sorted(Classification, key=lambda c: -len(c.value)):
        if banner.upper().startswith(level.value):
            return level.value
    return ""


def build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.globals["with_query"] = _with_query
    templates.env.filters["isodate"] = _date
    templates.env.globals["marking_level"] = _marking_level
    templates.env.filters["portion"] = short
    templates.env.globals["field_errors"] = field_errors
    templates.env.globals["date_input"] = DATE_INPUT
    templates.env.globals["datetime_input"] = DATETIME_INPUT
    templates.env.globals["effective_reach"] = effective_reach
    return templates


_templates: Jinja2Templates | None = None


def templates() -> Jinja2Templates:
    """The shared template environment, built on first use (never at import time)."""
    global _templates  # noqa: PLW0603 - one environment per process, built lazily
    if _templates is None:
        _templates = build_templates()
    return _templates


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render ``template``, or only ``fragment`` when HTMX asks for a part of the page. The
    context also holds ``principal`` and ``csrf_token`` (see ``request_context``)."""
    name = fragment if fragment is not None and is_htmx(request) else template
    merged = {**request_context(request), **context}
    return templates().TemplateResponse(request, name, merged, status_code=status_code)


def render_marked(
    request: Request,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
    fragment: str | None = None,
) -> HTMLResponse:
    """``render`` for a page that shows marked material (never cached, as no page is:
    ``web.edge.response_headers``)."""
    return render(request, template, context, fragment=fragment, status_code=status_code)


def request_context(request: Request) -> dict[str, Any]:
    """What every page's header needs: who is logged in (None when the route did not ask, or
    nobody is), the session's CSRF token for its forms (None without a login session) and
    the partner a page is previewed as (``web.deps``, ``?preview=``; None when none).
    ``web.deps.CurrentPrincipal`` sets both on ``request.state``."""
    return {
        "principal": getattr(request.state, "principal", None),
        "csrf_token": getattr(request.state, "csrf_token", None),
        "preview": getattr(request.state, "preview", None),
    }


def render_error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "detail": detail},
        fragment="_error.html",
        status_code=status,
    )
