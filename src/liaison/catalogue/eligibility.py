# SPDX-License-Identifier: Apache-2.0
"""Whether a partner may attend a session: eligibility (nation or group), releasability of the
session to the partner, and the security agreement level in force on the session's first day.

The same test serves nominations, the planner's instance and its explanations, so a plan
never offers a seat a nomination would refuse. It asks the one policy (``can_read``) about a
principal standing for the partner's nation on the session's start date.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from liaison.catalogue.models import CatalogueSession
from liaison.registry.service import nation_profile
from liaison.security.classification import Classification
from liaison.security.markings import Marking
from liaison.security.policy import can_read
from liaison.security.principal import AgreementSpan, Principal
from liaison.security.reach import nation_reader


@dataclass(frozen=True, slots=True)
class PartnerFacts:
    iso3: str
    groups: frozenset[str]
    agreements: tuple[AgreementSpan, ...]

    @property
    def codes(self) -> frozenset[str]:
        return frozenset({self.iso3}) | self.groups

    def as_reader(self) -> Principal:
        """The partner's nation as a reader with every clearance: only the nation's own limits
        (releasability, agreements in force) remain."""
        return nation_reader(self.iso3, self.groups, self.agreements)

    def ceiling_on(self, session: CatalogueSession) -> Classification | None:
        return self.as_reader().ceiling_on(session.start_on)

    def refusal(
        self, session: CatalogueSession, marking: Marking, eligible: list[str]
    ) -> str | None:
        """Why the partner may not attend, or None."""
        if eligible and not (self.codes & set(eligible)):
            return f"not eligible (open to {', '.join(eligible)})"
        if not can_read(self.as_reader(), marking, on=session.start_on):
            return "the session is not releasable to it"
        if session.min_level is not None:
            ceiling = self.ceiling_on(session)
            if ceiling is None or ceiling.rank < session.min_level.rank:
                held = ceiling.value if ceiling else "none"
                return (
                    f"agreement level too low on {session.start_on} (needs "
                    f"{session.min_level.value}, has {held})"
                )
        return None


def partner_facts(session: Session, iso3: str) -> PartnerFacts:
    profile = nation_profile(session, iso3)
    return PartnerFacts(iso3, profile.groups, profile.agreements)
