# SPDX-License-Identifier: Apache-2.0
"""Documents as the API and the CLI show them: service views to ``schemas``."""

from __future__ import annotations

from liaison.documents.schemas import DocumentPreview, DocumentRead, DocumentWritten
from liaison.documents.service import DocumentService, DocumentView


def to_read(view: DocumentView) -> DocumentRead:
    d = view.document
    return DocumentRead(
        id=d.id,
        title=d.title,
        kind=d.kind,
        filename=d.filename,
        content_type=d.content_type,
        size=d.size,
        sha256=d.sha256,
        level=view.marking.level,
        marking=view.short,
        banner=view.banner,
        text_truncated=d.text_truncated,
        created_at=d.created_at,
        updated_at=d.updated_at,
        created_by=d.created_by,
        updated_by=d.updated_by,
        snippet=view.snippet,
    )


def written(service: DocumentService, view: DocumentView) -> DocumentWritten:
    """A document as written, with the warnings its marking deserves (never a refusal)."""
    return DocumentWritten(**to_read(view).model_dump(), warnings=service.warnings(view))


def preview_read(view: DocumentView, text: str) -> DocumentPreview:
    return DocumentPreview(
        id=view.document.id,
        marking=view.short,
        banner=view.banner,
        text=text,
        truncated=view.document.text_truncated,
    )
