# SPDX-License-Identifier: Apache-2.0
"""Every page a browser test visits is checked with axe-core (from npm, ``package.json``).

An autouse fixture wraps Playwright's ``Browser.new_page`` and ``Browser.new_context`` (whose
every page it then watches) for the test's duration (instrumentation, not a stand-in: the pages
are the real ones), so every page any browser test opens runs axe after each load — a link
followed, a form posted and re-rendered with its errors, a redirect. The test fails at its end
on any violation of impact *serious* or *critical*, naming the page, the rule and the elements.

axe is run with ``page.evaluate`` of ``axe.min.js``'s text: the DevTools protocol's evaluation
is not subject to the page's CSP (``script-src 'self'``), which refuses an injected ``<script>``
tag, so the pages are checked as served, CSP and all. ``scripts/test`` installs the pinned
package (``npm ci``) when ``node_modules`` is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = frozenset({"serious", "critical"})
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))
  }));
}"""


@cache
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (scripts/test does) for the axe-core check")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[str]:
    """The serious and critical violations on the page as it stands, one line each."""
    if page.evaluate("typeof window.axe") == "undefined":
        page.evaluate(axe_source())
    found = page.evaluate(RUN_AXE)
    return [
        f"{page.url}: {v['id']} ({v['impact']}) {v['help']} at {', '.join(v['nodes'])}"
        for v in found
        if v["impact"] in BLOCKING
    ]


class AxeWatch:
    """Collects what axe finds on every load of every watched page. A load that the test
    moved on from before the check ran is checked when the browser closes (``flush``)."""

    def __init__(self) -> None:
        self.found: list[str] = []
        self.checked: list[str] = []
        self.pending: list[Any] = []

    def watch(self, page: Any) -> Any:
        page.on("load", self.loaded)
        return page

    def loaded(self, page: Any) -> None:
        if page not in self.pending:
            self.pending.append(page)
        self.check(page)

    def check(self, page: Any) -> None:
        from playwright.sync_api import Error  # noqa: PLC0415 - only with the browser tests

        if page not in self.pending:
            return
        self.pending.remove(page)
        if page.is_closed() or not page.url.startswith("http"):
            return
        try:
            self.found.extend(axe_violations(page))
        except Error as exc:  # the page navigated on meanwhile: its next load is checked
            if "context was destroyed" not in str(exc):
                raise
            return
        self.checked.append(page.url)

    def flush(self, browser: Any) -> None:
        for context in browser.contexts:
            for page in context.pages:
                page.title()  # a round trip, in which Playwright delivers the pending events
        for page in list(self.pending):
            self.check(page)


@pytest.fixture(autouse=True)
def axe_on_every_page(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AxeWatch]:
    watch = AxeWatch()
    if request.node.get_closest_marker("e2e") is None:
        yield watch
        return
    from playwright.sync_api import Browser  # noqa: PLC0415

    new_page, new_context, close = Browser.new_page, Browser.new_context, Browser.close

    def browser_new_page(self: Browser, *args: Any, **kwargs: Any) -> Any:
        return watch.watch(new_page(self, *args, **kwargs))

    def browser_new_context(self: Browser, *args: Any, **kwargs: Any) -> Any:
        context = new_context(self, *args, **kwargs)
        context.on("page", watch.watch)
        return context

    def browser_close(self: Browser, *args: Any, **kwargs: Any) -> None:
        watch.flush(self)
        close(self, *args, **kwargs)

    monkeypatch.setattr(Browser, "new_page", browser_new_page)
    monkeypatch.setattr(Browser, "close", browser_close)
    monkeypatch.setattr(Browser, "new_context", browser_new_context)
    yield watch
    assert watch.found == [], "axe-core: serious or critical violations\n" + "\n".join(watch.found)
