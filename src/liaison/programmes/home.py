# SPDX-License-Identifier: Apache-2.0
"""The programmes' tiles on the home page: renewals due, goals overdue, programmes stuck
between agreed and in force, this month's activities — as the reader may see them (the
dashboard's reads, audited there)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.kit import clock
from liaison.kit.pagination import PageRequest
from liaison.programmes import rules
from liaison.programmes.repository import ProgrammeFilters
from liaison.programmes.rules import ProgrammeStatus
from liaison.programmes.service import ProgrammeService
from liaison.security.principal import Principal
from liaison.web.home import ITEMS_PER_TILE, Tile, TileItem, register_tiles

HORIZON_DAYS = 90


def tiles(session: Session, principal: Principal) -> list[Tile]:
    service = ProgrammeService(session, principal)
    today = clock.today()
    first = PageRequest(limit=ITEMS_PER_TILE)
    board = service.dashboard(HORIZON_DAYS, first)
    renewals = [
        TileItem(
            f"{v.programme.reference}: {v.programme.title}",
            f"/programmes/{v.programme.reference}",
            (
                f"renewal {board.renewal_started[v.programme.reference]} started"
                if v.programme.reference in board.renewal_started
                else "no renewal started"
            ),
            v.programme.period_end,
            urgent=v.programme.reference not in board.renewal_started,
        )
        for v in board.expiring
    ]
    overdue = [
        TileItem(
            f"{ref} {g.row.code}: {g.row.title}",
            f"/programmes/{ref}/goals/{g.row.id}",
            f"due {g.row.due_on.isoformat()}",
            g.row.due_on,
            urgent=True,
        )
        for g, ref in board.overdue
    ]
    activities = [
        TileItem(f"{a.row.title}", f"/programmes/{ref}", ref, a.row.start_on)
        for a, ref in board.this_month
    ]
    agreed, _ = service.find(
        ProgrammeFilters(status=ProgrammeStatus.AGREED), PageRequest(limit=100)
    )
    stuck_views = [
        v
        for v in agreed
        if rules.stuck_in_agreed(v.programme.status, v.programme.period_start, today)
    ]
    stuck = [
        TileItem(
            f"{v.programme.reference}: {v.programme.title}",
            f"/programmes/{v.programme.reference}",
            f"agreed {v.programme.agreed_on.isoformat() if v.programme.agreed_on else ''}, "
            f"period began {v.programme.period_start.isoformat()}",
            v.programme.period_start,
            urgent=True,
        )
        for v in stuck_views
    ]
    shown = [board.marking] if (board.expiring or board.overdue or board.this_month) else []
    return [
        Tile(
            "renewals",
            f"Renewals due in {HORIZON_DAYS} days",
            renewals,
            board.expiring_total,
            "/programmes",
            "No programme ends in the next 90 days.",
            shown,
            order=200,
        ),
        Tile(
            "goals-overdue",
            "Partnership goals overdue",
            overdue,
            board.overdue_total,
            "/programmes",
            "No goal is overdue.",
            shown,
            order=210,
        ),
        Tile(
            "stuck-agreed",
            "Agreed but not in force",
            stuck[:ITEMS_PER_TILE],
            len(stuck),
            "/programmes?status=agreed",
            "No agreed programme is waiting to enter into force.",
            [v.marking for v in stuck_views[:ITEMS_PER_TILE]],
            order=220,
            lead="Their period has begun: put them in force or say why not.",
        ),
        Tile(
            "activities",
            f"Activities in {today.strftime('%B %Y')}",
            activities,
            board.this_month_total,
            "/programmes",
            "No activity this month.",
            shown,
            order=230,
        ),
    ]


def install() -> None:
    register_tiles("programmes", tiles)
