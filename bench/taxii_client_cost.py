"""What the paging client itself costs: the same pages of one Liaison server fetched with
``requests`` and with ``http.client`` (``taxii_vs_medallion.PageClient``), interleaved, and the
client process's own CPU per page for each.

    .venv/bin/python bench/taxii_client_cost.py --objects 100000 --reader officer

Uses the PostgreSQL store of ``bench/taxii_page_profile.py`` (built there when missing), serves
it with uvicorn as the side-by-side bench does, and fetches 30 fixed pages (limit 1000) eight
times with each client, then 90 more with each to take the client's CPU (``process_time``).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import uuid
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))
import taxii_page_profile as profile
import taxii_vs_medallion as side_by_side

from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.identity.service import IdentityService
from liaison.security.principal import SYSTEM


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--reader", default="officer", choices=side_by_side.READERS)
    args = parser.parse_args()
    url, cid = profile.store(args.objects)
    engine = build_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        name = f"client-cost-{uuid.uuid4().hex[:8]}"
        token = IdentityService(session, SYSTEM).create_token(args.reader, name).secret
    engine.dispose()
    port = side_by_side._free_port()  # noqa: SLF001 - the bench's own helper
    server = side_by_side.start_liaison(url, port)
    try:
        side_by_side.wait_up(side_by_side._session({}), f"http://127.0.0.1:{port}/healthz")  # noqa: SLF001
        headers = {"Authorization": f"Bearer {token}"}
        clients = {kind: side_by_side.PageClient(kind, headers) for kind in ("requests", "http")}
        base = f"http://127.0.0.1:{port}/taxii2/liaison/collections/{cid}/objects/"
        gc.collect()
        gc.freeze()
        params: list[dict[str, str | int]] = [{"limit": 1000}]
        for _ in range(29):
            body = orjson.loads(clients["http"].get(base, params[-1])[0])
            if not body.get("more"):
                break
            params.append({"limit": 1000, "next": body["next"]})
        took: dict[str, list[float]] = {kind: [] for kind in clients}
        for _ in range(8):
            for p in params:
                for kind, client in clients.items():
                    began = time.perf_counter()
                    orjson.loads(client.get(base, p)[0])
                    took[kind].append((time.perf_counter() - began) * 1000)
        for kind, client in clients.items():
            cpu = time.process_time()
            for p in params * 3:
                orjson.loads(client.get(base, p)[0])
            cpu = (time.process_time() - cpu) / (len(params) * 3) * 1000
            print(
                f"{kind:<9} page p50 {statistics.median(took[kind]):6.2f} ms, "
                f"client CPU {cpu:5.2f} ms a page (orjson's parse included)"
            )
            client.close()
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
