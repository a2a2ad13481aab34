"""``liaison worker`` processes: two of them drain one queue with each job run once, and a
worker killed with SIGKILL in the middle of a job loses nothing — its job is taken again by
the next worker once its lease expires, and what was done stays done."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from job_handlers import runs

from liaison.db.session import session_factory, unit_of_work
from liaison.jobs import JobState, enqueue, get_job

HERE = Path(__file__).parent
LIAISON = Path(sys.executable).with_name("liaison")


def wait_for(check: Callable[[], bool], what: str, timeout: float = 90.0) -> None:
    """Poll ``check`` until it holds; fail naming ``what`` after ``timeout`` (a hang guard)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def start_worker(db_url: str, tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    env = {
        **os.environ,
        "LIAISON_DATABASE_URL": db_url,
        "LIAISON_JOBS_LEASE_SECONDS": "1",
        "LIAISON_JOBS_POLL_SECONDS": "0.1",
        "PYTHONPATH": str(HERE),
    }

    def start() -> subprocess.Popen[bytes]:
        with (tmp_path / f"worker{len(started)}.log").open("wb") as out:
            process = subprocess.Popen(
                [str(LIAISON), "worker", "--import", "job_handlers"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def states(engine, ids: list[int]) -> list[JobState]:
    with unit_of_work(session_factory(engine)) as session:
        return [get_job(session, i).state for i in ids]  # type: ignore[union-attr]


def test_two_worker_processes_run_each_job_once(engine, start_worker, tmp_path: Path):
    log = tmp_path / "runs.log"
    with unit_of_work(session_factory(engine)) as session:
        ids = [enqueue(session, "test.record", {"log": str(log)}) for _ in range(30)]
    start_worker()
    start_worker()
    wait_for(lambda: set(states(engine, ids)) == {JobState.DONE}, "30 jobs done")
    assert Counter(job for job, _ in runs(log)) == dict.fromkeys(ids, 1)


def test_a_worker_killed_mid_job_loses_nothing(engine, start_worker, tmp_path: Path):
    log = tmp_path / "runs.log"
    started, release = tmp_path / "started", tmp_path / "release"
    with unit_of_work(session_factory(engine)) as session:
        done_before = [enqueue(session, "test.record", {"log": str(log)}) for _ in range(3)]
        blocked = enqueue(
            session,
            "test.block",
            {"log": str(log), "started": str(started), "release": str(release)},
        )
    first = start_worker()
    wait_for(started.exists, "the blocking job to start")
    wait_for(lambda: set(states(engine, done_before)) == {JobState.DONE}, "3 jobs done")
    first.send_signal(signal.SIGKILL)
    first.wait(15)
    assert states(engine, [blocked]) == [JobState.RUNNING]  # its worker is gone
    release.touch()
    start_worker()
    wait_for(lambda: states(engine, [blocked]) == [JobState.DONE], "the job taken again")
    with unit_of_work(session_factory(engine)) as session:
        view = get_job(session, blocked)
    assert view is not None
    assert (view.attempts, view.result) == (2, {"released": True})
    assert states(engine, done_before) == [JobState.DONE] * 3
    assert Counter(runs(log)) == {
        **{(job, 1): 1 for job in done_before},
        (blocked, 1): 1,
        (blocked, 2): 1,
    }
