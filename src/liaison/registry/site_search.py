# SPDX-License-Identifier: Apache-2.0
"""The registry's part of the one search: partners and allies by any name people give them
(``KOR``, ``South Korea``, ``ROK``), offices by name or city. Registry facts are public."""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.kit.pagination import PageRequest
from liaison.registry.service import RegistryService
from liaison.security.principal import Principal
from liaison.web.search import Hit, HitGroup, register_search


def search(session: Session, principal: Principal, q: str, limit: int) -> list[HitGroup]:
    service = RegistryService(session, principal)
    countries, _ = service.countries(q, PageRequest(limit=200))
    partners, allies = service.partners_and_allies([c.iso3 for c in countries])
    nations = [
        Hit(c.name, f"/partners/{c.iso3}", "partner")
        if c.iso3 in partners
        else Hit(c.name, f"/allies?sort=name#{c.iso3}", "ally")
        for c in countries
        if c.iso3 in partners or c.iso3 in allies
    ]
    offices, office_total = service.search_offices(q, limit)
    return [
        HitGroup("nations", "Partners and allies", nations[:limit], len(nations), order=10),
        HitGroup(
            "offices",
            "Offices",
            [Hit(o.name, f"/offices/{o.id}", f"{o.city} · {o.status.value}") for o in offices],
            office_total,
            "/offices",
            order=20,
        ),
    ]


def install() -> None:
    register_search("registry", search)
