# SPDX-License-Identifier: Apache-2.0
"""The catalogue service on both databases: what each user reads (lists, counts, facets,
calendars, exports), imports that are all or nothing with row-level errors, and the round trip
of the three file formats."""

from __future__ import annotations

import json

import pytest
from catalogue_helpers import ALL, USERS, VISIBLE, load, row
from sqlalchemy import func, select

from liaison.catalogue.errors import ImportRejected, ItemNotFound, NotPermitted, SessionNotFound
from liaison.catalogue.exchange import FileFormat, read_in_child, read_rows
from liaison.catalogue.models import CatalogueItem, CatalogueSession
from liaison.catalogue.service import CatalogueService
from liaison.db.session import session_factory, unit_of_work
from liaison.kit.pagination import PageRequest

EVERYTHING = PageRequest(limit=500)


@pytest.mark.parametrize("username", USERS)
def test_each_user_lists_counts_and_facets_only_what_they_may_read(catalogue, as_user, username):
    with as_user(username, CatalogueService) as service:
        filters = service.filters()
        views, total = service.find(filters, EVERYTHING)
        facets = service.facets(filters)
        calendar = service.calendar(None, None)
        data, _ = service.export(filters, FileFormat.JSON)
    codes = {v.item.code for v in views}
    assert codes == VISIBLE[username]
    assert total == len(VISIBLE[username])
    assert sum(facets["kind"].values()) == total
    assert {s.item.code for s in calendar} == VISIBLE[username]
    exported = {r["item_code"] for r in json.loads(data)["rows"]}
    assert exported == VISIBLE[username]


@pytest.mark.parametrize("username", USERS)
def test_a_hidden_item_or_session_is_not_found_like_a_missing_one(catalogue, as_user, username):
    hidden = ALL - VISIBLE[username]
    with as_user(username, CatalogueService) as service:
        for code in hidden:
            with pytest.raises(ItemNotFound) as by_code:
                service.item(code)
            with pytest.raises(SessionNotFound) as by_session:
                service.session_view(catalogue[f"{code}/2027-1"])
            assert str(by_code.value) == f"no catalogue item {code}"
            assert str(by_session.value) == f"no catalogue session {catalogue[f'{code}/2027-1']}"
        with pytest.raises(ItemNotFound):
            service.item("NO-SUCH")


def test_partners_never_see_seat_counts_and_staff_do(catalogue, as_user):
    with as_user("japan", CatalogueService) as service:
        assert service.session_view(catalogue["PUB-1/2027-1"]).held is None
    with as_user("officer", CatalogueService) as service:
        assert service.session_view(catalogue["PUB-1/2027-1"]).held == 0


def test_a_session_is_capped_by_its_item(engine, as_user):
    load(engine, [row("CAP-1", "NU // REL IP4", "2027-1", session_marking="PUBLIC")])
    with as_user(None, CatalogueService) as service:
        assert service.calendar(None, None) == []
    with as_user("korea", CatalogueService) as service:
        (view,) = service.calendar(None, None)
    assert view.short == "NU // REL IP4"


def test_filters_and_search(catalogue, as_user):
    with as_user("officer", CatalogueService) as service:
        assert {
            v.item.code for v in service.find(service.filters(area="Space"), EVERYTHING)[0]
        } == {"IP4-1"}
        assert {
            v.item.code for v in service.find(service.filters(query="nr-jpn"), EVERYTHING)[0]
        } == {"NR-JPN"}
        french = service.filters(language="fr")
        assert {v.item.code for v in service.find(french, EVERYTHING)[0]} == {"PUB-1"}
        with pytest.raises(Exception, match="unknown cooperation area"):
            service.filters(area="astrology")


BAD = [
    ({"start_on": "2027-02-30"}, "start_on", "not a date"),
    ({"area": "astrology"}, "area", "unknown cooperation area"),
    ({"seats": "-3"}, "seats", "cannot be negative"),
    ({"end_on": "2027-02-01"}, "end_on", "before it starts"),
    ({"item_marking": ""}, "item_marking", "give a marking"),
    ({"item_marking": "NU // REL Atlantis"}, "item_marking", "unknown nation"),
    ({"eligible": "Atlantis"}, "eligible", "unknown nation or partner group"),
    ({"kind": "party"}, "kind", "unknown kind"),
]


@pytest.mark.parametrize(("change", "field", "words"), BAD)
def test_a_bad_row_imports_nothing_and_names_its_row_and_field(
    engine, as_user, change, field, words
):
    rows = [row("GOOD-1", "PUBLIC", "2027-1"), row("BAD-1", "PUBLIC", "2027-1", **change)]
    with pytest.raises(ImportRejected) as caught, as_user("officer", CatalogueService) as service:
        service.import_rows(rows)
    (problem,) = caught.value.problems
    assert (problem.row, problem.field) == (2, field)
    assert words in problem.message
    with unit_of_work(session_factory(engine)) as session:
        assert session.scalar(select(func.count(CatalogueItem.id))) == 0
        assert session.scalar(select(func.count(CatalogueSession.id))) == 0


def test_import_needs_the_permission_and_a_marking_the_importer_may_read(engine, as_user):
    with pytest.raises(NotPermitted), as_user("japan", CatalogueService) as service:
        service.import_rows([row("J-1", "PUBLIC")])
    with pytest.raises(ImportRejected) as caught, as_user("officer", CatalogueService) as service:
        service.import_rows([row("S-1", "COSMIC TOP SECRET")])
    (problem,) = caught.value.problems
    assert (problem.row, problem.field) == (1, "item_marking")
    assert "above what you may read" in problem.message


@pytest.mark.parametrize("fmt", list(FileFormat))
def test_export_then_import_gives_the_same_catalogue(catalogue, as_user, fmt):
    with as_user("admin", CatalogueService) as service:
        data, banner = service.export(service.filters(), fmt)
    assert banner
    rows = read_rows(data, fmt)
    assert {r["item_code"] for r in rows} == ALL
    with as_user("admin", CatalogueService) as service:
        report = service.import_rows(rows)
    assert (report.items_created, report.sessions_created) == (0, 0)
    assert report.items_updated == len(ALL)
    with as_user("admin", CatalogueService) as service:
        again, _ = service.export(service.filters(), fmt)
    assert read_rows(again, fmt) == rows


def test_unreadable_files_are_refused_as_a_whole():
    for data, fmt, words in [
        (b"\xff\xfe", FileFormat.CSV, "not UTF-8"),
        (b"not a zip", FileFormat.XLSX, "not an XLSX"),
        (b"{", FileFormat.JSON, "cannot be read"),
        (b"item_code,colour\nA,red\n", FileFormat.CSV, "unknown column"),
    ]:
        with pytest.raises(ImportRejected, match=words):
            read_rows(data, fmt)


def test_ical_names_each_session_with_its_marking(catalogue, as_user):
    with as_user("korea", CatalogueService) as service:
        data = service.ical(service.calendar(None, None), "http://x")
    text = data.decode()
    assert text.count("BEGIN:VEVENT") == 4  # PUB-1 twice, ALL-1, IP4-1
    assert "NR-JPN" not in text
    assert "NATO-1" not in text
    assert "SUMMARY:(NU // REL IP4) IP4-1" in text


def test_an_uploaded_file_is_parsed_in_the_bounded_child_all_or_nothing(client, auth, engine):
    """The API parses the file in the bounded child (kit.isolation), before its transaction:
    a file it cannot read, or with a wrong row, imports nothing and says why, never a 500."""
    headers = auth("officer")
    good = "item_code,title,area,kind,item_marking,session_code,start_on,end_on,seats,session_marking\n"
    bad_date = good + "C-1,Course,space,course,NU,2027-1,2027-13-01,2027-05-07,6,NU\n"
    cases = [
        ("c.csv", bad_date.encode(), "row 1, start_on"),
        ("c.xlsx", b"PK\x03\x04 not really a workbook", "row 0, file"),
        ("c.csv", b"\xff\xfe not utf-8", "not UTF-8"),
        ("c.json", b"{", "row 0, file"),
    ]
    for name, body, words in cases:
        r = client.post(
            "/api/v1/catalogue/import", headers=headers, files={"file": (name, body, "text/plain")}
        )
        assert r.status_code == 422, (name, r.text)
        assert words in r.json()["detail"], r.json()
    with unit_of_work(session_factory(engine)) as session:
        assert session.scalar(select(func.count(CatalogueItem.id))) == 0
    ok = good + "C-1,Course,space,course,NU,2027-1,2027-05-03,2027-05-07,6,NU\n"
    r = client.post(
        "/api/v1/catalogue/import", headers=headers, files={"file": ("c.csv", ok, "text/csv")}
    )
    assert r.status_code == 200, r.text
    assert r.json()["items_created"] == 1


def test_the_child_s_reader_answers_problems_as_plain_values():
    rows, problems = read_in_child((b"item_code,nonsense\nX,Y\n", "csv"))
    assert rows == []
    assert problems[0][:2] == (0, "file")
    assert "unknown column(s) nonsense" in problems[0][2]
