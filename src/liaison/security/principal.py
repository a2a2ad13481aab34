# SPDX-License-Identifier: Apache-2.0
"""Who is asking: a user → organisation → nation (ally or partner), with clearance, caveat
accesses, need-to-know communities and permissions. Built once per request (``authn``) and
passed to every read; the policy needs nothing else.

A partner's security agreements travel with its principals as dated spans, so the policy can
answer "at or below the highest level of an agreement in force on the day of the read".
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from liaison.kit.clock import today
from liaison.security.classification import Classification
from liaison.security.markings import Caveat
from liaison.security.permissions import Permission


class Side(enum.StrEnum):
    ANONYMOUS = "anonymous"
    ALLY = "ally"  # an ally's national, NATO international or military staff
    PARTNER = "partner"  # a partner nation's national (its mission to NATO)
    SYSTEM = "system"  # the operator at the server's console (init, imports, verify)


@dataclass(frozen=True, slots=True)
class AgreementSpan:
    """A security agreement in force from ``start`` until ``end`` (exclusive) at ``level``."""

    start: dt.date
    end: dt.date | None
    level: Classification

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class Principal:
    side: Side
    username: str
    user_id: int | None = None
    organisation_id: int | None = None
    nation: str | None = None
    groups: frozenset[str] = field(default_factory=frozenset)
    clearance: Classification = Classification.PUBLIC
    caveats: frozenset[Caveat] = field(default_factory=frozenset)
    communities: frozenset[str] = field(default_factory=frozenset)
    permissions: frozenset[Permission] = field(default_factory=frozenset)
    agreements: tuple[AgreementSpan, ...] = ()
    display_name: str = ""  # shown in page headers, never used by the policy
    organisation: str | None = None  # the organisation's name, for display

    @property
    def authenticated(self) -> bool:
        return self.side is not Side.ANONYMOUS

    @property
    def release_codes(self) -> frozenset[str]:
        """The codes a releasability list must name for this partner: its nation, its groups."""
        return frozenset({self.nation} if self.nation else set()) | self.groups

    def ceiling_on(self, day: dt.date | None = None) -> Classification | None:
        """The highest level covered by an agreement in force on ``day`` (today by default)."""
        when = day or today()
        levels = [span.level for span in self.agreements if span.covers(when)]
        return max(levels, key=lambda c: c.rank) if levels else None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


ANONYMOUS = Principal(side=Side.ANONYMOUS, username="anonymous")
SYSTEM = Principal(
    side=Side.SYSTEM,
    username="system",
    clearance=Classification.COSMIC_TOP_SECRET,
    caveats=frozenset(Caveat),
    permissions=frozenset(Permission),
)
