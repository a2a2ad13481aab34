# SPDX-License-Identifier: Apache-2.0
"""Who can read a marking today (issue 16, item 7): the registry's facts about partners, put
to the one policy by ``security.reach``.

What the answer is made of depends on who asks, so it tells nobody more than it may read:

- an ally's user (or the console) gets every partner the release names, each judged on the
  security agreements *the caller may read* (``readable``; an agreement it may not read counts
  as absent, exactly as on the agreements page) — the agreements read are audited like any
  read of them;
- a partner's user gets its own nation only, judged on its own principal (the facts its
  every read is already judged on): it learns nothing about another partner's agreements.

``preview_nation`` gives the page preview its partner (``web.deps``, wired by ``create_app``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from liaison.kit.clock import today
from liaison.registry.models import SecurityAgreement
from liaison.registry.schemas import PartnerReachRead, ReachRead
from liaison.registry.service import RegistryService, nation_profile
from liaison.security.markings import Marking, short
from liaison.security.principal import ANONYMOUS, AgreementSpan, Principal, Side
from liaison.security.reach import Nation, Reach, nation_reader, reach_of


class ReachService:
    """``reach(text, on)``: who may read a marking as typed; ``warnings(marking)`` for writes."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.registry = RegistryService(session, principal)

    def reach(self, text: str, on: dt.date | None = None) -> Reach:
        """The reach of a marking as people write it (an unreadable one: ``MarkingError``)."""
        return self.reach_of(self.registry.parse_marking(text), on)

    def reach_of(self, marking: Marking, on: dt.date | None = None) -> Reach:
        day = on or today()
        codes = sorted(marking.releasable_to)
        if self.principal.side is Side.PARTNER:
            nations = self._own_nation()
        else:
            nations = self._nations(codes)
        _partners, allies = self.registry.partners_and_allies(codes)
        names = {code: self.registry.release_name(code) for code in codes}
        return reach_of(
            marking,
            day,
            nations,
            allies=frozenset(allies),
            names=names,
            complete=self.principal.side is not Side.PARTNER,
        )

    def warnings(self, marking: Marking) -> list[str]:
        """What a writer is told (never refused) about a marking it gives: each named release
        that cannot reach its partner today."""
        return list(self.reach_of(marking).warnings)

    def _own_nation(self) -> list[Nation]:
        p = self.principal
        if p.nation is None:
            return []
        return [Nation(p.nation, self.registry.release_name(p.nation), p.groups, p.agreements)]

    def _nations(self, codes: list[str]) -> list[Nation]:
        partners, agreements = self.registry.released_partners(codes)
        return [
            Nation(
                p.country_iso3,
                p.country.name,
                frozenset(f.code.upper() for f in p.frameworks),
                tuple(s for a in agreements if a.partner_id == p.id if (s := span(a))),
            )
            for p in partners
        ]


def reach_read(reach: Reach) -> ReachRead:
    """The API's answer."""
    return ReachRead(
        marking=short(reach.marking),
        banner=reach.banner,
        on=reach.on,
        public=reach.public,
        allies=reach.allies,
        partners=[
            PartnerReachRead(code=p.code, name=p.name, reads=p.reads, reason=p.reason, via=p.via)
            for p in reach.partners
        ],
        readers=[p.name for p in reach.readers],
        warnings=list(reach.warnings),
        summary=reach.summary(),
    )


def span(agreement: SecurityAgreement) -> AgreementSpan | None:
    """The span an agreement is in force (None when no date says it ever was): from its entry
    into force, or the first date a source attests it, until its termination."""
    start = agreement.in_force_on or agreement.attested_on
    if start is None:
        return None
    return AgreementSpan(start, agreement.terminated_on, agreement.max_level)


def preview_nation(session: Session, ref: str) -> tuple[str, Principal] | None:
    """The partner nation ``ref`` names (a code or a name): its name and its reader for the
    page preview; None when it names no partner. The partner list is public; the agreements
    are the policy's own input (``nation_profile``), never shown by a preview."""
    partner = RegistryService(session, ANONYMOUS).find_partner(ref)
    if partner is None:
        return None
    profile = nation_profile(session, partner.country_iso3)
    reader = nation_reader(partner.country_iso3, profile.groups, profile.agreements)
    return partner.country.name, reader
