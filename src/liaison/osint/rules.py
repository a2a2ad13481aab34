# SPDX-License-Identifier: Apache-2.0
"""Contradictions within a story, and against the registry (pure: no database, no web).

Within a story, between two different articles (copies left out: a copy repeats its
original):
- **date**: two reports of one event (the same kind; the same place or country, or one of
  them without a place; for visits and meetings, a person in common when both name people)
  whose date intervals cannot overlap at their own granularity: "in June" against "11-12 July"
  conflict, "in July" against "11-12 July" do not;
- **count**: two stated counts of one fact ("members", "nations", "participants") whose
  ranges cannot overlap: "38 nations" against "32 nations"; "more than 2,500" and "about
  4,000" can both hold;
- **stance**: opposite stances on one proposition ("the office": confirmed against opposed).
Against the registry:
- **registry**: an exact count of alliance members that differs from the registry's number of
  allies on the article's publication date.
Each contradiction is reported once per pair of articles and subject, the earlier article on
the left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from liaison.osint.extract import ClaimFact, CountFact, EventFact

PERSONAL = {"visit", "meeting"}


@dataclass(frozen=True, slots=True)
class Facts:
    """One article's extracted facts, as contradictions need them."""

    article: int
    published: dt.date | None
    events: Sequence[EventFact]
    claims: Sequence[ClaimFact]
    counts: Sequence[CountFact]


@dataclass(frozen=True, slots=True)
class Found:
    kind: str  # date, count, stance, registry
    subject: str
    left: int
    right: int | None
    left_text: str
    right_text: str
    left_value: str
    right_value: str


def same_event(a: EventFact, b: EventFact) -> bool:
    if a.kind != b.kind:
        return False
    if a.place_iso3 and b.place_iso3 and a.place_iso3 != b.place_iso3:
        return False
    if not (a.place_iso3 and b.place_iso3) and a.place and b.place and a.place != b.place:
        return False
    if a.kind in PERSONAL:
        people_a = {p for p in a.participants if " " in p}
        people_b = {p for p in b.participants if " " in p}
        if people_a and people_b and not people_a & people_b:
            return False
    return True


def _ordered(a: Facts, b: Facts) -> tuple[Facts, Facts]:
    key_a = (a.published or dt.date.min, a.article)
    key_b = (b.published or dt.date.min, b.article)
    return (a, b) if key_a <= key_b else (b, a)


def within_story(articles: Sequence[Facts]) -> list[Found]:
    found: dict[tuple[str, str, int, int | None], Found] = {}
    for i, first in enumerate(articles):
        for second in articles[i + 1 :]:
            left, right = _ordered(first, second)
            for item in _pair(left, right):
                found.setdefault((item.kind, item.subject, item.left, item.right), item)
    return list(found.values())


def _pair(left: Facts, right: Facts) -> list[Found]:
    out: list[Found] = []
    for a in left.events:
        for b in right.events:
            if same_event(a, b) and not a.interval.overlaps(b.interval):
                subject = f"{a.kind} in {a.place or b.place}" if (a.place or b.place) else a.kind
                out.append(
                    Found(
                        "date",
                        subject,
                        left.article,
                        right.article,
                        a.sentence,
                        b.sentence,
                        f"{a.date_text} ({a.interval.text()})",
                        f"{b.date_text} ({b.interval.text()})",
                    )
                )
    for x in left.counts:
        for y in right.counts:
            if x.fact == y.fact and not x.overlaps(y):
                out.append(  # noqa: PERF401 - one rule per loop, in words
                    Found(
                        "count",
                        x.fact,
                        left.article,
                        right.article,
                        x.sentence,
                        y.sentence,
                        x.text,
                        y.text,
                    )
                )
    for c in left.claims:
        for d in right.claims:
            if c.proposition == d.proposition and c.stance * d.stance < 0:
                out.append(  # noqa: PERF401 - one rule per loop, in words
                    Found(
                        "stance",
                        c.proposition,
                        left.article,
                        right.article,
                        c.sentence,
                        d.sentence,
                        _stance(c),
                        _stance(d),
                    )
                )
    return out


def _stance(claim: ClaimFact) -> str:
    word = "for" if claim.stance > 0 else "against"
    return f"{claim.speaker}: {word}" if claim.speaker else word


def against_registry(facts: Facts, members_on: Callable[[dt.date], int]) -> list[Found]:
    """Exact member counts that differ from the registry's on the publication date."""
    if facts.published is None:
        return []
    expected = members_on(facts.published)
    out = []
    for count in facts.counts:
        if count.fact == "members" and count.low == count.high and count.value != expected:
            out.append(  # noqa: PERF401
                Found(
                    "registry",
                    "members",
                    facts.article,
                    None,
                    count.sentence,
                    f"The registry lists {expected} allies on {facts.published.isoformat()}.",
                    count.text,
                    f"{expected} allies",
                )
            )
    return out[:1]
