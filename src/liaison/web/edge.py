# SPDX-License-Identifier: Apache-2.0
"""What every request meets first (plain ASGI middleware, never buffering a body):

- ``ForwardedFor``: the client's address and scheme from ``X-Forwarded-For`` and
  ``X-Forwarded-Proto`` only when the peer is one of ``LIAISON_TRUSTED_PROXIES``; anyone else's
  headers are ignored (the login rate limit counts per address, so a forged header must not
  change it). ``liaison serve`` turns uvicorn's own proxy handling off, which trusted any
  loopback peer.
- ``BodyLimit``: a body larger than its limit is refused with 413 before it is read — at once
  when ``Content-Length`` says so, and otherwise as soon as the bytes received pass the limit,
  so a 60 MB JSON body is never held in memory. Paths whose endpoints enforce a larger limit
  of their own (uploads, TAXII) are given theirs.
- ``response_headers``: ``Cache-Control: no-store`` on every response but static files (pages
  and API answers carry marked material, and a shared cache must keep none), and HSTS over
  HTTPS.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Mapping
from http import HTTPStatus

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
HSTS = "max-age=31536000; includeSubDomains"
STATIC_PREFIX = "/static/"


def networks(spec: str) -> list[Network]:
    """``"10.0.0.1, 192.168.0.0/16"`` as networks; ``ValueError`` naming a bad entry."""
    found = []
    for part in (p.strip() for p in spec.split(",")):
        if part:
            try:
                found.append(ipaddress.ip_network(part, strict=False))
            except ValueError as exc:
                msg = f"LIAISON_TRUSTED_PROXIES: {part!r} is not an address or network"
                raise ValueError(msg) from exc
    return found


def _trusted(host: str | None, trusted: Iterable[Network]) -> bool:
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in net for net in trusted)


class ForwardedFor:
    def __init__(self, app: ASGIApp, trusted: list[Network]) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.trusted:
            client = scope.get("client")
            if client and _trusted(client[0], self.trusted):
                headers = Headers(scope=scope)
                hops = [h.strip() for h in headers.get("x-forwarded-for", "").split(",")]
                # the nearest hop that is not one of our proxies is the client
                for hop in reversed([h for h in hops if h]):
                    if not _trusted(hop, self.trusted):
                        scope["client"] = (hop[:64], 0)
                        break
                proto = headers.get("x-forwarded-proto", "").strip().lower()
                if proto in {"http", "https"}:
                    scope["scheme"] = proto
        await self.app(scope, receive, send)


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int, wider: Mapping[str, int | None]) -> None:
        self.app = app
        self.limit = limit
        self.wider = wider  # path prefix -> its own limit (None: the endpoint enforces one)

    def _limit_for(self, path: str) -> int | None:
        for prefix, limit in self.wider.items():
            if path.startswith(prefix):
                return limit
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope["path"])
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and over_limit(declared, limit):
            await _too_large(scope, send, limit)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # FastAPI passes an HTTPException through its body parsing untouched;
                    # the problem handler renders it.
                    raise HTTPException(413, _detail(limit))
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except HTTPException as exc:  # raised by ``counted`` outside FastAPI's handlers
            if exc.status_code != 413 or started:  # noqa: PLR2004 - the status it raised
                raise
            await _too_large(scope, send, limit)


def _detail(limit: int) -> str:
    return f"the request body exceeds {limit} bytes"


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": HTTPStatus.REQUEST_ENTITY_TOO_LARGE.phrase,
            "status": 413,
            "detail": _detail(limit),
            "instance": scope["path"],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def over_limit(declared: str, limit: int) -> bool:
    """A declared Content-Length that is no length or above ``limit``: decided on the text
    (a number of 5,000 digits is over any limit, and more than ``int()`` reads)."""
    return not (declared.isascii() and declared.isdecimal()) or (
        len(declared.lstrip("0")) > len(str(limit)) or int(declared) > limit
    )


def response_headers(scope: Scope, message: Message) -> None:
    """Add the caching and transport headers to a response's start message."""
    headers = MutableHeaders(scope=message)
    if not scope["path"].startswith(STATIC_PREFIX):
        headers["Cache-Control"] = "no-store"
    if scope.get("scheme") == "https":
        headers["Strict-Transport-Security"] = HSTS
