# SPDX-License-Identifier: Apache-2.0
"""The catalogue and the planner in a real browser: Korea's mission nominates a person on a
session page; the officer runs the planner from its page (the job runs on a worker), proposes its approval
to the allies, the decision is taken when silence ends (the deadline worker's tick), and the
officer reads the explanation of a refused demand. Runs like
``test_browser.py``: Debian's Chromium, the app under uvicorn, SQLite only."""

from __future__ import annotations

import datetime as dt

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, _need_chromium, serve

from liaison.catalogue.planning.service import APPROVAL_SILENCE
from liaison.catalogue.profiles import ProfileService
from liaison.catalogue.schemas import PriorityIn, ProfileUpdate
from liaison.catalogue.service import CatalogueService
from liaison.db.session import session_factory, unit_of_work
from liaison.decisions.worker import tick
from liaison.demo import DEMO_PASSWORD
from liaison.jobs import Worker, WorkerThread
from liaison.security.principal import SYSTEM

pytestmark = pytest.mark.e2e


def _catalogue(engine) -> int:
    """One space course of 2 seats wanted by three partners; returns its session's id."""
    row = {
        "item_code": "SPACE-101",
        "title": "Space situational awareness course",
        "area": "space",
        "kind": "course",
        "item_marking": "NU // REL IP4",
        "session_code": "2027-1",
        "start_on": "2027-03-01",
        "end_on": "2027-03-05",
        "seats": "2",
        "session_marking": "NU // REL IP4",
    }
    with unit_of_work(session_factory(engine)) as session:
        CatalogueService(session, SYSTEM).import_rows([row])
        profiles = ProfileService(session, SYSTEM)
        for partner, weight in (("JPN", 5), ("KOR", 4), ("AUS", 3)):
            profiles.save(
                partner,
                2027,
                ProfileUpdate(
                    people=[2, 2, 2, 2],
                    languages=["en"],
                    budget=10_000,
                    travel_costs={},
                    priorities=[PriorityIn(area="space", weight=weight, demand=1)],
                ),
            )
        return CatalogueService(session, SYSTEM).item("SPACE-101")[1][0].session.id


def _login(browser, base: str, username: str, target: str):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/login?next={target}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


def test_nominate_plan_approve_and_read_why_a_demand_was_refused(backend, settings, engine):
    if backend == "postgresql":
        pytest.skip("the browser test runs on the SQLite backend only")
    _need_chromium()
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415 - only when it runs

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    session_id = _catalogue(engine)
    # serve() runs the app without its lifespan: a worker like `liaison worker` runs the jobs
    jobs = WorkerThread(Worker(session_factory(engine), poll_seconds=0.2))
    jobs.start()
    with serve(settings) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            korea = _login(browser, base, "korea", f"/catalogue/sessions/{session_id}")
            expect(korea.get_by_role("heading", level=1)).to_contain_text("Space situational")
            korea.get_by_label("Name").fill("Kim Min-jun")
            korea.get_by_label("Nationality").fill("KOR")
            korea.get_by_role("button", name="Nominate").click()
            expect(korea.locator("main table")).to_contain_text("Kim Min-jun")
            korea.screenshot(path=str(SCREENSHOTS / "catalogue-nominated.png"), full_page=True)

            officer = _login(browser, base, "officer", "/plans")
            expect(officer.get_by_role("heading", level=1)).to_have_text("Seat planner")
            officer.get_by_label("Year").fill("2027")
            officer.get_by_label("Time limit (s)").fill("2")
            officer.get_by_role("button", name="Run the planner").click()
            approve = officer.get_by_role("button", name="Propose approval to the allies")
            for _ in range(120):  # the server's worker thread solves it; the page is reloaded
                if approve.count():
                    break
                officer.wait_for_timeout(500)
                officer.reload()
            else:
                pytest.fail(officer.locator("main").inner_text())
            approve.click()
            # a decision proposal is open; the plan stays a draft until the allies decide
            expect(officer.get_by_role("heading", level=1)).to_contain_text("(draft)")
            expect(officer.locator("dl.facts")).to_contain_text("Approval proposed to the allies")
            # silence ends: the deadline worker's tick takes the decision, the plan is approved
            later = dt.datetime.now(dt.UTC) + APPROVAL_SILENCE + dt.timedelta(hours=1)
            settled = tick(session_factory(engine), settings, later).settled
            assert [outcome for _, outcome in settled] == ["adopted"]
            officer.reload()
            expect(officer.get_by_role("heading", level=1)).to_contain_text("(approved)")
            expect(officer.locator("dl.facts")).to_contain_text("DEC-")
            refused = officer.locator("ul.explanations li.unmet")
            expect(refused).to_contain_text("Australia wanted 1 seat(s) in Space and got 0")
            expect(refused).to_contain_text("one more seat on SPACE-101")
            officer.screenshot(path=str(SCREENSHOTS / "catalogue-plan.png"), full_page=True)
        finally:
            browser.close()
            jobs.stop()
