# SPDX-License-Identifier: Apache-2.0
"""Subscribes every feature's event handlers and subject describers (``liaison.events``).

Called by ``create_app``, the CLI and the tests; safe to call more than once. Each feature that
reacts to another's facts adds one line here: ``<feature>.handlers.install()``.
"""

from __future__ import annotations

from liaison.documents import handlers as document_handlers
from liaison.osint import jobs as osint_jobs  # registers the osint.poll and osint.analyse jobs
from liaison.programmes import handlers as programme_handlers
from liaison.registry import handlers as registry_handlers


def install() -> None:
    """Register every feature's handlers (idempotent)."""
    programme_handlers.install()
    registry_handlers.install()
    document_handlers.install()
    osint_jobs.install()
