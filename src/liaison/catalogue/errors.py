# SPDX-License-Identifier: Apache-2.0
"""Catalogue and planner errors, in words a user can act on.

An item, session, nomination, profile or plan the caller may not read is "not found" — the
same 404, with the same words, as an id that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from liaison.errors import Conflict, Forbidden, InvalidInput, NotFound


class ItemNotFound(NotFound):
    def __init__(self, ref: object) -> None:
        super().__init__(f"no catalogue item {ref}")


class SessionNotFound(NotFound):
    def __init__(self, ref: object) -> None:
        super().__init__(f"no catalogue session {ref}")


class NominationNotFound(NotFound):
    def __init__(self, ref: object) -> None:
        super().__init__(f"no nomination {ref}")


class ProfileNotFound(NotFound):
    def __init__(self, partner: str, year: int) -> None:
        super().__init__(f"no partner profile for {partner} in {year}")


class PlanNotFound(NotFound):
    def __init__(self, ref: object) -> None:
        super().__init__(f"no plan {ref}")


# A missing permission is ``liaison.errors.Forbidden``, as in every feature; the old name stays
# for callers that catch it (the tests).
NotPermitted = Forbidden


class BadTransition(Conflict):
    pass


@dataclass(frozen=True, slots=True)
class RowError:
    """One thing wrong with one row of an import: the row (1 = the first data row), the
    field, and what is wrong."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


class ImportRejected(InvalidInput):
    """Nothing was imported: every problem found, by row and field."""

    def __init__(self, problems: list[RowError]) -> None:
        shown = "; ".join(str(p) for p in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""  # noqa: PLR2004
        super().__init__(
            f"nothing imported: {len(problems)} problem(s): {shown}{more}", field="file"
        )
        self.problems = problems
