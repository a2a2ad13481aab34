# SPDX-License-Identifier: Apache-2.0
"""Open sources on the home page: each of my watch terms with its newest hits. Articles are
public; a user's watch terms are their own (``OsintService.watch_terms``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.osint.service import OsintService
from liaison.security.principal import Principal
from liaison.web.home import ITEMS_PER_TILE, Tile, TileItem, register_tiles


def tiles(session: Session, principal: Principal) -> list[Tile]:
    if not principal.authenticated:
        return []
    items: list[TileItem] = []
    total = 0
    for term, hits, latest in OsintService(session, principal).watch_terms():
        total += hits
        for article in latest[:2]:
            href = f"/osint/stories/{article.story_id}" if article.story_id else "/osint"
            items.append(
                TileItem(
                    f"{article.title}",
                    href,
                    f"“{term.term}” · {article.outlet}",
                    article.published_on,
                )
            )
    return [
        Tile(
            "watch-terms",
            "Open sources I watch",
            items[:ITEMS_PER_TILE],
            total,
            "/osint",
            "No hits for your watch terms (add terms on the open-sources page).",
            order=300,
        )
    ]


def install() -> None:
    register_tiles("osint", tiles)
