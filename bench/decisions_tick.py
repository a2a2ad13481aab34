"""Decisions at scale: how long a deadline tick takes, and a proposal page, with many proposals.

    .venv/bin/python bench/decisions_tick.py --proposals 2000
    .venv/bin/python bench/decisions_tick.py --proposals 2000 --backend postgresql

Builds a fresh database (var/bench-decisions.sqlite3, or PostgreSQL database
liaison_bench_decisions), opens N silence procedures (32 electors each, every fourth with a
footnote and every tenth in a package of two), then times:
- a full ``tick`` when nothing is due (every pending outcome computed), and the worker's usual
  tick (deadlines that came only);
- ``tick`` when every deadline has passed (all N settled, each with audit, event, notices);
- the proposal list API (50 rows) and one proposal page, p50/p95 over 30 requests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from pathlib import Path

from fastapi.testclient import TestClient
from rich.progress import Progress
from sqlalchemy import create_engine

from liaison import wiring
from liaison.app import create_app
from liaison.config import Settings
from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.decisions import worker
from liaison.decisions.demo import create_delegation_accounts
from liaison.decisions.schemas import PositionCreate, ProposalCreate
from liaison.decisions.service import DecisionService
from liaison.demo import create_demo_accounts
from liaison.identity.service import IdentityService
from liaison.migrations import upgrade
from liaison.registry.service import RegistryService
from liaison.security.principal import SYSTEM

PG = "postgresql+psycopg://postgres@127.0.0.1:5432"


def database(backend: str) -> str:
    if backend == "sqlite":
        path = Path("var/bench-decisions.sqlite3")
        path.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS liaison_bench_decisions WITH (FORCE)")
        conn.exec_driver_sql("CREATE DATABASE liaison_bench_decisions")
    admin.dispose()
    return f"{PG}/liaison_bench_decisions"


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proposals", type=int, default=2000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    url = database(args.backend)
    engine = build_engine(url)
    upgrade(engine)
    wiring.install()
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        registry = RegistryService(session, SYSTEM)
        registry.load_countries()
        registry.load_seed("reference")
        create_demo_accounts(session)
        create_delegation_accounts(session)
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    with Progress() as progress, unit_of_work(factory) as session:
        task = progress.add_task("opening proposals", total=args.proposals)
        service = DecisionService(session, SYSTEM)
        for i in range(args.proposals):
            view = service.open(
                ProposalCreate(
                    title=f"Proposal {i}",
                    text="The Council agrees.",
                    marking="NU" if i % 2 else "NR",
                    deadline=deadline,
                    package=f"pkg-{i // 2}" if i % 10 in {0, 1} else None,
                )
            )
            if i % 4 == 0:
                service.record_position(
                    view.proposal.id,
                    PositionCreate(ally="FRA", stance="footnote", statement="noted"),
                )
            progress.advance(task)
    settings = Settings(database_url=url, decisions_tick_seconds=0)
    idle = [timed(lambda: worker.tick(factory, settings)) for _ in range(5)]
    print(f"full tick, {args.proposals} pending, none due: {statistics.median(idle):.0f} ms")
    due = [timed(lambda: worker.tick(factory, settings, due_only=True)) for _ in range(5)]
    print(f"worker tick (due only), none due: {statistics.median(due):.1f} ms")
    settled: list[worker.TickReport] = []
    ms = timed(lambda: settled.append(worker.tick(factory, settings, now=deadline)))
    count = len(settled[0].settled)
    print(f"tick settling {count} proposals: {ms:.0f} ms ({ms / max(count, 1):.1f} ms each)")
    with unit_of_work(factory) as session:
        token = IdentityService(session, SYSTEM).create_token("france", "bench").secret
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings, engine=engine)) as client:
        for label, path in (
            ("list API, 50 rows", "/api/v1/decisions?limit=50"),
            ("proposal page", "/decisions/1"),
        ):
            samples = sorted(
                timed(lambda p=path: client.get(p, headers=headers).raise_for_status())
                for _ in range(30)
            )
            p95 = samples[int(0.95 * len(samples))]
            print(f"{label}: p50 {statistics.median(samples):.0f} ms, p95 {p95:.0f} ms")
    engine.dispose()


if __name__ == "__main__":
    main()
