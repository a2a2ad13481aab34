# SPDX-License-Identifier: Apache-2.0
"""Decision errors: each says what is wrong in words a user can act on.

A proposal the caller may not read is ``ProposalNotFound`` — the same 404, with the same words,
as an id that does not exist. Refusals that concern a readable proposal (a partner recording a
position, a closed procedure) are raised only after the proposal was found readable.
"""

from __future__ import annotations

from liaison.errors import Conflict, InvalidInput, NotFound


class ProposalNotFound(NotFound):
    def __init__(self, proposal_id: object) -> None:
        super().__init__(f"no proposal {proposal_id}")


class NotAnElector(InvalidInput):
    def __init__(self, message: str) -> None:
        super().__init__(message, field="ally")


class PositionRefused(Conflict):
    """The procedure's state forbids the position (closed, deadline passed, nothing to withdraw)."""


class ProcedureClosed(Conflict):
    pass


class SubjectNotDecidable(Conflict):
    def __init__(self, message: str) -> None:
        super().__init__(message, field="subject_ref")
