# SPDX-License-Identifier: Apache-2.0
"""Registry errors: each says what is wrong with the input in words a user can act on."""

from __future__ import annotations

from liaison.errors import Conflict, InvalidInput, NotFound


class UnknownCountry(InvalidInput):
    def __init__(self, ref: str, *, field: str = "country") -> None:
        super().__init__(
            f"unknown country {ref!r}: give an ISO 3166 alpha-3 or alpha-2 code or a known name",
            field=field,
        )


class FutureDate(InvalidInput):
    def __init__(self, field: str, value: object) -> None:
        super().__init__(f"{field} {value} is in the future", field=field)


class Duplicate(Conflict):
    pass


class OverlappingMandate(Conflict):
    pass


class BadTransition(Conflict):
    pass


class NotAnAlly(NotFound):
    def __init__(self, ref: str) -> None:
        super().__init__(f"no ally {ref!r}", field="ally")


class NotAPartner(NotFound):
    def __init__(self, ref: str, hint: str = "") -> None:
        super().__init__(f"no partner {ref!r}{hint}", field="partner")
