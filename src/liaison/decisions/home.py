# SPDX-License-Identifier: Apache-2.0
"""The decisions' tiles on the home page: proposals awaiting my delegation with their
deadlines, silence deadlines in the next seven days, and my unread notifications — only
proposals the reader may read, their reads audited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from liaison.decisions.service import DecisionService, ProposalView
from liaison.kit import clock
from liaison.kit.pagination import PageRequest
from liaison.security.principal import Principal
from liaison.web.home import ITEMS_PER_TILE, Tile, TileItem, register_tiles

SILENCE_HORIZON = dt.timedelta(days=7)


def _item(view: ProposalView, urgent: bool) -> TileItem:
    p = view.proposal
    deadline = p.deadline.date() if p.deadline else None
    when = f"deadline {p.deadline:%Y-%m-%d %H:%M} UTC" if p.deadline else "at a meeting"
    return TileItem(f"{p.reference}: {p.title}", f"/decisions/{p.id}", when, deadline, urgent)


def _kind(value: str) -> str:
    return value.replace("_", " ")


def _proposals(
    key: str, title: str, shown: tuple[list[ProposalView], int], href: str, empty: str
) -> Tile:
    """A tile of proposals; those awaiting a position are urgent and come first."""
    views, total = shown
    urgent = key == "awaiting"
    items = [_item(v, urgent=urgent) for v in views]
    order = 100 if urgent else 110
    return Tile(key, title, items, total, href, empty, [v.marking for v in views], order=order)


def tiles(session: Session, principal: Principal) -> list[Tile]:
    service = DecisionService(session, principal)
    now = clock.utcnow()
    out: list[Tile] = []
    awaiting, awaiting_total, ally = service.inbox(PageRequest(limit=ITEMS_PER_TILE))
    if ally is not None:
        title = f"Awaiting {service.name_of(ally)}'s position"
        empty = "Nothing awaits your delegation."
        tile = _proposals("awaiting", title, (awaiting, awaiting_total), "/decisions/inbox", empty)
        out.append(tile)
    out.append(
        _proposals(
            "silence",
            "Silence ends in the next 7 days",
            service.silence_ending(now, SILENCE_HORIZON, ITEMS_PER_TILE),
            "/decisions?state=open&sort=deadline",
            "No silence procedure ends in the next 7 days.",
        )
    )
    if principal.user_id is not None:
        unread = service.unread()
        notes, _ = service.notifications(PageRequest(limit=ITEMS_PER_TILE), unread_only=True)
        out.append(
            Tile(
                "notifications",
                "Unread notifications",
                [
                    TileItem(
                        f"{n.view.proposal.reference}: {_kind(n.notification.kind.value)}",
                        f"/decisions/{n.view.proposal.id}",
                        n.view.proposal.title,
                        n.notification.created_at.date(),
                    )
                    for n in notes
                ],
                unread,
                "/decisions/notifications",
                "No unread notifications.",
                [n.view.marking for n in notes],
                order=120,
            )
        )
    return out


def install() -> None:
    register_tiles("decisions", tiles)
