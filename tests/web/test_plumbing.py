# SPDX-License-Identifier: Apache-2.0
"""The one way a route takes its page, its service and its posted form (``web.deps``,
``web.forms``), and the one row-id parser (``kit.ids``) — on a small app of their own, so
that each rule is seen apart from any feature."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.kit.ids import MAX_ID, parse_id
from liaison.kit.pagination import Page, PageRequest
from liaison.security.principal import ANONYMOUS, Principal
from liaison.web.deps import ListPage, SortedPage, _principal, _session, serves
from liaison.web.edge import over_limit
from liaison.web.forms import MAX_FIELD, PostedForm
from liaison.web.problems import install


class Item(BaseModel):
    n: int


class Counter:
    """A stand-in feature service: what ``serves`` hands the endpoint."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session, self.principal = session, principal

    def find(self, page: PageRequest) -> tuple[list[int], int]:
        rows = list(range(1, 101))
        return rows[page.offset : page.offset + page.limit], len(rows)


Counting = Annotated[Counter, Depends(serves(Counter))]


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    app.state.settings = Settings(page_size=10, max_page_size=25)
    app.dependency_overrides[_session] = lambda: None
    app.dependency_overrides[_principal] = lambda: ANONYMOUS
    install(app)

    @app.get("/items")
    def items(service: Counting, page: ListPage) -> Page[Item]:
        rows, total = service.find(page)
        return Page[Item].of((Item(n=n) for n in rows), total, page)

    @app.get("/sorted")
    def sorted_(page: SortedPage) -> dict[str, object]:
        return {"limit": page.limit, "offset": page.offset, "sort": page.sort}

    @app.get("/who")
    def who(service: Counting) -> dict[str, str]:
        return {"as": service.principal.username}

    @app.post("/form")
    def form(posted: PostedForm) -> dict[str, object]:
        return {"fields": posted.fields(title="", kind="feed"), "tags": posted.many("tag")}

    return TestClient(app)


def test_a_list_takes_the_configured_size_and_never_more_than_the_cap(client: TestClient):
    first = client.get("/items").json()
    assert (first["limit"], first["offset"], first["total"]) == (10, 0, 100)
    assert [i["n"] for i in first["items"]] == list(range(1, 11))
    capped = client.get("/items", params={"limit": 500, "offset": 95}).json()
    assert (capped["limit"], [i["n"] for i in capped["items"]]) == (25, [96, 97, 98, 99, 100])


def test_a_bad_page_is_refused_with_its_field(client: TestClient):
    r = client.get("/items", params={"offset": -1})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "query.offset"


def test_a_sorted_list_passes_its_sort_and_an_empty_one_is_none(client: TestClient):
    assert client.get("/sorted", params={"sort": "-title"}).json() == {
        "limit": 10,
        "offset": 0,
        "sort": "-title",
    }
    assert client.get("/sorted", params={"sort": ""}).json()["sort"] is None


def test_the_service_is_made_for_the_requests_principal(client: TestClient):
    assert client.get("/who").json() == {"as": ANONYMOUS.username}


def test_a_posted_form_gives_its_fields_with_defaults_and_every_value_of_a_repeated_one(
    client: TestClient,
):
    r = client.post("/form", data={"title": "Tokyo", "tag": ["a", "b"]})
    assert r.json() == {"fields": {"title": "Tokyo", "kind": "feed"}, "tags": ["a", "b"]}


def test_a_field_over_the_limit_is_refused_beside_itself(client: TestClient):
    r = client.post("/form", data={"title": "x" * (MAX_FIELD + 1)})
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "title", "message": f"at most {MAX_FIELD:,} characters"}
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        (str(MAX_ID), MAX_ID),
        ("0", None),
        (str(MAX_ID + 1), None),
        ("00000000000000000001", None),  # longer than any id
        ("-1", None),
        ("1e3", None),
        ("\u0661\u0662", None),  # Arabic-Indic digits: decimal to Python, no row id
        ("", None),
        (" 7", None),
    ],
)
def test_a_row_id_is_digits_within_the_column(text: str, expected: int | None):
    assert parse_id(text) == expected


@pytest.mark.parametrize(
    ("declared", "over"),
    [
        ("1000", False),
        ("1001", True),
        ("0001000", False),  # leading zeros are still the number
        ("9" * 5000, True),  # beyond what int() reads: decided on the text
        ("-1", True),
        ("1e3", True),
        ("\u0661", True),  # Arabic-Indic one: no length a client sends
        ("", True),
    ],
)
def test_a_declared_length_over_the_limit_is_decided_without_reading_it_whole(
    declared: str, over: bool
):
    assert over_limit(declared, 1000) is over
