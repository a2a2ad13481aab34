"""The one job queue on both backends: each job runs to done once with several workers
(threads here; processes in test_processes.py), a failure is retried with backoff and then
dead, a job whose lease expired is taken again, only the live claim finishes a job."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from pathlib import Path

import pytest
from job_handlers import runs
from sqlalchemy import update

from liaison.db.session import session_factory, unit_of_work
from liaison.errors import InvalidInput
from liaison.jobs import JobState, Worker, enqueue, get_job
from liaison.jobs.models import Job
from liaison.jobs.worker import backoff
from liaison.kit.clock import utcnow


@pytest.fixture
def factory(engine):
    return session_factory(engine)


def add(factory, kind="test.record", **payload):
    with unit_of_work(factory) as session:
        return enqueue(session, kind, payload, max_attempts=payload.pop("max_attempts", 5))


def view(factory, job_id):
    with unit_of_work(factory) as session:
        return get_job(session, job_id)


def make_due(factory, job_id):
    """What time does for a job waiting to retry: its ``run_after`` comes."""
    with unit_of_work(factory) as session:
        session.execute(
            update(Job).where(Job.id == job_id).values(run_after=utcnow() - dt.timedelta(1))
        )


def expire_lease(factory, job_id):
    """What time does to the lease of a worker that stopped renewing it."""
    with unit_of_work(factory) as session:
        session.execute(
            update(Job).where(Job.id == job_id).values(lease_until=utcnow() - dt.timedelta(1))
        )


def test_a_job_runs_to_done_with_its_result_and_progress(factory, tmp_path: Path):
    log = tmp_path / "runs.log"
    job_id = add(factory, log=str(log))
    queued = view(factory, job_id)
    assert (queued.state, queued.attempts, queued.created_by) == (JobState.QUEUED, 0, "system")
    assert Worker(factory).run_once()
    done = view(factory, job_id)
    assert done.state is JobState.DONE
    assert done.result == {"job": job_id, "attempt": 1}
    assert (done.progress_done, done.progress_total, done.note) == (1, 1, "recorded")
    assert done.finished_at is not None
    assert done.error is None
    assert runs(log) == [(job_id, 1)]
    assert not Worker(factory).run_once()  # nothing left


def test_each_job_runs_once_under_four_worker_threads(factory, tmp_path: Path):
    log = tmp_path / "runs.log"
    ids = [add(factory, log=str(log)) for _ in range(40)]
    workers = [Worker(factory, name=f"w{i}") for i in range(4)]
    start = threading.Barrier(len(workers))

    def drain(worker: Worker) -> None:
        start.wait()
        while worker.run_once():
            pass

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert Counter(job for job, _ in runs(log)) == dict.fromkeys(ids, 1)
    assert {view(factory, i).state for i in ids} == {JobState.DONE}


def test_a_failure_is_retried_with_backoff_then_done(factory, tmp_path: Path):
    log = tmp_path / "runs.log"
    job_id = add(factory, log=str(log), fail_first=2)
    worker = Worker(factory, retry_base_seconds=10)
    before = utcnow()
    assert worker.run_once()
    first = view(factory, job_id)
    assert first.state is JobState.FAILED
    assert "RuntimeError: attempt 1 fails on purpose" in (first.error or "")
    assert first.run_after >= before + dt.timedelta(seconds=10)
    assert not worker.run_once()  # not due before its backoff
    make_due(factory, job_id)
    before = utcnow()
    assert worker.run_once()
    second = view(factory, job_id)
    assert (second.state, second.attempts) == (JobState.FAILED, 2)
    assert second.run_after >= before + dt.timedelta(seconds=20)  # doubled
    make_due(factory, job_id)
    assert worker.run_once()
    done = view(factory, job_id)
    assert (done.state, done.attempts, done.error) == (JobState.DONE, 3, None)
    assert runs(log) == [(job_id, 1), (job_id, 2), (job_id, 3)]


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n, 2.0) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert backoff(40, 2.0) == 3600.0


def test_a_job_failing_every_attempt_is_dead(factory, tmp_path: Path):
    log = tmp_path / "runs.log"
    job_id = add(factory, log=str(log), fail_first=99, max_attempts=2)
    worker = Worker(factory, retry_base_seconds=0)
    assert worker.run_once()
    assert worker.run_once()
    dead = view(factory, job_id)
    assert (dead.state, dead.attempts) == (JobState.DEAD, 2)
    assert "attempt 2 fails on purpose" in (dead.error or "")
    assert not worker.run_once()  # never retried
    assert runs(log) == [(job_id, 1), (job_id, 2)]


def test_a_job_whose_lease_expired_is_run_again_and_the_lost_claim_cannot_finish_it(
    factory, tmp_path: Path
):
    log = tmp_path / "runs.log"
    job_id = add(factory, log=str(log))
    lost = Worker(factory, name="lost")
    claimed = lost.claim()  # its worker stops here, as if killed
    assert claimed is not None
    assert claimed.id == job_id
    assert view(factory, job_id).state is JobState.RUNNING
    other = Worker(factory, name="other")
    assert not other.run_once()  # the lease still holds
    expire_lease(factory, job_id)
    assert other.run_once()
    done = view(factory, job_id)
    assert (done.state, done.attempts) == (JobState.DONE, 2)
    lost.run(claimed)  # the lost worker wakes up and runs it to the end
    after = view(factory, job_id)
    assert (after.state, after.result, after.attempts) == (JobState.DONE, done.result, 2)
    assert after.finished_at == done.finished_at


def test_a_lost_last_attempt_makes_the_job_dead(factory, tmp_path: Path):
    job_id = add(factory, log=str(tmp_path / "runs.log"), max_attempts=1)
    assert Worker(factory).claim() is not None
    expire_lease(factory, job_id)
    assert not Worker(factory).run_once()
    dead = view(factory, job_id)
    assert dead.state is JobState.DEAD
    assert dead.error == "the worker of its last attempt stopped (lease expired)"


def test_a_dedupe_key_names_one_unfinished_job(factory, tmp_path: Path):
    log = str(tmp_path / "runs.log")
    with unit_of_work(factory) as session:
        first = enqueue(session, "test.record", {"log": log}, dedupe_key="k")
        again = enqueue(session, "test.record", {"log": log}, dedupe_key="k")
    assert again == first
    assert Worker(factory).run_once()
    with unit_of_work(factory) as session:
        later = enqueue(session, "test.record", {"log": log}, dedupe_key="k")
    assert later != first  # the first one is done: a new job


def test_enqueue_refuses_an_unknown_kind_and_a_payload_that_is_not_json(factory):
    with unit_of_work(factory) as session:
        with pytest.raises(ValueError, match="no handler for the job kind 'nope'"):
            enqueue(session, "nope", {})
        with pytest.raises(InvalidInput, match="payload must be JSON"):
            enqueue(session, "test.record", {"when": object()})


def test_a_job_id_is_never_reused(factory, engine, tmp_path: Path):
    first = add(factory, log=str(tmp_path / "runs.log"))
    with unit_of_work(factory) as session:
        session.execute(Job.__table__.delete())
    assert add(factory, log=str(tmp_path / "runs.log")) > first
