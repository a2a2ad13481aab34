# SPDX-License-Identifier: Apache-2.0
"""MISP tags → Liaison markings, failing closed (pure: no database, no web).

Invariants (issue 20):
- a tag that *looks like* a marking — its namespace starts ``nato``, ``tlp`` or ``liaison`` in
  any case, spacing or quoting, its predicate is ``classification``, ``releasability``,
  ``releasable-to`` or ``need-to-know``, or it reads like a Liaison banner (``nr // rel aus``,
  as misp-stix writes a Liaison marking-definition's name) — is read to exactly one marking
  constraint, or the whole event is refused (``TagRefused``) with a message naming the tag;
- tags of one kind combine to the strictest: the highest classification, every caveat, the
  highest TLP; banners at one level are capped together; a list is carried as one tag per item
  (``liaison:releasable-to="KOR"``, ``liaison:need-to-know="cyber"``), so such tags at one
  level form one list;
- the levels of MISP's containment (event ⊇ object ⊇ attribute) cap each other: an attribute's
  marking is the strictest of its own tags, its object's and its event's;
- a level with a classification but no releasability tag is NATO only (MISP has no
  releasability of its own); releasability or need-to-know named without any classification
  is refused; the collection's default applies only to what no tag names (``resolve``);
- ``tlp:ex:chr`` (Chatham House Rule) says nothing about who may read: it sets no TLP and is
  kept as a label; ``tlp:unclear`` and ``tlp:red`` without named recipients are refused.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from liaison.security.classification import Classification
from liaison.security.markings import (
    Caveat,
    Marking,
    MarkingError,
    Tlp,
    parse_marking,
    short,
    to_misp_tags,
)
from liaison.sharing.stix import strictest

C = Classification
GroupsOf = Callable[[str], frozenset[str]]

RELEASE_TAG = 'liaison:releasable-to="{code}"'
NTK_TAG = 'liaison:need-to-know="{community}"'
CHR = "tlp:ex:chr"
_QUOTES = "\"'`\u2018\u2019\u201c\u201d\u00ab\u00bb"
_MARKER_START = ("nato", "tlp", "liaison")
_MARKER_PREDICATES = frozenset(
    {"classification", "releasability", "releasable-to", "releasableto", "need-to-know", "ntk"}
)
_BANNER = re.compile(  # a Liaison banner as misp-stix writes a marking-definition's name
    r"^(?:(?:nu|nr|nc|ns|cts)(?:-[ab]{1,2})?(?:\s|/|$)"
    r"|nato\s+(?:unclassified|restricted|confidential|secret)\b|cosmic\s+top\s+secret\b)",
    re.IGNORECASE,
)
_CODE = re.compile(r"^[A-Z0-9]{2,12}\Z")
_COMMUNITY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}\Z")
_TLP_VALUES = {
    "clear": Tlp.CLEAR,
    "white": Tlp.CLEAR,
    "green": Tlp.GREEN,
    "amber": Tlp.AMBER,
    "amber+strict": Tlp.AMBER_STRICT,
    "amber-strict": Tlp.AMBER_STRICT,
    "red": Tlp.RED,
}
_NATO_VALUES = {  # MISP's nato taxonomy, and the long forms people type
    "CTS": (C.COSMIC_TOP_SECRET, ()),
    "CTS-A": (C.COSMIC_TOP_SECRET, (Caveat.ATOMAL,)),
    "CTS-B": (C.COSMIC_TOP_SECRET, (Caveat.BOHEMIA,)),
    "NS": (C.NATO_SECRET, ()),
    "NS-A": (C.NATO_SECRET, (Caveat.ATOMAL,)),
    "NC": (C.NATO_CONFIDENTIAL, ()),
    "NC-A": (C.NATO_CONFIDENTIAL, (Caveat.ATOMAL,)),
    "NR": (C.NATO_RESTRICTED, ()),
    "NU": (C.NATO_UNCLASSIFIED, ()),
    "COSMIC TOP SECRET": (C.COSMIC_TOP_SECRET, ()),
    "COSMIC TOP SECRET ATOMAL": (C.COSMIC_TOP_SECRET, (Caveat.ATOMAL,)),
    "COSMIC TOP SECRET BOHEMIA": (C.COSMIC_TOP_SECRET, (Caveat.BOHEMIA,)),
    "NATO SECRET": (C.NATO_SECRET, ()),
    "NATO SECRET ATOMAL": (C.NATO_SECRET, (Caveat.ATOMAL,)),
    "SECRET ATOMAL": (C.NATO_SECRET, (Caveat.ATOMAL,)),
    "NATO CONFIDENTIAL": (C.NATO_CONFIDENTIAL, ()),
    "NATO CONFIDENTIAL ATOMAL": (C.NATO_CONFIDENTIAL, (Caveat.ATOMAL,)),
    "CONFIDENTIAL ATOMAL": (C.NATO_CONFIDENTIAL, (Caveat.ATOMAL,)),
    "NATO RESTRICTED": (C.NATO_RESTRICTED, ()),
    "NATO UNCLASSIFIED": (C.NATO_UNCLASSIFIED, ()),
}


class TagRefused(ValueError):
    """A tag that names a marking this importer cannot read exactly; the message says which."""


@dataclass
class Named:
    """What the tags of one level (or one banner tag) name; ``None``: not named there."""

    level: Classification | None = None
    caveats: set[Caveat] = field(default_factory=set)
    release: set[str] | None = None
    communities: set[str] | None = None
    tlp: Tlp | None = None
    chr: bool = False

    @property
    def names_anything(self) -> bool:
        return (
            self.level is not None
            or self.release is not None
            or self.communities is not None
            or self.tlp is not None
        )


def _plain(text: str) -> str:
    """NFKC, no quotes, single spaces, stripped."""
    text = unicodedata.normalize("NFKC", text)
    return " ".join("".join(ch for ch in text if ch not in _QUOTES).split())


def _key(tag: str) -> tuple[str, str | None]:
    """(namespace:predicate in lower case without spaces or quotes, value or None)."""
    head, sep, value = tag.partition("=")
    key = "".join(_plain(head).split()).lower()
    return key, (_plain(value) if sep else None)


@functools.lru_cache(maxsize=8192)  # a TAXII envelope repeats a handful of labels
def is_marker(tag: str) -> bool:
    """Whether a tag looks like a classification, TLP, releasability or need-to-know tag."""
    key, _ = _key(tag)
    predicate = key.split(":", 1)[1] if ":" in key else ""
    return (
        key.startswith(_MARKER_START)
        or predicate in _MARKER_PREDICATES
        or _BANNER.match(_plain(tag)) is not None
    )


def _refuse(tag: str, where: str, why: str) -> TagRefused:
    return TagRefused(f"{where}: the tag {tag[:120]!r} {why}; nothing was imported")


def _read_nato(tag: str, value: str | None, named: Named, where: str) -> None:
    found = _NATO_VALUES.get(" ".join((value or "").upper().split()))
    if found is None:
        raise _refuse(
            tag,
            where,
            "is not a NATO classification (CTS, CTS-A, CTS-B, NS, NS-A, NC, NC-A, NR, NU)",
        )
    level, caveats = found
    if named.level is None or level.rank > named.level.rank:
        named.level = level
    named.caveats.update(caveats)


def _read_tlp(tag: str, key: str, value: str | None, named: Named, where: str) -> None:
    raw = key.removeprefix("tlp:") if value is None else ""
    if raw == "ex:chr":
        named.chr = True
        return
    tlp = _TLP_VALUES.get(raw)
    if tlp is None:
        raise _refuse(tag, where, "is not a TLP this hub can carry (clear, green, amber, red)")
    if named.tlp is None or list(Tlp).index(tlp) > list(Tlp).index(named.tlp):
        named.tlp = tlp


def _read_list(tag: str, value: str | None, where: str, *, codes: bool) -> set[str]:
    items = [p.strip() for p in (value or "").split(",") if p.strip()]
    if codes:
        items = [i.upper() for i in items]
    check = _CODE if codes else _COMMUNITY
    if not items or any(check.match(i if codes else i.lower()) is None for i in items):
        raise _refuse(tag, where, "names no valid release code" if codes else "names no community")
    return {i if codes else i.lower() for i in items}


def _read_liaison(tag: str, key: str, value: str | None, named: Named, where: str) -> None:
    if key == "liaison:releasable-to":
        named.release = (named.release or set()) | _read_list(tag, value, where, codes=True)
    elif key == "liaison:need-to-know":
        named.communities = (named.communities or set()) | _read_list(
            tag, value, where, codes=False
        )
    else:
        raise _refuse(
            tag, where, "is not a Liaison tag (liaison:releasable-to, liaison:need-to-know)"
        )


def _banner(tag: str, where: str) -> Named:
    """A Liaison banner as a tag (``nr // rel aus, jpn``): one full marking."""
    try:
        m = parse_marking(_plain(tag).upper(), lambda name: name if _CODE.match(name) else None)
    except MarkingError as exc:
        raise _refuse(tag, where, f"reads like a marking but is not one ({exc})") from None
    return Named(
        m.level,
        set(m.caveats),
        set(m.releasable_to) if m.level is not C.PUBLIC else None,
        set(m.communities) if m.communities else None,
        m.tlp,
    )


def read_level(tags: Iterable[str], where: str) -> list[Named]:
    """The constraints the tags of one level name: the level's own tags (one ``Named``, a
    classification without a releasability tag meaning NATO only), then one per banner tag."""
    own, banners = Named(), []
    for tag in tags:
        if not is_marker(tag):
            continue
        key, value = _key(tag)
        if key == "nato:classification":
            _read_nato(tag, value, own, where)
        elif key.startswith("tlp:"):
            _read_tlp(tag, key, value, own, where)
        elif key.startswith("liaison:"):
            _read_liaison(tag, key, value, own, where)
        elif _BANNER.match(_plain(tag)) and not key.startswith(("nato:", "tlp:", "liaison:")):
            banners.append(_banner(tag, where))
        else:
            raise _refuse(tag, where, "looks like a marking but is not one this hub can read")
    if own.level is not None and own.release is None:
        own.release = set()  # a classification without releasability: NATO only
    return [own, *banners]


def labels_of(pieces: Iterable[Named]) -> list[str]:
    """Labels to keep for what names no marking (``tlp:ex:chr``)."""
    return [CHR] if any(p.chr for p in pieces) else []


def resolve(
    pieces: Sequence[Named], default: Marking, groups_of: GroupsOf | None = None
) -> Marking:
    """The strictest marking all ``pieces`` (an attribute's, its object's and its event's
    levels) name together; ``default`` only for what none of them names."""
    named = [p for p in pieces if p.names_anything]
    levels = [p.level for p in named if p.level is not None]
    tlps = [p.tlp for p in named if p.tlp is not None]
    tlp = max(tlps, key=list(Tlp).index) if tlps else None
    if not levels:
        if any(p.release is not None or p.communities is not None for p in named):
            raise TagRefused(
                "a releasability or need-to-know tag needs a classification tag beside it "
                "(nato:classification=...); nothing was imported"
            )
        if tlp is None:
            return default
        if tlp is Tlp.CLEAR:
            return Marking(C.PUBLIC, tlp=Tlp.CLEAR)
        tlp = max([tlp, default.tlp] if default.tlp else [tlp], key=list(Tlp).index)
        return _marking(
            default.level, default.releasable_to, set(default.caveats), default.communities, tlp
        )
    level = max(levels, key=lambda c: c.rank)
    caveats = set().union(*(p.caveats for p in named))
    releases = [Marking(level, frozenset(p.release)) for p in named if p.release is not None]
    release = strictest(releases, groups_of).releasable_to if level is not C.PUBLIC else frozenset()
    need = [frozenset(p.communities) for p in named if p.communities is not None]
    communities: frozenset[str] = frozenset()
    for group in need:
        communities = (communities & group or frozenset({"∅"})) if communities else group
    if tlp is Tlp.CLEAR and level is not C.PUBLIC:
        tlp = None  # the lowest TLP under a classification: the classification is stricter
    return _marking(level, release, caveats, communities, tlp)


def _marking(
    level: Classification,
    release: frozenset[str],
    caveats: set[Caveat],
    communities: frozenset[str],
    tlp: Tlp | None,
) -> Marking:
    if caveats:
        release = frozenset()  # caveated material is never releasable to partners
    try:
        return Marking(level, release, frozenset(caveats), communities, tlp)
    except MarkingError as exc:
        raise TagRefused(
            f"the tags name a marking that cannot be: {exc}; nothing was imported"
        ) from None


# export ------------------------------------------------------------------------------------------
def tags_for(marking: Marking) -> list[str]:
    """The MISP tags that carry ``marking`` so that ``read_level`` reads it back exactly:
    ``nato:classification`` (one per caveat where MISP's taxonomy has no value for both),
    ``tlp``, and one ``liaison:releasable-to`` / ``liaison:need-to-know`` tag per code — a tag
    MISP can filter on."""
    tags = [t for t in to_misp_tags(marking) if not t.startswith("nato:")]
    if marking.level is not C.PUBLIC:
        code = short(Marking(marking.level)).split(" ")[0]
        if marking.caveats:
            tags[:0] = [
                f'nato:classification="{code}-{c.value[0]}"' for c in sorted(marking.caveats)
            ]
        else:
            tags.insert(0, f'nato:classification="{code}"')
    tags += [RELEASE_TAG.format(code=c) for c in sorted(marking.releasable_to)]
    tags += [NTK_TAG.format(community=c) for c in sorted(marking.communities)]
    return tags


# STIX labels (misp-stix's form of MISP tags) ----------------------------------------------------
_CONTAINERS = frozenset({"report", "grouping", "observed-data", "note", "opinion"})


def _labels(obj: Mapping[str, Any]) -> list[str]:
    labels = obj.get("labels")
    return [x for x in labels if isinstance(x, str)] if isinstance(labels, list) else []


def label_ceilings(
    objects: Sequence[Any], default: Marking, groups_of: GroupsOf | None = None
) -> tuple[dict[str, Marking], dict[str, str]]:
    """For a STIX envelope (MISP's TAXII push: misp-stix writes MISP's tags as ``labels``),
    the marking each object's labels name together with the labels of every report, grouping
    or observed-data that names it — a container caps what it names — and, by id, why an
    object's labels were refused. Objects whose labels name no marking are absent."""
    own: dict[str, list[Named]] = {}
    errors: dict[str, str] = {}
    for obj in objects:
        if not isinstance(obj, Mapping) or not isinstance(obj.get("id"), str):
            continue
        labels = _labels(obj)
        if not any(is_marker(x) for x in labels):
            continue
        try:
            own[obj["id"]] = read_level(labels, obj["id"])
        except TagRefused as exc:
            errors[obj["id"]] = str(exc)
    pieces = {k: list(v) for k, v in own.items()}
    for obj in objects:
        if not isinstance(obj, Mapping) or obj.get("type") not in _CONTAINERS:
            continue
        cap = own.get(str(obj.get("id")))
        refs = obj.get("object_refs")
        if cap is None or not isinstance(refs, list):
            continue
        for ref in refs:
            if isinstance(ref, str):
                pieces.setdefault(ref, []).extend(cap)
    ceilings = {}
    for stix_id, found in pieces.items():
        try:
            ceilings[stix_id] = resolve(found, default, groups_of)
        except TagRefused as exc:
            errors[stix_id] = str(exc)
    return ceilings, errors
