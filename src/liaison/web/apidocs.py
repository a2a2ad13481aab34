# SPDX-License-Identifier: Apache-2.0
"""The API docs page, served from the package under the app's own CSP.

FastAPI's default page loads Swagger UI from a CDN and starts it with an inline script; the
app's Content-Security-Policy (``script-src 'self'``) blocks both, and the page was blank. Here
Swagger UI's files come from the ``swagger-ui-bundle-v2`` package (Swagger UI 5, which reads
OpenAPI 3.1) and the start-up script is a static file: no network at run time, no inline code.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse
from starlette.staticfiles import StaticFiles

from liaison.web.templating import STATIC_DIR

ASSETS_PATH = "/api/v1/docs/assets"
ASSETS_DIR = Path(str(swagger_ui_bundle.swagger_ui_path))

_PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Liaison API</title>
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="/api/v1/openapi.json"></div>
  <script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
  <script src="/static/apidocs.js"></script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


@router.get("/api/v1/docs", response_class=HTMLResponse)
def api_docs() -> HTMLResponse:
    """Swagger UI over ``/api/v1/openapi.json``."""
    return HTMLResponse(_PAGE)


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """The icon browsers ask for on their own (it was a 404 in every log)."""
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")


def assets() -> StaticFiles:
    """Swagger UI's files, mounted at :data:`ASSETS_PATH`."""
    return StaticFiles(directory=str(ASSETS_DIR))
