# SPDX-License-Identifier: Apache-2.0
"""Fixtures for the sharing tests."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import uvicorn
from sharing_helpers import make_collection

from liaison.app import create_app


@pytest.fixture
def collection(engine) -> str:
    return make_collection(engine)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live(settings, engine):
    """The app served by uvicorn on a free local port, for clients that speak real HTTP."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, engine=engine), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
