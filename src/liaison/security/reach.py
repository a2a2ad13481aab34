# SPDX-License-Identifier: Apache-2.0
"""Who can read a marking on a day, a partner's effective reach, and the principal of a
preview — all answered by the one policy (``policy.can_read``), never by a second one.

- A partner *nation* reads as ``nation_reader``: a partner principal of that nation with its
  groups and its security agreements, every clearance, no caveat access and — for a marking
  that names need-to-know communities — membership of them. So only the nation's own limits
  remain (releasability, caveats never released, the level of an agreement in force on the
  day); a person at its mission still needs the clearance and the community.
- ``reach_of`` asks ``can_read`` of each nation reader, and explains a refusal in words
  (``why_not``): the explanation never decides, ``can_read`` does, and a test holds that a
  reason is given exactly when ``can_read`` refuses.
- ``effective_reach`` is what a partner's user may read at most, instead of a clearance it
  cannot use without an agreement ("PUBLIC, NATO UNCLASSIFIED releasable to KOR/IP4").
- ``preview_principal``: an ally's user viewing a page as a partner's mission would see it
  reads as the *intersection* of both: the partner's side, nation, groups and agreements, the
  lower clearance, the common caveats, communities and permissions (a nation reader holds
  none of these), read permissions at most — never more than either may read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from liaison.security.authn import read_permissions
from liaison.security.classification import Classification
from liaison.security.markings import Caveat, Marking, banner
from liaison.security.policy import can_read
from liaison.security.principal import AgreementSpan, Principal, Side

C = Classification


@dataclass(frozen=True, slots=True)
class Nation:
    """A partner nation as the policy sees it: code, name, groups, agreements (dated spans)."""

    code: str
    name: str
    groups: frozenset[str] = field(default_factory=frozenset)
    agreements: tuple[AgreementSpan, ...] = ()


def nation_reader(
    code: str,
    groups: frozenset[str],
    agreements: tuple[AgreementSpan, ...],
    communities: frozenset[str] = frozenset(),
) -> Principal:
    """A partner nation as a reader with every clearance: only the nation's own limits remain
    (releasability, no caveats, agreements in force on the day of the read)."""
    return Principal(
        side=Side.PARTNER,
        username=f"partner:{code}",
        nation=code,
        groups=groups,
        clearance=C.COSMIC_TOP_SECRET,
        communities=communities,
        agreements=agreements,
    )


@dataclass(frozen=True, slots=True)
class PartnerReach:
    code: str
    name: str
    reads: bool
    reason: str | None  # why not, when it does not read
    via: str | None  # the release code that names it: its own code or one of its groups


@dataclass(frozen=True, slots=True)
class Reach:
    """Who may read a marking on a day (``reach_of``)."""

    marking: Marking
    on: dt.date
    partners: tuple[PartnerReach, ...]  # every partner the release names, directly or by group
    warnings: tuple[str, ...]
    banner: str  # the long form, release codes spelled as names
    complete: bool = True  # False: only the asking partner's own nation was judged

    @property
    def public(self) -> bool:
        return self.marking.level is C.PUBLIC

    @property
    def readers(self) -> tuple[PartnerReach, ...]:
        return tuple(p for p in self.partners if p.reads)

    @property
    def allies(self) -> str:
        """Which allies' users read it: all, at a clearance, holding caveats, in communities."""
        m = self.marking
        if self.public:
            return "everyone, logged in or not (PUBLIC)"
        text = f"allies' users cleared {m.level.value} or higher"
        if m.caveats:
            text += " holding " + " and ".join(sorted(m.caveats))
        if m.communities:
            text += " in the community " + " or ".join(sorted(m.communities))
        return text

    def summary(self) -> str:
        """One line: "Readable on 2026-12-06 by allies' users cleared ...; partners: Japan."""
        if self.public:
            return f"Readable on {self.on.isoformat()} by everyone (PUBLIC)."
        names = ", ".join(p.name for p in self.readers) or "none"
        if not self.complete:  # a partner's user, told about its own nation only
            names = names if self.readers else "not yours"
        return f"Readable on {self.on.isoformat()} by {self.allies}; partners: {names}."


def why_not(reader: Principal, marking: Marking, on: dt.date) -> str | None:
    """Why a nation reader may not read ``marking`` on ``on`` (None when it may), in words.
    ``can_read`` decides; the words only explain its refusal."""
    if can_read(reader, marking, on):
        return None
    if marking.caveats:
        return " and ".join(sorted(marking.caveats)) + " information is never released to partners"
    if not marking.releasable_to & reader.release_codes:
        return "not releasable to it" if marking.releasable_to else "NATO only"
    ceiling = reader.ceiling_on(on)
    if ceiling is None:
        return "no security agreement in force"
    return f"its security agreement in force covers only up to {ceiling.value}"


def reach_of(
    marking: Marking,
    on: dt.date,
    partners: Iterable[Nation],
    *,
    allies: frozenset[str] = frozenset(),
    names: Mapping[str, str] | None = None,
    complete: bool = True,
) -> Reach:
    """Who may read ``marking`` on ``on``: every partner its release names (by code or group),
    each asked of ``can_read`` as its ``nation_reader``; warnings for each named release that
    cannot reach its partner. ``allies``: ally codes (a release to an ally warns of nothing);
    ``names``: display names of codes that are not partners (groups, other nations);
    ``complete``: whether ``partners`` holds every partner (a partner's user is told about its
    own nation only, so nothing is said about codes that name none of ``partners``)."""
    known = {p.code: p for p in partners}
    named = marking.releasable_to
    lines = []
    for nation in sorted(known.values(), key=lambda n: n.name):
        via = _via(nation, named)
        if via is None:
            continue
        reader = nation_reader(nation.code, nation.groups, nation.agreements, marking.communities)
        reason = why_not(reader, marking, on)
        lines.append(PartnerReach(nation.code, nation.name, reason is None, reason, via))
    spelled = {**{n.code: n.name for n in known.values()}, **(names or {})}
    warnings = _warnings(lines, named, known, allies, spelled, complete=complete)
    long = banner(marking, lambda code: spelled.get(code, code))
    return Reach(marking, on, tuple(lines), tuple(warnings), long, complete)


def _via(nation: Nation, named: frozenset[str]) -> str | None:
    if nation.code in named:
        return nation.code
    groups = sorted(nation.groups & named)
    return groups[0] if groups else None


def _warnings(
    lines: list[PartnerReach],
    named: frozenset[str],
    known: Mapping[str, Nation],
    allies: frozenset[str],
    names: Mapping[str, str],
    *,
    complete: bool,
) -> list[str]:
    warnings = [
        f"{p.name} cannot read this: {p.reason}" for p in lines if not p.reads and p.via == p.code
    ]
    for code in sorted(named - set(known) - allies):
        by_reason: dict[str, list[str]] = {}
        for p in lines:
            if p.via == code and not p.reads:
                by_reason.setdefault(p.reason or "", []).append(p.name)
        warnings.extend(
            f"{', '.join(who)} ({code}) cannot read this: {reason}"
            for reason, who in sorted(by_reason.items())
        )
        if complete and not any(code in n.groups for n in known.values()):
            warnings.append(f"{names.get(code, code)} is not a partner: nobody there can read this")
    return warnings


# a partner's effective reach ---------------------------------------------------------------
def effective_reach(principal: Principal, on: dt.date | None = None) -> str:
    """What a partner's user may read at most on ``on``: "PUBLIC, NATO UNCLASSIFIED releasable
    to KOR/IP4" or "PUBLIC, up to NATO SECRET releasable to JPN/IP4" (the lower of its
    clearance and its nation's agreement in force). For anybody else: the clearance."""
    if principal.side is not Side.PARTNER:
        return principal.clearance.value
    top = _partner_top(principal, on)
    if top is None:
        return "PUBLIC"
    codes = "/".join(_ordered_codes(principal))
    if top is C.NATO_UNCLASSIFIED:
        return f"PUBLIC, NATO UNCLASSIFIED releasable to {codes}"
    return f"PUBLIC, up to {top.value} releasable to {codes}"


def _partner_top(principal: Principal, on: dt.date | None) -> Classification | None:
    """The highest level ``can_read`` lets this partner's user read (released to it, no
    caveat, no need-to-know), or None when only PUBLIC: asked of the policy level by level."""
    if not principal.release_codes:
        return None
    best = None
    for level in C:
        if level is C.PUBLIC:
            continue
        probe = Marking(level, releasable_to=frozenset({_ordered_codes(principal)[0]}))
        if can_read(principal, probe, on):
            best = level
    return best


def _ordered_codes(principal: Principal) -> list[str]:
    own = [principal.nation] if principal.nation else []
    return own + sorted(principal.groups)


# preview -----------------------------------------------------------------------------------
def preview_principal(viewer: Principal, partner: Principal) -> Principal:
    """The principal of ``viewer`` (an ally's user) previewing pages as ``partner`` (a
    ``nation_reader``) would see them: never more than either may read, never a write."""
    clearance = min(viewer.clearance, partner.clearance, key=lambda c: c.rank)
    return Principal(
        side=Side.PARTNER,
        username=f"{viewer.username} (preview as {partner.nation})",
        user_id=viewer.user_id,
        nation=partner.nation,
        groups=partner.groups,
        clearance=clearance,
        caveats=frozenset[Caveat](viewer.caveats & partner.caveats),
        communities=viewer.communities & partner.communities,
        permissions=read_permissions(viewer.permissions & partner.permissions),
        agreements=partner.agreements,
        display_name=viewer.display_name,
        organisation=viewer.organisation,
    )
