# SPDX-License-Identifier: Apache-2.0
"""Server time of the programme surfaces on the demo data (SQLite), median and p95 of 20.

    .venv/bin/python bench/programmes_pages.py

Builds a fresh demo database in a temporary folder (``liaison init --demo`` equivalent:
registry, accounts, programmes), then times each surface as the liaison officer in-process
(TestClient, so the figure is the server's work plus the test client's, no network).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from liaison import wiring
from liaison.app import create_app
from liaison.config import Settings
from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.demo import create_demo_accounts, create_demo_programmes
from liaison.identity.service import IdentityService
from liaison.migrations import upgrade
from liaison.registry.service import RegistryService
from liaison.security.principal import SYSTEM

PATHS = [
    "/programmes",
    "/programmes/ITPP-JPN-2023",
    "/programmes/ITPP-JPN-2023/roadmap",
    "/api/v1/programmes/dashboard",
    "/api/v1/programmes/ITPP-JPN-2023",
    "/api/v1/programmes/ITPP-JPN-2023/document.pdf",
    "/api/v1/programmes/ITPP-JPN-2023/document.docx",
    "/api/v1/programmes/calendar.ics",
]
RUNS = 20


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        engine = build_engine(url)
        upgrade(engine)
        wiring.install()
        started = time.perf_counter()
        with unit_of_work(session_factory(engine)) as session:
            registry = RegistryService(session, SYSTEM)
            registry.load_countries()
            registry.load_seed("reference")
            registry.load_seed("partnerships")
            create_demo_accounts(session)
        with unit_of_work(session_factory(engine)) as session:
            loaded = time.perf_counter()
            create_demo_programmes(session)
            demo_ms = (time.perf_counter() - loaded) * 1000
            identity = IdentityService(session, SYSTEM)
            token = identity.create_token("officer", "bench", scopes={"read"})
        headers = {"Authorization": f"Bearer {token.secret}", "accept": "text/html"}
        client = TestClient(create_app(Settings(database_url=url), engine=engine))
        setup = time.perf_counter() - started
        print(f"demo programmes loaded in {demo_ms:.0f} ms (whole setup {setup:.1f} s)")
        print("| surface | median | p95 |")
        print("| --- | --- | --- |")
        for path in PATHS:
            times = []
            for _ in range(RUNS):
                t0 = time.perf_counter()
                response = client.get(path, headers=headers)
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, path  # noqa: S101
            times.sort()
            p95 = times[int(0.95 * RUNS) - 1]
            print(f"| `{path}` | {statistics.median(times):.0f} ms | {p95:.0f} ms |")
        engine.dispose()


if __name__ == "__main__":
    main()
