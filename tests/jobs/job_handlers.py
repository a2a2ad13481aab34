"""Job handlers for the queue's tests, importable by a `liaison worker --import job_handlers`
process (the tests put this folder on its PYTHONPATH).

Every run appends "<job id> <attempt>" to the payload's ``log`` file (O_APPEND: one write per
line, whole, from any process), so a test can count how often each job ran.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from liaison.jobs import JobContext, job_handler


def _log(ctx: JobContext, payload: dict[str, Any]) -> None:
    fd = os.open(payload["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{ctx.job_id} {ctx.attempt}\n".encode())
    finally:
        os.close(fd)


@job_handler("test.record")
def record(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Log the run; fail while ``ctx.attempt`` <= ``fail_first``; report progress 1/1."""
    _log(ctx, payload)
    if ctx.attempt <= payload.get("fail_first", 0):
        msg = f"attempt {ctx.attempt} fails on purpose"
        raise RuntimeError(msg)
    ctx.progress(1, 1, "recorded")
    return {"job": ctx.job_id, "attempt": ctx.attempt}


@job_handler("test.block")
def block(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Log the run, touch ``started``, then wait for ``release`` to exist (at most 120 s)."""
    _log(ctx, payload)
    ctx.progress(0, 1, "waiting")
    Path(payload["started"]).touch()
    deadline = time.monotonic() + 120
    while not Path(payload["release"]).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return {"released": Path(payload["release"]).exists()}


def runs(log: Path) -> list[tuple[int, int]]:
    """The (job id, attempt) of every run logged in ``log``."""
    if not log.exists():
        return []
    return [
        (int(job), int(attempt))
        for job, attempt in (line.split() for line in log.read_text().splitlines())
    ]
