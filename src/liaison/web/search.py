# SPDX-License-Identifier: Apache-2.0
"""One search over everything, as the home page's tiles are: each feature registers a search
provider (its own ``search.py``, subscribed by ``liaison.wiring``) that answers a query with
its hits, read through its own service and so through the one access policy: what the reader
may not see is absent from the hits and from the counts. This module never imports a feature.

Pages: ``/search?q=`` (the box in every page's header, ``/`` focuses it); API:
``GET /api/v1/search?q=``; CLI: ``liaison search Q --as USER``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from liaison.errors import InvalidInput
from liaison.security.markings import Marking, short
from liaison.security.principal import Principal
from liaison.web.deps import CurrentPrincipal, DbSession
from liaison.web.home import page_banner
from liaison.web.templating import render_marked

MAX_QUERY = 200
HITS_PER_KIND = 10


@dataclass(frozen=True, slots=True)
class Hit:
    label: str
    href: str
    detail: str = ""
    marking: Marking | None = None  # None: PUBLIC reference data


@dataclass(frozen=True, slots=True)
class HitGroup:
    """The hits of one kind ("Partners", "Decisions"...): the first few, and how many in all."""

    kind: str
    title: str
    hits: Sequence[Hit]
    total: int
    more: str = ""  # the feature's own list, filtered by the query
    order: int = 100
    markings: Sequence[Marking] = field(default_factory=tuple)


SearchProvider = Callable[[Session, Principal, str, int], list[HitGroup]]

_providers: dict[str, SearchProvider] = {}


def register_search(name: str, provider: SearchProvider) -> None:
    """Add a feature's hits to the one search (idempotent by ``name``)."""
    _providers[name] = provider


def cleaned(query: str) -> str:
    text = " ".join(query.split())
    if not text:
        raise InvalidInput("type something to search for", field="q")
    if len(text) > MAX_QUERY:
        raise InvalidInput(f"a search is at most {MAX_QUERY} characters", field="q")
    return text


def search_all(
    session: Session, principal: Principal, query: str, per_kind: int = HITS_PER_KIND
) -> list[HitGroup]:
    """Every feature's hits for ``query`` as ``principal`` may see them, kinds with hits only."""
    text = cleaned(query)
    groups = [g for p in _providers.values() for g in p(session, principal, text, per_kind)]
    return sorted((g for g in groups if g.total), key=lambda g: (g.order, g.kind))


def shown_markings(groups: Sequence[HitGroup]) -> list[Marking]:
    return [
        m
        for g in groups
        for m in (*g.markings, *(h.marking for h in g.hits if h.marking is not None))
    ]


class HitRead(BaseModel):
    label: str
    href: str
    detail: str
    marking: str = Field(description="The hit's portion mark; PUBLIC for reference data.")


class HitGroupRead(BaseModel):
    kind: str
    title: str
    total: int
    more: str
    hits: list[HitRead]


class SearchRead(BaseModel):
    query: str
    total: int
    groups: list[HitGroupRead]


def to_read(query: str, groups: Sequence[HitGroup]) -> SearchRead:
    return SearchRead(
        query=query,
        total=sum(g.total for g in groups),
        groups=[
            HitGroupRead(
                kind=g.kind,
                title=g.title,
                total=g.total,
                more=g.more,
                hits=[
                    HitRead(
                        label=h.label,
                        href=h.href,
                        detail=h.detail,
                        marking=short(h.marking) if h.marking else "PUBLIC",
                    )
                    for h in g.hits
                ],
            )
            for g in groups
        ],
    )


Q = Annotated[str, Query(min_length=1, max_length=MAX_QUERY, description="Words to find.")]

router = APIRouter()


@router.get("/api/v1/search", tags=["search"], summary="Search everything the reader may read")
def api_search(q: Q, session: DbSession, principal: CurrentPrincipal) -> SearchRead:
    return to_read(q, search_all(session, principal, q))


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(
    request: Request, session: DbSession, principal: CurrentPrincipal, q: str = ""
) -> HTMLResponse:
    groups: list[HitGroup] = []
    error = ""
    if q.strip():
        try:
            groups = search_all(session, principal, q)
        except InvalidInput as exc:
            error = exc.message
    context = {
        "q": q,
        "groups": groups,
        "total": sum(g.total for g in groups),
        "error": error,
        "marking": page_banner(request, session, shown_markings(groups)),
    }
    return render_marked(request, "search.html", context, status_code=422 if error else 200)
