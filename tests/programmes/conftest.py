# SPDX-License-Identifier: Apache-2.0
"""Fixtures for the programme tests: the demo programmes in this test's database."""

from __future__ import annotations

import pytest

from liaison.db.session import session_factory, unit_of_work
from liaison.programmes.demo import create_demo_programmes


@pytest.fixture
def demo(engine) -> None:
    """The AP4 demo programmes (IPCPs superseded, ITPPs in force, New Zealand agreed)."""
    with unit_of_work(session_factory(engine)) as session:
        create_demo_programmes(session)
