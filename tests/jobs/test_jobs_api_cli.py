"""``GET /api/v1/jobs/{id}`` (the creator or an admin; anybody else the 404 of a missing job),
``liaison jobs list|show``, and the worker thread ``liaison serve``'s app runs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from job_handlers import runs
from sqlalchemy import select
from typer.testing import CliRunner

from liaison.app import create_app
from liaison.cli.main import app as cli_app
from liaison.config import Settings
from liaison.db.session import session_factory, unit_of_work
from liaison.jobs import JobState, Worker, enqueue, get_job
from liaison.jobs.cli import follow
from liaison.registry.service import nation_profile
from liaison.security.authn import principal_for
from liaison.security.models import User
from liaison.terminal import output

runner = CliRunner()


def enqueue_as(engine, username: str, log: Path) -> int:
    with unit_of_work(session_factory(engine)) as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        principal = principal_for(session, user, nation_profile)
        return enqueue(session, "test.record", {"log": str(log)}, principal=principal)


def test_only_the_creator_or_an_admin_sees_a_job(client, engine, auth, tmp_path: Path):
    job_id = enqueue_as(engine, "japan", tmp_path / "runs.log")
    Worker(session_factory(engine)).run_once()
    mine = client.get(f"/api/v1/jobs/{job_id}", headers=auth("japan"))
    assert mine.status_code == 200
    body = mine.json()
    assert (body["id"], body["state"], body["result"]) == (
        job_id,
        "done",
        {"job": job_id, "attempt": 1},
    )
    assert (body["progress_done"], body["progress_total"]) == (1, 1)
    assert "payload" not in body
    assert client.get(f"/api/v1/jobs/{job_id}", headers=auth("admin")).status_code == 200
    missing = client.get(f"/api/v1/jobs/{job_id + 1000}", headers=auth("korea"))
    for other in ("korea", "officer", "analyst"):  # may read much, not another's job
        hidden = client.get(f"/api/v1/jobs/{job_id}", headers=auth(other))
        assert hidden.status_code == 404
        assert hidden.json()["title"] == missing.json()["title"]
        assert hidden.json()["detail"] == f"no job {job_id}"
        assert missing.json()["detail"] == f"no job {job_id + 1000}"
    assert client.get(f"/api/v1/jobs/{job_id}").status_code == 401


def test_a_job_of_the_console_is_an_admins_only(client, engine, auth, tmp_path: Path):
    with unit_of_work(session_factory(engine)) as session:
        job_id = enqueue(session, "test.record", {"log": str(tmp_path / "runs.log")})
    assert client.get(f"/api/v1/jobs/{job_id}", headers=auth("officer")).status_code == 404
    assert client.get(f"/api/v1/jobs/{job_id}", headers=auth("admin")).status_code == 200


def test_jobs_list_and_show(db_url, engine, monkeypatch, tmp_path: Path):
    monkeypatch.setattr(output.console, "_width", 250)
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    log = tmp_path / "runs.log"
    ok = enqueue_as(engine, "japan", log)
    with unit_of_work(session_factory(engine)) as session:
        bad = enqueue(session, "test.record", {"log": str(log), "fail_first": 9}, max_attempts=1)
    worker = Worker(session_factory(engine))
    worker.run_once()
    worker.run_once()
    listed = runner.invoke(cli_app, ["jobs", "list"])
    assert listed.exit_code == 0, listed.output
    lines = [line for line in listed.output.splitlines() if "test.record" in line]
    assert len(lines) == 2
    assert "dead" in lines[0]
    assert "attempt 1 fails on purpose" in lines[0]
    assert "done" in lines[1]
    assert "japan" in lines[1]
    dead_only = runner.invoke(cli_app, ["jobs", "list", "--state", "dead"])
    assert [f" {bad} " in line for line in dead_only.output.splitlines() if "test." in line] == [
        True
    ]
    shown = runner.invoke(cli_app, ["jobs", "show", str(ok)])
    assert shown.exit_code == 0, shown.output
    assert f"job {ok}  test.record  done" in shown.output
    assert "progress  1/1" in shown.output
    followed = runner.invoke(cli_app, ["jobs", "show", str(bad), "--follow"])
    assert followed.exit_code == 0, followed.output
    assert "RuntimeError: attempt 1 fails on purpose" in followed.output
    unknown = runner.invoke(cli_app, ["jobs", "show", "999999"])
    assert unknown.exit_code == 2
    assert "no job 999999" in unknown.output


def test_follow_can_run_the_job_itself(db_url, engine, monkeypatch, tmp_path: Path):
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    monkeypatch.setenv("LIAISON_JOBS_POLL_SECONDS", "0.05")
    job_id = enqueue_as(engine, "japan", tmp_path / "runs.log")
    view = follow(job_id, factory=session_factory(engine), work=True, every=0.05)
    assert (view.state, view.progress_done) == (JobState.DONE, 1)


@pytest.mark.parametrize("in_process", [True, False])
def test_the_app_runs_a_worker_thread_when_asked(
    settings: Settings, engine, tmp_path: Path, in_process: bool
):
    log = tmp_path / "runs.log"
    configured = settings.model_copy(update={"jobs_in_process": in_process})
    with TestClient(create_app(configured, engine=engine)) as client:
        assert (getattr(client.app.state, "jobs_worker", None) is not None) is in_process
        job_id = enqueue_as(engine, "japan", log)
        if in_process:
            deadline = time.monotonic() + 60
            while runs(log) == [] and time.monotonic() < deadline:
                time.sleep(0.05)
    with unit_of_work(session_factory(engine)) as session:
        view = get_job(session, job_id)
    assert view is not None
    assert view.state is (JobState.DONE if in_process else JobState.QUEUED)
