"""Where a TAXII page's time goes, inside the server: the app is called in process (no HTTP,
no client), page after page, and the time of each SQL statement is taken from SQLAlchemy's
cursor events.

    .venv/bin/python bench/taxii_page_profile.py --objects 100000 --reader officer

Builds a PostgreSQL store of ``--objects`` generated indicators (database
``liaison_bench_profile``, kept and reused while it holds as many), then pages through it
``--walks`` times (100 pages each) and prints the page's p50, the process CPU per page, and
each statement's median.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import event, func, select, text

sys.path.insert(0, str(Path(__file__).parent))
import taxii_vs_medallion as side_by_side

from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.identity.service import IdentityService
from liaison.security.principal import SYSTEM
from liaison.sharing.models import StixObject, TaxiiCollection
from liaison.sharing.service import SharingService

DB = "liaison_bench_profile"


def store(objects: int) -> tuple[str, str]:
    """The store's URL and collection id, built when it does not hold ``objects`` yet."""
    url = side_by_side.PG_ADMIN.rsplit("/", 1)[0] + f"/{DB}"
    try:
        engine = build_engine(url)
        with unit_of_work(session_factory(engine)) as session:
            cid = session.scalars(select(TaxiiCollection.id)).first()
            held = session.scalar(select(func.count()).select_from(StixObject))
        engine.dispose()
        if cid and held and held >= objects:
            return url, cid
    except Exception:  # noqa: BLE001, S110 - no such database yet: build it
        pass
    side_by_side.PG_DB = DB
    url = side_by_side.liaison_database("postgresql", Path())
    cid, _tokens, definitions, refs = side_by_side.liaison_setup(url, "profile")
    engine = build_engine(url)
    for envelope in [definitions, *side_by_side.generate(objects, 7, refs, 10_000)]:
        with unit_of_work(session_factory(engine)) as session:
            SharingService(session, SYSTEM, b"bench").post(cid, envelope)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE) stix_object"))
    engine.dispose()
    return url, cid


async def call(app: Any, path: str, params: dict[str, Any], headers: dict[str, str]) -> bytes:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": urlencode(params).encode(),
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 5000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "state": {},
    }
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return b"".join(chunks)


async def walk(app: Any, path: str, headers: dict[str, str], pages: int) -> list[float]:
    params: dict[str, Any] = {"limit": 1000}
    took = []
    for _ in range(pages):
        began = time.perf_counter()
        body = await call(app, path, params, headers)
        took.append(time.perf_counter() - began)
        head = body[:400]
        if b'"next":"' not in head:
            break
        params = {"limit": 1000, "next": head.split(b'"next":"')[1].split(b'"')[0].decode()}
    return took


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--reader", default="officer", choices=side_by_side.READERS)
    parser.add_argument("--walks", type=int, default=5)
    args = parser.parse_args()
    url, cid = store(args.objects)
    engine = build_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        name = f"profile-{uuid.uuid4().hex[:8]}"
        token = IdentityService(session, SYSTEM).create_token(args.reader, name).secret
    engine.dispose()
    os.environ["LIAISON_DATABASE_URL"] = url
    os.environ["LIAISON_TAXII_CURSOR_KEY"] = "bench"
    from liaison.app import factory  # noqa: PLC0415 - after the environment is set

    app = factory()
    statements: dict[str, list[float]] = collections.defaultdict(list)
    bound = app.state.engine

    @event.listens_for(bound, "before_cursor_execute")
    def _began(conn: Any, *_: Any) -> None:
        conn.info["began"] = time.perf_counter()

    @event.listens_for(bound, "after_cursor_execute")
    def _ended(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements[" ".join(statement.split())[:60]].append(
            time.perf_counter() - conn.info["began"]
        )

    headers = {"authorization": f"Bearer {token}", "accept": side_by_side.TAXII, "host": "t"}
    path = f"/taxii2/liaison/collections/{cid}/objects/"
    async with app.router.lifespan_context(app):
        await walk(app, path, headers, 20)  # warm
        statements.clear()
        pages = 0
        for n in range(args.walks):
            cpu = time.process_time()
            took = await walk(app, path, headers, 100)
            cpu = (time.process_time() - cpu) / len(took)
            pages += len(took)
            print(
                f"walk {n + 1}: {len(took)} pages, p50 {statistics.median(took) * 1000:6.2f} ms, "
                f"process CPU {cpu * 1000:5.2f} ms a page",
                flush=True,
            )
    print("statements run at least once a page (median ms):")
    for sql, times in sorted(statements.items(), key=lambda kv: -sum(kv[1])):
        if len(times) >= pages * 0.9:
            print(f"  {statistics.median(times) * 1000:6.3f}  {sql}")


if __name__ == "__main__":
    asyncio.run(main())
