# SPDX-License-Identifier: Apache-2.0
"""Documents out: the PDF carries the reader's banner on every page and, for a partner, only
the paragraphs releasable to it (portion marks agree); DOCX; the calendar and its feed."""

from __future__ import annotations

import io
import re

import docx
import pytest
from icalendar import Calendar
from programme_helpers import BASE
from pypdf import PdfReader

pytestmark = pytest.mark.usefixtures("demo")

PORTION = re.compile(r"\(((?:PUBLIC|NU|NR|NC|NS|CTS)(?:-[AB]+)?(?:\s*//[^)]*)?)\)")


def pdf_pages(client, headers, ref="ITPP-JPN-2023"):
    r = client.get(f"{BASE}/{ref}/document.pdf", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["cache-control"] == "no-store"
    return [p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages], r


def test_the_banner_is_on_every_page_top_and_bottom(client, auth):
    for user, banner in (
        ("officer", "NATO RESTRICTED"),
        ("japan", "NATO RESTRICTED Releasable to Japan"),
    ):
        pages, response = pdf_pages(client, auth(user))
        assert len(pages) >= 3
        assert response.headers["x-classification"] == banner.replace(" ", " ")
        for text in pages:
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            assert lines[0] == banner, (user, lines[:2])
            assert lines[-1] == banner, (user, lines[-2:])


def test_a_partner_pdf_omits_what_is_not_releasable_to_it(client, auth):
    officer = "\n".join(pdf_pages(client, auth("officer"))[0])
    japan = "\n".join(pdf_pages(client, auth("japan"))[0])
    assert "Allied assessment of priorities" in officer
    assert "Allies see maritime domain awareness" in officer
    assert "(NR) Allies see" in officer
    assert "Allied assessment" not in japan
    assert "Allies see maritime" not in japan
    assert "Part 1" in japan
    assert "(PUBLIC) Japan and NATO are natural and reliable partners" in japan
    marks = {" ".join(m.split()) for m in PORTION.findall(japan)}
    assert marks
    assert all(m == "PUBLIC" or "REL JPN" in m for m in marks), marks
    assert "NR" in set(PORTION.findall(officer))  # the NATO-only portion, for an ally only


def test_korea_reads_only_what_its_missing_agreement_allows(client, auth):
    pages, response = pdf_pages(client, auth("korea"), "ITPP-KOR-2023")
    text = "\n".join(pages)
    assert response.headers["x-classification"] == "NATO UNCLASSIFIED Releasable to South Korea"
    assert "Locked Shields 2026" not in text  # NR // REL KOR: Korea has no security agreement
    assert "Dialogue" in text
    assert {" ".join(m.split()) for m in PORTION.findall(text)} == {"NU // REL KOR"}
    assert (
        client.get(f"{BASE}/ITPP-AUS-2023/document.pdf", headers=auth("korea")).status_code == 404
    )
    assert client.get(f"{BASE}/ITPP-JPN-2023/document.pdf").status_code == 200  # PUBLIC


def test_docx_has_banners_portion_marks_and_goal_tables(client, auth):
    r = client.get(f"{BASE}/ITPP-JPN-2023/document.docx", headers=auth("japan"))
    assert r.status_code == 200
    document = docx.Document(io.BytesIO(r.content))
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "NATO RESTRICTED Releasable to Japan"
    assert section.footer.paragraphs[0].text == "NATO RESTRICTED Releasable to Japan"
    text = "\n".join(p.text for p in document.paragraphs)
    assert "(PUBLIC) Japan and NATO" in text
    assert "Allied assessment" not in text
    goal_tables = [t for t in document.tables if t.rows[0].cells[0].text == "Portion"]
    assert goal_tables
    assert goal_tables[0].rows[1].cells[0].text == "(NU // REL JPN)"


def test_calendar_and_feed(client, auth):
    ics = client.get(f"{BASE}/calendar.ics", headers=auth("japan"))
    assert ics.status_code == 200
    events = Calendar.from_ical(ics.content).walk("VEVENT")
    summaries = [str(e["summary"]) for e in events]
    assert any("ITPP-JPN-2023 ends" in s for s in summaries)
    assert any("Cyber Coalition 2026" in s for s in summaries)
    assert not any("Steadfast Jupiter" in s for s in summaries)  # Australia's
    assert client.get(f"{BASE}/calendar.ics").status_code == 401
    feed = client.post(f"{BASE}/calendar/feed", headers=auth("japan")).json()
    path = feed["url"].split("testserver", 1)[1]
    assert path.startswith("/calendar/cal_")
    assert (
        client.get(path).content == ics.content.replace(b"", b"")
        or client.get(path).status_code == 200
    )
    via_feed = Calendar.from_ical(client.get(path).content).walk("VEVENT")
    assert sorted(str(e["summary"]) for e in via_feed) == sorted(summaries)
    rotated = client.post(f"{BASE}/calendar/feed", headers=auth("japan")).json()["url"]
    assert client.get(path).status_code == 404  # the old secret is gone
    assert client.get(rotated.split("testserver", 1)[1]).status_code == 200
    assert client.get("/calendar/cal_nonsense.ics").status_code == 404


def test_road_map_svg(client, auth):
    r = client.get(f"{BASE}/ITPP-JPN-2023/roadmap.svg", headers=auth("japan"))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert r.text.startswith("<svg")
    assert "Maritime security" in r.text
    assert "style=" not in r.text
