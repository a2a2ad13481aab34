# SPDX-License-Identifier: Apache-2.0
"""Document queries for one principal.

Invariant: every statement here starts from ``_readable``, which applies
``policy.readable(stmt, principal, Document)`` inside the SQL, or — counts and facets that
search no text — from ``tallied``, the same policy over the tally rows
(``readable(stmt, principal, DocumentTally)``: a tally row carries the marking of the
documents it counts). Lists, counts, facets, search hits, snippets, text and bytes all come
from statements built on them; blobs and FTS rows are reached only by joining their document.
Nothing is read first and hidden afterwards.

The listed rows' own marking is joined under an alias (``_shown``), so the policy's subquery
on ``marking`` is never correlated with it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, aliased, undefer

from liaison.documents import search
from liaison.documents.models import Document, DocumentBlob, DocumentKind, DocumentTally
from liaison.kit.pagination import PageRequest, order_by, window
from liaison.security.classification import Classification
from liaison.security.models import MarkingRelease, MarkingRow
from liaison.security.policy import readable
from liaison.security.principal import Principal

_shown = aliased(MarkingRow, name="shown_marking")
SORTS = {
    "title": Document.title,
    "created_at": Document.created_at,
    "updated_at": Document.updated_at,
    "level": _shown.level_rank,
    "size": Document.size,
    "kind": Document.kind,
}


@dataclass(frozen=True, slots=True)
class DocumentFilters:
    """What a list asks for. ``release_codes``: documents whose releasability names one of
    these codes (a nation and its groups); ``query``: web-search syntax over title and text."""

    level: Classification | None = None
    release_codes: frozenset[str] | None = None
    kind: DocumentKind | None = None
    query: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    document: Document
    snippet: str | None


def _narrowed(
    stmt: Select[Any], filters: DocumentFilters, rows: type[Document | DocumentTally]
) -> Select[Any]:
    """The level, kind and releasability filters, on documents or on their tally rows (both
    carry ``kind`` and ``marking_id``; ``_shown`` is the rows' marking, joined)."""
    if filters.level is not None:
        stmt = stmt.where(_shown.level_rank == filters.level.rank)
    if filters.kind is not None:
        stmt = stmt.where(rows.kind == filters.kind)
    if filters.release_codes is not None:
        stmt = stmt.where(
            exists().where(
                MarkingRelease.marking_id == rows.marking_id,
                MarkingRelease.code.in_(sorted(filters.release_codes)),
            )
        )
    return stmt


class DocumentRepository:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _readable(self, stmt: Select[Any], *, page: bool = False) -> Select[Any]:
        return readable(stmt, self.principal, Document, page_of=self.session if page else None)

    # one document ---------------------------------------------------------------------------
    def get(self, document_id: int, *, with_text: bool = False) -> Document | None:
        stmt = self._readable(select(Document).where(Document.id == document_id))
        if with_text:
            stmt = stmt.options(undefer(Document.extracted_text))
        found: Document | None = self.session.scalar(stmt)
        return found

    def content(self, document_id: int) -> bytes | None:
        """The bytes of a document the principal may read (the blob only via its document)."""
        stmt = (
            select(DocumentBlob.data)
            .join(Document, Document.id == DocumentBlob.document_id)
            .where(Document.id == document_id)
        )
        data: bytes | None = self.session.scalar(self._readable(stmt))
        return data

    # lists ----------------------------------------------------------------------------------
    def _filtered(self, filters: DocumentFilters, *columns: Any, page: bool = False) -> Select[Any]:  # noqa: ANN401 - any selectable
        stmt = select(*(columns or (Document,))).select_from(Document)
        stmt = self._readable(stmt.join(_shown, _shown.id == Document.marking_id), page=page)
        stmt = _narrowed(stmt, filters, Document)
        if filters.query:
            found = search.match(self.session, filters.query)
            stmt = found.join(stmt).where(found.condition)
        return stmt

    def count(self, filters: DocumentFilters) -> int:
        if not filters.query:
            stmt = self.tallied(filters, func.coalesce(func.sum(DocumentTally.n), 0))
            return int(self.session.scalar(stmt) or 0)
        return self.counted(filters)

    def counted(self, filters: DocumentFilters) -> int:
        """The count by counting the documents (what the tally must always equal)."""
        stmt = self._filtered(filters, func.count(Document.id))
        return int(self.session.scalar(stmt) or 0)

    def tallied(self, filters: DocumentFilters, *columns: Any) -> Select[Any]:  # noqa: ANN401 - any selectable
        """``_filtered`` over the tally rows instead of the documents (no text search): the
        same policy on the same markings, the same level, kind and releasability filters."""
        stmt = select(*columns).select_from(DocumentTally)
        stmt = readable(
            stmt.join(_shown, _shown.id == DocumentTally.marking_id), self.principal, DocumentTally
        )
        return _narrowed(stmt, filters, DocumentTally)

    def find(self, filters: DocumentFilters, page: PageRequest) -> tuple[list[Hit], int]:
        """One page of readable documents (with snippets when searching) and their total."""
        total = self.count(filters)
        stmt, found = self._page(filters, page)
        if found is None:
            return [Hit(d, None) for d in self.session.scalars(stmt)], total
        rows = self.session.execute(stmt.add_columns(found.snippet)).all()
        return [Hit(d, s) for d, s in rows], total

    def page_statement(self, filters: DocumentFilters, page: PageRequest) -> Select[Any]:
        """The statement of one list page, as ``find`` runs it (without its snippets)."""
        return self._page(filters, page)[0]

    def _page(
        self, filters: DocumentFilters, page: PageRequest
    ) -> tuple[Select[Any], search.Match | None]:
        stmt = self._filtered(filters, page=True)
        found = search.match(self.session, filters.query) if filters.query else None
        if found is not None and not page.sort:
            stmt = stmt.order_by(found.best_first, Document.id.desc())
        else:
            # ties broken by the id in the sort's direction: the indexes (column, id) of
            # migration 0013 then serve each sort
            stmt = order_by(stmt, page.sort or "-updated_at", SORTS, tiebreak=Document.id)
        return window(stmt, page.limit, page.offset), found

    def _facets_counted(self, filters: DocumentFilters) -> tuple[list[Any], list[Any]]:
        levels = self.session.execute(
            self._filtered(
                DocumentFilters(None, filters.release_codes, filters.kind, filters.query),
                _shown.level,
                func.count(Document.id),
            ).group_by(_shown.level)
        ).all()
        kinds = self.session.execute(
            self._filtered(
                DocumentFilters(filters.level, filters.release_codes, None, filters.query),
                Document.kind,
                func.count(Document.id),
            ).group_by(Document.kind)
        ).all()
        return list(levels), list(kinds)

    def facets(self, filters: DocumentFilters) -> dict[str, dict[str, int]]:
        """How many readable documents match per level and per kind (other filters held)."""
        if not filters.query:
            number = func.sum(DocumentTally.n)
            levels = self.session.execute(
                self.tallied(replace(filters, level=None), _shown.level, number)
                .group_by(_shown.level)
                .having(number > 0)
            ).all()
            kinds = self.session.execute(
                self.tallied(replace(filters, kind=None), DocumentTally.kind, number)
                .group_by(DocumentTally.kind)
                .having(number > 0)
            ).all()
        else:
            levels, kinds = self._facets_counted(filters)
        return {
            "level": {str(level): int(n) for level, n in levels},
            "kind": {str(kind): int(n) for kind, n in kinds},
        }
