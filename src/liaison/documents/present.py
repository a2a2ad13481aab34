# SPDX-License-Identifier: Apache-2.0
"""Documents as the API and the CLI show them: service views to ``schemas``."""

from __future__ import annotations

from liaison.documents.schemas import DocumentPreview, DocumentRead, DocumentWritten
from liaison.documents.service import DocumentService, DocumentView

# the document's own columns, shown as they are stored
COLUMNS: tuple[str, ...] = ("id", "title", "kind", "filename", "content_type", "size", "sha256")
COLUMNS += ("text_truncated", "created_at", "updated_at", "created_by", "updated_by")


def to_read(view: DocumentView) -> DocumentRead:
    return DocumentRead(
        **{name: getattr(view.document, name) for name in COLUMNS},
        level=view.marking.level,
        marking=view.short,
        banner=view.banner,
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
