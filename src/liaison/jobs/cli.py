# SPDX-License-Identifier: Apache-2.0
"""``liaison jobs list|show`` (the operator's view of the queue), ``liaison worker`` and
``follow``: a progress bar for a job, for commands that enqueue one and wait for it."""

from __future__ import annotations

import importlib
import threading
import time
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from rich.table import Table
from rich.text import Text

from liaison.config import Settings
from liaison.db.session import SessionFactory, session_factory, unit_of_work
from liaison.jobs.models import JobState
from liaison.jobs.queue import JobView, get_job, list_jobs
from liaison.jobs.schemas import JobRead
from liaison.jobs.worker import Worker, WorkerThread
from liaison.terminal.context import command_session, engine_for, settings
from liaison.terminal.output import (
    Format,
    FormatOption,
    LimitOption,
    console,
    emit,
    fail,
)

app = typer.Typer(help="The job queue: what runs, ran or failed.", no_args_is_help=True)


@app.command("list")
def list_command(
    state: Annotated[
        JobState | None, typer.Option(help="Only jobs in this state.", case_sensitive=False)
    ] = None,
    kind: Annotated[str | None, typer.Option(help="Only jobs of this kind.")] = None,
    limit: LimitOption = 50,
    output: FormatOption = Format.TABLE,
) -> None:
    """The newest jobs first (json and csv: each as the API's GET /api/v1/jobs/{id})."""
    with command_session() as session:
        views = list_jobs(session, state=state, kind=kind, limit=limit)
    if output is not Format.TABLE:
        emit(output, [JobRead.of(view) for view in views], item=JobRead)
        return
    table = Table(title=f"{len(views)} jobs")
    for column in ("id", "kind", "state", "attempts", "progress", "by", "created", "error"):
        table.add_column(column)
    for view in views:
        table.add_row(
            str(view.id),
            Text(view.kind),
            view.state.value,
            f"{view.attempts}/{view.max_attempts}",
            _progress_text(view),
            Text(view.created_by),
            view.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            Text((view.error or "").splitlines()[-1][:60] if view.error else ""),
        )
    console.print(table)


@app.command()
def show(
    job_id: Annotated[int, typer.Argument(min=1, help="The job's id.")],
    follow_: Annotated[
        bool, typer.Option("--follow", "-f", help="Show a progress bar until it ends.")
    ] = False,
    output: FormatOption = Format.TABLE,
) -> None:
    """One job: state, attempts, progress, result or error (json and csv: the API's fields)."""
    if follow_:
        view = follow(job_id)
    else:
        with command_session() as session:
            found = get_job(session, job_id)
        if found is None:
            fail(f"no job {job_id}")
        view = found
    if output is not Format.TABLE:
        emit(output, JobRead.of(view))
        return
    console.print(f"job {view.id}  [bold]{view.kind}[/]  {view.state.value}", highlight=False)
    console.print(f"  attempts  {view.attempts}/{view.max_attempts}", highlight=False)
    console.print(f"  progress  {_progress_text(view)}", highlight=False)
    console.print(Text(f"  by        {view.created_by}"))
    console.print(f"  created   {view.created_at.isoformat()}", highlight=False)
    for label, when in (("started ", view.started_at), ("finished", view.finished_at)):
        if when is not None:
            console.print(f"  {label}  {when.isoformat()}", highlight=False)
    if view.note:
        console.print(Text(f"  note      {view.note}"))
    if view.result is not None:
        console.print(Text(f"  result    {view.result}"))
    if view.error:
        console.print(Text(f"  error     {view.error}"))


def _progress_text(view: JobView) -> str:
    if view.progress_done is None:
        return ""
    if view.progress_total:
        return f"{view.progress_done}/{view.progress_total}"
    return str(view.progress_done)


def make_worker(cfg: Settings, factory: SessionFactory, name: str | None = None) -> Worker:
    return Worker(
        factory,
        name=name,
        lease_seconds=cfg.jobs_lease_seconds,
        poll_seconds=cfg.jobs_poll_seconds,
        retry_base_seconds=cfg.jobs_retry_base_seconds,
    )


def follow(
    job_id: int, *, factory: SessionFactory | None = None, work: bool = False, every: float = 0.5
) -> JobView:
    """Render the job's progress as a bar until it is done or dead, and return its last view.
    ``work``: also run a worker in this process until then (SQLite without ``liaison serve``).
    An unknown job is a one-line error."""
    cfg = settings()
    engine = None
    if factory is None:
        engine = engine_for(cfg)
        factory = session_factory(engine)
    helper: WorkerThread | None = None
    if work:
        helper = WorkerThread(make_worker(cfg, factory))
        helper.start()
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[note]}"),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(f"job {job_id}", total=None, note="")
            while True:
                with unit_of_work(factory) as session:
                    view = get_job(session, job_id)
                if view is None:
                    fail(f"no job {job_id}")
                bar.update(
                    task,
                    completed=view.progress_done or 0,
                    total=view.progress_total,
                    note=view.note or view.state.value,
                    description=f"job {job_id} {view.kind}",
                )
                if view.finished:
                    return view
                time.sleep(every)
    finally:
        if helper is not None:
            helper.stop()
        if engine is not None:
            engine.dispose()


def worker(
    threads: Annotated[int, typer.Option(min=1, max=64, help="Jobs run at once.")] = 1,
    once: Annotated[bool, typer.Option("--once", help="Run what is due now, then exit.")] = False,
    imports: Annotated[
        list[str] | None,
        typer.Option("--import", help="Also import this module (it registers handlers)."),
    ] = None,
) -> None:
    """Run queued jobs until stopped (Ctrl+C). Any number of workers may run against
    PostgreSQL, on any machine; on SQLite `liaison serve` already runs one."""
    for module in imports or []:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            fail(f"cannot import {module}: {exc}")
    cfg = settings()
    with command_session(cfg):
        pass  # a clear message when the database is not initialised
    factory = session_factory(engine_for(cfg))
    if once:
        one = make_worker(cfg, factory)
        ran = 0
        while one.run_once():
            ran += 1
        console.print(f"[green]✓[/] {ran} jobs run")
        return
    stop = threading.Event()
    workers = [
        threading.Thread(target=make_worker(cfg, factory).loop, args=(stop,), daemon=True)
        for _ in range(threads)
    ]
    console.print(f"liaison worker: {threads} thread(s) (Ctrl+C stops)")
    for thread in workers:
        thread.start()
    try:
        while any(thread.is_alive() for thread in workers):
            time.sleep(0.5)
    except KeyboardInterrupt:
        stop.set()
        for thread in workers:
            thread.join(10)
