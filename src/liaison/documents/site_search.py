# SPDX-License-Identifier: Apache-2.0
"""The document library's part of the one search: its full-text search (titles and extracted
text), as the reader may read the documents (reads audited)."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy.orm import Session

from liaison.documents.service import DocumentService
from liaison.kit.pagination import PageRequest
from liaison.security.principal import Principal
from liaison.web.search import Hit, HitGroup, register_search


def search(session: Session, principal: Principal, q: str, limit: int) -> list[HitGroup]:
    service = DocumentService(session, principal)
    views, total = service.find(service.filters(query=q), PageRequest(limit=limit))
    hits = [
        Hit(v.document.title, f"/documents/{v.document.id}", v.document.kind.value, v.marking)
        for v in views
    ]
    return [HitGroup("documents", "Documents", hits, total, f"/documents?q={quote(q)}", order=50)]


def install() -> None:
    register_search("documents", search)
