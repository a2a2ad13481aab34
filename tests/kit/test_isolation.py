# SPDX-License-Identifier: Apache-2.0
"""kit.isolation: untrusted work runs in a child process, killed at its time limit, stopped at
its memory limit, its failures returned as messages."""

from __future__ import annotations

import time

import pytest

from liaison.kit.isolation import IsolationFailed, IsolationMemory, IsolationTimeout, run_isolated

LIMIT = 512 * 1024 * 1024


def test_the_result_comes_back():
    assert run_isolated(len, "abc", seconds=60, memory_bytes=LIMIT) == 3


def test_a_child_past_its_time_is_killed():
    with pytest.raises(IsolationTimeout, match="stopped after 1 s"):
        run_isolated(time.sleep, 600, seconds=1, memory_bytes=LIMIT)


def test_a_child_past_its_memory_is_stopped():
    with pytest.raises(IsolationMemory):
        run_isolated(bytearray, 4 * LIMIT, seconds=60, memory_bytes=LIMIT)


def test_an_exception_comes_back_as_a_message():
    with pytest.raises(IsolationFailed, match="invalid literal") as caught:
        run_isolated(int, "x", seconds=60, memory_bytes=LIMIT)
    assert caught.value.kind == "ValueError"
