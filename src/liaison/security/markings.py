# SPDX-License-Identifier: Apache-2.0
"""The marking: what a record's reader must be and hold (DESIGN.md, "The one access policy").

A marking has a classification level, a releasability (NATO only, or releasable to named
partner nations — ISO alpha-3 — and partner groups — framework codes such as ``IP4``), caveats
that only ever narrow (``ATOMAL``, ``BOHEMIA``: never releasable to partners), need-to-know
communities (a reader needs at least one of them), and an optional TLP 2.0 label for sharing.

``parse_marking`` reads the forms people write — "NATO RESTRICTED Releasable to Australia and
Japan", "NR // REL AUS, JPN", "NATO SECRET ATOMAL", "PUBLIC" — and refuses an unknown or
contradictory marking with a message that says why. ``to_misp_tags`` speaks MISP's ``nato``
and ``tlp`` taxonomies; reading MISP tags (fail closed) is ``sharing.misp_tags``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from liaison.errors import InvalidInput
from liaison.security.classification import Classification

C = Classification


class Tlp(enum.StrEnum):
    """Traffic Light Protocol 2.0."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"


class Caveat(enum.StrEnum):
    ATOMAL = "ATOMAL"
    BOHEMIA = "BOHEMIA"


# Frames the values of the marking table's *_list columns (models.framed); no release code or
# community may contain it.
LIST_SEP = "\x1f"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def has_control_character(value: str) -> bool:
    """Whether ``value`` holds a control character (``LIST_SEP`` is one): no release code or
    community may (``contradiction``), and the policy never searches for one."""
    return _CONTROL.search(value) is not None


# The lowest level each caveat may be applied at (DOMAIN.md §3: ATOMAL at CTS/NS/NC; BOHEMIA
# at CTS only).
CAVEAT_FLOOR = {Caveat.ATOMAL: C.NATO_CONFIDENTIAL, Caveat.BOHEMIA: C.COSMIC_TOP_SECRET}

_LEVEL_WORDS: dict[str, Classification] = {
    "PUBLIC": C.PUBLIC,
    "PUBLICLY DISCLOSED": C.PUBLIC,
    "UNCLASSIFIED": C.PUBLIC,
    "NON CLASSIFIED": C.PUBLIC,
    "NATO UNCLASSIFIED": C.NATO_UNCLASSIFIED,
    "NU": C.NATO_UNCLASSIFIED,
    "NATO RESTRICTED": C.NATO_RESTRICTED,
    "NR": C.NATO_RESTRICTED,
    "NATO CONFIDENTIAL": C.NATO_CONFIDENTIAL,
    "NC": C.NATO_CONFIDENTIAL,
    "NATO SECRET": C.NATO_SECRET,
    "NS": C.NATO_SECRET,
    "COSMIC TOP SECRET": C.COSMIC_TOP_SECRET,
    "CTS": C.COSMIC_TOP_SECRET,
}
_CAVEAT_ABBREVIATION = {Caveat.ATOMAL: "A", Caveat.BOHEMIA: "B"}

CountryResolver = Callable[[str], str | None]
"""Maps a country or group name people write ("Japan", "ROK", "IP4") to its code, or None."""


class MarkingError(InvalidInput):
    """An unknown or contradictory marking; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="marking")


@dataclass(frozen=True, slots=True)
class Marking:
    level: Classification
    releasable_to: frozenset[str] = field(default_factory=frozenset)
    caveats: frozenset[Caveat] = field(default_factory=frozenset)
    communities: frozenset[str] = field(default_factory=frozenset)
    tlp: Tlp | None = None

    def __post_init__(self) -> None:
        problem = contradiction(self)
        if problem:
            raise MarkingError(problem)

    @property
    def nato_only(self) -> bool:
        return self.level is not C.PUBLIC and not self.releasable_to

    @property
    def key(self) -> str:
        """A canonical text form: equal markings have equal keys (the storage identity)."""
        parts = [self.level.value]
        if self.caveats:
            parts.append("CAV " + ",".join(sorted(self.caveats)))
        return " // ".join(parts + _tail(self, ","))

    def cap(self, inner: Marking) -> Marking:
        """The effective marking of ``inner`` inside a container marked ``self``: the most
        restrictive of both (higher level, fewer release codes, more caveats, both
        need-to-know conditions collapsed to their common communities where both have some).
        """
        level = max(self.level, inner.level, key=lambda c: c.rank)
        if self.level is C.PUBLIC:
            release = inner.releasable_to
        elif inner.level is C.PUBLIC:
            release = self.releasable_to
        else:
            release = self.releasable_to & inner.releasable_to
        if self.communities and inner.communities:
            communities = self.communities & inner.communities or frozenset({"∅"})
        else:
            communities = self.communities | inner.communities
        tlps = [t for t in (self.tlp, inner.tlp) if t]
        tlp = max(tlps, key=list(Tlp).index) if tlps else None
        return Marking(level, release, self.caveats | inner.caveats, communities, tlp)


def contradiction(m: Marking) -> str | None:  # noqa: PLR0911 - one return per rule
    """Why a marking cannot exist, or None."""
    if any(has_control_character(v) for v in (*m.releasable_to, *m.communities)):
        return "a release code or community cannot contain a control character"
    if m.level is C.PUBLIC and (m.releasable_to or m.caveats or m.communities):
        return "a PUBLIC marking cannot carry releasability, caveats or need-to-know"
    for caveat in m.caveats:
        if m.level.rank < CAVEAT_FLOOR[caveat].rank:
            return f"{caveat} applies only at {CAVEAT_FLOOR[caveat]} or above, not {m.level}"
    if m.caveats and m.releasable_to:
        return f"{', '.join(sorted(m.caveats))} information is never releasable to partners"
    if m.tlp is Tlp.CLEAR and m.level is not C.PUBLIC:
        return f"TLP:CLEAR means public, but the level is {m.level}"
    if m.tlp is Tlp.RED and not m.communities:
        return "TLP:RED needs the named recipients as need-to-know communities"
    return None


def public() -> Marking:
    return Marking(C.PUBLIC)


# parsing ---------------------------------------------------------------------------------------
_SPLIT = re.compile(r"\s*//\s*")
_REL = re.compile(r"^(?:REL(?:EASABLE)?(?:\s+TO)?)\s+(.+)$", re.IGNORECASE)
_NTK = re.compile(r"^(?:NTK|NEED[- ]TO[- ]KNOW)\s+(.+)$", re.IGNORECASE)
_TLP = re.compile(r"^TLP\s*:\s*(.+)$", re.IGNORECASE)


def _upper(text: str) -> str:
    return " ".join(text.replace("_", " ").upper().split())


def _split_list(text: str) -> list[str]:
    return [p.strip() for p in re.split(r",|\band\b|;", text, flags=re.IGNORECASE) if p.strip()]


def _parse_level(head: str) -> tuple[Classification, set[Caveat]]:
    words = _upper(head)
    caveats: set[Caveat] = set()
    for caveat in Caveat:
        if words.endswith(" " + caveat.value):
            caveats.add(caveat)
            words = words.removesuffix(" " + caveat.value)
    abbreviated = re.fullmatch(r"(CTS|NS|NC|NR|NU)-([AB])", words)
    if abbreviated:
        words = abbreviated.group(1)
        caveats.add(Caveat.ATOMAL if abbreviated.group(2) == "A" else Caveat.BOHEMIA)
    if words not in _LEVEL_WORDS:
        known = "PUBLIC, NATO UNCLASSIFIED (NU), NATO RESTRICTED (NR), NATO CONFIDENTIAL (NC), "
        raise MarkingError(
            f"unknown classification {head.strip()!r}; use one of {known}"
            "NATO SECRET (NS), COSMIC TOP SECRET (CTS)"
        )
    return _LEVEL_WORDS[words], caveats


def _resolve_all(names: Iterable[str], resolve: CountryResolver) -> frozenset[str]:
    codes = set()
    for name in names:
        code = resolve(name)
        if code is None:
            raise MarkingError(f"unknown nation or partner group {name!r} in the releasability")
        codes.add(code)
    return frozenset(codes)


def parse_marking(text: str, resolve: CountryResolver) -> Marking:
    """Read a banner as people write it; raise ``MarkingError`` saying why it is wrong."""
    text = text.strip()
    if not text:
        raise MarkingError("the marking is empty; write at least a level such as PUBLIC")
    long_rel = re.search(r"\s+RELEASABLE\s+TO\s+", text, flags=re.IGNORECASE)
    parts = _SPLIT.split(text)
    if long_rel and len(parts) == 1:
        parts = [text[: long_rel.start()], "REL " + text[long_rel.end() :]]
    level, caveats = _parse_level(parts[0])
    release: frozenset[str] = frozenset()
    communities: frozenset[str] = frozenset()
    tlp: Tlp | None = None
    for part in parts[1:]:
        if m := _REL.match(part):
            release = _resolve_all(_split_list(m.group(1)), resolve)
        elif m := _NTK.match(part):
            communities = frozenset(c.lower() for c in _split_list(m.group(1)))
        elif m := _TLP.match(part):
            tlp = _parse_tlp(m.group(1))
        elif _upper(part) in {c.value for c in Caveat}:
            caveats.add(Caveat(_upper(part)))
        else:
            raise MarkingError(
                f"cannot read {part!r}: expected REL ..., NTK ..., TLP:... or a caveat"
            )
    return Marking(level, release, frozenset(caveats), communities, tlp)


def _parse_tlp(text: str) -> Tlp:
    value = text.strip().lower().replace("_", "+").replace(" ", "")
    value = {"white": "clear", "amber-strict": "amber+strict"}.get(value, value)
    try:
        return Tlp(value)
    except ValueError:
        raise MarkingError(
            f"unknown TLP {text.strip()!r}; TLP 2.0 is clear, green, amber, amber+strict or red"
        ) from None


# the page banner ------------------------------------------------------------------------------
GroupsOf = Callable[[str], frozenset[str]]
"""The partner groups a nation belongs to ("JPN" → {"IP4"}); empty for a group code."""


def no_groups(_code: str) -> frozenset[str]:
    return frozenset()


def _covers(release: frozenset[str], code: str, groups_of: GroupsOf) -> bool:
    return code in release or bool(groups_of(code) & release)


def _without_clear(m: Marking, level: C) -> Marking:
    if m.tlp is Tlp.CLEAR and level is not C.PUBLIC:  # TLP:CLEAR means public: not on a page above
        return Marking(m.level, m.releasable_to, m.caveats, m.communities, None)
    return m


def page_marking(markings: Iterable[Marking], groups_of: GroupsOf = no_groups) -> Marking:
    """The one marking of a page, an export or a bundle that shows all of ``markings`` — the
    banner every surface prints (issue 14, finding 9): never lower than any of them. The
    highest level; every caveat; the release codes every marked item reaches, group-aware
    (REL IP4 and REL JPN share JPN, since Japan is in IP4; any NATO-only item makes the whole
    NATO only; a caveat, never releasable, empties them); the need-to-know of ``Marking.cap``
    folded (common communities where several name some); the highest TLP. Nothing, or only
    PUBLIC, shown: PUBLIC. ``groups_of`` must be the policy's own facts (``nation_profile``).

    So whoever may read the page marking may read every marking shown (the Hypothesis test in
    tests/security/test_page_marking.py)."""
    given = list(markings)
    if not given:
        return Marking(C.PUBLIC)
    level = max((m.level for m in given), key=lambda c: c.rank)
    result = _without_clear(given[0], level)
    for m in given[1:]:
        result = result.cap(_without_clear(m, level))
    marked = [m.releasable_to for m in given if m.level is not C.PUBLIC]
    if result.caveats or any(not r for r in marked):  # NATO only, or never releasable
        release: frozenset[str] = frozenset()
    else:
        candidates = frozenset().union(*marked)
        release = frozenset(c for c in candidates if all(_covers(r, c, groups_of) for r in marked))
    return Marking(result.level, release, result.caveats, result.communities, result.tlp)


# formatting ------------------------------------------------------------------------------------
def banner(m: Marking, names: Callable[[str], str] = str) -> str:
    """The long banner: "NATO RESTRICTED Releasable to Australia and Japan"."""
    text = m.level.value
    if m.caveats:
        text += " " + " ".join(sorted(m.caveats))
    if m.releasable_to:
        shown = sorted(names(c) for c in m.releasable_to)
        listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
        text += f" Releasable to {listed}"
    return text


def short(m: Marking) -> str:
    """The portion-mark form: "NR // REL AUS, JPN"."""
    head = m.level.abbreviation
    if m.caveats:
        head += "-" + "".join(_CAVEAT_ABBREVIATION[c] for c in sorted(m.caveats))
    return " // ".join([head, *_tail(m, ", ")])


def _tail(m: Marking, sep: str) -> list[str]:
    """The release, need-to-know and TLP parts of a marking's text, codes joined by ``sep``."""
    parts = []
    if m.releasable_to:
        parts.append("REL " + sep.join(sorted(m.releasable_to)))
    if m.communities:
        parts.append("NTK " + sep.join(sorted(m.communities)))
    if m.tlp:
        parts.append(f"TLP:{m.tlp.value.upper()}")
    return parts


# MISP ------------------------------------------------------------------------------------------
def to_misp_tags(m: Marking) -> list[str]:
    """MISP ``nato:classification`` and ``tlp`` tags (levels only; PUBLIC has no nato tag)."""
    tags = []
    if m.level is not C.PUBLIC:
        code = m.level.abbreviation
        if m.caveats:
            code += "-" + "".join(_CAVEAT_ABBREVIATION[c] for c in sorted(m.caveats))
        tags.append(f'nato:classification="{code}"')
    if m.tlp:
        tags.append(f"tlp:{m.tlp.value}")
    return tags
