# SPDX-License-Identifier: Apache-2.0
"""Document pages: the library (``/documents``), one document, the new-document and edit forms.

Invariants:
- every page reads through ``DocumentService`` as the request's principal: what a page lists,
  counts, facets or quotes is what the policy lets that principal read, and the reads are
  audited; a hidden or missing id is the same 404 page;
- a page that shows documents carries, top and bottom, the banner of the most restrictive
  marking it shows (``DocumentService.page_banner``: the highest level and caveats of the rows
  on the page, releasable only where every row is). The library's filters are plain GET forms,
  not HTMX fragments, so the banner is always recomputed with the rows it describes;
- forms post with the session's CSRF token (checked by ``web.deps``); a refused input
  re-renders the form with the message and its status (413, 415, 422, 403), success is a 303.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from liaison.documents.errors import DocumentNotFound
from liaison.documents.models import DocumentKind
from liaison.documents.schemas import DocumentUpdate, MarkingChange, NoteCreate, NoteFormat
from liaison.documents.service import DocumentService, DocumentView, parse_kind, parse_level
from liaison.documents.uploads import DeclaredLength, Upload, read_upload
from liaison.errors import Forbidden, LiaisonError
from liaison.security.classification import Classification
from liaison.security.permissions import Permission
from liaison.security.principal import Principal
from liaison.security.writes import NOT_YOURS
from liaison.web.deps import (
    AppSettings,
    CurrentPrincipal,
    DbSession,
    Limit,
    Offset,
    RowId,
    page_request,
    path_id,
    require,
)
from liaison.web.forms import Refusal, refusal
from liaison.web.listing import Listing
from liaison.web.templating import render_marked

router = APIRouter(include_in_schema=False)

Writer = Annotated[Principal, Depends(require(Permission.DOCUMENTS_DOCUMENT_WRITE))]
Text = Annotated[str | None, Query(max_length=500)]
Sort = Annotated[str | None, Query(max_length=200)]
FormText = Annotated[str, Form(max_length=1_000_000)]
PREVIEW_CHARS = 20_000


def _document_id(raw: str) -> int:
    """A path id; anything that is not one is the same 404 as a hidden document."""
    return path_id(raw, DocumentNotFound)


def _snippet(view: DocumentView) -> Markup | None:
    # The service built the snippet with search.snippet_html: text escaped, hits in <mark>.
    return Markup(view.snippet) if view.snippet is not None else None  # noqa: S704 - escaped


# the library ------------------------------------------------------------------------------------
@router.get("/documents", response_class=HTMLResponse)
def library(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    q: Text = None,
    level: Text = None,
    releasable_to: Text = None,
    kind: Text = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Sort = None,
) -> HTMLResponse:
    service = DocumentService(session, principal)
    filters = service.filters(
        level=parse_level(level),
        releasable_to=releasable_to,
        kind=parse_kind(kind),
        query=q,
    )
    page = page_request(settings, limit, offset, sort)
    views, total = service.find(filters, page)
    context: dict[str, Any] = {
        "listing": Listing(views, total, page),
        "snippets": {v.document.id: _snippet(v) for v in views},
        "facets": service.facets(filters),
        "form": {
            "q": q or "",
            "level": level or "",
            "releasable_to": releasable_to or "",
            "kind": kind or "",
        },
        "levels": list(Classification),
        "kinds": list(DocumentKind),
        "can_write": principal.can(Permission.DOCUMENTS_DOCUMENT_WRITE),
        "marking": service.page_banner(views),
    }
    return render_marked(request, "documents/list.html", context)


# new documents ----------------------------------------------------------------------------------
UPLOAD_FIELDS = ("file", "title", "marking")
NOTE_FIELDS = ("title", "marking", "format", "body")


def _new_form(
    request: Request,
    form: dict[str, str],
    refused: Refusal | None = None,
    service: DocumentService | None = None,
) -> HTMLResponse:
    errors = {form["which"]: refused.errors} if refused else {}
    reach = service.reach(form["marking"]) if service and form.get("marking") else None
    context = {"errors": errors, "form": form, "formats": list(NoteFormat), "reach": reach}
    return render_marked(
        request, "documents/new.html", context, refused.status_code if refused else 200
    )


def _blank() -> dict[str, str]:
    return {"title": "", "marking": "", "body": "", "format": "markdown", "which": ""}


@router.get("/documents/new", response_class=HTMLResponse)
def new_document(request: Request, _writer: Writer) -> HTMLResponse:
    return _new_form(request, _blank())


async def _page_upload(request: Request) -> Upload | LiaisonError:
    """The upload, or the error to show on the form (too large, no file)."""
    try:
        return await read_upload(request)
    except LiaisonError as exc:
        return exc


@router.post("/documents/upload", response_class=HTMLResponse)
def upload(
    request: Request,
    _length: DeclaredLength,
    session: DbSession,
    principal: Writer,
    form: Annotated[Upload | LiaisonError, Depends(_page_upload)],
) -> Response:
    shown = _blank() | {"which": "upload"}
    if isinstance(form, LiaisonError):
        refused = refusal(session, form, UPLOAD_FIELDS)
        return _new_form(request, shown, refused, DocumentService(session, principal))
    shown |= {"title": form.title, "marking": form.marking}
    try:
        view = DocumentService(session, principal).upload(
            title=form.title,
            filename=form.filename,
            declared_type=form.content_type,
            data=form.data,
            marking=form.marking,
            extracted=form.text(),
        )
    except LiaisonError as exc:
        refused = refusal(session, exc, UPLOAD_FIELDS)
        return _new_form(request, shown, refused, DocumentService(session, principal))
    return RedirectResponse(f"/documents/{view.document.id}", status_code=303)


@router.post("/documents/notes", response_class=HTMLResponse)
def add_note(
    request: Request,
    session: DbSession,
    principal: Writer,
    title: FormText = "",
    marking: FormText = "",
    body: FormText = "",
    note_format: Annotated[str, Form(alias="format", max_length=20)] = "markdown",
) -> Response:
    shown = {"title": title, "marking": marking, "body": body, "format": note_format}
    shown["which"] = "note"
    try:
        data = NoteCreate(title=title, marking=marking, body=body, format=note_format)
        view = DocumentService(session, principal).add_note(data)
    except (ValidationError, LiaisonError) as exc:
        refused = refusal(session, exc, NOTE_FIELDS)
        return _new_form(request, shown, refused, DocumentService(session, principal))
    return RedirectResponse(f"/documents/{view.document.id}", status_code=303)


# one document -----------------------------------------------------------------------------------
@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(
    document_id: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> HTMLResponse:
    service = DocumentService(session, principal)
    view, text = service.preview(_document_id(document_id))
    context = {
        "view": view,
        "paragraphs": [p for p in text[:PREVIEW_CHARS].split("\n\n") if p.strip()],
        "cut": len(text) > PREVIEW_CHARS or view.document.text_truncated,
        "can_write": service.may_change(view),
        "marking": view.banner,
    }
    return render_marked(request, "documents/detail.html", context)


def _edit_form(
    request: Request,
    service: DocumentService,
    view: DocumentView,
    form: dict[str, str],
    refused: Refusal | None = None,
    which: str = "",
) -> HTMLResponse:
    errors = {which: refused.errors} if refused else {}
    context = {"view": view, "errors": errors, "form": form, "marking": view.banner}
    context["reach"] = service.reach(form["marking"]) if form.get("marking") else None
    return render_marked(
        request, "documents/edit.html", context, refused.status_code if refused else 200
    )


@router.get("/documents/{document_id}/edit", response_class=HTMLResponse)
def edit_document(
    document_id: str, request: Request, session: DbSession, principal: Writer
) -> HTMLResponse:
    service = DocumentService(session, principal)
    view = service.get(_document_id(document_id))
    if not service.may_change(view):  # the same refusal the form's posts would get
        raise Forbidden(NOT_YOURS.format(what="document"))
    form = {"title": view.document.title, "marking": view.short, "reason": ""}
    return _edit_form(request, service, view, form)


@router.post("/documents/{document_id}/edit", response_class=HTMLResponse)
def rename(
    document_id: str,
    request: Request,
    session: DbSession,
    principal: Writer,
    title: FormText = "",
) -> Response:
    key = _document_id(document_id)
    service = DocumentService(session, principal)
    try:
        service.update(key, DocumentUpdate(title=title))
    except ValidationError as exc:
        refused = refusal(session, exc, ("title",))
        return _refused_edit(request, service, key, refused, {"title": title}, "title")
    return RedirectResponse(f"/documents/{key}", status_code=303)


@router.post("/documents/{document_id}/marking", response_class=HTMLResponse)
def remark(
    document_id: str,
    request: Request,
    session: DbSession,
    principal: Writer,
    marking: FormText = "",
    reason: FormText = "",
) -> Response:
    key = _document_id(document_id)
    service = DocumentService(session, principal)
    shown = {"marking": marking, "reason": reason}
    try:
        service.remark(key, MarkingChange(marking=marking, reason=reason or None))
    except DocumentNotFound:
        raise
    except (ValidationError, LiaisonError) as exc:
        refused = refusal(session, exc, ("marking", "reason"))
        return _refused_edit(request, service, key, refused, shown, "marking")
    return RedirectResponse(f"/documents/{key}", status_code=303)


def _refused_edit(
    request: Request,
    service: DocumentService,
    document_id: RowId,
    refused: Refusal,
    shown: dict[str, str],
    which: str,
) -> HTMLResponse:
    """The form again after ``refusal`` rolled back what the refused change wrote (a fresh,
    audited read of the document as it stands)."""
    view = service.get(document_id)
    form = {"title": view.document.title, "marking": view.short, "reason": ""} | shown
    return _edit_form(request, service, view, form, refused, which)


@router.post("/documents/{document_id}/delete", response_class=HTMLResponse)
def delete(document_id: str, session: DbSession, principal: Writer) -> Response:
    DocumentService(session, principal).delete(_document_id(document_id))
    return RedirectResponse("/documents", status_code=303)
