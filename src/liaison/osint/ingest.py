# SPDX-License-Identifier: Apache-2.0
"""Open sources into articles: files (.txt, .html, .pdf), web pages and RSS/Atom feeds.

Invariants:
- nothing here touches the database: it turns bytes into ``Parsed`` articles, so a service
  runs it before (never inside) a transaction;
- every fetch has a timeout per socket operation and a deadline for the whole fetch
  (``DEADLINE``: a source that trickles bytes cannot hold a worker), a size cap
  (``MAX_BYTES``: the body is read in chunks and dropped past it), at most ``MAX_REDIRECTS``
  redirects, a per-host minimum interval (``HostRate``) and a conditional GET (ETag,
  Last-Modified): a 304 is "nothing new";
- a fetch connects only to public addresses: the address the socket actually reached is
  checked (after DNS, on every redirect, so neither a feed's links, a redirect nor a
  rebinding name reaches loopback, private, link-local or reserved addresses), unless the
  operator named the host in ``LIAISON_OSINT_PRIVATE_HOSTS`` (``allow_private``); no proxy
  from the environment is used;
- HTML's main text, title, author, date and canonical URL come from trafilatura; PDF text
  from the documents extractor; text files may start with ``Key: value`` header lines
  (Title, Outlet, Date, URL, Author) and a blank line;
- an article's identity is its canonical URL (scheme and host lower-cased, no fragment, no
  ``utm_*``, no trailing slash) and the SHA-256 of its normalised text (``content_hash``);
- a bad input (not a feed, too large, a redirect loop, an unknown encoding) is a
  ``FetchFailed``/``UnreadableArticle`` naming the source, never a traceback.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import re
import socket
import threading
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any

from liaison.documents.errors import TooLarge, UnreadableFile, UnsupportedType
from liaison.documents.extract import clean_text, extract
from liaison.osint import dates
from liaison.osint.errors import FetchFailed, UnreadableArticle

MAX_BYTES = 5 * 1024 * 1024  # a page or feed larger than this is refused
TIMEOUT = 10.0  # seconds per socket operation
DEADLINE = 60.0  # seconds for one fetch, redirects and body included
MAX_REDIRECTS = 5
MIN_INTERVAL = 1.0  # seconds between two requests to one host
USER_AGENT = "Liaison-OSINT/0.1 (+offline analysis; respects ETag and Last-Modified)"
FILE_TYPES = (".txt", ".html", ".htm", ".pdf")
_HEADER = re.compile(r"^(title|outlet|date|published|url|author)\s*:\s*(.*)$", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|mc_)", re.IGNORECASE)


@dataclass(slots=True)
class Parsed:
    title: str
    text: str
    outlet: str | None = None
    url: str | None = None
    canonical_url: str | None = None
    author: str | None = None
    published: dates.Interval | None = None

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)


@dataclass(slots=True)
class Fetched:
    status: int  # 200, or 304 (not modified)
    body: bytes
    url: str  # after redirects
    content_type: str
    etag: str | None
    last_modified: str | None


def normalise(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise(text).encode()).hexdigest()


def canonical_url(url: str | None) -> str | None:
    """One spelling of an article's address (None when it is not an http(s) URL)."""
    if not url:
        return None
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if parts.port and parts.port not in {80, 443}:
        host = f"{host}:{parts.port}"
    query = urllib.parse.urlencode(
        sorted(
            (k, v)
            for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k)
        )
    )
    path = parts.path.rstrip("/") or "/"
    return urllib.parse.urlunsplit((parts.scheme.lower(), host, path, query, ""))


# files ------------------------------------------------------------------------------------
def parse_file(name: str, data: bytes) -> Parsed:
    """One article from one file; the type from its extension."""
    suffix = Path(name).suffix.lower()
    if suffix not in FILE_TYPES:
        raise UnreadableArticle(
            f"{name}: cannot read a {suffix or 'extensionless'} file; use .txt, .html or .pdf"
        )
    if len(data) > MAX_BYTES:
        raise UnreadableArticle(f"{name}: larger than {MAX_BYTES // (1024 * 1024)} MiB")
    if suffix in {".html", ".htm"}:
        return parse_html(decode(data, name), None, name)
    if suffix == ".pdf":
        try:
            text = extract(data, name, "application/pdf").text
        except (UnreadableFile, UnsupportedType, TooLarge) as exc:
            raise UnreadableArticle(f"{name}: {exc.message}") from None
        return _from_text(text, name)
    return _from_text(decode(data, name), name)


def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), else what an HTML/XML declaration names; else refused."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = re.search(rb"""charset=["']?([A-Za-z0-9_\-]{2,40})""", data[:2048])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    raise UnreadableArticle(f"{name}: not UTF-8 and no valid charset declared; save it as UTF-8")


def _from_text(raw: str, name: str) -> Parsed:
    text, _ = clean_text(raw)
    lines = text.splitlines()
    headers: dict[str, str] = {}
    index = 0
    while index < len(lines) and (m := _HEADER.match(lines[index].strip())):
        headers[m.group(1).lower()] = m.group(2).strip()
        index += 1
    body = "\n".join(lines[index:]).strip()
    if not headers.get("title"):
        first, _, rest = body.partition("\n")
        headers["title"], body = first.strip(), rest.strip() or first.strip()
    if not body:
        raise UnreadableArticle(f"{name}: the file holds no text")
    when = headers.get("date") or headers.get("published")
    return Parsed(
        title=headers["title"][:500] or Path(name).stem,
        text=body,
        outlet=headers.get("outlet"),
        url=headers.get("url"),
        canonical_url=canonical_url(headers.get("url")),
        author=headers.get("author"),
        published=dates.parse_published(when) if when else None,
    )


def parse_html(html: str, url: str | None, name: str = "page") -> Parsed:
    """Main text and metadata of a page (trafilatura): boilerplate, navigation, comments out."""
    import trafilatura  # noqa: PLC0415 - slow import (lxml, courlan), only when HTML comes
    from trafilatura.settings import Document  # noqa: PLC0415

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, favor_precision=True
    )
    if not isinstance(doc, Document) or not (doc.text or "").strip():
        raise UnreadableArticle(f"{name}: no article text found in the page")
    text, _ = clean_text(doc.text or "")
    source = doc.url or url
    return Parsed(
        title=(doc.title or text.split("\n", 1)[0])[:500],
        text=text,
        outlet=doc.sitename or None,
        url=url or source,
        canonical_url=canonical_url(source),
        author=doc.author or None,
        published=dates.parse_published(doc.date) if doc.date else None,
    )


# network ----------------------------------------------------------------------------------
class HostRate:
    """At most one request per host every ``interval`` seconds, across this process."""

    def __init__(self, interval: float = MIN_INTERVAL) -> None:
        self.interval = interval
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, url: str) -> None:
        host = urllib.parse.urlsplit(url).netloc.lower()
        with self._lock:
            now = time.monotonic()
            ready = self._last.get(host, -float("inf")) + self.interval
            self._last[host] = max(now, ready)
        if ready > now:
            time.sleep(ready - now)


RATE = HostRate()


_private_hosts: frozenset[str] = frozenset()


def allow_private(hosts: Iterable[str]) -> None:
    """Let fetches reach these hosts (names or addresses, as written in a source's URL) even
    though they are not public: an intranet feed the operator chose (``Settings.
    osint_private_hosts``). Every other non-public address is refused."""
    global _private_hosts  # noqa: PLW0603 - one process-wide setting, set at start-up
    _private_hosts = frozenset(h.strip().lower() for h in hosts if h.strip())


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


_DEFAULT_TIMEOUT = getattr(socket, "_GLOBAL_DEFAULT_TIMEOUT", None)


def _guarded_connection(
    host: str,
) -> Any:  # noqa: ANN401 - the signature of socket.create_connection
    """``socket.create_connection`` for ``host`` that resolves the name once, refuses it if any
    address is not public (before connecting: a closed private port answers as an open one),
    and connects to the very addresses it checked (a rebinding name gains nothing)."""

    def create(
        address: tuple[str, int],
        timeout: Any = _DEFAULT_TIMEOUT,  # noqa: ANN401
        source_address: tuple[str, int] | None = None,
        **_: Any,  # noqa: ANN401
    ) -> socket.socket:
        infos = socket.getaddrinfo(address[0], address[1], type=socket.SOCK_STREAM)
        if host.lower() not in _private_hosts and not all(_public(str(i[4][0])) for i in infos):
            msg = f"{host} is not a public address; only public sources are fetched"
            raise _Refused(msg)
        failure: OSError = OSError(f"{host}: no address")
        for family, kind, proto, _name, sockaddr in infos:
            sock = socket.socket(family, kind, proto)
            try:
                if timeout is not _DEFAULT_TIMEOUT:
                    sock.settimeout(timeout)
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
            except OSError as exc:
                sock.close()
                failure = exc
                continue
            return sock
        raise failure

    return create


class _Refused(OSError):
    """A connection to a non-public address, refused before a byte was sent."""


class _GuardedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(host, *args, **kwargs)
        self._create_connection = _guarded_connection(self.host)


class _GuardedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(host, *args, **kwargs)
        self._create_connection = _guarded_connection(self.host)


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTP, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPS, req, context=self._context)  # type: ignore[attr-defined]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401, ARG002
        return None


_OPENER = urllib.request.build_opener(
    urllib.request.ProxyHandler({}), _HTTPHandler, _HTTPSHandler, _NoRedirect
)


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    rate: HostRate = RATE,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT,
    until: float | None = None,
) -> Fetched:
    """GET ``url`` with the guards of the module docstring; redirects followed by hand.
    ``until``: a ``time.monotonic()`` instant the whole fetch must end by (default: now +
    ``DEADLINE``; a poll passes its own, earlier one)."""
    seen: set[str] = set()
    current = url
    end = min(until, time.monotonic() + DEADLINE) if until else time.monotonic() + DEADLINE
    for _ in range(MAX_REDIRECTS + 1):
        if urllib.parse.urlsplit(current).scheme not in {"http", "https"}:
            raise FetchFailed(f"{current}: only http and https addresses are fetched")
        if current in seen:
            raise FetchFailed(f"{url}: redirect loop at {current}")
        seen.add(current)
        rate.wait(current)
        request = urllib.request.Request(current, headers={"User-Agent": USER_AGENT})  # noqa: S310 - scheme checked above
        if etag:
            request.add_header("If-None-Match", etag)
        if last_modified:
            request.add_header("If-Modified-Since", last_modified)
        left = end - time.monotonic()
        if left <= 0:
            raise FetchFailed(f"{current}: no answer within the fetch's deadline")
        try:
            with _OPENER.open(request, timeout=min(timeout, left)) as response:
                return _read(response, current, max_bytes, end)
        except urllib.error.HTTPError as exc:
            if exc.code == 304:  # noqa: PLR2004
                return Fetched(304, b"", current, "", etag, last_modified)
            location = (
                exc.headers.get("Location") if exc.code in {301, 302, 303, 307, 308} else None
            )
            if location:
                current = urllib.parse.urljoin(current, location)
                continue
            raise FetchFailed(f"{current}: HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FetchFailed(f"{current}: cannot fetch ({reason})") from None
    raise FetchFailed(f"{url}: more than {MAX_REDIRECTS} redirects")


def _read(response: Any, url: str, max_bytes: int, end: float) -> Fetched:  # noqa: ANN401 - an http.client response
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchFailed(f"{url}: {int(declared)} bytes, more than the {max_bytes}-byte cap")
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read1(65536):
        if time.monotonic() > end:
            raise FetchFailed(f"{url}: not received within the fetch's deadline")
        size += len(chunk)
        if size > max_bytes:
            raise FetchFailed(f"{url}: more than the {max_bytes}-byte cap")
        chunks.append(chunk)
    return Fetched(
        200,
        b"".join(chunks),
        url,
        response.headers.get("Content-Type", ""),
        response.headers.get("ETag"),
        response.headers.get("Last-Modified"),
    )


@dataclass(slots=True)
class FeedItems:
    items: list[Parsed] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_feed(body: bytes, url: str) -> list[dict[str, Any]]:
    """The entries of an RSS or Atom document; anything else is a ``FetchFailed``."""
    import feedparser  # noqa: PLC0415 - only when polling

    if not body.lstrip()[:1] == b"<":
        raise FetchFailed(f"{url}: not a feed (not XML)")
    parsed = feedparser.parse(body)
    if not parsed.get("version") and (parsed.get("bozo") or not parsed.entries):
        raise FetchFailed(f"{url}: not an RSS or Atom feed")
    entries: list[dict[str, Any]] = parsed.entries
    return entries


def entry_article(entry: dict[str, Any], outlet: str) -> Parsed | None:
    """An article from a feed entry's own content or summary (None when it has no text)."""
    contents = entry.get("content") or []
    html = contents[0].get("value", "") if contents else entry.get("summary", "")
    if not html.strip():
        return None
    text = parse_fragment(html)
    if not text:
        return None
    link = entry.get("link")
    published = None
    if stamp := entry.get("published_parsed") or entry.get("updated_parsed"):
        day = f"{stamp.tm_year:04d}-{stamp.tm_mon:02d}-{stamp.tm_mday:02d}"
        published = dates.parse_published(day)
    return Parsed(
        title=(entry.get("title") or text[:80])[:500],
        text=text,
        outlet=outlet,
        url=link,
        canonical_url=canonical_url(link),
        author=entry.get("author"),
        published=published,
    )


def parse_fragment(html: str) -> str:
    """Plain text of a feed entry's HTML fragment."""
    from lxml import html as lxml_html  # noqa: PLC0415 - trafilatura's dependency

    if "<" not in html:
        return clean_text(html)[0]
    try:
        root = lxml_html.fromstring(f"<div>{html}</div>")
    except (ValueError, TypeError):
        return ""
    parts = [p.text_content().strip() for p in root.iter("p")] or [root.text_content()]
    return clean_text("\n\n".join(p for p in parts if p))[0]


def http_date(epoch: float) -> str:
    return formatdate(epoch, usegmt=True)
