# SPDX-License-Identifier: Apache-2.0
"""A fetch reaches public addresses only (no SSRF): a source's URL, a feed entry's link or a
redirect that leads to loopback, private, link-local or reserved addresses is refused before a
byte is sent, unless the operator named the host (``LIAISON_OSINT_PRIVATE_HOSTS``); and a
source that trickles its answer cannot hold the worker past the fetch's deadline."""

from __future__ import annotations

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from sqlalchemy import select

from liaison.db.session import session_factory, unit_of_work
from liaison.osint import ingest, jobs
from liaison.osint.errors import FetchFailed
from liaison.osint.models import Article, Source, SourceKind
from liaison.osint.service import OsintService
from liaison.security.principal import SYSTEM

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Outlet</title>
<item><title>Inside</title><link>{inside}</link><pubDate>Mon, 05 Jun 2023 10:00:00 GMT</pubDate></item>
</channel></rss>"""


class Handler(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []
    feed = ""

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        Handler.hits.append(self.path)
        if self.path == "/feed.xml":
            body = Handler.feed.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/secret":
            body = b"<html><title>Internal console</title><p>the password is hunter2</p></html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/to-secret":
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.2:{self.server.server_port}/secret")
            self.end_headers()
        elif self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(40):
                try:
                    self.wfile.write(b"x" * 8)
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.25)


@pytest.fixture
def server():
    Handler.hits = []
    httpd = ThreadingHTTPServer(("0.0.0.0", 0), Handler)  # noqa: S104 - 127.0.0.1 and .2 alike
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def public_only(monkeypatch):
    monkeypatch.setenv("LIAISON_OSINT_PRIVATE_HOSTS", "")
    ingest.allow_private([])


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/secret",
        "http://localhost:{port}/secret",
        "http://127.0.0.2:{port}/secret",
        "http://[::1]:{port}/secret",
        "http://10.1.2.3:{port}/secret",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0:{port}/secret",
    ],
)
def test_a_non_public_address_is_refused_before_connecting(server, public_only, url):
    with pytest.raises(FetchFailed, match="is not a public address"):
        ingest.fetch(url.format(port=server), rate=ingest.HostRate(0))
    assert Handler.hits == []


def test_a_closed_private_port_answers_as_an_open_one(server, public_only):
    """No port scan through the errors: the words do not depend on what listens."""
    rate = ingest.HostRate(0)
    with pytest.raises(FetchFailed) as open_port:
        ingest.fetch(f"http://127.0.0.1:{server}/", rate=rate)
    with pytest.raises(FetchFailed) as closed_port:
        ingest.fetch("http://127.0.0.1:9/", rate=rate)
    assert open_port.value.message.split(": ", 1)[1] == closed_port.value.message.split(": ", 1)[1]


def test_a_named_host_is_fetched_and_a_redirect_off_it_is_refused(server):
    """127.0.0.1 is named (conftest); a redirect to 127.0.0.2 is not."""
    rate = ingest.HostRate(0)
    assert b"hunter2" in ingest.fetch(f"http://127.0.0.1:{server}/secret", rate=rate).body
    with pytest.raises(FetchFailed, match=re.escape("127.0.0.2 is not a public address")):
        ingest.fetch(f"http://127.0.0.1:{server}/to-secret", rate=rate)
    assert Handler.hits == ["/secret", "/to-secret"]


def test_a_feed_entry_linking_inside_stores_nothing_of_it(engine, server, osint_models):
    Handler.feed = FEED.format(inside=f"http://127.0.0.2:{server}/secret")
    with unit_of_work(session_factory(engine)) as session:
        source = OsintService(session, SYSTEM).add_source(
            "outlet", SourceKind.FEED, f"http://127.0.0.1:{server}/feed.xml", "Outlet"
        )
        source_id = source.id
    result = jobs.poll(jobs.DirectContext(session_factory(engine)), {"min_interval": 0})
    assert (result["stored"], result["errors"]) == (0, 1)
    assert Handler.hits == ["/feed.xml"]
    with unit_of_work(session_factory(engine)) as session:
        assert session.scalars(select(Article)).all() == []
        error = session.get(Source, source_id).last_error
    assert "127.0.0.2 is not a public address" in error


def test_a_trickling_source_is_cut_at_the_deadline(server):
    with pytest.raises(FetchFailed, match="deadline"):
        ingest.fetch(
            f"http://127.0.0.1:{server}/slow",
            rate=ingest.HostRate(0),
            until=time.monotonic() + 1.0,
        )
