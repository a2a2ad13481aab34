"""Throughput under many clients: a real ``liaison serve`` driven by wrk at 16, 64 and 256
connections (a logged-in user alternating ``/`` and ``/api/v1/documents``), with uploads of a
DOCX bomb (152 KB inflating to 99 MiB) in flight all along and ``/healthz`` sampled every
250 ms. Prints requests/s, p50/p99, 5xx, socket errors and the slowest health check per level.

    .venv/bin/python bench/load.py --backend sqlite
    .venv/bin/python bench/load.py --backend postgresql --duration 15

Needs ``wrk`` (Debian's package). Builds its own database (var/load.sqlite3, or the
PostgreSQL database ``liaison_load``) with ``liaison init --demo``.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine

from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.identity.service import IdentityService
from liaison.security.principal import SYSTEM

ROOT = Path(__file__).resolve().parent.parent
LIAISON = Path(sys.executable).with_name("liaison")
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
URLS = {
    "sqlite": f"sqlite:///{ROOT / 'var' / 'load.sqlite3'}",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/liaison_load",
}
HOST = "127.0.0.1"
LUA = """
local paths = {"/", "/api/v1/documents"}
local n = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) server_errors = 0 end
function request()
  n = n + 1
  return wrk.format("GET", paths[n % 2 + 1])
end
function response(status, headers, body)
  if status >= 500 then server_errors = server_errors + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("server_errors") end
  io.write(string.format("5xx: %d\\n", total))
end
"""


def docx_bomb(mib: int = 99) -> bytes:
    """A DOCX whose word/document.xml inflates to ``mib`` MiB of empty paragraphs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Override PartName="/word/document.xml" ContentType="'
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
            '"/></Types>',
        )
        with archive.open("word/document.xml", "w", force_zip64=True) as xml:
            xml.write(
                b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
                b'2006/main"><w:body>'
            )
            block = b"<w:p/>" * (1024 * 1024 // 6)
            for _ in range(mib):
                xml.write(block)
            xml.write(b"</w:body></w:document>")
    return buffer.getvalue()


def prepare(backend: str) -> str:
    """A fresh database with the demo data; returns an officer's bearer token."""
    url = URLS[backend]
    if backend == "sqlite":
        path = ROOT / "var" / "load.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql('DROP DATABASE IF EXISTS "liaison_load" WITH (FORCE)')
            conn.exec_driver_sql('CREATE DATABASE "liaison_load"')
        admin.dispose()
    env = {**os.environ, "LIAISON_DATABASE_URL": url}
    init = [str(LIAISON), "init", "--demo"]
    subprocess.run(init, env=env, check=True, capture_output=True)  # noqa: S603 - our own CLI
    engine = build_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        token = IdentityService(session, SYSTEM).create_token(
            "officer", f"load-{time.time_ns()}", scopes={"read", "write"}
        )
    engine.dispose()
    return token.secret


@dataclass
class Sampler:
    """Calls ``send`` in a loop (with ``pause`` between) until stopped; keeps each answer's
    status and latency."""

    send: object
    pause: float
    results: list[tuple[int, float]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            began = time.perf_counter()
            try:
                status = self.send()  # type: ignore[operator]
            except OSError:
                status = 0
            self.results.append((status, time.perf_counter() - began))
            self.stop.wait(self.pause)


def get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def post_upload(port: int, token: str, data: bytes) -> int:
    boundary = "liaisonloadbench"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="marking"\r\n\r\n'
            f'NATO UNCLASSIFIED\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="bomb.docx"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    conn = http.client.HTTPConnection(HOST, port, timeout=300)
    try:
        conn.request(
            "POST",
            "/api/v1/documents",
            body=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def wait_ready(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("the server stopped; see var/load-server.log")
        try:
            if get(port, "/healthz") == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("the server did not answer /healthz")


def run_wrk(port: int, token: str, connections: int, duration: int, script: Path) -> dict:
    out = subprocess.run(  # noqa: S603 - fixed arguments
        [  # noqa: S607 - Debian's wrk on the PATH
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "30s",
            "--latency",
            "-s",
            str(script),
            "-H",
            f"Authorization: Bearer {token}",
            f"http://{HOST}:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        found = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if not found:
            return float("nan")
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
        return float(found.group(1)) * scale

    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "p50": ms("50%"),
        "p99": ms("99%"),
        "5xx": int(re.search(r"5xx: (\d+)", out).group(1)),  # type: ignore[union-attr]
        "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
        "non2xx": int(m.group(1))
        if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out))
        else 0,
    }


def main() -> None:  # noqa: PLR0915 - one run, told in order
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=sorted(URLS), default="sqlite")
    parser.add_argument("--connections", default="16,64,256")
    parser.add_argument("--duration", type=int, default=10, help="Seconds per level.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-upload", action="store_true", help="No DOCX bomb in flight.")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    token = prepare(args.backend)
    bomb = docx_bomb()
    env = {**os.environ, "LIAISON_DATABASE_URL": URLS[args.backend]}
    log = (ROOT / "var" / "load-server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own CLI
        [str(LIAISON), "serve", "--port", str(args.port)], env=env, stdout=log, stderr=log
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(LUA)
        script = Path(handle.name)
    rows = []
    try:
        wait_ready(args.port, server)
        run_wrk(args.port, token, 8, 2, script)  # warm up
        for connections in (int(c) for c in args.connections.split(",")):
            health = Sampler(lambda: get(args.port, "/healthz"), 0.25)
            uploads = Sampler(lambda: post_upload(args.port, token, bomb), 0.0)
            samplers = [health] if args.no_upload else [health, uploads]
            threads = [threading.Thread(target=s.run) for s in samplers]
            for thread in threads:
                thread.start()
            try:
                result = run_wrk(args.port, token, connections, args.duration, script)
            finally:
                for sampler in samplers:
                    sampler.stop.set()
                for thread in threads:
                    thread.join()
            result["connections"] = connections
            result["healthz_max"] = max(t for _, t in health.results)
            result["healthz_bad"] = sum(s != 200 for s, _ in health.results)
            result["uploads"] = len(uploads.results)
            result["upload_statuses"] = sorted({s for s, _ in uploads.results})
            rows.append(result)
            print(
                f"{connections:>4} conns: {result['rps']:8.1f} req/s  p50 {result['p50']:8.1f} ms"
                f"  p99 {result['p99']:8.1f} ms  5xx {result['5xx']}  socket errors "
                f"{result['socket_errors']}  /healthz max {result['healthz_max'] * 1000:.0f} ms"
                f" ({result['healthz_bad']} not 200)  uploads {result['uploads']} "
                f"{result['upload_statuses']}",
                flush=True,
            )
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        script.unlink()
    peak = max(r["rps"] for r in rows)
    print("\n| connections | req/s | of peak | p50 ms | p99 ms | 5xx | /healthz max ms |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['connections']} | {r['rps']:.1f} | {r['rps'] / peak:.0%} | {r['p50']:.0f} |"
            f" {r['p99']:.0f} | {r['5xx']} | {r['healthz_max'] * 1000:.0f} |"
        )


if __name__ == "__main__":
    main()
