# SPDX-License-Identifier: Apache-2.0
"""Documents out: a programme as a delegation would receive it (PDF, DOCX), and a calendar.

Every function here renders a ``Dossier`` (or the calendar items) the service already filtered
for one reader — nothing here reads the database, so nothing here can widen what they see.

- the banner, top and bottom of every page, is the highest marking among what this reader
  sees (``Dossier.banner``; the service caps it by the programme's marking);
- each paragraph, goal row and activity row starts with its portion mark, e.g. "(NR // REL JPN)";
- the PDF uses DejaVu Sans from the system's fonts-dejavu package when it is installed, else
  fpdf2's core Helvetica with the text reduced to Latin-1 (no font is ever fetched).
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from icalendar import Calendar
from markupsafe import Markup

from liaison.programmes import charts
from liaison.programmes.models import PartnershipGoal, ProgrammeActivity
from liaison.programmes.service import Dossier, ProgrammeView, Shown
from liaison.security.ical import MarkedEvent, add_event, marked_calendar

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_LATIN1_FALLBACK = {
    "\N{EN DASH}": "-",
    "—": "-",
    "\N{LEFT SINGLE QUOTATION MARK}": "'",
    "\N{RIGHT SINGLE QUOTATION MARK}": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "→": "->",
    "•": "-",
}


def portion(mark: str) -> str:
    return f"({mark})"


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def _period(view: ProgrammeView) -> str:
    p = view.programme
    return f"{p.period_start.isoformat()} to {p.period_end.isoformat()}"


def facts(dossier: Dossier) -> list[tuple[str, str]]:
    """The title page's facts, in order."""
    v = dossier.view
    p = v.programme
    rows = [
        ("Reference", p.reference),
        ("Partner", v.partner_name),
        ("Kind", p.kind.value),
        ("Period", _period(v)),
        ("Status", p.status.value.replace("_", " ")),
    ]
    if p.approved_on:
        rows.append(("Approved by the allies", f"{p.approved_on} ({p.approval_reference})"))
    if p.agreed_on:
        rows.append(("Agreed by the partner", p.agreed_on.isoformat()))
    if p.in_force_on:
        rows.append(("In force", p.in_force_on.isoformat()))
    if v.supersedes:
        rows.append(("Supersedes", v.supersedes))
    return rows


# PDF ---------------------------------------------------------------------------------------------
class _Pdf(FPDF):
    def __init__(self, banner: str, reference: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.banner_text = banner
        self.reference = reference
        self.unicode = (DEJAVU / "DejaVuSans.ttf").exists() and (
            DEJAVU / "DejaVuSans-Bold.ttf"
        ).exists()
        if self.unicode:
            self.add_font("DejaVu", "", str(DEJAVU / "DejaVuSans.ttf"))
            self.add_font("DejaVu", "B", str(DEJAVU / "DejaVuSans-Bold.ttf"))
            self.family = "DejaVu"
        else:
            self.family = "Helvetica"
        self.set_auto_page_break(auto=True, margin=22)
        self.set_margins(18, 22, 18)

    def text_of(self, value: str) -> str:
        if self.unicode:
            return value
        out = "".join(_LATIN1_FALLBACK.get(c, c) for c in value)
        out = unicodedata.normalize("NFKC", out)
        return out.encode("latin-1", "replace").decode("latin-1")

    def header(self) -> None:
        self._banner(8)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.family, "", 7)
        self.cell(
            0,
            4,
            self.text_of(f"{self.reference} · page {self.page_no()}"),
            align="C",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self._banner(self.h - 10)

    def _banner(self, y: float) -> None:
        self.set_y(y)
        self.set_font(self.family, "B", 9)
        self.cell(0, 5, self.text_of(self.banner_text), align="C")
        self.set_y(max(self.get_y() + 8, self.t_margin))

    def write_paragraph(self, mark: str, text: str, size: float = 10) -> None:
        self.set_font(self.family, "", size)
        self.multi_cell(
            0,
            5,
            self.text_of(f"{portion(mark)} {text}"),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.ln(2)

    def heading(self, text: str, size: float = 13) -> None:
        self.set_font(self.family, "B", size)
        self.multi_cell(0, 7, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)


def to_pdf(dossier: Dossier) -> bytes:
    """The programme as a PDF: title page, narrative, objectives with goals and activities."""
    p = dossier.view.programme
    pdf = _Pdf(dossier.banner, p.reference)
    pdf.set_title(pdf.text_of(p.title))
    pdf.set_creator("Liaison")
    pdf.add_page()
    pdf.ln(30)
    pdf.heading(p.title, 18)
    pdf.ln(6)
    pdf.set_font(pdf.family, "", 11)
    for label, value in facts(dossier):
        pdf.cell(55, 7, pdf.text_of(label))
        pdf.cell(0, 7, pdf.text_of(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.write_paragraph(dossier.view.short, f"Marking of the programme: {dossier.view.banner}.")
    for section in dossier.sections:
        pdf.add_page()
        pdf.heading(section.row.heading)
        for text in paragraphs(section.row.body):
            pdf.write_paragraph(section.short, text)
    pdf.add_page()
    pdf.heading("Strategic objectives, partnership goals and activities")
    for objective in dossier.objectives:
        pdf.heading(objective.row.title, 12)
        if objective.row.description:
            pdf.write_paragraph(objective.short, objective.row.description)
        _pdf_goals(pdf, dossier, dossier.goals_of(objective.row.id))
    if dossier.loose_goals:
        pdf.heading("Other goals", 12)
        _pdf_goals(pdf, dossier, dossier.loose_goals)
    return bytes(pdf.output())


def _pdf_goals(pdf: _Pdf, dossier: Dossier, goals: list[Shown[PartnershipGoal]]) -> None:
    if not goals:
        return
    pdf.set_font(pdf.family, "", 8)
    widths = (26, 14, 30, 52, 30, 22)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=4) as table:
        head = table.row()
        for title in ("Portion", "Code", "Area", "Goal", "Indicator / target", "Due, status"):
            head.cell(title)
        for g in goals:
            row = table.row()
            row.cell(pdf.text_of(portion(g.short)))
            row.cell(pdf.text_of(g.row.code))
            row.cell(pdf.text_of(dossier.areas.get(g.row.area_code, g.row.area_code)))
            row.cell(pdf.text_of(f"{g.row.title}. {g.row.wording}"))
            row.cell(pdf.text_of(f"{g.row.indicator} / {g.row.target}"))
            row.cell(pdf.text_of(f"{g.row.due_on} {g.row.status.value.replace('_', ' ')}"))
    pdf.ln(2)
    for g in goals:
        acts = dossier.activities_of(g.row.id)
        if not acts:
            continue
        pdf.set_font(pdf.family, "B", 9)
        pdf.cell(
            0, 5, pdf.text_of(f"Activities for {g.row.code}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        for a in acts:
            pdf.write_paragraph(a.short, _activity_line(a), 8)


def _activity_line(a: Shown[ProgrammeActivity]) -> str:
    r = a.row
    when = r.start_on.isoformat() if r.end_on == r.start_on else f"{r.start_on} to {r.end_on}"
    where = f", {r.location}" if r.location else ""
    who = f" ({r.owner})" if r.owner else ""
    return f"{r.title} — {r.kind.value.replace('_', ' ')}, {when}{where}{who}; {r.status.value}"


# DOCX --------------------------------------------------------------------------------------------
def to_docx(dossier: Dossier) -> bytes:
    """The programme as a Word document for drafting: banners in every page's header and
    footer, portion marks, goals as tables."""
    p = dossier.view.programme
    document = docx.Document()
    section = document.sections[0]
    for part in (section.header, section.footer):
        para = part.paragraphs[0]
        para.text = dossier.banner
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for run in para.runs:
            run.bold = True
            run.font.size = Pt(9)
    document.core_properties.title = p.title
    document.core_properties.subject = dossier.banner
    document.add_heading(p.title, level=0)
    table = document.add_table(rows=0, cols=2)
    for label, value in facts(dossier):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    for shown in dossier.sections:
        document.add_heading(shown.row.heading, level=1)
        for text in paragraphs(shown.row.body):
            document.add_paragraph(f"{portion(shown.short)} {text}")
    document.add_heading("Strategic objectives, partnership goals and activities", level=1)
    groups = [
        (o.row.title, o.short, o.row.description, dossier.goals_of(o.row.id))
        for o in dossier.objectives
    ]
    if dossier.loose_goals:
        groups.append(("Other goals", "", "", dossier.loose_goals))
    for title, mark, description, goals in groups:
        document.add_heading(title, level=2)
        if description:
            document.add_paragraph(f"{portion(mark)} {description}")
        _docx_goals(document, dossier, goals)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_goals(document: object, dossier: Dossier, goals: list[Shown[PartnershipGoal]]) -> None:
    if not goals:
        return
    table = document.add_table(rows=1, cols=6)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for cell, title in zip(
        table.rows[0].cells,
        ("Portion", "Code", "Area", "Goal", "Indicator / target", "Due, status"),
        strict=True,
    ):
        cell.text = title
    for g in goals:
        cells = table.add_row().cells
        values = (
            portion(g.short),
            g.row.code,
            dossier.areas.get(g.row.area_code, g.row.area_code),
            f"{g.row.title}. {g.row.wording}",
            f"{g.row.indicator} / {g.row.target}",
            f"{g.row.due_on} {g.row.status.value.replace('_', ' ')}",
        )
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    for g in goals:
        for a in dossier.activities_of(g.row.id):
            document.add_paragraph(f"{portion(a.short)} {g.row.code}: {_activity_line(a)}")  # type: ignore[attr-defined]


# iCalendar ---------------------------------------------------------------------------------------
def to_ics(
    owner: str,
    programmes: Iterable[ProgrammeView],
    goals: Iterable[Shown[PartnershipGoal]],
    activities: Iterable[Shown[ProgrammeActivity]],
    references: dict[int, str],
    host: str = "liaison",
) -> bytes:
    """A calendar of milestones (programme ends, goals due) and activities, each summary
    prefixed with its portion mark; CLASS is CONFIDENTIAL for anything above PUBLIC."""
    cal = marked_calendar("Programmes", f"Liaison programmes ({owner})")
    event = partial(_event, cal, dt.datetime.now(dt.UTC), host)
    for v in programmes:
        p = v.programme
        ends = f"{p.reference} ends", f"{p.title}: the period ends; renewal due."
        event(v, f"programme-{p.id}-end", (p.period_end, p.period_end), ends)
    for g in goals:
        goal = g.row
        due = f"Goal due: {goal.code} {goal.title}", f"{goal.indicator} / {goal.target}"
        of = references.get(goal.programme_id, "")
        event(g, f"goal-{goal.id}", (goal.due_on, goal.due_on), due, of)
    for a in activities:
        r = a.row
        what = f"{r.kind.value.replace('_', ' ')}; {r.status.value}; {r.owner}"
        of = references.get(r.programme_id, "")
        event(a, f"activity-{r.id}", (r.start_on, r.end_on), (r.title, what), of, r.location)
    return bytes(cal.to_ical())


def _event(
    cal: Calendar,
    stamp: dt.datetime,
    host: str,
    shown: Shown[Any] | ProgrammeView,
    uid: str,
    days: tuple[dt.date, dt.date],
    text: tuple[str, str],
    of: str | None = None,
    location: str = "",
) -> None:
    """One all-day event: its summary after the portion mark, an element's description after
    the reference of the programme it is ``of``."""
    summary, description = text
    if of is not None:
        description = f"{of}: {description}"
    event = MarkedEvent(
        uid=f"{uid}@{host}",
        start=days[0],
        end=days[1] + dt.timedelta(days=1),
        summary=f"{portion(shown.short)} {summary}",
        description=description,
        level=shown.marking.level,
        location=location,
    )
    add_event(cal, stamp, event)


# road map ----------------------------------------------------------------------------------------
def roadmap_lanes(dossier: Dossier) -> list[charts.Lane]:
    """One lane per cooperation area of the goals the reader sees, with their activities."""
    lanes: dict[str, charts.Lane] = {}
    for g in dossier.goals:
        name = dossier.areas.get(g.row.area_code, g.row.area_code)
        lane = lanes.setdefault(name, charts.Lane(name, [], []))
        lane.due.append(
            (g.row.due_on, g.row.status.value, f"{g.row.code} {g.row.title}: due {g.row.due_on}")
        )
        for a in dossier.activities_of(g.row.id):
            r = a.row
            lane.bars.append(
                charts.Bar(r.start_on, r.end_on, r.status.value, f"{r.title} ({r.start_on})")
            )
    return [lanes[k] for k in sorted(lanes)]


def roadmap_svg(dossier: Dossier, today: dt.date) -> Markup:
    p = dossier.view.programme
    return charts.roadmap(
        f"Road map of {p.reference}", p.period_start, p.period_end, roadmap_lanes(dossier), today
    )
