# SPDX-License-Identifier: Apache-2.0
"""Stateless keyset cursors for TAXII ``next``: opaque, authenticated, bound to the reader.

A cursor names the last row of the page served by the values its reader saw there —
``(date_added, STIX id, version)``, the page's sort key — never a row id (a row id counts the
rows everybody wrote, hidden ones included). It is encrypted with AES-SIV under a key derived
from the cursor key, with the endpoint, the collection, the filters and the user as associated
data: deterministic (the same position for the same reader and request gives the same token,
whatever else the store holds), unreadable, and refused (TAXII 400) when altered, forged, or
replayed by another user, on another collection or with other filters.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MAX_TOKEN = 1200  # an id of 300 characters and a version encrypt to ~450


class BadCursor(ValueError):
    """A ``next`` value this server did not issue for this request."""


@dataclass(frozen=True, slots=True)
class Position:
    date_added: dt.datetime
    stix_id: str
    version: str


@functools.lru_cache(maxsize=8)  # one cursor key per server: derive it once
def _cipher(key: bytes) -> AESSIV:
    return AESSIV(hashlib.sha512(b"liaison taxii cursor\n" + key).digest())


def encode(key: bytes, position: Position, scope: str) -> str:
    """The ``next`` token after ``position``; ``scope`` names endpoint, collection, filters
    and user."""
    micros = (position.date_added - _EPOCH) // dt.timedelta(microseconds=1)
    plain = f"{micros}\n{position.stix_id}\n{position.version}".encode()
    sealed = _cipher(key).encrypt(plain, [scope.encode()])
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def decode(key: bytes, token: str, scope: str) -> Position:
    """The position a token names, if this server issued it for ``scope``."""
    if len(token) > MAX_TOKEN or not token.isascii():
        raise BadCursor(token)
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        if base64.urlsafe_b64encode(sealed).rstrip(b"=").decode() != token:
            raise BadCursor(token)  # only the one spelling issued: no spare bits to vary
        plain = _cipher(key).decrypt(sealed, [scope.encode()])
        micros_text, stix_id, version = plain.decode().split("\n")
        when = _EPOCH + dt.timedelta(microseconds=int(micros_text))
    except (ValueError, binascii.Error, InvalidTag, UnicodeDecodeError, OverflowError):
        raise BadCursor(token) from None
    return Position(when, stix_id, version)
