# SPDX-License-Identifier: Apache-2.0
"""Pure marking rules for documents (no database, no web): when a marking change is a
downgrade, and which single marking describes a page showing several documents.

A change from ``old`` to ``new`` is a **downgrade** ("lower") when ``new`` lets somebody read
what ``old`` kept from them, in any one of these, each compared on its own:

- level: ``new`` has a lower classification;
- releasability: ``new`` names a nation or group that ``old`` did not cover (a nation is
  covered by its own code or by a group it belongs to; ``old`` PUBLIC covers everyone);
- caveats: ``new`` drops a caveat ``old`` carried;
- need-to-know: ``old`` named communities and ``new`` names none, or one ``old`` did not;
- TLP: ``new`` has a less restrictive TLP label, or drops a label other than CLEAR.

Everything else — raising the level, naming fewer release codes, adding caveats or
communities — is a re-mark that needs no special right. A change that narrows one dimension
and widens another (NR REL JPN to NS REL AUS) is a downgrade: someone gains access.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from liaison.security.classification import Classification
from liaison.security.markings import Marking, Tlp

GroupsOf = Callable[[str], frozenset[str]]
"""The partner-group codes a nation belongs to ("JPN" → {"IP4", "PAG"}); empty for a group."""

_TLP_ORDER = list(Tlp)


def no_groups(_code: str) -> frozenset[str]:
    return frozenset()


def covers(release: frozenset[str], code: str, groups_of: GroupsOf = no_groups) -> bool:
    """Whether a releasability list reaches ``code``, directly or through one of its groups."""
    return code in release or bool(groups_of(code) & release)


def widenings(old: Marking, new: Marking, groups_of: GroupsOf = no_groups) -> list[str]:
    """Each way ``new`` is less restrictive than ``old``, in words; empty if it is not."""
    found: list[str] = []
    if new.level.rank < old.level.rank:
        found.append(f"the level goes down from {old.level} to {new.level}")
    if old.level is not Classification.PUBLIC:
        wider = sorted(c for c in new.releasable_to if not covers(old.releasable_to, c, groups_of))
        if wider:
            found.append(f"it becomes releasable to {', '.join(wider)}")
    if dropped := sorted(old.caveats - new.caveats):
        found.append(f"the caveat {', '.join(dropped)} is removed")
    if old.communities and not (new.communities and new.communities <= old.communities):
        found.append("the need-to-know restriction is widened or removed")
    if _tlp_widened(old.tlp, new.tlp):
        found.append(f"the TLP label goes from {old.tlp} to {new.tlp or 'none'}")
    return found


def is_lower(old: Marking, new: Marking, groups_of: GroupsOf = no_groups) -> bool:
    """True when changing ``old`` to ``new`` is a downgrade (see the module docstring)."""
    return bool(widenings(old, new, groups_of))


def _tlp_widened(old: Tlp | None, new: Tlp | None) -> bool:
    if old is None or old is Tlp.CLEAR:
        return False
    return new is None or _TLP_ORDER.index(new) < _TLP_ORDER.index(old)


def common_release(
    lists: Iterable[frozenset[str]], groups_of: GroupsOf = no_groups
) -> frozenset[str]:
    """The codes every list reaches (group-aware): REL JPN and REL IP4 share JPN."""
    given = list(lists)
    if not given:
        return frozenset()
    candidates = frozenset().union(*given)
    return frozenset(c for c in candidates if all(covers(r, c, groups_of) for r in given))
