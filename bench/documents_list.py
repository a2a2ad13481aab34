"""The documents list as a reader gets it at 1M documents: ``find`` (the page and its total)
and ``facets``, per reader and sort, on the database ``bench/policy_overhead.py`` built.

    .venv/bin/python bench/documents_list.py --backend sqlite
    .venv/bin/python bench/documents_list.py --backend postgresql

It does not migrate the database, so it can time one held at an older revision (docs/
benchmarks.md: the list before migration 0013, at revision 0012).
"""

from __future__ import annotations

import argparse
import statistics
import time

from sqlalchemy import select

from liaison.db.engine import build_engine
from liaison.db.session import session_factory
from liaison.documents.repository import DocumentFilters, DocumentRepository
from liaison.kit.pagination import PageRequest
from liaison.registry.service import nation_profile
from liaison.security.authn import principal_for
from liaison.security.models import User

URLS = {
    "sqlite": "sqlite:///var/bench-1000000.sqlite3",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1/liaison_bench",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=sorted(URLS), default="sqlite")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    engine = build_engine(URLS[args.backend])
    with session_factory(engine)() as session:
        for username in ("officer", "korea"):
            user = session.scalar(select(User).where(User.username == username))
            repo = DocumentRepository(session, principal_for(session, user, nation_profile))
            for sort in (None, "-created_at", "title"):
                request = PageRequest(limit=50, sort=sort)
                repo.find(DocumentFilters(), request)  # warm
                finds, facets = [], []
                for _ in range(args.repeat):
                    began = time.perf_counter()
                    repo.find(DocumentFilters(), request)
                    finds.append(time.perf_counter() - began)
                    began = time.perf_counter()
                    repo.facets(DocumentFilters())
                    facets.append(time.perf_counter() - began)
                print(
                    f"{username:<8} sort {sort or '-updated_at':<12} "
                    f"find p50 {statistics.median(finds) * 1000:8.1f} ms  "
                    f"facets p50 {statistics.median(facets) * 1000:6.1f} ms"
                )
    engine.dispose()


if __name__ == "__main__":
    main()
