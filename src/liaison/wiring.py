# SPDX-License-Identifier: Apache-2.0
"""Subscribes every feature's event handlers and subject describers (``liaison.events``).

Called by ``create_app``, the CLI and the tests; safe to call more than once. Each feature that
reacts to another's facts adds one line here: ``<feature>.handlers.install()``.
"""

from __future__ import annotations

from liaison.catalogue.planning import handlers as planner_handlers
from liaison.catalogue.planning import run as planner_run
from liaison.decisions import home as decision_home
from liaison.decisions import site_search as decision_search
from liaison.documents import handlers as document_handlers
from liaison.documents import site_search as document_search
from liaison.osint import home as osint_home
from liaison.osint import jobs as osint_jobs  # registers the osint.poll and osint.analyse jobs
from liaison.osint import site_search as osint_search
from liaison.programmes import handlers as programme_handlers
from liaison.programmes import home as programme_home
from liaison.programmes import site_search as programme_search
from liaison.registry import handlers as registry_handlers
from liaison.registry import home as registry_home
from liaison.registry import site_search as registry_search


def install() -> None:
    """Register every feature's handlers (idempotent)."""
    programme_handlers.install()
    registry_handlers.install()
    document_handlers.install()
    planner_handlers.install()
    # The home page's tiles (liaison.web.home), in no particular order: each tile has its own.
    decision_home.install()
    programme_home.install()
    registry_home.install()
    osint_home.install()
    # The one search (liaison.web.search): each feature answers for its own records.
    decision_search.install()
    document_search.install()
    osint_search.install()
    programme_search.install()
    registry_search.install()
    planner_run.install()
    osint_jobs.install()
