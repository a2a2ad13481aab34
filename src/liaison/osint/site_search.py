# SPDX-License-Identifier: Apache-2.0
"""Open sources in the one search: articles (PUBLIC) by title and text, and the analysts'
assessments the reader may read (the policy in the SQL: a hidden one is absent from the hits
and from the count; reads audited)."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy.orm import Session

from liaison.osint.service import OsintService
from liaison.security.principal import Principal
from liaison.web.search import Hit, HitGroup, register_search


def search(session: Session, principal: Principal, q: str, limit: int) -> list[HitGroup]:
    service = OsintService(session, principal)
    articles = service.search(q, limit + 1)
    article_hits = [
        Hit(
            a.title,
            f"/osint/stories/{a.story_id}" if a.story_id else f"/osint?q={quote(q)}",
            f"{a.outlet} · {a.published_on or 'undated'}",
        )
        for a in articles[:limit]
    ]
    found, total = service.find_assessments(q, limit)
    assessment_hits = [
        Hit(a.title, f"/osint/stories/{a.story_id}", f"assessment by {a.created_by}", m)
        for a, m in found
    ]
    return [
        HitGroup(
            "osint-articles",
            "Open-source articles",
            article_hits,
            len(articles),
            f"/osint?q={quote(q)}",
            order=70,
        ),
        HitGroup(
            "osint-assessments",
            "Open-source assessments",
            assessment_hits,
            total,
            "/osint",
            order=71,
        ),
    ]


def install() -> None:
    register_search("osint", search)
