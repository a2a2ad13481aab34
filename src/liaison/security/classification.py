# SPDX-License-Identifier: Apache-2.0
"""Classification levels in rank order (DOMAIN.md §3).

PUBLIC (publicly disclosed) < NATO UNCLASSIFIED < NATO RESTRICTED < NATO CONFIDENTIAL <
NATO SECRET < COSMIC TOP SECRET. NATO UNCLASSIFIED is not public. The enum's ``rank`` is the
total order; compare ranks, never names.
"""

from __future__ import annotations

import enum


class Classification(enum.StrEnum):
    PUBLIC = "PUBLIC"
    NATO_UNCLASSIFIED = "NATO UNCLASSIFIED"
    NATO_RESTRICTED = "NATO RESTRICTED"
    NATO_CONFIDENTIAL = "NATO CONFIDENTIAL"
    NATO_SECRET = "NATO SECRET"  # noqa: S105 - a classification, not a password
    COSMIC_TOP_SECRET = "COSMIC TOP SECRET"  # noqa: S105 - a classification

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def abbreviation(self) -> str:
        return _ABBREVIATION[self]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Classification):
            return NotImplemented
        return self.rank >= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Classification):
            return NotImplemented
        return self.rank > other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Classification):
            return NotImplemented
        return self.rank <= other.rank

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Classification):
            return NotImplemented
        return self.rank < other.rank


_RANK = {level: i for i, level in enumerate(Classification)}
_ABBREVIATION = {
    Classification.PUBLIC: "PUBLIC",
    Classification.NATO_UNCLASSIFIED: "NU",
    Classification.NATO_RESTRICTED: "NR",
    Classification.NATO_CONFIDENTIAL: "NC",
    Classification.NATO_SECRET: "NS",
    Classification.COSMIC_TOP_SECRET: "CTS",
}
