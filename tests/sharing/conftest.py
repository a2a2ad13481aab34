# SPDX-License-Identifier: Apache-2.0
"""Fixtures for the sharing tests."""

from __future__ import annotations

import pytest
from sharing_helpers import make_collection


@pytest.fixture
def collection(engine) -> str:
    return make_collection(engine)
