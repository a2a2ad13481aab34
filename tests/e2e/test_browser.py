# SPDX-License-Identifier: Apache-2.0
"""What a person sees in a real browser: Debian's Chromium driven by Playwright against the app
served by uvicorn on 127.0.0.1, on a fresh copy of the demo database (SQLite only).

The browser signs in as the demo liaison officer with a read-only bearer token (sent on every
request), so it sees the marked security agreements an ally's officer may read.

Full-page screenshots go to ``test-artifacts/screenshots/<name>.png`` for a human to look at.
Without /usr/bin/chromium the test skips, except under ``CI=true``, where that is a failure.
Never run ``playwright install``: the browser is the system's.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from liaison.app import create_app
from liaison.config import Settings
from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.identity.service import IdentityService
from liaison.security.principal import SYSTEM

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DASH = "\u2013"  # the pager writes "Showing 1-31 of 31" with an en dash


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_healthy(base: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """The real app under uvicorn in a background thread; yields its base URL."""
    app = create_app(settings)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.engine.dispose()


def _reader_token(settings: Settings) -> str:
    engine = build_engine(settings.database_url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            issued = IdentityService(session, SYSTEM).create_token(
                "officer", "browser test", scopes={"read"}
            )
            return issued.secret
    finally:
        engine.dispose()


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is required under CI=true")
    pytest.skip(f"{CHROMIUM} is not installed")


def test_a_reader_browses_the_registry(backend, settings):
    if backend == "postgresql":
        pytest.skip("the browser test runs on the SQLite backend only")
    _need_chromium()
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only when it runs

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with serve(settings) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            signed_in = {"Authorization": f"Bearer {_reader_token(settings)}"}
            context = browser.new_context(
                viewport={"width": 1280, "height": 900}, extra_http_headers=signed_in
            )
            page = context.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
            page.on(
                "response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}")
            )
            see_allies(page, base)
            filter_allies(page)
            see_japan(page, base)
            see_tokyo(page)
            see_offices_and_start_page(page, base)
            see_not_found(context.new_page(), base)
            assert [p for p in problems if not _known_noise(p)] == []
        finally:
            browser.close()


def shot(page, name: str) -> None:
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def see_allies(page, base: str) -> None:
    """Allies today: the heading, 32 rows and the membership chart, drawn at a readable size."""
    from playwright.sync_api import expect  # noqa: PLC0415

    page.goto(f"{base}/allies")
    expect(page.get_by_role("heading", level=1, name="Allies")).to_be_visible()
    expect(page.locator("#allies-results tbody tr")).to_have_count(32)
    chart = page.get_by_role("img", name="Membership over time")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] > 600
    assert box["height"] > 150
    shot(page, "allies")


def filter_allies(page) -> None:
    """The filter form: HTMX swaps the table in place and pushes the URL, without a reload."""
    from playwright.sync_api import expect  # noqa: PLC0415

    page.evaluate("window.liaisonNoReload = true")
    page.get_by_label("Member on").fill("2023-07-11")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"/allies\?member_on=2023-07-11"))
    results = page.locator("#allies-results")
    expect(results.locator("tbody tr")).to_have_count(31)
    expect(results).not_to_contain_text("Sweden")
    expect(results).to_contain_text(f"Showing 1{DASH}31 of 31")
    assert page.evaluate("window.liaisonNoReload") is True
    shot(page, "allies-2023-07-11")
    accession = page.get_by_role("link", name="Accession")
    accession.click()  # sorts in place, keeping the filter: the founders first
    expect(page).to_have_url(re.compile(r"member_on=2023-07-11&sort=accession_date"))
    expect(results.locator("tbody tr").first).to_contain_text("Belgium")
    page.get_by_role("link", name="Accession ▲").click()  # and the other way round
    expect(results.locator("tbody tr").first).to_contain_text("Finland")
    assert page.evaluate("window.liaisonNoReload") is True


def see_japan(page, base: str) -> None:
    """Japan: its security agreement, and Romania as today's contact-point embassy."""
    from playwright.sync_api import expect  # noqa: PLC0415

    page.goto(f"{base}/partners/JPN")
    expect(page.get_by_role("heading", level=1, name="Japan")).to_be_visible()
    agreement = page.get_by_text("Agreement between Japan and NATO on the security")
    expect(agreement).to_be_visible()
    current = page.locator("tr.current")
    expect(current).to_have_count(1)
    expect(current).to_contain_text("Romania")
    expect(current).to_contain_text("current")
    expect(page.locator(".banner").first).to_have_text("NATO UNCLASSIFIED Releasable to Japan")
    shot(page, "partner-jpn")


def see_tokyo(page) -> None:
    """Tokyo, reached by following the link from Japan's page: it reads as shelved."""
    from playwright.sync_api import expect  # noqa: PLC0415

    page.get_by_role("link", name="NATO Liaison Office Tokyo").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("NATO Liaison Office Tokyo")
    expect(page.locator(".callout.shelved")).to_contain_text("Shelved on 2025-06-24")
    steps = page.locator("ol.lifecycle li")
    expect(steps).to_have_text(
        [re.compile("2023-04-01.*Proposed"), re.compile("2025-06-24.*Shelved")]
    )
    shot(page, "office-tokyo")


def see_not_found(page, base: str) -> None:
    """A browser asks for text/html, so an unknown partner is the HTML 404 page."""
    from playwright.sync_api import expect  # noqa: PLC0415

    response = page.goto(f"{base}/partners/XXX")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("404 · Not found")
    expect(page.get_by_text("no partner 'XXX'")).to_be_visible()


def see_offices_and_start_page(page, base: str) -> None:
    from playwright.sync_api import expect  # noqa: PLC0415

    page.goto(f"{base}/offices")
    expect(page.get_by_role("img", name="Office timeline")).to_be_visible()
    shot(page, "offices")
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name=re.compile("On this day"))).to_be_visible()
    shot(page, "home")


def _known_noise(message: str) -> bool:
    """What the browser reports that these pages cannot fix, each reported upstream:
    - htmx injects its indicator <style> unless ``htmx-config`` in base.html turns that off,
      and the CSP (style-src 'self') rightly refuses it; harmless to the page;
    - Chromium asks for /favicon.ico, which the app does not serve (a 404 logged twice:
      as the response and as a console error naming no URL)."""
    htmx_style = "inline style" in message and "style-src 'self'" in message
    favicon = message.endswith("/favicon.ico") or message == (
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    )
    return htmx_style or favicon


def test_the_api_docs_page_renders_its_operations(backend, settings):
    """Swagger UI comes from the package under the app's CSP: no CDN, no blocked script."""
    if backend == "postgresql":
        pytest.skip("the browser test runs on the SQLite backend only")
    _need_chromium()
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with serve(settings) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            problems: list[str] = []
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
            outside: list[str] = []
            page.on("request", lambda r: r.url.startswith(base) or outside.append(r.url))
            page.goto(f"{base}/api/v1/docs")
            title = page.locator(".swagger-ui .info .title")
            expect(title).to_contain_text("Liaison", timeout=60_000)  # a 1.4 MB script to parse
            allies = page.locator(".opblock-summary-path", has_text="/api/v1/allies").first
            expect(allies).to_be_visible()
            assert page.locator(".opblock").count() > 50
            shot(page, "api-docs")
            assert outside == []
            assert [p for p in problems if not _known_noise(p)] == []
        finally:
            browser.close()
