# SPDX-License-Identifier: Apache-2.0
"""Server-side SVG charts for the registry pages: membership over time and an office timeline.

Pure functions, no framework imports: data in, SVG markup out (``markupsafe.Markup``, a ``str``).
Invariants:
- every text and attribute value is escaped with markupsafe, so a name cannot inject markup;
- every chart is an accessible image: ``role="img"``, ``aria-label``, ``<title>`` and a
  ``<desc>`` that states the data in words, so the numbers do not live only in the picture;
- no inline ``style`` (the CSP forbids it): colours come from classes in ``liaison.css``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT_WIDTH = 7.2  # average advance of a 12px label, for label collision checks
LABEL_HEIGHT = 13.0


@dataclass(frozen=True, slots=True)
class Step:
    """The number of allies from ``day`` on, and how it changed that day."""

    day: dt.date
    count: int
    change: int


@dataclass(frozen=True, slots=True)
class _Frame:
    """A plot area inside an SVG canvas, mapping dates to x and values to y."""

    start: dt.date
    end: dt.date
    left: float
    right: float
    top: float
    bottom: float
    y_max: float = 1.0

    def x(self, day: dt.date) -> float:
        span = max((self.end - self.start).days, 1)
        share = min(max((day - self.start).days / span, 0.0), 1.0)
        return round(self.left + share * (self.right - self.left), 1)

    def y(self, value: float) -> float:
        return round(self.bottom - value / self.y_max * (self.bottom - self.top), 1)


def _attrs(**values: object) -> str:
    """Attributes from keyword arguments; ``class_`` becomes ``class``, ``_`` becomes ``-``."""
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        parts.append(f'{name}="{escape(str(value))}"')
    return " ".join(parts)


def _el(tag: str, content: str = "", **values: object) -> str:
    """An element; ``content`` is markup already built by these helpers (never raw text)."""
    if content:
        return f"<{tag} {_attrs(**values)}>{content}</{tag}>"
    return f"<{tag} {_attrs(**values)}/>"


def _text(x: float, y: float, content: str, **values: object) -> str:
    return f"<text {_attrs(x=x, y=y, **values)}>{escape(content)}</text>"


def _tip(text: str) -> str:
    return f"<title>{escape(text)}</title>"


def _svg(
    width: int, height: int, label: str, desc: str, body: Iterable[str], class_: str
) -> Markup:
    head = (
        f"<svg {_attrs(xmlns='http://www.w3.org/2000/svg', viewBox=f'0 0 {width} {height}')}"
        f" {_attrs(role='img', aria_label=label, class_=class_)}>"
        f"<title>{escape(label)}</title><desc>{escape(desc)}</desc>"
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every part escaped above


# membership over time -------------------------------------------------------------------------
def membership_steps(periods: Iterable[tuple[dt.date, dt.date | None]]) -> list[Step]:
    """The count of members after each day on which it changed, in date order.

    A member counts from its accession date until (not including) its withdrawal date.
    """
    deltas: Counter[dt.date] = Counter()
    for accession, withdrawal in periods:
        deltas[accession] += 1
        if withdrawal is not None:
            deltas[withdrawal] -= 1
    steps: list[Step] = []
    count = 0
    for day in sorted(deltas):
        if deltas[day]:
            count += deltas[day]
            steps.append(Step(day, count, deltas[day]))
    return steps


def membership_chart(
    periods: Iterable[tuple[dt.date, dt.date | None]],
    *,
    until: dt.date,
    start: dt.date = dt.date(1949, 1, 1),
    width: int = 960,
    height: int = 300,
) -> Markup:
    """A step chart of the number of allies from ``start`` to ``until``, each step labelled."""
    steps = [s for s in membership_steps(periods) if s.day <= until]
    peak = max((s.count for s in steps), default=0)
    frame = _Frame(
        start,
        until,
        52,
        width - 24,
        34,
        height - 36,
        y_max=max(10, math.ceil((peak + 4) / 10) * 10),
    )
    summary = ", ".join(f"{s.count} on {s.day.isoformat()}" for s in steps) or "no members"
    desc = f"Number of allies from {start.year} to {until.isoformat()}: {summary}."
    body = [
        *_y_grid(frame, "Allies"),
        *_year_axis(frame),
        _step_path(steps, frame),
        *_step_labels(steps, frame),
    ]
    return _svg(width, height, "Membership over time", desc, body, "chart membership")


def _y_grid(frame: _Frame, title: str) -> list[str]:
    parts = [_text(frame.left - 8, frame.top - 16, title, class_="axis-title", text_anchor="start")]
    step = 10 if frame.y_max > 20 else 5  # noqa: PLR2004 - tick spacing, not a magic count
    for value in range(0, int(frame.y_max) + 1, step):
        y = frame.y(value)
        parts.append(_el("line", x1=frame.left, x2=frame.right, y1=y, y2=y, class_="grid"))
        parts.append(_text(frame.left - 8, y + 4, str(value), class_="tick", text_anchor="end"))
    return parts


def _year_ticks(start: dt.date, end: dt.date) -> list[int]:
    """1 January of every 1, 2, 5, 10... years inside ``start..end``: at most 12 ticks."""
    span = max(end.year - start.year, 1)
    every = next((n for n in (1, 2, 5, 10, 20, 50) if span / n <= 12), 100)  # noqa: PLR2004
    first = -(-start.year // every) * every  # round up to a multiple of `every`
    if dt.date(first, 1, 1) < start:
        first += every
    return list(range(first, end.year + 1, every))


def _year_axis(frame: _Frame) -> list[str]:
    base = frame.bottom
    parts = [_el("line", x1=frame.left, x2=frame.right, y1=base, y2=base, class_="axis")]
    for year in _year_ticks(frame.start, frame.end):
        x = frame.x(dt.date(year, 1, 1))
        parts.append(_el("line", x1=x, x2=x, y1=base, y2=base + 5, class_="axis"))
        parts.append(_text(x, frame.bottom + 19, str(year), class_="tick", text_anchor="middle"))
    return parts


def _step_path(steps: Sequence[Step], frame: _Frame) -> str:
    risers = "".join(f"H{frame.x(step.day)}V{frame.y(step.count)}" for step in steps)
    line = f"M{frame.x(frame.start)},{frame.y(0)}{risers}H{frame.x(frame.end)}"
    area = f"{line}V{frame.y(0)}Z"
    return _el("path", d=area, class_="area") + _el("path", d=line, class_="line")


Box = tuple[float, float, float, float]  # left, right, top, bottom


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def _obstacles(steps: Sequence[Step], frame: _Frame) -> list[Box]:
    """Every dot and riser of the step line: what a count label must not cover."""
    boxes: list[Box] = []
    below = frame.y(0)
    for step in steps:
        x, y = frame.x(step.day), frame.y(step.count)
        boxes.append((x - 4.5, x + 4.5, y - 4.5, y + 4.5))
        boxes.append((x - 1, x + 1, min(y, below), max(y, below)))
        below = y
    return boxes


def label_box(x: float, baseline: float, text: str) -> Box:
    """The space a centred 12px label takes (estimated: the server has no font metrics)."""
    half = FONT_WIDTH * len(text) / 2
    return (x - half, x + half, baseline - 10, baseline + 2)


def _step_labels(steps: Sequence[Step], frame: _Frame) -> list[str]:
    """A dot at each step and its count centred above it, lifted clear of the line, the dots
    and the labels already placed (2023 and 2024 are a few pixels apart)."""
    taken = _obstacles(steps, frame)
    parts: list[str] = []
    for step in steps:
        x, y = frame.x(step.day), frame.y(step.count)
        label, baseline = str(step.count), y - 8
        while any(_overlaps(label_box(x, baseline, label), box) for box in taken):
            baseline -= 2
        taken.append(label_box(x, baseline, label))
        sign = "+" if step.change > 0 else ""
        tip = f"{step.day.isoformat()}: {step.count} allies ({sign}{step.change})"
        text = _text(x, baseline, label, class_="count", text_anchor="middle")
        parts.append(_el("g", _tip(tip) + _el("circle", cx=x, cy=y, r=3.5) + text, class_="step"))
    return parts


# office timeline ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One office's lifecycle dates, as the timeline draws them."""

    label: str
    proposed_on: dt.date | None = None
    approved_on: dt.date | None = None
    host_agreement_on: dt.date | None = None
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    shelved_on: dt.date | None = None

    def dates(self) -> list[dt.date]:
        values = (
            self.proposed_on,
            self.approved_on,
            self.host_agreement_on,
            self.opened_on,
            self.closed_on,
            self.shelved_on,
        )
        return sorted(d for d in values if d is not None)


MARKERS: tuple[tuple[str, str], ...] = (
    ("proposed_on", "proposed"),
    ("approved_on", "approved"),
    ("host_agreement_on", "host agreement"),
    ("shelved_on", "shelved"),
)
ROW_HEIGHT = 28
LABEL_COLUMN = 300


def office_timeline(rows: Sequence[TimelineRow], *, until: dt.date, width: int = 960) -> Markup:
    """One row per office with a known date: a bar while open, markers for the other steps."""
    known = sorted((r for r in rows if r.dates()), key=lambda r: (r.dates()[0], r.label))
    first = min((r.dates()[0] for r in known), default=until)
    height = 70 + ROW_HEIGHT * len(known)
    frame = _Frame(dt.date(first.year, 1, 1), until, LABEL_COLUMN, width - 24, 40, height - 30)
    body = [*_legend(), *_year_axis(frame), _today_line(frame)]
    for index, row in enumerate(known):
        body.extend(_timeline_row(row, frame, frame.top + 14 + index * ROW_HEIGHT, until))
    desc = "; ".join(_row_words(r) for r in known) or "No office has a known date."
    return _svg(width, height, "Office timeline", desc, body, "chart timeline")


def _legend() -> list[str]:
    parts = [
        _el("rect", x=LABEL_COLUMN, y=8, width=22, height=10, class_="bar"),
        _text(LABEL_COLUMN + 28, 17, "open", class_="legend"),
    ]
    x = LABEL_COLUMN + 80.0
    for _, word in MARKERS:
        parts.append(_marker(word, x, 13))
        parts.append(_text(x + 10, 17, word, class_="legend"))
        x += 22 + FONT_WIDTH * len(word)
    return parts


def _today_line(frame: _Frame) -> str:
    x = frame.x(frame.end)
    return _el("line", x1=x, x2=x, y1=frame.top - 6, y2=frame.bottom, class_="today") + _text(
        x, frame.top - 10, "today", class_="tick", text_anchor="end"
    )


def _timeline_row(row: TimelineRow, frame: _Frame, y: float, until: dt.date) -> list[str]:
    dates = row.dates()
    end = until if row.opened_on and not row.closed_on else dates[-1]
    parts = [
        _text(frame.left - 12, y + 4, row.label, class_="row-label", text_anchor="end"),
        _el("line", x1=frame.x(dates[0]), x2=frame.x(end), y1=y, y2=y, class_="track"),
    ]
    if row.opened_on:
        x1, x2 = frame.x(row.opened_on), frame.x(row.closed_on or until)
        tip = f"{row.label}: open {_span(row.opened_on, row.closed_on)}"
        parts.append(
            _el("rect", _tip(tip), x=x1, y=y - 6, width=max(x2 - x1, 2), height=12, class_="bar")
        )
    for field, word in MARKERS:
        day = getattr(row, field)
        if day is not None:
            tip = f"{row.label}: {word} {day.isoformat()}"
            parts.append(_el("g", _tip(tip) + _marker(word, frame.x(day), y)))
    return parts


def _marker(word: str, x: float, y: float) -> str:
    """Proposed ○, approved ◇, host agreement □, shelved ✕: shapes, not only colours."""
    css = "marker " + word.replace(" ", "-")
    if word == "proposed":
        return _el("circle", cx=x, cy=y, r=5, class_=css)
    if word == "approved":
        points = f"{x},{y - 6} {x + 6},{y} {x},{y + 6} {x - 6},{y}"
        return _el("polygon", points=points, class_=css)
    if word == "host agreement":
        return _el("rect", x=x - 4.5, y=y - 4.5, width=9, height=9, class_=css)
    cross = f"M{x - 5},{y - 5}L{x + 5},{y + 5}M{x - 5},{y + 5}L{x + 5},{y - 5}"
    return _el("path", d=cross, class_=css)


def _span(opened: dt.date, closed: dt.date | None) -> str:
    return f"{opened.isoformat()} to {closed.isoformat() if closed else 'today'}"


def _row_words(row: TimelineRow) -> str:
    words = [
        f"{word} {getattr(row, field).isoformat()}"
        for field, word in MARKERS
        if getattr(row, field) is not None
    ]
    if row.opened_on:
        words.append(f"open {_span(row.opened_on, row.closed_on)}")
    return f"{row.label}: {', '.join(words)}"
