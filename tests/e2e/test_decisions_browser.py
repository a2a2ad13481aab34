# SPDX-License-Identifier: Apache-2.0
"""A delegation breaks silence in a real browser and both delegations see the outcome change:
France's officer logs in, finds the proposal in the inbox, breaks silence with a statement;
Germany's officer, already on the proposal page, sees "Broken" arrive without reloading (the
status fragment refreshes itself). Runs like ``test_browser.py``: Debian's Chromium, the app
under uvicorn, SQLite only; skips without /usr/bin/chromium unless ``CI=true``."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, _known_noise, _need_chromium, serve

from liaison.db.session import session_factory, unit_of_work
from liaison.decisions.demo import DEMO_PASSWORD, create_delegation_accounts
from liaison.decisions.schemas import ProposalCreate
from liaison.decisions.service import DecisionService
from liaison.security.principal import SYSTEM

pytestmark = pytest.mark.e2e
TITLE = "Opening of a NATO liaison office in Testville"


def _proposal(engine) -> int:
    with unit_of_work(session_factory(engine)) as session:
        create_delegation_accounts(session)
        view = DecisionService(session, SYSTEM).open(
            ProposalCreate(
                title=TITLE,
                text="The Council agrees to open a liaison office in Testville.",
                marking="NU",
                deadline=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
            )
        )
        return view.proposal.id


def _login(context, base: str, username: str):
    page = context.new_page()
    page.goto(f"{base}/login?next=/decisions/inbox")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


def test_a_delegation_breaks_silence_and_sees_the_outcome_change(backend, settings, engine):
    if backend == "postgresql":
        pytest.skip("the browser test runs on the SQLite backend only")
    _need_chromium()
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415 - only when it runs

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pid = _proposal(engine)
    with serve(settings) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            problems: list[str] = []
            germany = _login(browser.new_context(), base, "germany")
            germany.goto(f"{base}/decisions/{pid}")
            status = germany.locator("#status .outcome")
            expect(status).to_have_text("Pending")
            expect(germany.locator("ul.flag-grid li")).to_have_count(32)

            france = _login(
                browser.new_context(viewport={"width": 1280, "height": 900}), base, "france"
            )
            france.on("pageerror", lambda exc: problems.append(str(exc)))
            france.on("console", lambda m: m.type == "error" and problems.append(m.text))
            expect(france.get_by_role("heading", level=1)).to_have_text("Awaiting my delegation")
            france.get_by_role("link", name=TITLE).click()
            expect(france.locator("#status .outcome")).to_have_text("Pending")
            expect(france.locator(".countdown")).to_contain_text("in 1 d")
            refused_beside_its_field(france)
            statement = france.get_by_role("textbox", name=re.compile("^Statement"))
            statement.fill("France breaks silence: not in this form.")
            france.get_by_role("button", name="Record France's position").click()
            expect(france.locator("#status .outcome")).to_have_text("Broken")
            expect(france.locator("#status")).to_contain_text("France broke silence")
            expect(france.locator("li.stance-break_silence .name")).to_have_text("France")
            france.screenshot(path=SCREENSHOTS / "decision-broken.png", full_page=True)

            # Germany's page changes by itself: the status fragment polls while pending.
            expect(status).to_have_text("Broken", timeout=25_000)
            refused = "the server responded with a status of 409"  # the refused form, above
            assert [p for p in problems if not _known_noise(p) and refused not in p] == []
        finally:
            browser.close()


def refused_beside_its_field(page) -> None:
    """Breaking silence without a statement: the message sits under the statement, which is
    marked invalid and described by it; the summary at the top links to it; the choice kept."""
    from playwright.sync_api import expect  # noqa: PLC0415

    page.get_by_role("radio", name="Break silence").check()
    page.get_by_role("button", name="Record France's position").click()
    message = "a break silence needs a statement saying why"
    statement = page.get_by_role("textbox", name=re.compile("^Statement"))
    expect(statement).to_have_attribute("aria-invalid", "true")
    expect(statement).to_have_accessible_description(message)
    error = page.locator("#field-position-statement-error")
    expect(error).to_have_text(message)
    field, below = statement.bounding_box(), error.bounding_box()
    assert field is not None
    assert below is not None
    assert 0 <= below["y"] - (field["y"] + field["height"]) < 30  # right under the field
    assert abs(below["x"] - field["x"]) < 5
    link = page.locator(".form-error").get_by_role("link", name=message)
    expect(link).to_have_attribute("href", "#field-position-statement")
    expect(page.get_by_role("radio", name="Break silence")).to_be_checked()
    expect(page.locator("#status .outcome")).to_have_text("Pending")
    page.screenshot(path=SCREENSHOTS / "decision-refused-statement.png", full_page=True)
