# SPDX-License-Identifier: Apache-2.0
"""Programmes in a real browser (Debian's Chromium via Playwright, SQLite only): the liaison
officer lands on the dashboard and sees the AP4 renewals due, edits a section of a renewal
draft, reads the redline (and re-asks it through HTMX), and opens the road map.

Screenshots go to ``test-artifacts/screenshots/programmes-*.png``.
"""

from __future__ import annotations

import re

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, _known_noise, _need_chromium, serve, shot

from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.identity.service import IdentityService
from liaison.programmes.demo import create_demo_programmes
from liaison.programmes.service import ProgrammeService
from liaison.security.principal import SYSTEM

pytestmark = pytest.mark.e2e


def _prepare(settings) -> tuple[str, str]:
    """The demo programmes, a renewal draft of Korea's ITPP, and an officer's token."""
    engine = build_engine(settings.database_url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            create_demo_programmes(session)
            ref = ProgrammeService(session, SYSTEM).renew("ITPP-KOR-2023").programme.reference
            token = IdentityService(session, SYSTEM).create_token(
                "officer", "browser test", scopes={"read", "write"}
            )
            return ref, token.secret
    finally:
        engine.dispose()


def test_an_officer_negotiates_a_renewal(backend, settings):
    if backend == "postgresql":
        pytest.skip("the browser test runs on the SQLite backend only")
    _need_chromium()
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only when it runs

    ref, token = _prepare(settings)
    with serve(settings) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1280, "height": 900},
                extra_http_headers={"Authorization": f"Bearer {token}"},
            )
            page = context.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
            page.on(
                "response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}")
            )

            see_dashboard(page, base, ref)
            edit_and_redline(page, ref)
            open_road_map(page, base)
            assert [p for p in problems if not _known_noise(p)] == []
        finally:
            browser.close()


def see_dashboard(page, base: str, ref: str) -> None:
    from playwright.sync_api import expect  # noqa: PLC0415 - only when it runs

    # the landing view: the AP4 renewals due, Korea's already started
    page.goto(f"{base}/programmes")
    expect(page.get_by_role("heading", name=re.compile("Renewal due"))).to_be_visible()
    due = page.locator(".due-card")
    expect(due).to_have_count(3)
    expect(due.filter(has_text="ITPP-JPN-2023")).to_contain_text("renewal not started")
    expect(due.filter(has_text="ITPP-KOR-2023")).to_contain_text(ref)
    shot(page, "programmes-dashboard")


def edit_and_redline(page, ref: str) -> None:
    from playwright.sync_api import expect  # noqa: PLC0415 - only when it runs

    # edit a section of the renewal draft
    page.get_by_role("link", name=ref).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2027")
    page.get_by_role("link", name=re.compile("Part 1")).click()
    page.get_by_role("link", name="Edit the wording").click()
    wording = page.get_by_label(re.compile("Wording"))
    text = wording.input_value()
    wording.fill(text.replace("rules-based order", "rules-based international order"))
    page.get_by_label(re.compile("Why")).fill("Seoul's proposal, third round")
    page.get_by_role("button", name="Save version 2").click()

    # the redline, as the page shows it and as HTMX re-asks it
    redline = page.locator("#redline")
    expect(redline.locator("ins")).to_have_text(re.compile(r"^\s*international\s*$"))
    expect(redline).to_contain_text("1 word inserted, 0 deleted")
    page.evaluate("window.liaisonNoReload = true")
    page.get_by_label("From version").select_option("2")
    page.get_by_role("button", name="Show the redline").click()
    expect(page.locator("#redline h3")).to_have_text("Redline: version 2 → 2")
    expect(page.locator("#redline ins")).to_have_count(0)
    assert page.evaluate("window.liaisonNoReload") is True
    shot(page, "programmes-redline")


def open_road_map(page, base: str) -> None:
    from playwright.sync_api import expect  # noqa: PLC0415 - only when it runs

    # the road map of Japan's ITPP
    page.goto(f"{base}/programmes/ITPP-JPN-2023")
    page.get_by_role("link", name="Road map").click()
    chart = page.get_by_role("img", name="Road map")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] > 600
    expect(page.locator("svg .activity")).not_to_have_count(0)
    shot(page, "programmes-roadmap")
