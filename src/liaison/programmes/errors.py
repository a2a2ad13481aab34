# SPDX-License-Identifier: Apache-2.0
"""Programme errors, each in words a user can act on.

A programme (or an element of one) the caller may not read is a ``NotFound`` with the same
words as one that does not exist.
"""

from __future__ import annotations

from liaison.errors import Conflict, InvalidInput, NotFound


class ProgrammeNotFound(NotFound):
    def __init__(self, ref: object) -> None:
        super().__init__(f"no programme {ref}")


class ElementNotFound(NotFound):
    def __init__(self, what: str, ident: object) -> None:
        super().__init__(f"no {what} {ident} in this programme")


class IllegalTransition(Conflict):
    """A lifecycle change the rules forbid; the message says why."""


class NotEditable(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(
            f"the wording can change only while the programme is a draft or under negotiation; "
            f"it is {status}"
        )


class UnknownArea(InvalidInput):
    def __init__(self, code: str, known: list[str]) -> None:
        super().__init__(
            f"unknown cooperation area {code!r}; use one of: {', '.join(known)}", field="area"
        )
