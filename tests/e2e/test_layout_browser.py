# SPDX-License-Identifier: Apache-2.0
"""Pages on a phone, on paper and in the dark (issue 16, item 9), in Debian's Chromium.

- At 390 px (a phone) no page scrolls sideways and "Log out" is on screen.
- Printed, a marked document carries its banner at the top and the bottom of EVERY sheet, and
  no menu or form: the PDF Chromium prints is read back page by page.
- With ``prefers-color-scheme: dark`` the page is dark.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from test_browser import CHROMIUM, CHROMIUM_ARGS, _need_chromium, serve, shot

from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.identity.service import IdentityService
from liaison.programmes.demo import create_demo_programmes
from liaison.security.principal import SYSTEM

pytestmark = pytest.mark.e2e

PHONE_PAGES = [
    "/",
    "/allies",
    "/partners",
    "/partners/JPN",
    "/offices",
    "/security-agreements",
    "/programmes",
    "/programmes/ITPP-JPN-2023",
    "/programmes/ITPP-JPN-2023/document",
    "/decisions",
    "/documents",
    "/sharing",
]


def _prepare(settings) -> str:
    engine = build_engine(settings.database_url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            create_demo_programmes(session)
            issued = IdentityService(session, SYSTEM).create_token(
                "officer", "layout test", scopes={"read"}
            )
            return issued.secret
    finally:
        engine.dispose()


def test_phone_print_and_dark(backend, settings):
    if backend == "postgresql":
        pytest.skip("the browser test runs on the SQLite backend only")
    _need_chromium()
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    token = _prepare(settings)
    signed_in = {"Authorization": f"Bearer {token}"}
    with serve(settings) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            phone = browser.new_context(
                viewport={"width": 390, "height": 844}, extra_http_headers=signed_in
            )
            page = phone.new_page()
            wide = {}
            for path in PHONE_PAGES:
                page.goto(f"{base}{path}")
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 390:
                    wide[path] = width
            shot(page, "phone-sharing")
            assert wide == {}

            paper = browser.new_context(extra_http_headers=signed_in)
            page = paper.new_page()
            page.goto(f"{base}/programmes/ITPP-JPN-2023/document")
            banner = page.locator("body > .banner").first.inner_text().strip()
            assert page.locator(".banner.print-copy").count() == 2
            assert banner.startswith("NATO")
            page.emulate_media(media="print")
            assert page.locator("header.site").is_hidden()
            pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
            assert len(pdf.pages) >= 2
            for number, sheet in enumerate(pdf.pages, start=1):
                text = sheet.extract_text()
                assert text.count(banner) >= 2, f"page {number} lacks its banners"
                assert "Log out" not in text

            dark = browser.new_context(color_scheme="dark", extra_http_headers=signed_in)
            page = dark.new_page()
            page.goto(f"{base}/allies")
            expect(page.locator("h1")).to_be_visible()
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            red, green, blue = (int(c) for c in background[4:-1].split(","))
            assert red + green + blue < 3 * 64
            shot(page, "dark-allies")
        finally:
            browser.close()
