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

from liaison.documents.models import DocumentKind
from liaison.documents.repository import DocumentFilters
from liaison.documents.schemas import (
    DocumentFacets,
    DocumentPreview,
    DocumentRead,
    DocumentUpdate,
    DocumentWritten,
    MarkingChange,
    NoteCreate,
)
from liaison.documents.service import DocumentService, DocumentView, parse_level
from liaison.documents.uploads import DeclaredLength, UploadForm
from liaison.kit.pagination import Page
from liaison.security.permissions import Permission
from liaison.security.principal import Principal
from liaison.web.deps import (
    AppSettings,
    CurrentPrincipal,
    DbSession,
    Limit,
    Offset,
    RowId,
    page_request,
    require,
)
from liaison.web.templating import NO_STORE

router = APIRouter(prefix="/api/v1/documents", tags=["documents"])

DocumentWriter = Annotated[Principal, Depends(require(Permission.DOCUMENTS_DOCUMENT_WRITE))]

Sort = Annotated[
    str | None,
    Query(
        max_length=200,
        description="title, created_at, updated_at, level, size or kind; '-' for descending. "
        "With q the default is relevance, else -updated_at.",
    ),
]
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
Kind = Annotated[DocumentKind | None, Query()]
Q = Annotated[
    str | None,
    Query(max_length=500, description='Full-text search: words, "phrases", OR, -word.'),
]


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


def _filters(
    service: DocumentService,
    level: str | None,
    releasable_to: str | None,
    kind: DocumentKind | None,
    q: str | None,
) -> DocumentFilters:
    return service.filters(
        level=parse_level(level), releasable_to=releasable_to, kind=kind, query=q
    )


@router.get("", summary="List or search the documents you may read")
def list_documents(
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    response: Response,
    level: Level = None,
    releasable_to: ReleasableTo = None,
    kind: Kind = None,
    q: Q = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Sort = None,
) -> Page[DocumentRead]:
    service = DocumentService(session, principal)
    page = page_request(settings, limit, offset, sort)
    views, total = service.find(_filters(service, level, releasable_to, kind, q), page)
    response.headers.update(NO_STORE)
    return Page[DocumentRead](
        items=[to_read(v) for v in views], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/facets", summary="Counts of the documents you may read, by level and kind")
def facets(
    session: DbSession,
    principal: CurrentPrincipal,
    level: Level = None,
    releasable_to: ReleasableTo = None,
    kind: Kind = None,
    q: Q = None,
) -> DocumentFacets:
    service = DocumentService(session, principal)
    filters = _filters(service, level, releasable_to, kind, q)
    return DocumentFacets(total=service.count(filters), **service.facets(filters))


@router.post("", status_code=status.HTTP_201_CREATED, summary="Upload a file (multipart)")
def upload(
    _length: DeclaredLength,
    session: DbSession,
    principal: DocumentWriter,
    form: UploadForm,
) -> DocumentWritten:
    """Fields: ``file`` (PDF, DOCX, text or Markdown, at most 20 MiB), ``marking`` and an
    optional ``title`` (default: the file name)."""
    service = DocumentService(session, principal)
    view = service.upload(
        title=form.title,
        filename=form.filename,
        declared_type=form.content_type,
        data=form.data,
        marking=form.marking,
        extracted=form.text(),
    )
    return written(service, view)


def written(service: DocumentService, view: DocumentView) -> DocumentWritten:
    """A document as written, with the warnings its marking deserves (never a refusal)."""
    return DocumentWritten(**to_read(view).model_dump(), warnings=service.warnings(view))


@router.post("/notes", status_code=status.HTTP_201_CREATED, summary="Write a note")
def add_note(data: NoteCreate, session: DbSession, principal: DocumentWriter) -> DocumentWritten:
    service = DocumentService(session, principal)
    return written(service, service.add_note(data))


@router.get("/{document_id}")
def get_document(
    document_id: RowId, session: DbSession, principal: CurrentPrincipal, response: Response
) -> DocumentRead:
    view = DocumentService(session, principal).get(document_id)
    response.headers.update(NO_STORE)
    return to_read(view)


@router.get("/{document_id}/preview", summary="The document's text, with its marking")
def preview(
    document_id: RowId, session: DbSession, principal: CurrentPrincipal, response: Response
) -> DocumentPreview:
    view, text = DocumentService(session, principal).preview(document_id)
    response.headers.update(NO_STORE)
    return DocumentPreview(
        id=view.document.id,
        marking=view.short,
        banner=view.banner,
        text=text,
        truncated=view.document.text_truncated,
    )


@router.get(
    "/{document_id}/content",
    summary="Download the original file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def content(document_id: RowId, session: DbSession, principal: CurrentPrincipal) -> Response:
    view, data = DocumentService(session, principal).download(document_id)
    media_type = view.document.content_type
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    return Response(
        data,
        media_type=media_type,
        headers={
            **NO_STORE,
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
    document_id: RowId, data: DocumentUpdate, session: DbSession, principal: DocumentWriter
) -> DocumentRead:
    return to_read(DocumentService(session, principal).update(document_id, data))


@router.post(
    "/{document_id}/marking",
    summary="Change the marking; lowering it needs documents:document:downgrade and a reason",
)
def remark(
    document_id: RowId, data: MarkingChange, session: DbSession, principal: DocumentWriter
) -> DocumentWritten:
    service = DocumentService(session, principal)
    return written(service, service.remark(document_id, data))


@router.delete("/{document_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(document_id: RowId, session: DbSession, principal: DocumentWriter) -> Response:
    DocumentService(session, principal).delete(document_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
