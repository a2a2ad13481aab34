# SPDX-License-Identifier: Apache-2.0
"""Server-side SVG for programmes: the road map (a timeline by cooperation area).

Pure: data in, SVG markup out (``markupsafe.Markup``). Every text is escaped; the chart is an
accessible image (``role="img"``, ``<title>``, a ``<desc>`` stating the data in words); no
inline style (the CSP forbids it): colours come from classes in ``liaison.css``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup, escape

LEFT = 250.0
RIGHT_PAD = 20.0
WIDTH = 1000.0
ROW = 34.0
TOP = 40.0


@dataclass(frozen=True, slots=True)
class Bar:
    """An activity: ``start``-``end``, its status (a CSS class) and a label."""

    start: dt.date
    end: dt.date
    status: str
    label: str


@dataclass(frozen=True, slots=True)
class Lane:
    """One cooperation area: its goals' due dates and its activities."""

    area: str
    due: list[tuple[dt.date, str, str]]  # date, goal status, label
    bars: list[Bar]


def _x(day: dt.date, start: dt.date, end: dt.date) -> float:
    span = max((end - start).days, 1)
    share = min(max((day - start).days / span, 0.0), 1.0)
    return round(LEFT + share * (WIDTH - LEFT - RIGHT_PAD), 1)


def roadmap(title: str, start: dt.date, end: dt.date, lanes: list[Lane], today: dt.date) -> Markup:
    """A timeline over the programme's period: one lane per area, activities as bars, goals'
    due dates as diamonds, years as grid lines, today as a dashed line."""
    height = TOP + ROW * max(len(lanes), 1) + 30
    parts: list[str] = []
    desc = (
        "; ".join(
            f"{lane.area}: {len(lane.bars)} activities, {len(lane.due)} goals" for lane in lanes
        )
        or "no goals or activities you may read"
    )
    parts.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Road map" '
        f'viewBox="0 0 {WIDTH:.0f} {height:.0f}" class="roadmap">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )
    for year in range(start.year, end.year + 2):
        day = dt.date(year, 1, 1)
        if start <= day <= end + dt.timedelta(days=1):
            x = _x(day, start, end)
            parts.append(
                f'<line class="grid" x1="{x}" y1="{TOP - 15}" x2="{x}" y2="{height - 25}"/>'
                f'<text class="tick" x="{x + 3}" y="{TOP - 20}">{year}</text>'
            )
    if start <= today <= end:
        x = _x(today, start, end)
        parts.append(
            f'<line class="today" x1="{x}" y1="{TOP - 15}" x2="{x}" y2="{height - 25}"/>'
            f'<text class="tick" x="{x + 3}" y="{height - 12}">today</text>'
        )
    for index, lane in enumerate(lanes):
        y = TOP + index * ROW
        parts.append(
            f'<text class="row-label" x="8" y="{y + 16}">{escape(lane.area)}</text>'
            f'<line class="track" x1="{LEFT}" y1="{y + 12}" x2="{WIDTH - RIGHT_PAD}" '
            f'y2="{y + 12}"/>'
        )
        for bar in lane.bars:
            x1, x2 = _x(bar.start, start, end), _x(bar.end, start, end)
            parts.append(
                f'<rect class="activity {escape(bar.status)}" x="{x1}" y="{y + 5}" '
                f'width="{max(x2 - x1, 5):.1f}" height="14" rx="2">'
                f"<title>{escape(bar.label)}</title></rect>"
            )
        for day, status, label in lane.due:
            x = _x(day, start, end)
            parts.append(
                f'<path class="due {escape(status)}" d="M{x} {y + 3} l7 9 l-7 9 l-7 -9 z">'
                f"<title>{escape(label)}</title></path>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value above is escaped or numeric
