# SPDX-License-Identifier: Apache-2.0
"""Polling feeds and pages served by a local HTTP server on 127.0.0.1: RSS and Atom, a page
behind a feed entry, conditional GET (ETag), and bad input on one source each — a feed that
is not XML, a 50 MB page, a redirect loop — which is a clear error on that source while the
others are stored. Also: the models (spaCy and MiniLM) load and run with every socket refused."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from fpdf import FPDF
from osint_helpers import CORPUS
from sqlalchemy import func, select
from typer.testing import CliRunner

from liaison.cli.main import app
from liaison.db.session import session_factory, unit_of_work
from liaison.jobs import Worker, get_job
from liaison.osint import dates, extract, ingest, jobs
from liaison.osint.errors import FetchFailed, UnreadableArticle
from liaison.osint.models import Article, Event, Source, SourceKind
from liaison.osint.service import OsintService
from liaison.security.principal import SYSTEM


def _body(stem: str) -> str:
    return ingest.parse_file(f"{stem}.txt", (CORPUS / f"{stem}.txt").read_bytes()).text


RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Ledger</title><link>http://x/</link><description>d</description>
<item><title>Asia-Pacific leaders to join NATO summit in Vilnius</title>
<link>https://northern-ledger.example/world/2023/05/ap4-vilnius</link>
<pubDate>Thu, 25 May 2023 08:00:00 GMT</pubDate>
<description><![CDATA[{"".join(f"<p>{p}</p>" for p in _body("a1_ledger_vilnius").split(chr(10)) if p)}]]></description></item>
<item><title>NATO prepares Lithuania summit</title>
<link>https://balticwire.example/news/nato-lithuania-summit</link>
<pubDate>Fri, 26 May 2023 08:00:00 GMT</pubDate>
<description><![CDATA[{"".join(f"<p>{p}</p>" for p in _body("a2_wire_june").split(chr(10)) if p)}]]></description></item>
</channel></rss>""".encode()

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Meridian</title><id>urn:x</id>
<updated>2024-03-09T08:00:00Z</updated>
<entry><title>Sweden ends two centuries of non-alignment</title><id>urn:y</id>
<link href="http://127.0.0.1:PORT/page.html"/><updated>2024-03-09T08:00:00Z</updated></entry>
</feed>"""


JULY = b"""<html><head><title>Vilnius summit dates set</title>
<meta property="article:published_time" content="2023-05-25T08:00:00Z">
<link rel="canonical" href="https://baltic-wire.example/news/vilnius-july"></head>
<body><article><h1>Vilnius summit dates set</h1>
<p>The NATO summit in Vilnius will take place on July 11 and 12, officials said on Thursday.
The summit will be the first since Finland joined the alliance, and Japan, Australia, South Korea
and New Zealand have been invited to attend as partners.</p>
<p>Diplomats said the agenda would cover support for Ukraine, defence spending and the
partnership with the Indo-Pacific, and that the final communique was still being negotiated.</p>
</article></body></html>"""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    hits: ClassVar[list[str]] = []

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status, body=b"", ctype="text/html", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if body is not None:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):
        Handler.hits.append(self.path)
        port = self.server.server_address[1]
        if self.path == "/feed.xml":
            if self.headers.get("If-None-Match") == '"v1"':
                self._send(304, b"")
                return
            self._send(200, RSS, "application/rss+xml", {"ETag": '"v1"'})
        elif self.path == "/atom.xml":
            self._send(200, ATOM.replace(b"PORT", str(port).encode()), "application/atom+xml")
        elif self.path == "/page.html":
            self._send(200, (CORPUS / "g3_meridian_sweden.html").read_bytes())
        elif self.path == "/notxml":
            self._send(200, b"this is not a feed, it is prose", "text/plain")
        elif self.path == "/big":  # 50 MB, no Content-Length: streamed until the cap stops it
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            chunk = b"<p>" + b"x" * 65_530 + b"</p>\n"
            try:
                for _ in range(50 * 1024 * 1024 // len(chunk)):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                return
        elif self.path == "/klingon":  # cp1252 bytes under a charset nobody knows
            body = (
                b'<html><head><meta charset="x-klingon"><title>Caf\xe9</title></head><body>'
                b"<article><p>" + b"Un caf\xe9 \xe0 Bruxelles, pr\xe8s du si\xe8ge. " * 40
            ) + b"</p></article></body></html>"
            self._send(200, body, "text/html; charset=x-klingon")
        elif self.path == "/july.html":
            self._send(200, JULY)
        elif self.path in {"/loop", "/loop2"}:
            self._send(
                302, b"", headers={"Location": "/loop2" if self.path == "/loop" else "/loop"}
            )
        else:
            self._send(404, b"no")


@pytest.fixture
def server():
    Handler.hits = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def add_sources(engine, base):
    specs = [
        ("ledger", SourceKind.FEED, "/feed.xml"),
        ("meridian", SourceKind.FEED, "/atom.xml"),
        ("prose", SourceKind.FEED, "/notxml"),
        ("huge", SourceKind.PAGE, "/big"),
        ("loop", SourceKind.PAGE, "/loop"),
    ]
    with unit_of_work(session_factory(engine)) as session:
        service = OsintService(session, SYSTEM)
        return {
            name: service.add_source(name, kind, base + path, name.title()).id
            for name, kind, path in specs
        }


def sources_by_name(engine):
    with unit_of_work(session_factory(engine)) as session:
        rows = session.scalars(select(Source)).all()
        session.expunge_all()
    return {s.name: s for s in rows}


def test_poll_stores_feeds_and_pages_and_reports_bad_sources(engine, server, osint_models):
    add_sources(engine, server)
    ctx = jobs.DirectContext(session_factory(engine))
    result = jobs.poll(ctx, {"min_interval": 0})
    assert result["sources"] == 5
    assert result["stored"] == 3
    assert result["errors"] == 3
    found = sources_by_name(engine)
    assert found["ledger"].last_error is None
    assert found["ledger"].etag == '"v1"'
    assert found["meridian"].last_error is None
    assert "not a feed" in found["prose"].last_error
    assert "byte cap" in found["huge"].last_error
    assert "redirect loop" in found["loop"].last_error
    with unit_of_work(session_factory(engine)) as session:
        articles = {a.title: a for a in session.scalars(select(Article))}
        assert set(articles) == {
            "Asia-Pacific leaders to join NATO summit in Vilnius",
            "NATO prepares Lithuania summit",
            "Sweden ends two centuries of non-alignment",
        }
        sweden = articles["Sweden ends two centuries of non-alignment"]
        assert sweden.canonical_url == "https://meridian-post.example/europe/sweden-non-alignment"
        assert "cookies" not in sweden.text
        summit = articles["NATO prepares Lithuania summit"]
        assert summit.published_on.isoformat() == "2023-05-26"
        assert (
            summit.story_id
            == articles["Asia-Pacific leaders to join NATO summit in Vilnius"].story_id
        )

    # polled again: the feed answers 304 to its ETag, nothing is stored twice
    again = jobs.poll(
        ctx, {"min_interval": 0, "source_ids": [found["ledger"].id, found["meridian"].id]}
    )
    assert again["stored"] == 0
    assert again["errors"] == 0
    with unit_of_work(session_factory(engine)) as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 3


def test_fetch_guards(server):
    rate = ingest.HostRate(0)
    with pytest.raises(FetchFailed, match="redirect loop"):
        ingest.fetch(server + "/loop", rate=rate)
    with pytest.raises(FetchFailed, match="byte cap"):
        ingest.fetch(server + "/big", rate=rate)
    with pytest.raises(FetchFailed, match="HTTP 404"):
        ingest.fetch(server + "/nothing", rate=rate)
    with pytest.raises(FetchFailed, match="only http"):
        ingest.fetch("file:///etc/passwd", rate=rate)
    assert ingest.fetch(server + "/feed.xml", etag='"v1"', rate=rate).status == 304


def test_host_rate_spaces_requests_to_one_host(monkeypatch):
    slept = []
    clock = iter([100.0, 100.0, 100.0])
    monkeypatch.setattr(ingest.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(ingest.time, "sleep", slept.append)
    rate = ingest.HostRate(2.0)
    rate.wait("http://a.example/1")
    rate.wait("http://a.example/2")
    rate.wait("http://b.example/1")
    assert slept == [2.0]


def test_bad_files_are_clear_errors():
    with pytest.raises(UnreadableArticle, match="not UTF-8"):
        ingest.parse_file(
            "latin.txt", "Title: Caf\xe9\n\nUn caf\xe9 \xe0 Bruxelles".encode("cp1252")
        )
    with pytest.raises(UnreadableArticle, match=r"cannot read a \.docx"):
        ingest.parse_file("a.docx", b"PK")
    with pytest.raises(UnreadableArticle, match="not one"):
        ingest.parse_file("a.pdf", b"not a pdf")
    declared = (
        b'<html><head><meta charset="iso-8859-1"></head><body><article><p>'
        + "Caf\xe9 in Br\xfcssel. ".encode("latin-1") * 20
        + b"</p></article></body></html>"
    )
    assert "Café" in ingest.parse_file("a.html", declared).text


def test_canonical_url():
    assert (
        ingest.canonical_url("HTTPS://Example.ORG:443/a/b/?utm_source=x&b=2&a=1#frag")
        == "https://example.org/a/b?a=1&b=2"
    )
    assert ingest.canonical_url("ftp://example.org/x") is None


def test_a_pdf_article_goes_through_the_documents_extractor():
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, "Title line of the PDF\nNATO leaders met in Vilnius on 11-12 July 2023.")
    parsed = ingest.parse_file("report.pdf", bytes(pdf.output()))
    assert parsed.title == "Title line of the PDF"
    assert "Vilnius" in parsed.text


NO_NETWORK = r"""
import socket
def refuse(*a, **k):
    raise OSError("network refused in this test")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from liaison.osint import extract, disarm, dates
x = extract.Extractor(extract.Terms(extract.registry_patterns(["Lithuania"], []), lambda n: None))
found = x.extract("NATO leaders will meet at the summit in Vilnius on 11-12 July.", dates.parse_published("2023-05-25"))
assert found.events[0].interval.text() == "2023-07-11..2023-07-12", found
assert disarm.suggest("a forged letter was reposted by bots")
from liaison.osint import embed, stories
vectors = embed.embed(["NATO summit in Vilnius on 11-12 July", "Allied leaders meet in Lithuania", "Heavy rain floods the river valley"])
assert vectors.shape == (3, embed.DIMENSIONS)
assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.2
decisions = stories.group([
    stories.Item(1, "Leaders of Japan and Australia will attend the NATO summit in Vilnius.", "AP4 leaders to attend NATO summit in Vilnius", frozenset({"NATO", "Vilnius", "Japan"}), None),
    stories.Item(2, "Japan and Australia will join the NATO summit in Lithuania's capital.", "Asia-Pacific leaders head to Vilnius summit", frozenset({"NATO", "Vilnius", "Japan"}), None),
])
assert decisions[1].story == 1 and "embedding similarity" in decisions[1].reason, decisions
print("offline ok")
"""


def test_models_load_and_run_with_every_socket_refused():
    result = subprocess.run(
        [sys.executable, "-c", NO_NETWORK], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "offline ok" in result.stdout


def test_files_in_a_folder_through_the_cli(db_url, tmp_path, monkeypatch, osint_models):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("e1_ledger_marles_visit.txt", "e2_gazette_marles_visit.txt"):
        (folder / name).write_bytes((CORPUS / name).read_bytes())
    (folder / "broken.txt").write_bytes(b"\xff\xfe\x00bad")
    (folder / "ignored.docx").write_bytes(b"x")
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    runner = CliRunner()
    result = runner.invoke(app, ["osint", "import", str(folder), "--as", "officer"])
    assert result.exit_code == 0, result.output
    assert "2 articles imported, 0 duplicates, 1 unreadable" in result.output
    again = runner.invoke(app, ["osint", "import", str(folder), "--as", "officer"])
    assert "0 articles imported, 2 duplicates" in again.output
    denied = runner.invoke(app, ["osint", "import", str(folder), "--as", "analyst"])
    assert denied.exit_code == 2
    assert "osint:source:manage" in denied.output
    listed = runner.invoke(app, ["osint", "stories", "--as", "korea", "--format", "json"])
    assert listed.exit_code == 0
    assert '"contradictions": 1' in listed.output
    assert Path(folder).exists()


def test_the_api_queues_a_poll_for_a_source_manager(client, auth):
    assert client.post("/api/v1/osint/poll", headers=auth("japan")).status_code == 403
    assert client.post("/api/v1/osint/poll").status_code == 401
    queued = client.post("/api/v1/osint/poll", headers=auth("officer"))
    assert queued.status_code == 202
    assert isinstance(queued.json()["job_id"], int)


def test_a_queued_poll_runs_on_the_job_queue_and_schedules_the_next(engine, server, osint_models):
    # no app here: its in-process worker (SQLite) would race this test's worker for the job
    add_sources(engine, server)
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        job_id = jobs.schedule_poll(session, SYSTEM, payload={"min_interval": 0})
    assert Worker(factory).run_once()
    with unit_of_work(factory) as session:
        view = get_job(session, job_id)
        assert view.state.value == "done", view.error
        assert view.result["stored"] == 3
        assert view.result["errors"] == 3
        following = get_job(session, view.result["next_poll_job"])
        assert following.kind == "osint.poll"
        assert following.state.value == "queued"
        assert session.scalar(select(func.count()).select_from(Article)) == 3


def test_the_cli_queues_a_poll(db_url, monkeypatch):
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    result = CliRunner().invoke(app, ["osint", "poll", "--queue", "--as", "officer"])
    assert result.exit_code == 0, result.output
    assert "poll queued as job" in result.output


def test_a_page_in_an_unknown_encoding_is_an_error_and_a_two_day_date_is_read(
    engine, server, osint_models
):
    """Over HTTP on 127.0.0.1: a page whose bytes are neither UTF-8 nor in the charset it
    names is a clear error on its source; "July 11 and 12" on another page is the two days
    of July 2023 (dateparser alone reads the 12 as the year), and that page is stored."""
    with unit_of_work(session_factory(engine)) as session:
        service = OsintService(session, SYSTEM)
        klingon = service.add_source("klingon", SourceKind.PAGE, server + "/klingon", "K").id
        july = service.add_source("july", SourceKind.PAGE, server + "/july.html", "Wire").id
    result = jobs.poll(jobs.DirectContext(session_factory(engine)), {"min_interval": 0})
    assert (result["sources"], result["stored"], result["errors"]) == (2, 1, 1)
    found = sources_by_name(engine)
    assert "not UTF-8 and no valid charset declared" in found["klingon"].last_error
    assert found["july"].last_error is None
    with unit_of_work(session_factory(engine)) as session:
        article = session.scalars(select(Article)).one()
        assert article.source_id == july != klingon
        assert article.published_on.isoformat() == "2023-05-25"
        events = session.scalars(select(Event).where(Event.article_id == article.id)).all()
        assert [
            (e.kind, e.date_start.isoformat(), e.date_end.isoformat(), e.granularity.value)
            for e in events
        ] == [("summit", "2023-07-11", "2023-07-12", "day")]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("July 11 and 12", ("2023-07-11", "2023-07-12", "day")),
        ("11 and 12 July", ("2023-07-11", "2023-07-12", "day")),
        ("11-12 July", ("2023-07-11", "2023-07-12", "day")),
        ("in June", ("2023-06-01", "2023-06-30", "month")),
    ],
)
def test_date_phrases_are_intervals_at_their_granularity(text, want):
    found = dates.parse_interval(text, dt.date(2023, 5, 25))
    assert (found.start.isoformat(), found.end.isoformat(), found.granularity) == want


def test_the_parser_gets_at_most_max_parsed_characters_of_an_article():
    huge = (
        "\n".join(f"On {d} May 2023 the allies said {d} nations met." for d in range(1, 29)) * 200
    )
    kept = extract.focus(huge)
    assert len(kept) == extract.MAX_PARSED
    assert kept.startswith("On 1 May 2023 the allies said 1 nations met.")
