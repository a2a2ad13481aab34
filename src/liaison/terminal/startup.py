# SPDX-License-Identifier: Apache-2.0
"""Work a command does once, just before it first opens the database: the root registers
``wiring.install`` here, so that help screens and argument errors never import every feature."""

from __future__ import annotations

from collections.abc import Callable

_pending: list[Callable[[], None]] = []


def before_database(hook: Callable[[], None]) -> None:
    """Run ``hook`` when this process first opens a database (once; registering it again
    before then changes nothing)."""
    if hook not in _pending:
        _pending.append(hook)


def run_pending() -> None:
    while _pending:
        _pending.pop(0)()
