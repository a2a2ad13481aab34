# SPDX-License-Identifier: Apache-2.0
"""The programmes' part of the one search: programmes by reference or title, as the reader
may read them (reads audited by the service)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.kit.pagination import PageRequest
from liaison.programmes.repository import ProgrammeFilters
from liaison.programmes.service import ProgrammeService
from liaison.security.principal import Principal
from liaison.web.search import Hit, HitGroup, register_search


def search(session: Session, principal: Principal, q: str, limit: int) -> list[HitGroup]:
    views, total = ProgrammeService(session, principal).find(
        ProgrammeFilters(query=q), PageRequest(limit=limit)
    )
    hits = [
        Hit(
            f"{v.programme.reference}: {v.programme.title}",
            f"/programmes/{v.programme.reference}",
            f"{v.partner_name} · {v.programme.status.value.replace('_', ' ')}",
            v.marking,
        )
        for v in views
    ]
    return [HitGroup("programmes", "Programmes", hits, total, "/programmes", order=30)]


def install() -> None:
    register_search("programmes", search)
