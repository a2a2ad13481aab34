"""Policy overhead at 1M documents: the policy-filtered query against the same query without
the policy, and against the database floor (the same visibility as a literal id list).

    .venv/bin/python bench/policy_overhead.py --backend sqlite --rows 1000000
    .venv/bin/python bench/policy_overhead.py --backend postgresql --rows 1000000

The database is built once per backend (var/bench-*.sqlite3, or PostgreSQL database
liaison_bench) and reused while its row count matches; ``--text-bytes N`` gives each document
N bytes of extracted text, in a database of its own. The policy-filtered page is taken as the
documents list takes it (``readable(..., page_of=session)``, ``kit.pagination.window``).
Prints one line per query and principal with p50/p95 in milliseconds and the ratio filtered /
unfiltered (target ≤ 1.3).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from rich.progress import Progress
from sqlalchemy import Engine, create_engine, func, insert, literal_column, select, text
from sqlalchemy.orm import Session

from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.demo import create_demo_accounts
from liaison.documents.models import Document, DocumentTally
from liaison.documents.repository import DocumentFilters, DocumentRepository
from liaison.kit.pagination import PageRequest, window
from liaison.migrations import upgrade
from liaison.registry.service import RegistryService, nation_profile
from liaison.security.authn import principal_for
from liaison.security.marking_store import MarkingStore
from liaison.security.models import User
from liaison.security.policy import can_read, readable
from liaison.security.principal import SYSTEM

MARKINGS = [
    "PUBLIC",
    "NU",
    "NU // REL IP4",
    "NU // REL KOR",
    "NU // REL JPN",
    "NU // REL AUS, JPN",
    "NR",
    "NR // REL JPN",
    "NR // REL AUS",
    "NR // REL IP4",
    "NR // NTK cyber",
    "NC",
    "NC // REL JPN",
    "NC // REL AUS, JPN",
    "NS",
    "NS // REL AUS",
    "NS // NTK cyber",
    "NS // REL JPN // NTK cyber",
    "NATO SECRET ATOMAL",
    "COSMIC TOP SECRET",
]
READERS = ["officer", "analyst", "japan", "korea"]
BATCH = 20_000


def build(engine: Engine, rows: int, text_bytes: int = 0) -> None:
    upgrade(engine)
    with unit_of_work(session_factory(engine)) as session:
        if session.scalar(select(func.count()).select_from(Document)) == rows:
            return
    with unit_of_work(session_factory(engine)) as session:
        service = RegistryService(session, SYSTEM)
        service.load_countries()
        service.load_seed("reference")
        service.load_seed("partnerships")
        create_demo_accounts(session)
        store = MarkingStore(session)
        ids = [store.intern(service.parse_marking(m)) for m in MARKINGS]
        session.execute(text("DELETE FROM document"))
    rng = random.Random(7)
    body = ("lorem ipsum dolor sit amet " * (text_bytes // 27 + 1))[:text_bytes]
    now = dt.datetime.now(dt.UTC)
    with Progress() as progress, engine.begin() as conn:
        task = progress.add_task(f"inserting {rows:,} documents", total=rows)
        for start in range(0, rows, BATCH):
            chunk = [
                {
                    "title": f"Document {i}",
                    "kind": "note",
                    "filename": f"d{i}.txt",
                    "content_type": "text/plain",
                    "size": 100,
                    "sha256": "0" * 64,
                    "text_truncated": False,
                    "created_by": "bench",
                    "updated_by": "bench",
                    "extracted_text": body,
                    "marking_id": rng.choice(ids),
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(start, min(start + BATCH, rows))
            ]
            conn.execute(insert(Document), chunk)
            progress.advance(task, len(chunk))
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def timed(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    """Each run ``repeat`` times, interleaved (one of each per round, in turn), so that a drift
    of the machine's speed falls on all of them alike; samples in ms, sorted."""
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            began = time.perf_counter()
            run()
            samples[name].append((time.perf_counter() - began) * 1000)
    for values in samples.values():
        values.sort()
    return samples


def p50(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    return values[int(0.95 * (len(values) - 1))]


def measure(engine: Engine, repeat: int, page_repeat: int) -> None:
    factory = session_factory(engine)
    with factory() as session:
        markings = MarkingStore(session).many(
            session.scalars(select(func.distinct(Document.marking_id)))
        )
        for username in READERS:
            user = session.scalar(select(User).where(User.username == username))
            principal = principal_for(session, user, nation_profile)
            allowed = sorted(i for i, m in markings.items() if can_read(principal, m))
            # the floor's ids written into the SQL, as the policy's values and the window are
            ids = literal_column("(" + ", ".join(map(str, allowed)) + ")")
            # a list page as the product's lists take one (``kit.pagination.window``)
            page = window(
                select(Document.id, Document.title, Document.marking_id).order_by(
                    Document.id.desc()
                ),
                50,
            )
            count = select(func.count()).select_from(Document)
            queries = {
                "page of 50": (
                    page,
                    readable(page, principal, Document, page_of=session),
                    page.where(Document.marking_id.op("IN")(ids)),
                ),
                "count": (
                    count,
                    readable(count, principal, Document),
                    count.where(Document.marking_id.op("IN")(ids)),
                ),
            }
            # the documents list's own page (its default sort, newest change first), for the
            # reader and for the console (SYSTEM: the same statement without the policy)
            repo = DocumentRepository(session, principal)
            first = PageRequest(limit=50)
            everything = DocumentRepository(session, SYSTEM).page_statement(
                DocumentFilters(), first
            )
            queries["list page"] = (
                everything,
                repo.page_statement(DocumentFilters(), first),
                # ``+``: tested on each row read in the sort's order, as the policy's page form
                # is; a bare IN list of three ids SQLite looks up in the marking index instead,
                # then sorts all it found (184 ms for korea)
                everything.where(literal_column("+document.marking_id").op("IN")(ids)),
            )
            # the total of a list page: the readable tally rows added up (DocumentRepository)
            queries["list total"] = (
                count,
                repo.tallied(DocumentFilters(), func.coalesce(func.sum(DocumentTally.n), 0)),
                count.where(Document.marking_id.op("IN")(ids)),
            )
            for name, (raw, filtered, floor) in queries.items():
                rounds = page_repeat if "page" in name else repeat
                report(session, username, name, raw, filtered, floor, rounds)


def report(session: Session, who: str, name: str, raw, filtered, floor, repeat: int) -> None:
    for statement in (raw, filtered, floor):  # warm: compiled, prepared, pages cached
        session.execute(statement).all()
    got = timed(
        {
            "raw": lambda: session.execute(raw).all(),
            "filtered": lambda: session.execute(filtered).all(),
            "floor": lambda: session.execute(floor).all(),
        },
        repeat,
    )
    f_p50, raw_p50, floor_p50 = p50(got["filtered"]), p50(got["raw"]), p50(got["floor"])
    print(
        f"{who:<8} {name:<11} filtered p50 {f_p50:8.3f} ms  p95 {p95(got['filtered']):8.3f} ms | "
        f"unfiltered {raw_p50:8.3f} ms  ratio {f_p50 / raw_p50:5.2f} | "
        f"literal-ids floor {floor_p50:8.3f} ms  ratio {f_p50 / floor_p50:5.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20, help="rounds for each count")
    parser.add_argument("--page-repeat", type=int, default=500, help="rounds for each page")
    parser.add_argument(
        "--text-bytes",
        type=int,
        default=0,
        help="extracted text of each document (0: none; its own database per size)",
    )
    args = parser.parse_args()
    if args.backend == "sqlite":
        Path("var").mkdir(exist_ok=True)
        suffix = f"-t{args.text_bytes}" if args.text_bytes else ""
        engine = build_engine(f"sqlite:///var/bench-{args.rows}{suffix}.sqlite3")
    else:
        name = f"liaison_bench_t{args.text_bytes}" if args.text_bytes else "liaison_bench"
        admin = create_engine(
            "postgresql+psycopg://postgres@127.0.0.1/postgres", isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            found = text("SELECT 1 FROM pg_database WHERE datname = :n")
            if not conn.scalar(found, {"n": name}):
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        engine = build_engine(f"postgresql+psycopg://postgres@127.0.0.1/{name}")
    build(engine, args.rows, args.text_bytes)
    print(
        f"{args.backend}, {args.rows:,} documents ({args.text_bytes} bytes of text each), "
        f"{len(MARKINGS)} markings, "
        f"{args.page_repeat} rounds a page, {args.repeat} a count, the three forms interleaved"
    )
    measure(engine, args.repeat, args.page_repeat)
    engine.dispose()


if __name__ == "__main__":
    main()
