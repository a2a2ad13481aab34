# SPDX-License-Identifier: Apache-2.0
"""``--format json|csv`` on the lists and shows: json is the API's response for the same user
(the same fields and values), csv the same rows under a header; what a user may not read is
absent from both, and from their counts; a redline off a terminal carries plain marks."""

from __future__ import annotations

import csv
import io
import json

import pytest

from liaison.jobs.schemas import JobRead
from liaison.terminal.output import columns, word_diff
from liaison.terminal.output import to_csv as csv_of

pytestmark = pytest.mark.usefixtures("demo")

# (command, the user it acts as, the API's GET for the same thing)
SAME_AS_API = [
    (("programmes", "list", "--limit", "100"), "korea", "/api/v1/programmes?limit=100"),
    (("programmes", "list", "--limit", "100"), "officer", "/api/v1/programmes?limit=100"),
    (("programmes", "show", "ITPP-JPN-2023"), "japan", "/api/v1/programmes/ITPP-JPN-2023"),
    (("programmes", "dashboard"), "officer", "/api/v1/programmes/dashboard"),
    (
        ("programmes", "redline", "ITPP-JPN-2023", "--section", "1"),
        "officer",
        "/api/v1/programmes/ITPP-JPN-2023/sections/1/redline",
    ),
    (("decisions", "list", "--limit", "100"), "korea", "/api/v1/decisions?limit=100"),
    (("decisions", "list", "--limit", "100"), "officer", "/api/v1/decisions?limit=100"),
    (("decisions", "inbox"), "france", "/api/v1/decisions/inbox?limit=50"),
    (("decisions", "show", "DEC-2023-0001"), "officer", "/api/v1/decisions/DEC-2023-0001"),
    (("documents", "list", "--limit", "100"), "korea", "/api/v1/documents?limit=100"),
    (("documents", "list", "--limit", "100"), "officer", "/api/v1/documents?limit=100"),
    (("documents", "search", "Tokyo"), "officer", "/api/v1/documents?q=Tokyo&limit=20"),
    (("catalogue", "list", "--limit", "100"), "japan", "/api/v1/catalogue?limit=100"),
    (("osint", "stories"), "officer", "/api/v1/osint/stories?limit=50"),
    (("osint", "sources"), "officer", "/api/v1/osint/sources"),
    (("search", "Tokyo"), "korea", "/api/v1/search?q=Tokyo"),
    (("search", "Tokyo"), "officer", "/api/v1/search?q=Tokyo"),
]

# Registry commands read reference data as the console's operator; the API's for officer.
REGISTRY = [
    (("registry", "offices"), "/api/v1/offices?limit=500"),
    (
        ("registry", "contact-points", "Japan", "--on", "2023-06-01"),
        "/api/v1/partners/JPN/contact-points?on=2023-06-01",
    ),
]


def _json(liaison, *args):
    result = liaison(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _rows(liaison, *args):
    result = liaison(*args, "--format", "csv")
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_json_is_the_apis_response_for_the_same_user(liaison, client, auth):
    for command, user, path in SAME_AS_API:
        api = client.get(path, headers=auth(user))
        assert api.status_code == 200, (path, api.text)
        assert _json(liaison, *command, "--as", user) == api.json(), command
    for command, path in REGISTRY:
        assert _json(liaison, *command) == client.get(path, headers=auth("officer")).json()


def test_taxii_collections_are_the_taxii_resources(liaison, client, auth):
    api = client.get("/taxii2/liaison/collections/", headers=auth("korea"))
    listed = _json(liaison, "sharing", "collections", "--as", "korea")
    assert listed == api.json()["collections"]
    assert [row["id"] for row in _rows(liaison, "sharing", "collections", "--as", "korea")] == [
        c["id"] for c in listed
    ]


def test_csv_is_a_header_and_the_same_rows(liaison):
    for command, user, _ in SAME_AS_API:
        if command[1] in {"show", "redline", "dashboard"} or command[0] == "search":
            continue
        page = _json(liaison, *command, "--as", user)
        items = page["items"] if isinstance(page, dict) else page
        rows = _rows(liaison, *command, "--as", user)
        assert len(rows) == len(items), command
        for row, item in zip(rows, items, strict=True):
            assert row["id"] == str(item["id"]), command
    offices = _rows(liaison, "registry", "offices")
    assert {"name", "status", "host_country.iso3", "host_country.name"} <= set(offices[0])
    tokyo = next(row for row in offices if row["city"] == "Tokyo")
    assert tokyo["status"] == "shelved"
    hits = _rows(liaison, "search", "Tokyo", "--as", "officer")
    assert {"kind", "label", "href", "marking"} <= set(hits[0])


def test_a_show_in_csv_is_field_value_rows(liaison):
    rows = _rows(liaison, "decisions", "show", "DEC-2023-0001", "--as", "officer")
    assert list(rows[0]) == ["field", "value"]
    fields = {row["field"]: row["value"] for row in rows}
    assert fields["reference"] == "DEC-2023-0001"
    assert fields["tally.electors"].isdigit()


def test_operator_lists_in_json_and_csv(liaison):
    users = _json(liaison, "user", "list")
    assert {"username": "korea", "password_set": True}.items() <= next(
        u for u in users if u["username"] == "korea"
    ).items()
    assert all("hash" not in key for user in users for key in user)
    assert [r["username"] for r in _rows(liaison, "user", "list")] == [u["username"] for u in users]
    orgs = _rows(liaison, "org", "list")
    assert {"name", "kind", "nation", "users"} == set(orgs[0])
    assert _json(liaison, "token", "list") == []
    empty = liaison("jobs", "list", "--format", "csv")
    assert empty.stdout.splitlines() == [",".join(columns(JobRead))]


HIDDEN_FROM_KOREA = [
    ("documents", "list", "--limit", "100"),
    ("decisions", "list", "--limit", "100"),
    ("programmes", "list", "--limit", "100"),
    ("search", "Tokyo"),
]


def test_what_korea_may_not_read_is_absent_from_json_and_csv_and_counts(liaison):
    def korea():
        return [
            liaison(*command, "--as", "korea", "--format", fmt).stdout
            for command in HIDDEN_FROM_KOREA
            for fmt in ("json", "csv")
        ]

    before = korea()
    assert "ITPP-AUS-2023" not in before[5]  # Australia's programme is not released to Korea
    note = liaison(
        "documents",
        "add-note",
        "--as",
        "officer",
        "--title",
        "Tokyo office: allied view",
        "--marking",
        "NS",
        "--body",
        "Only for allies.",
    )
    assert note.exit_code == 0, note.output
    opened = liaison(
        "decisions",
        "open",
        "--as",
        "officer",
        "--title",
        "Tokyo office, again",
        "--text",
        "Reopen the question.",
        "--marking",
        "NS",
    )
    assert opened.exit_code == 0, opened.output
    officer = liaison("search", "Tokyo", "--as", "officer", "--format", "json").stdout
    assert "Tokyo office: allied view" in officer
    assert korea() == before  # not a row, not a count, not a byte more


def test_a_redline_off_a_terminal_carries_plain_marks(liaison):
    result = liaison("programmes", "redline", "ITPP-JPN-2023", "--section", "1", "--as", "officer")
    assert result.exit_code == 0, result.output
    assert "natural {+and reliable +}partners" in result.stdout
    assert "[-what happens in Europe matters to -]" in result.stdout
    assert "version 1 → 2: 21 words inserted, 7 deleted" in result.stdout
    assert "{'" not in result.stdout  # no raw Python dict


def test_on_a_terminal_the_marks_are_colours():
    pieces = [("equal", "a "), ("delete", "b "), ("insert", "c")]
    coloured = word_diff(pieces, terminal=True)
    assert coloured.plain == "a b c"
    assert [span.style for span in coloured.spans] == ["red strike", "bold green underline"]
    assert word_diff(pieces, terminal=False).plain == "a [-b -]{+c+}"


def test_csv_cells():
    assert csv_of([{"a": None, "b": True, "c": [1, 2], "d": {"e": "x,y"}}]) == (
        'a,b,c,d.e\n,true,"[1,2]","x,y"\n'
    )


def test_audit_events_are_the_apis_fields(liaison, client, auth):
    listed = _json(liaison, "audit", "events", "--limit", "5")
    api = client.get("/api/v1/audit/events?limit=5", headers=auth("admin")).json()
    assert set(listed) == set(api) == {"items", "total", "limit", "offset"}
    assert set(listed["items"][0]) == set(api["items"][0])
    seqs = [e["seq"] for e in listed["items"]]
    assert seqs == sorted(seqs, reverse=True)
    reads = _rows(liaison, "audit", "events", "--action", "documents:", "--limit", "3")
    assert [r["action"].split(":")[0] for r in reads] == ["documents"] * 3
