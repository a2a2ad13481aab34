# SPDX-License-Identifier: Apache-2.0
"""Stateless keyset cursors for TAXII ``next``: opaque, tamper-evident, bound to the reader.

A cursor names the last row of the page served — ``(date_added, row id)`` — and is signed
with HMAC-SHA256 over that position, the endpoint, the collection, the filters and the user.
The server keeps nothing; a cursor that was altered, forged, or replayed by another user, on
another collection or with other filters is refused (TAXII 400), never followed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class BadCursor(ValueError):
    """A ``next`` value this server did not issue for this request."""


@dataclass(frozen=True, slots=True)
class Position:
    date_added: dt.datetime
    row_id: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, payload: str, scope: str) -> str:
    mac = hmac.new(key, f"{scope}\n{payload}".encode(), hashlib.sha256).digest()
    return _b64(mac[:18])


def encode(key: bytes, position: Position, scope: str) -> str:
    """The ``next`` token after ``position``; ``scope`` names endpoint, collection, filters
    and user."""
    micros = (position.date_added - _EPOCH) // dt.timedelta(microseconds=1)
    payload = _b64(f"{micros}.{position.row_id}".encode())
    return f"{payload}.{_signature(key, payload, scope)}"


def decode(key: bytes, token: str, scope: str) -> Position:
    """The position a token names, if this server issued it for ``scope``."""
    if len(token) > 200 or token.count(".") != 1:  # noqa: PLR2004 - issued tokens are ~60
        raise BadCursor(token)
    payload, signature = token.split(".")
    if not hmac.compare_digest(signature, _signature(key, payload, scope)):
        raise BadCursor(token)
    try:
        micros_text, _, row_text = _unb64(payload).decode().partition(".")
        micros, row_id = int(micros_text), int(row_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor(token) from None
    when = _EPOCH + dt.timedelta(microseconds=micros)
    return Position(when, row_id)
