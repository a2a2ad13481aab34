# SPDX-License-Identifier: Apache-2.0
"""The SVG chart builders: data in, well-formed and accessible SVG out, no database."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from importlib import resources

import pytest

from liaison.registry import charts

SVG = "{http://www.w3.org/2000/svg}"
TODAY = dt.date(2026, 11, 23)
D = dt.date.fromisoformat


def reference_allies() -> list[tuple[dt.date, dt.date | None]]:
    raw = (resources.files("liaison.registry") / "data" / "reference.json").read_text("utf-8")
    return [(D(a["accession_date"]), None) for a in json.loads(raw)["allies"]]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it is well formed
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element, css: str) -> list[ET.Element]:
    return [t for t in root.iter(f"{SVG}text") if t.get("class") == css]


# membership -------------------------------------------------------------------------------------
def test_steps_of_the_real_enlargements():
    steps = charts.membership_steps(reference_allies())
    assert [(s.day.year, s.count) for s in steps] == [
        (1949, 12),
        (1952, 14),
        (1955, 15),
        (1982, 16),
        (1999, 19),
        (2004, 26),
        (2009, 28),
        (2017, 29),
        (2020, 30),
        (2023, 31),
        (2024, 32),
    ]
    assert steps[-2:] == [charts.Step(D("2023-04-04"), 31, 1), charts.Step(D("2024-03-07"), 32, 1)]


def test_withdrawal_steps_down_and_same_day_changes_cancel():
    steps = charts.membership_steps(
        [
            (D("2000-01-01"), D("2010-01-01")),
            (D("2000-01-01"), None),
            (D("2010-01-01"), None),  # joins the day the first one leaves: no step that day
            (D("2005-05-05"), D("2008-08-08")),
        ]
    )
    assert steps == [
        charts.Step(D("2000-01-01"), 2, 2),
        charts.Step(D("2005-05-05"), 3, 1),
        charts.Step(D("2008-08-08"), 2, -1),
    ]


def test_membership_chart_is_accessible_well_formed_svg():
    svg = charts.membership_chart(reference_allies(), until=TODAY)
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Membership over time"
    assert root.find(f"{SVG}title").text == "Membership over time"
    desc = root.find(f"{SVG}desc").text
    assert desc.startswith("Number of allies from 1949 to 2026-11-23: 12 on 1949-08-24")
    assert desc.endswith("31 on 2023-04-04, 32 on 2024-03-07.")
    assert "style=" not in svg  # the CSP forbids inline styles


def test_membership_chart_labels_every_step_and_the_years():
    root = parse(charts.membership_chart(reference_allies(), until=TODAY))
    steps = [g for g in root.iter(f"{SVG}g") if g.get("class") == "step"]
    assert len(steps) == 11
    assert [t.text for t in texts(root, "count")] == [
        "12",
        "14",
        "15",
        "16",
        "19",
        "26",
        "28",
        "29",
        "30",
        "31",
        "32",
    ]
    assert steps[-1].find(f"{SVG}title").text == "2024-03-07: 32 allies (+1)"
    years = [t.text for t in texts(root, "tick") if t.get("text-anchor") == "middle"]
    assert years == [str(y) for y in range(1950, 2030, 10)]


def test_step_labels_clear_each_other_and_the_dots():
    root = parse(charts.membership_chart(reference_allies(), until=TODAY))
    labels = [
        charts.label_box(float(t.get("x")), float(t.get("y")), t.text) for t in texts(root, "count")
    ]
    dots = [
        (
            float(c.get("cx")) - 3.5,
            float(c.get("cx")) + 3.5,
            float(c.get("cy")) - 3.5,
            float(c.get("cy")) + 3.5,
        )
        for c in root.iter(f"{SVG}circle")
    ]
    for i, label in enumerate(labels):
        assert not any(charts._overlaps(label, other) for other in labels[i + 1 :])
        assert not any(charts._overlaps(label, dot) for dot in dots)


def test_membership_chart_without_members():
    root = parse(charts.membership_chart([], until=TODAY))
    assert "no members" in root.find(f"{SVG}desc").text
    assert texts(root, "count") == []


# office timeline --------------------------------------------------------------------------------
ROWS = [
    charts.TimelineRow("Tokyo", proposed_on=D("2023-04-01"), shelved_on=D("2025-06-24")),
    charts.TimelineRow(
        "Geneva",
        approved_on=D("2023-12-14"),
        host_agreement_on=D("2024-07-15"),
        opened_on=D("2024-07-15"),
    ),
    charts.TimelineRow("Sarajevo", opened_on=D("2004-12-02")),
    charts.TimelineRow("Old office", opened_on=D("2006-01-01"), closed_on=D("2012-06-30")),
    charts.TimelineRow("New York"),  # no date known: not drawn
]


def test_timeline_rows_and_markers():
    root = parse(charts.office_timeline(ROWS, until=TODAY))
    labels = [t.text for t in texts(root, "row-label")]
    assert labels == ["Sarajevo", "Old office", "Tokyo", "Geneva"]  # by first known date
    markers = [m.get("class") for m in root.iter() if (m.get("class") or "").startswith("marker")]
    legend = 4
    assert sorted(markers[legend:]) == [
        "marker approved",
        "marker host-agreement",
        "marker proposed",
        "marker shelved",
    ]
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert len(bars) == 1 + 3  # the legend's and one per office that opened
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "Tokyo: shelved 2025-06-24" in titles
    assert "Old office: open 2006-01-01 to 2012-06-30" in titles
    assert "Sarajevo: open 2004-12-02 to today" in titles


def test_open_bars_run_to_today():
    root = parse(charts.office_timeline(ROWS, until=TODAY))
    today = next(x for x in root.iter(f"{SVG}line") if x.get("class") == "today")
    sarajevo = next(
        r
        for r in root.iter(f"{SVG}rect")
        if (r.find(f"{SVG}title") is not None and r.find(f"{SVG}title").text.startswith("Sarajevo"))
    )
    end = float(sarajevo.get("x")) + float(sarajevo.get("width"))
    assert end == pytest.approx(float(today.get("x1")), abs=0.2)


def test_timeline_is_accessible_and_describes_each_office():
    root = parse(charts.office_timeline(ROWS, until=TODAY))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Office timeline"
    desc = root.find(f"{SVG}desc").text
    assert "Tokyo: proposed 2023-04-01, shelved 2025-06-24" in desc
    assert "New York" not in desc


def test_text_is_escaped():
    evil = '<script>alert("x")</script> & "Co"'
    svg = charts.office_timeline([charts.TimelineRow(evil, opened_on=D("2020-01-01"))], until=TODAY)
    assert "<script>" not in svg
    assert [t.text for t in texts(parse(svg), "row-label")] == [evil]


def test_empty_timeline():
    root = parse(charts.office_timeline([], until=TODAY))
    assert root.find(f"{SVG}desc").text == "No office has a known date."


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D("1949-01-01"), D("2026-11-23"), list(range(1950, 2030, 10))),
        (D("2004-01-01"), D("2026-11-23"), list(range(2004, 2027, 2))),
        (D("2020-01-01"), D("2024-06-01"), [2020, 2021, 2022, 2023, 2024]),
        (D("2020-03-01"), D("2024-06-01"), [2021, 2022, 2023, 2024]),
    ],
)
def test_year_ticks(start, end, expected):
    assert charts._year_ticks(start, end) == expected
