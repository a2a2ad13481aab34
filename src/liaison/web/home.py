# SPDX-License-Identifier: Apache-2.0
"""The home page: what needs me today, as tiles that each feature contributes.

The page belongs to no feature. Each feature registers a *tile provider* (in its own
``home.py``, subscribed by ``liaison.wiring``): given the request's session and principal it
returns its tiles, read through its own service and so through the one access policy — what
the reader may not see is absent from the items and from the counts. A feature added later
adds its tiles with one line in ``wiring.install()``; this module never imports a feature.

The page's banner is the strictest marking of what the tiles show (their ``markings``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from liaison.kit import clock
from liaison.security.classification import Classification
from liaison.security.markings import Marking, banner, page_marking
from liaison.security.principal import Principal
from liaison.web.deps import CurrentPrincipal, DbSession
from liaison.web.templating import render_marked


@dataclass(frozen=True, slots=True)
class TileItem:
    """One line of a tile: a label that links to its page, and what makes it due."""

    label: str
    href: str
    detail: str = ""
    when: dt.date | None = None
    urgent: bool = False
    count: int | None = None  # shown in bold before the label ("32 allies today")
    emphasis: str = ""  # shown in bold after it ("... the embassy of Romania")


@dataclass(frozen=True, slots=True)
class Tile:
    """A box on the home page. ``total`` counts what the reader may see (items may be fewer:
    the first few); ``href`` lists them all; ``empty`` is said when there is nothing."""

    key: str
    title: str
    items: Sequence[TileItem]
    total: int
    href: str
    empty: str
    markings: Sequence[Marking] = field(default_factory=tuple)
    order: int = 100
    lead: str = ""


TileProvider = Callable[[Session, Principal], list[Tile]]

_providers: dict[str, TileProvider] = {}

ITEMS_PER_TILE = 5


def register_tiles(name: str, provider: TileProvider) -> None:
    """Add a feature's tiles to the home page (idempotent by ``name``)."""
    _providers[name] = provider


def tiles_for(session: Session, principal: Principal) -> list[Tile]:
    """Every registered feature's tiles for this reader, in their order."""
    tiles = [tile for provider in _providers.values() for tile in provider(session, principal)]
    return sorted(tiles, key=lambda t: (t.order, t.key))


def page_banner(request: Request, session: Session, markings: Iterable[Marking]) -> str | None:
    """The banner of a page showing ``markings`` (the one ``security.markings.page_marking``,
    with the policy's own partner groups); None when everything shown is PUBLIC."""
    given = list(markings)
    if all(m.level is Classification.PUBLIC for m in given):
        return None
    facts = request.app.state.nation_facts
    return banner(page_marking(given, lambda code: facts(session, code).groups))


router = APIRouter()


@router.get("/", response_class=HTMLResponse, summary="Home: what needs me today")
def home(request: Request, session: DbSession, principal: CurrentPrincipal) -> HTMLResponse:
    tiles = tiles_for(session, principal)
    context = {
        "tiles": tiles,
        "today": clock.today(),
        "marking": page_banner(request, session, (m for t in tiles for m in t.markings)),
    }
    return render_marked(request, "home.html", context)
