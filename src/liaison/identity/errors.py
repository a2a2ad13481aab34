# SPDX-License-Identifier: Apache-2.0
"""Identity errors."""

from __future__ import annotations

from liaison.errors import Conflict, InvalidInput, LiaisonError, NotFound


class UnknownUser(NotFound):
    def __init__(self, username: str) -> None:
        super().__init__(f"no user {username!r}", field="username")


class UnknownOrganisation(NotFound):
    def __init__(self, name: str) -> None:
        super().__init__(f"no organisation {name!r}", field="organisation")


class DuplicateName(Conflict):
    pass


class BadCredentials(LiaisonError):
    status_code = 401
    title = "Unauthorized"


class TooManyAttempts(LiaisonError):
    status_code = 429
    title = "Too many requests"


class WeakPassword(InvalidInput):
    pass
