"""TAXII 2.1 side by side: Liaison and medallion 3.0.0 (the OASIS reference server, memory
backend) on the same generated STIX 2.1 indicators, each driven over HTTP.

    # medallion lives in a throwaway virtualenv, never in the project:
    uv venv /tmp/medallion-venv && uv pip install --python /tmp/medallion-venv/bin/python \\
        medallion==3.0.0
    .venv/bin/python bench/taxii_vs_medallion.py --backend postgresql \\
        --sizes 1000,10000 --medallion-sizes 1000,10000 --big 1000000

For each size N the script starts both servers on empty stores, POSTs the N objects (Liaison in
envelopes of 10,000, validated, all or nothing; medallion in one envelope), then reads:
the first page (limit 1000) several times, and every page to the end. Liaison reads as partner
and ally users (the access policy on: Korea sees about 60 % of the objects), medallion as its
one user. ``--big`` adds one Liaison-only run at that size (the DESIGN.md targets at 1M).
Pages are fetched over one kept-alive ``http.client`` connection (``--client requests`` for a
``requests.Session``, whose own work is timed too: ``bench/taxii_client_cost.py``).
Prints one line per measurement and the ratios; nothing is written to the project.
"""

from __future__ import annotations

import argparse
import base64
import gc
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson
import requests
from sqlalchemy import create_engine, text

from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.demo import create_demo_accounts
from liaison.identity.service import IdentityService
from liaison.migrations import upgrade
from liaison.registry.service import RegistryService
from liaison.security.markings import short
from liaison.security.principal import SYSTEM
from liaison.sharing import stix
from liaison.sharing.service import SharingService

TAXII = "application/taxii+json;version=2.1"
MARKINGS = [  # (share, marking): Korea reads PUBLIC and "NU // REL IP4" (60 %)
    (0.10, "PUBLIC"),
    (0.50, "NU // REL IP4"),
    (0.20, "NR // REL AUS, JPN"),
    (0.20, "NU"),
]
READERS = ["korea", "japan", "officer"]
BATCH = 10_000
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_DB = "liaison_bench_taxii"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def generate(n: int, seed: int, refs: dict[str, str], batch: int) -> Iterator[list[dict]]:
    """``n`` indicators of ~0.55 KiB, each with a TLP 2.0 marking and a Liaison marking, in
    lists of ``batch`` (generated as they are sent: 1M dicts would not fit beside the servers)."""
    rng = random.Random(seed)
    shares = [s for s, _ in MARKINGS]
    texts = [m for _, m in MARKINGS]
    out: list[dict] = []
    for i in range(n):
        marking = rng.choices(texts, shares)[0]
        tlp = stix.TLP2_IDS[stix.Tlp.CLEAR if marking == "PUBLIC" else stix.Tlp.GREEN]
        ident = uuid.UUID(int=rng.getrandbits(128), version=4)
        out.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{ident}",
                "created": "2026-01-01T00:00:00.000Z",
                "modified": "2026-01-01T00:00:00.000Z",
                "name": f"Bench indicator {i}",
                "description": "Command-and-control address seen in a spear-phishing campaign "
                "against partner ministries; block and report hits to the hub.",
                "indicator_types": ["malicious-activity"],
                "pattern": f"[ipv4-addr:value = '10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}']",
                "pattern_type": "stix",
                "valid_from": "2026-01-01T00:00:00Z",
                "labels": ["bench"],
                "object_marking_refs": [tlp, refs[marking]],
            }
        )
        if len(out) == batch:
            yield out
            out = []
    if out:
        yield out


# Liaison ------------------------------------------------------------------------------------------
def liaison_database(backend: str, folder: Path) -> str:
    """A fresh migrated database with the registry and the demo accounts."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
    else:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_DB}"'))
        admin.dispose()
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}"
    engine = build_engine(url)
    upgrade(engine)
    with unit_of_work(session_factory(engine)) as session:
        registry = RegistryService(session, SYSTEM)
        registry.load_countries()
        registry.load_seed("reference")
        registry.load_seed("partnerships")
        create_demo_accounts(session)
    engine.dispose()
    return url


def liaison_setup(url: str, title: str) -> tuple[str, dict[str, str], list[dict], dict[str, str]]:
    """A collection, a token per reader, and the marking definitions the objects name."""
    engine = build_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        registry = RegistryService(session, SYSTEM)
        service = SharingService(session, SYSTEM, b"bench")
        view = service.create_collection(
            title=title,
            readers=["all"],
            writers=["ally"],
            default_marking=registry.parse_marking("NU"),
        )
        identity = IdentityService(session, SYSTEM)
        tokens = {
            u: identity.create_token(
                u, f"bench-{uuid.uuid4().hex[:8]}", scopes={"read", "write"}
            ).secret
            for u in [*READERS]
        }
        refs, definitions = {}, []
        for _, text_ in MARKINGS:
            marking = registry.parse_marking(text_)
            refs[text_] = stix.liaison_marking_id(marking)
            definitions.append(stix.liaison_marking_definition(marking, short(marking)))
    engine.dispose()
    return view.row.id, tokens, definitions, refs


def analyze(url: str) -> None:
    """Vacuum and analyse after the bulk load, as autovacuum does to an insert-only table
    (``autovacuum_vacuum_insert_threshold``, PostgreSQL 13+): with stale statistics PostgreSQL
    sorts the whole collection instead of walking the page index, and until a tuple's hint
    bits are set the first reader of every page sets them (without this, whichever reader was
    timed first paged slowest)."""
    engine = build_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE) stix_object"))
    engine.dispose()


def start_liaison(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LIAISON_DATABASE_URL": url, "LIAISON_TAXII_CURSOR_KEY": "bench"}
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "liaison.app:factory"]
    cmd += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(cmd, env=env)  # noqa: S603 - our own interpreter and arguments


# medallion ----------------------------------------------------------------------------------------
def start_medallion(python: str, port: int, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    cid = str(uuid.uuid4())
    data = {
        "/discovery": {
            "title": "bench",
            "default": f"http://127.0.0.1:{port}/api1/",
            "api_roots": [f"http://127.0.0.1:{port}/api1/"],
        },
        "api1": {
            "information": {
                "title": "api1",
                "versions": [TAXII],
                "max_content_length": 1_000_000_000,
            },
            "status": [],
            "collections": [
                {
                    "id": cid,
                    "title": "bench",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": [],
                }
            ],
        },
    }
    data_path = folder / f"medallion-{port}.json"
    data_path.write_text(json.dumps(data))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(data_path),
        },
        "users": {"bench": "bench"},
        "taxii": {"max_page_size": 1000},
    }
    config_path = folder / f"medallion-{port}-config.json"
    config_path.write_text(json.dumps(config))
    cmd = [python, "-m", "medallion.scripts.run", "--port", str(port), str(config_path)]
    return subprocess.Popen(cmd, stderr=subprocess.DEVNULL), cid  # noqa: S603 - fixed arguments


# measurements -------------------------------------------------------------------------------------
def _session(headers: dict[str, str]) -> requests.Session:
    session = requests.Session()
    session.headers.update(headers)
    return session


def wait_up(client: requests.Session, url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            client.get(url, timeout=5)
        except requests.ConnectionError:
            time.sleep(0.2)
            continue
        return
    raise SystemExit(f"{url} did not come up")


def post_all(client: requests.Session, url: str, envelopes: Iterator[list[dict]]) -> list[float]:
    """POST each envelope; the seconds each took."""
    took = []
    for objects in envelopes:
        body = json.dumps({"objects": objects}).encode()
        t0 = time.perf_counter()
        r = client.post(
            url, data=body, headers={"Content-Type": TAXII, "Accept": TAXII}, timeout=36_000
        )
        took.append(time.perf_counter() - t0)
        status = r.json()
        if r.status_code != 202 or status.get("failure_count"):
            raise SystemExit(f"POST failed: {r.status_code} {str(status)[:300]}")
    return took


class PageClient:
    """GETs pages over one kept-alive connection. ``http``: the standard library's
    ``http.client`` (the default); ``requests``: a ``requests.Session``, whose own work is
    ~1.5 ms of client CPU a 1,000-object page on this machine (5.5 ms against 3.9 for
    http.client, orjson's parse included), timed as the server's by a client-side clock."""

    def __init__(self, kind: str, headers: dict[str, str]) -> None:
        self.kind = kind
        self.headers = {**headers, "Accept": TAXII}
        self.session = _session(headers) if kind == "requests" else None
        self.connections: dict[str, http.client.HTTPConnection] = {}

    def get(self, url: str, params: dict[str, str | int]) -> tuple[bytes, dict[str, str]]:
        """The body and the headers (names in lower case) of a GET."""
        if self.session is not None:
            # The body read in one call: ``r.content`` reads it in 10 KiB chunks, ~4 ms of the
            # client's own time for a 550 KB page (measured: 49.6-52k obj/s that way against
            # 53-55k for the same server in the same run).
            r = self.session.get(
                url, params=params, headers={"Accept": TAXII}, timeout=36_000, stream=True
            )
            raw = r.raw.read()
            r.close()
            return raw, {k.lower(): v for k, v in r.headers.items()}
        parts = urllib.parse.urlsplit(url)
        connection = self.connections.get(parts.netloc)
        if connection is None:
            connection = http.client.HTTPConnection(parts.netloc, timeout=36_000)
            self.connections[parts.netloc] = connection
        connection.request(
            "GET", f"{parts.path}?{urllib.parse.urlencode(params)}", headers=self.headers
        )
        response = connection.getresponse()
        raw = response.read()
        if response.status != 200:
            raise SystemExit(f"GET {url} failed: {response.status} {raw[:300]!r}")
        return raw, {k.lower(): v for k, v in response.getheaders()}

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
        for connection in self.connections.values():
            connection.close()


def pages(client: PageClient, url: str, limit: int) -> Iterator[tuple[float, int]]:
    """(seconds, objects) per page, to the end."""
    params: dict[str, str | int] = {"limit": limit}
    while True:
        t0 = time.perf_counter()
        raw, headers = client.get(url, params)
        body = orjson.loads(raw)  # the same fast client parser for both servers
        yield time.perf_counter() - t0, len(body.get("objects", []))
        if not body.get("more"):
            return
        if "next" in body:
            params = {"limit": limit, "next": body["next"]}
        else:
            params = {"limit": limit, "added_after": headers["x-taxii-date-added-last"]}


def first_pages(client: PageClient, url: str, repeat: int) -> list[float]:
    return [next(pages(client, url, 1000))[0] for _ in range(repeat)]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def line(label: str, value: str) -> None:
    print(f"{label:<58} {value}", flush=True)


def run_liaison(
    url: str, n: int, repeat: int, title: str, passes: int = 1, client: str = "http"
) -> tuple[dict[str, float], list[dict], dict[str, str]]:
    cid, tokens, definitions, refs = liaison_setup(url, title)
    port = _free_port()
    server = start_liaison(url, port)
    results: dict[str, float] = {}
    try:
        base = f"http://127.0.0.1:{port}/taxii2/liaison/collections/{cid}/objects/"
        wait_up(requests.Session(), f"http://127.0.0.1:{port}/healthz")
        writer = _session({"Authorization": f"Bearer {tokens['officer']}"})
        post_all(writer, base, iter([definitions]))
        took = post_all(writer, base, generate(n, n, refs, BATCH))
        rate = n / sum(took)
        tail = took[-10:]
        tail_rate = min(BATCH * len(tail), n) / sum(tail)
        results["ingest"] = rate
        line(f"liaison N={n:>9,} POST ingest (envelopes of {BATCH:,})", f"{rate:,.0f} obj/s")
        line(
            f"liaison N={n:>9,} POST ingest, last {len(tail)} envelopes", f"{tail_rate:,.0f} obj/s"
        )
        analyze(url)
        for user in READERS:
            reader = PageClient(client, {"Authorization": f"Bearer {tokens[user]}"})
            firsts = first_pages(reader, base, repeat)
            results[f"first_p95_{user}"] = p95(firsts)
            line(
                f"liaison N={n:>9,} {user:<8} first page (limit 1000)",
                f"p50 {statistics.median(firsts) * 1000:7.1f} ms  p95 {p95(firsts) * 1000:7.1f} ms",
            )
            rates = []
            for k in range(passes):  # this machine's speed drifts by tens of % within minutes
                seconds = count = 0.0
                for s, c in pages(reader, base, 1000):
                    seconds += s
                    count += c
                rates.append(count / seconds)
                label = f"all pages ({int(count):,} objects)" + (
                    f", pass {k + 1}" if passes > 1 else ""
                )
                line(
                    f"liaison N={n:>9,} {user:<8} {label}",
                    f"{seconds:8.2f} s  {count / seconds:,.0f} obj/s",
                )
            results[f"paging_{user}"] = statistics.median(rates)
            if passes > 1:
                line(
                    f"liaison N={n:>9,} {user:<8} all pages, median of {passes} passes",
                    f"{statistics.median(rates):,.0f} obj/s",
                )
            reader.close()
        writer.close()
    finally:
        server.terminate()
        server.wait(30)
    return results, definitions, refs


def run_medallion(
    python: str,
    n: int,
    folder: Path,
    definitions: list[dict],
    refs: dict[str, str],
    page_client: str = "http",
) -> dict[str, float]:
    port = _free_port()
    server, cid = start_medallion(python, port, folder)
    results: dict[str, float] = {}
    try:
        client = _session({})
        client.auth = ("bench", "bench")
        wait_up(client, f"http://127.0.0.1:{port}/taxii2/")
        base = f"http://127.0.0.1:{port}/api1/collections/{cid}/objects/"
        objects = definitions + next(generate(n, n, refs, n))  # the same objects, one envelope
        took = post_all(client, base, iter([objects]))
        results["ingest"] = n / sum(took)
        line(f"medallion N={n:>7,} POST ingest (one envelope)", f"{n / sum(took):,.0f} obj/s")
        seconds = count = 0.0
        first = None
        basic = base64.b64encode(b"bench:bench").decode()
        reader = PageClient(page_client, {"Authorization": f"Basic {basic}"})
        for s, c in pages(reader, base, 1000):
            first = s if first is None else first
            seconds += s
            count += c
        results["first"] = first or 0.0
        results["paging"] = count / seconds
        line(f"medallion N={n:>7,} first page (limit 1000)", f"{(first or 0) * 1000:9.1f} ms")
        line(
            f"medallion N={n:>7,} all pages ({int(count):,} objects)",
            f"{seconds:8.2f} s  {count / seconds:,.0f} obj/s",
        )
        reader.close()
    finally:
        server.terminate()
        server.wait(30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--sizes", default="1000,10000", help="Sizes run on both servers.")
    parser.add_argument("--medallion-sizes", default="1000", help="Sizes medallion runs.")
    parser.add_argument("--big", type=int, default=0, help="One more Liaison-only size.")
    parser.add_argument("--repeat", type=int, default=20, help="First-page repeats.")
    parser.add_argument(
        "--passes", type=int, default=1, help="Full paging passes per reader (the median counts)."
    )
    parser.add_argument(
        "--medallion-python",
        default="/tmp/medallion-venv/bin/python",  # noqa: S108 - the throwaway venv, by design
        help="The interpreter of the virtualenv medallion 3.0.0 is installed in.",
    )
    parser.add_argument(
        "--client",
        choices=["http", "requests"],
        default="http",
        help="The paging client: http.client (lean) or requests (~1.5 ms more a page).",
    )
    args = parser.parse_args()
    # The client's own collector must not be timed as the server's: with the project's modules
    # imported, a full collection here takes ~100 ms, and one ran every ~100 pages (1 % of the
    # pages at 115 ms, a fifth of the paging time at 1M). Frozen, it walks only new objects.
    gc.collect()
    gc.freeze()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    medallion_sizes = {int(s) for s in args.medallion_sizes.split(",") if s}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in sizes:
            url = liaison_database(args.backend, folder)
            ours, definitions, refs = run_liaison(
                url, n, args.repeat, f"bench {n}", args.passes, args.client
            )
            if n in medallion_sizes:
                theirs = run_medallion(
                    args.medallion_python, n, folder, definitions, refs, args.client
                )
                line(
                    f"ratio N={n:,} first page, medallion / liaison (korea p95)",
                    f"{theirs['first'] / ours['first_p95_korea']:,.0f}x",
                )
                line(
                    f"ratio N={n:,} all pages obj/s, liaison (korea) / medallion",
                    f"{ours['paging_korea'] / theirs['paging']:,.0f}x",
                )
                line(
                    f"ratio N={n:,} ingest obj/s, liaison / medallion",
                    f"{ours['ingest'] / theirs['ingest']:.2f}x",
                )
        if args.big:
            url = liaison_database(args.backend, folder)
            run_liaison(url, args.big, args.repeat, f"bench {args.big}", args.passes, args.client)


if __name__ == "__main__":
    main()
