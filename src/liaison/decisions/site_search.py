# SPDX-License-Identifier: Apache-2.0
"""The decisions' part of the one search: proposals by reference or title, as the reader may
read them (reads audited)."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy.orm import Session

from liaison.decisions.repository import ProposalFilters
from liaison.decisions.service import DecisionService
from liaison.kit.pagination import PageRequest
from liaison.security.principal import Principal
from liaison.web.search import Hit, HitGroup, register_search


def search(session: Session, principal: Principal, q: str, limit: int) -> list[HitGroup]:
    service = DecisionService(session, principal)
    views, total = service.find(ProposalFilters(query=q), PageRequest(limit=limit))
    hits = [
        Hit(
            f"{v.proposal.reference}: {v.proposal.title}",
            f"/decisions/{v.proposal.id}",
            v.verdict.outcome.value,
            v.marking,
        )
        for v in views
    ]
    return [HitGroup("decisions", "Decisions", hits, total, f"/decisions?q={quote(q)}", order=40)]


def install() -> None:
    register_search("decisions", search)
