# SPDX-License-Identifier: Apache-2.0
"""Identity errors.

``BadCredentials`` deliberately names neither the user nor which part was wrong, so a login
form cannot be used to find out which usernames exist.
"""

from __future__ import annotations

from liaison.errors import Conflict, InvalidInput, LiaisonError, NotFound


class UnknownUser(NotFound):
    def __init__(self, username: str) -> None:
        super().__init__(f"no user {username!r}", field="username")


class UnknownOrganisation(NotFound):
    def __init__(self, name: str) -> None:
        super().__init__(f"no organisation {name!r}", field="organisation")


class UnknownToken(NotFound):
    def __init__(self, token_id: int) -> None:
        super().__init__(f"no API token {token_id}", field="token")


class DuplicateName(Conflict):
    pass


class BadCredentials(LiaisonError):
    status_code = 401
    title = "Unauthorized"


class TooManyAttempts(LiaisonError):
    status_code = 429
    title = "Too many requests"


class InvalidIdentity(InvalidInput):
    """A username, clearance, role, scope, lifetime or other identity value not allowed."""


class WeakPassword(InvalidIdentity):
    pass
