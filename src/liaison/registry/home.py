# SPDX-License-Identifier: Apache-2.0
"""The registry's tiles on the home page: today's allies, partners, agreements in force and
open offices, and what holds on this day — each counted as the reader may see them."""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy.orm import Session

from liaison.errors import NotFound
from liaison.kit.clock import today
from liaison.kit.pagination import PageRequest
from liaison.registry.rules import OfficeStatus
from liaison.registry.service import RegistryService
from liaison.security.principal import Principal
from liaison.web.home import Tile, TileItem, register_tiles


def _word(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def tiles(session: Session, principal: Principal) -> list[Tile]:
    service = RegistryService(session, principal)
    day, one = today(), PageRequest(limit=1)  # counts: the totals of one-row pages
    iso = day.isoformat()
    allies = service.allies(day, one)[1]
    partners = service.partners(page=one)[1]
    with_agreement = service.partners(agreement_in_force_on=day, page=one)[1]
    agreements = service.count_agreements(in_force_on=day)
    status_open = service.offices(status=OfficeStatus.OPEN, page=one)[1]
    dated_open = service.offices(open_on=day, page=one)[1]
    cards = [
        TileItem(_word(allies, "ally today", "allies today"), "/allies", count=allies),
        TileItem(_word(partners, "partner", "partners"), "/partners", count=partners),
        TileItem(
            _word(agreements, "security agreement in force", "security agreements in force"),
            "/security-agreements",
            count=agreements,
        ),
        TileItem(
            _word(status_open, "office with the status open", "offices with the status open"),
            "/offices?status=open",
            count=status_open,
        ),
    ]
    facts = [
        TileItem(
            _word(allies, "ally is a member", "allies are members"),
            f"/allies?member_on={iso}",
            count=allies,
        ),
        TileItem(
            _word(
                dated_open,
                "office is open by its recorded opening and closing dates",
                "offices are open by their recorded opening and closing dates",
            ),
            f"/offices?open_on={iso}",
            count=dated_open,
        ),
        TileItem(
            _word(
                with_agreement,
                "partner has a security agreement in force",
                "partners have a security agreement in force",
            ),
            f"/partners?agreement_in_force_on={iso}",
            count=with_agreement,
        ),
    ]
    try:
        japan = service.contact_points_on("JPN", day)
    except NotFound:
        japan = None  # no demo data: Japan is not a partner in this registry
    if japan:
        names = ", ".join(m.ally.country.name for m in japan)
        facts.append(
            TileItem(
                Markup("Japan's contact-point embassy is the embassy of"),  # static text
                "/partners/JPN#contact-points",
                emphasis=names,
            )
        )
    return [
        Tile("registry", "Registry", cards, len(cards), "/allies", "", order=900),
        Tile("on-this-day", f"On this day, {iso}", facts, len(facts), "/allies", "", order=910),
    ]


def install() -> None:
    register_tiles("registry", tiles)
