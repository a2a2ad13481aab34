# SPDX-License-Identifier: Apache-2.0
"""Markings with foresight in a real browser (issue 16, item 7): the liaison officer types
``NR // REL KOR`` in the upload form and the warning appears beneath the field, from the
reach API, under the app's CSP (a script of its own origin, no inline script); then views the
documents as Korea's mission would (``?preview=KOR``), with the preview bar and no upload
link; and Korea's own header shows its effective reach, not a clearance it cannot use. Runs
like ``test_browser.py``: Debian's Chromium, the app under uvicorn, SQLite only."""

from __future__ import annotations

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, _known_noise, _need_chromium, serve
from test_decisions_browser import _login

pytestmark = pytest.mark.e2e


def _login_to(context, base: str, username: str, then: str):
    page = _login(context, base, username)
    page.wait_for_url("**/decisions/inbox")
    page.goto(f"{base}{then}")
    return page


def test_the_upload_form_warns_and_the_preview_shows_koreas_view(backend, settings):
    if backend == "postgresql":
        pytest.skip("the browser test runs on the SQLite backend only")
    _need_chromium()
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415 - only when it runs

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with serve(settings) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            problems: list[str] = []
            officer = _login_to(browser.new_context(), base, "officer", "/documents/new")
            officer.on("pageerror", lambda exc: problems.append(str(exc)))
            officer.on("console", lambda m: m.type == "error" and problems.append(m.text))
            expect(officer.get_by_role("heading", level=1, name="New document")).to_be_visible()
            upload = officer.locator("form[action='/documents/upload']")
            upload.get_by_label("Marking").fill("NR // REL KOR")
            reach = officer.locator("#upload-heading ~ form .reach")
            expect(reach).to_contain_text(
                "South Korea cannot read this: no security agreement in force"
            )
            expect(reach).to_contain_text("allies' users cleared NATO RESTRICTED or higher")
            upload.get_by_label("Marking").fill("NU // REL IP4")
            expect(reach).to_contain_text("South Korea")
            expect(reach.locator(".reach-warning")).to_have_count(0)
            upload.get_by_label("Marking").fill("NR // REL KOR")
            expect(reach.locator(".reach-warning")).to_have_count(1)
            officer.screenshot(path=SCREENSHOTS / "reach-upload-warning.png", full_page=True)

            officer.goto(f"{base}/documents")
            officer.get_by_label("Preview this page as a partner would see it").fill("KOR")
            officer.keyboard.press("Enter")
            expect(officer.locator(".preview-bar")).to_contain_text("Preview as South Korea")
            expect(officer.locator(".account .badge.reach")).to_contain_text(
                "Reads: PUBLIC, NATO UNCLASSIFIED releasable to KOR"
            )
            expect(officer.get_by_role("link", name="New document")).to_have_count(0)
            officer.screenshot(path=SCREENSHOTS / "preview-as-korea.png", full_page=True)

            korea = _login_to(browser.new_context(), base, "korea", "/documents")
            expect(korea.locator(".account .badge.reach")).to_contain_text(
                "Reads: PUBLIC, NATO UNCLASSIFIED releasable to KOR"
            )
            expect(korea.locator(".account")).not_to_contain_text("NATO SECRET")
            assert [p for p in problems if not _known_noise(p)] == []
        finally:
            browser.close()
