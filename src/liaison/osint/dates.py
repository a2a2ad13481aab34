# SPDX-License-Identifier: Apache-2.0
"""Dates as intervals at a granularity (pure: no database, no web).

"in June" is the whole of June at ``month``; "11-12 July" is two days at ``day``; "next year"
is a year. Ranges are read by our own patterns first, because dateparser reads "July 11 and
12" as 2012-07-11 (the 12 taken for the year). A phrase without a year takes the year of the
article's publication date (``base``); a bare month after a base month is taken in the
base's year. Unparseable text gives None, never a guess.

Two intervals *conflict* when they cannot overlap: June 2023 and 11-12 July 2023 conflict;
July 2023 and 11-12 July 2023 do not.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

DAY, MONTH, YEAR = "day", "month", "year"

_MONTHS = (
    {name.lower(): index for index, name in enumerate(calendar.month_name) if name}
    | {name.lower(): index for index, name in enumerate(calendar.month_abbr) if name}
    | {"sept": 9}
)
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
_DASH = r"\s*(?:-|\u2013|\u2014|to|and|until)\s*"
_YEAR = r"(?:,?\s*(?P<year>(?:19|20)\d\d))?"
_RANGES = [
    # 11-12 July 2023, 11 and 12 July
    re.compile(rf"\b(?P<d1>\d{{1,2}}){_DASH}(?P<d2>\d{{1,2}})\s+{_MONTH}{_YEAR}\b", re.IGNORECASE),
    # July 11-12, 2023, July 11 and 12
    re.compile(
        rf"\b{_MONTH}\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?{_DASH}(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b{_YEAR}",
        re.IGNORECASE,
    ),
]
_DAY_MONTH = [
    re.compile(
        rf"\b(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}{_YEAR}\b", re.IGNORECASE
    ),
    re.compile(
        rf"\b{_MONTH}\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*(?:-|\u2013|and))(?:,?\s*(?P<year>(?:19|20)\d\d))?",
        re.IGNORECASE,
    ),
]
_ISO = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b")
_MONTH_ONLY = re.compile(rf"\b{_MONTH}(?:\s+(?:of\s+)?(?P<year>(?:19|20)\d\d))?\b", re.IGNORECASE)
_YEAR_ONLY = re.compile(r"\b(?P<year>(?:19|20)\d\d)\b")
_RELATIVE_YEAR = re.compile(r"\b(?P<which>next|last|this)\s+year\b", re.IGNORECASE)
_RELATIVE_MONTH = re.compile(r"\b(?P<which>next|last|this)\s+month\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Interval:
    start: dt.date
    end: dt.date
    granularity: str

    def overlaps(self, other: Interval) -> bool:
        return self.start <= other.end and other.start <= self.end

    def text(self) -> str:
        """As an analyst reads it: 2023-07, 2023-07-11..12, 2024."""
        if self.granularity == YEAR:
            return str(self.start.year)
        if self.granularity == MONTH:
            return f"{self.start:%Y-%m}"
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def month_interval(year: int, month: int) -> Interval:
    last = calendar.monthrange(year, month)[1]
    return Interval(dt.date(year, month, 1), dt.date(year, month, last), MONTH)


def year_interval(year: int) -> Interval:
    return Interval(dt.date(year, 1, 1), dt.date(year, 12, 31), YEAR)


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _year_of(match: re.Match[str], base: dt.date | None) -> int | None:
    if match.group("year"):
        return int(match.group("year"))
    return base.year if base else None


def parse_interval(text: str, base: dt.date | None = None) -> Interval | None:  # noqa: C901, PLR0911, PLR0912 - one branch per form, in order
    """The interval a date phrase names, or None. ``base``: the publication date."""
    phrase = text.strip()
    if not phrase or len(phrase) > 200:  # noqa: PLR2004
        return None
    for pattern in _RANGES:
        if m := pattern.search(phrase):
            year = _year_of(m, base)
            month = _MONTHS[m.group("month").lower().rstrip(".")]
            if year is None:
                return None
            first, last = (
                _day(year, month, int(m.group("d1"))),
                _day(year, month, int(m.group("d2"))),
            )
            if first is None or last is None or last < first:
                return None
            return Interval(first, last, DAY)
    if m := _ISO.search(phrase):
        day = _day(int(m.group("year")), int(m.group("m")), int(m.group("d")))
        return Interval(day, day, DAY) if day else None
    for pattern in _DAY_MONTH:
        if m := pattern.search(phrase):
            year = _year_of(m, base)
            month = _MONTHS[m.group("month").lower().rstrip(".")]
            day = _day(year, month, int(m.group("d1"))) if year else None
            return Interval(day, day, DAY) if day else None
    if m := _RELATIVE_YEAR.search(phrase):
        if base is None:
            return None
        shift = {"next": 1, "last": -1, "this": 0}[m.group("which").lower()]
        return year_interval(base.year + shift)
    if m := _RELATIVE_MONTH.search(phrase):
        if base is None:
            return None
        shift = {"next": 1, "last": -1, "this": 0}[m.group("which").lower()]
        index = base.year * 12 + base.month - 1 + shift
        return month_interval(index // 12, index % 12 + 1)
    if m := _MONTH_ONLY.search(phrase):
        if (
            m.group("month").lower() == "may"
            and not m.group("year")
            and not re.search(r"\bin\s+May\b", phrase)
        ):
            return None  # "may" the verb
        year = _year_of(m, base)
        if year is None:
            return None
        month = _MONTHS[m.group("month").lower().rstrip(".")]
        if base is not None and not m.group("year"):
            before = phrase[: m.start()].lower()
            if re.search(r"\b(last|past)\s+$", before) and month >= base.month:
                year -= 1
            elif re.search(r"\bnext\s+$", before) and month <= base.month:
                year += 1
        return month_interval(year, month)
    if m := _YEAR_ONLY.search(phrase):
        return year_interval(int(m.group("year")))
    return _dateparser(phrase, base)


def _dateparser(phrase: str, base: dt.date | None) -> Interval | None:
    """Whatever our patterns miss ("yesterday", "on Tuesday"), by dateparser, relative to the
    publication date; without one, nothing relative is guessed."""
    if base is None:
        return None
    data = _parser(base).get_date_data(phrase)
    if data.date_obj is None:
        return None
    return _from_dateparser(data, base)


def _from_dateparser(data: Any, base: dt.date) -> Interval | None:  # noqa: ANN401 - dateparser's DateData
    found = data.date_obj.date()
    if abs((found - base).days) > 3660:  # noqa: PLR2004 - ten years off: a misreading
        return None
    if data.period == "year":
        return year_interval(found.year)
    if data.period == "month":
        return month_interval(found.year, found.month)
    return Interval(found, found, DAY)


@functools.lru_cache(maxsize=64)
def _parser(base: dt.date) -> Any:  # noqa: ANN401 - dateparser's DateDataParser
    from dateparser.date import DateDataParser  # noqa: PLC0415 - slow import, only when needed

    return DateDataParser(
        languages=["en"],
        settings={
            "PREFER_DAY_OF_MONTH": "first",
            "RETURN_TIME_AS_PERIOD": True,
            "RELATIVE_BASE": dt.datetime(base.year, base.month, base.day),  # noqa: DTZ001 - a date
        },
    )


def parse_published(text: str) -> Interval | None:
    """A publication date as a file or feed writes it (ISO, '25 May 2023', 'May 2023')."""
    return parse_interval(text, None)
