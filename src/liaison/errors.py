# SPDX-License-Identifier: Apache-2.0
"""Liaison's error tree. Every expected failure is a ``LiaisonError`` with a status code.

    LiaisonError (400)
    ├── Forbidden (403)         a permission or right is missing, on a record the caller reads
    ├── NotFound (404)          what does not exist, or what the caller may not see
    ├── Conflict (409)          duplicates, overlaps, a state that forbids the change
    └── InvalidInput (422)      a value that is well-formed but wrong (future date, unknown code)

Each surface renders them once: problem JSON for the API (RFC 9457), a form error on a page, a
one-line message and a non-zero exit code in the CLI. A 500 never echoes exception text.
"""

from __future__ import annotations

from typing import ClassVar


class LiaisonError(Exception):
    """An expected failure, safe to show to the caller."""

    status_code: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"
    headers: ClassVar[dict[str, str]] = {}  # response headers every surface adds (e.g. 401)

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def type_slug(self) -> str:
        return self.title.lower().replace(" ", "-")


class Forbidden(LiaisonError):
    """The caller lacks a permission or a right. Raised only for a record found readable, or
    for a write that names no record, so it reveals nothing hidden (hidden is ``NotFound``)."""

    status_code = 403
    title = "Forbidden"


class NotFound(LiaisonError):
    status_code = 404
    title = "Not found"


class Conflict(LiaisonError):
    status_code = 409
    title = "Conflict"


class InvalidInput(LiaisonError):
    status_code = 422
    title = "Invalid input"
