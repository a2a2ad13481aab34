# SPDX-License-Identifier: Apache-2.0
"""Sharing errors: each says what is wrong in words a user can act on.

A collection, object or status the caller may not see is the same 404, with the same words,
as one that does not exist (``CollectionNotFound``, ``ObjectNotFound``, ``StatusNotFound``).
``NotPermitted`` is the 403 of a collection the caller sees but may not write (or read), and
of an object it reads but does not own (``security.writes``); ``BadRequest`` a malformed TAXII
request (a filter, a limit, a cursor).
"""

from __future__ import annotations

from liaison.errors import LiaisonError, NotFound


class CollectionNotFound(NotFound):
    def __init__(self, collection_id: str) -> None:
        super().__init__("no such collection")  # the same for hidden and missing
        self.collection_id = collection_id


class ObjectNotFound(NotFound):
    def __init__(self, stix_id: str) -> None:
        super().__init__("no such object in this collection")  # the same for hidden and missing
        self.stix_id = stix_id


class StatusNotFound(NotFound):
    def __init__(self, status_id: str) -> None:
        super().__init__("no such status")
        self.status_id = status_id


class NotPermitted(LiaisonError):
    status_code = 403
    title = "Forbidden"


class BadRequest(LiaisonError):
    """400 "Bad request" (``LiaisonError``'s own status and title)."""
