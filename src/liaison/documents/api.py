# SPDX-License-Identifier: Apache-2.0
"""Documents REST API under ``/api/v1/documents``.

Every read answers from ``DocumentService`` (the policy inside the SQL, reads audited); a
document the caller may not read is a 404 problem identical to a missing id, on every route.
Writes need ``documents:document:write`` (401 anonymous, 403 without it — checked before any
document is looked up, so it reveals nothing). Responses that carry document content say
``Cache-Control: no-store``; the bytes carry their marking in ``X-Classification``.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Response, status

from liaison.documents import schemas
from liaison.documents.deps import Documents, Writing
from liaison.documents.models import DocumentKind
from liaison.documents.present import preview_read, to_read, written
from liaison.documents.repository import DocumentFilters
from liaison.documents.service import parse_level
from liaison.documents.uploads import DeclaredLength, UploadForm
from liaison.kit.pagination import Page
from liaison.web.deps import RowId, SortedPage

router = APIRouter(prefix="/api/v1/documents", tags=["documents"])

Level = Annotated[
    str | None, Query(max_length=40, description="A level, e.g. 'NATO RESTRICTED' or 'NR'.")
]
ReleasableTo = Annotated[
    str | None,
    Query(
        max_length=200,
        description="A nation or partner group; matches documents releasable to it or to a "
        "group it belongs to.",
    ),
]
Q = Annotated[
    str | None,
    Query(max_length=500, description='Full-text search: words, "phrases", OR, -word.'),
]


def _filters(
    service: Documents,
    level: Level = None,
    releasable_to: ReleasableTo = None,
    kind: Annotated[DocumentKind | None, Query()] = None,
    q: Q = None,
) -> DocumentFilters:
    return service.filters(
        level=parse_level(level), releasable_to=releasable_to, kind=kind, query=q
    )


Filters = Annotated[DocumentFilters, Depends(_filters)]


@router.get("", summary="List or search the documents you may read")
def list_documents(
    service: Documents, filters: Filters, page: SortedPage
) -> Page[schemas.DocumentRead]:
    """Sort by title, created_at, updated_at, level, size or kind; with q the default is
    relevance, else -updated_at."""
    views, total = service.find(filters, page)
    return Page[schemas.DocumentRead].of(map(to_read, views), total, page)


@router.get("/facets", summary="Counts of the documents you may read, by level and kind")
def facets(service: Documents, filters: Filters) -> schemas.DocumentFacets:
    return schemas.DocumentFacets(total=service.count(filters), **service.facets(filters))


@router.post("", status_code=status.HTTP_201_CREATED, summary="Upload a file (multipart)")
def upload(_length: DeclaredLength, service: Writing, form: UploadForm) -> schemas.DocumentWritten:
    """Fields: ``file`` (PDF, DOCX, text or Markdown, at most 20 MiB), ``marking`` and an
    optional ``title`` (default: the file name)."""
    return written(service, service.upload_file(form))


@router.post("/notes", status_code=status.HTTP_201_CREATED, summary="Write a note")
def add_note(data: schemas.NoteCreate, service: Writing) -> schemas.DocumentWritten:
    return written(service, service.add_note(data))


@router.get("/{document_id}")
def get_document(document_id: RowId, service: Documents) -> schemas.DocumentRead:
    return to_read(service.get(document_id))


@router.get("/{document_id}/preview", summary="The document's text, with its marking")
def preview(document_id: RowId, service: Documents) -> schemas.DocumentPreview:
    return preview_read(*service.preview(document_id))


@router.get(
    "/{document_id}/content",
    summary="Download the original file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def content(document_id: RowId, service: Documents) -> Response:
    view, data = service.download(document_id)
    media_type = view.document.content_type
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": attachment(view.document.filename),
            "X-Classification": quote(view.short, safe=" /,:-"),
        },
    )


def attachment(filename: str) -> str:
    """``Content-Disposition`` for a download: an ASCII fallback and the UTF-8 name."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.patch("/{document_id}", summary="Rename a document")
def update(
    document_id: RowId, data: schemas.DocumentUpdate, service: Writing
) -> schemas.DocumentRead:
    return to_read(service.update(document_id, data))


@router.post(
    "/{document_id}/marking",
    summary="Change the marking; lowering it needs documents:document:downgrade and a reason",
)
def remark(
    document_id: RowId, data: schemas.MarkingChange, service: Writing
) -> schemas.DocumentWritten:
    return written(service, service.remark(document_id, data))


@router.delete("/{document_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(document_id: RowId, service: Writing) -> Response:
    service.delete(document_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
