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

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from liaison.documents.deps import Documents, Writing
from liaison.documents.errors import DocumentNotFound
from liaison.documents.models import DocumentKind
from liaison.documents.schemas import DocumentUpdate, MarkingChange, NoteCreate, NoteFormat
from liaison.documents.service import DocumentService, DocumentView, parse_kind, parse_level
from liaison.documents.uploads import DeclaredLength, Upload, read_upload
from liaison.errors import Forbidden, LiaisonError
from liaison.security.classification import Classification
from liaison.security.permissions import Permission
from liaison.security.writes import NOT_YOURS
from liaison.web.deps import SortedPage, path_id
from liaison.web.forms import PostedForm, Refusal, refusal
from liaison.web.listing import Listing
from liaison.web.templating import render_marked

router = APIRouter(include_in_schema=False)

Text = Annotated[str | None, Query(max_length=500)]
PREVIEW_CHARS = 20_000


def _document_id(raw: str) -> int:
    """A path id; anything that is not one is the same 404 as a hidden document."""
    return path_id(raw, DocumentNotFound)


def _snippet(view: DocumentView) -> Markup | None:
    # The service built the snippet with search.snippet_html: text escaped, hits in <mark>.
    return Markup(view.snippet) if view.snippet is not None else None  # noqa: S704 - escaped


# the library ------------------------------------------------------------------------------------
def _library_form(
    q: Text = None, level: Text = None, releasable_to: Text = None, kind: Text = None
) -> dict[str, str]:
    """The library's filters as typed: shown again in its GET form."""
    return {
        "q": q or "",
        "level": level or "",
        "releasable_to": releasable_to or "",
        "kind": kind or "",
    }


@router.get("/documents", response_class=HTMLResponse)
def library(
    request: Request,
    service: Documents,
    page: SortedPage,
    form: Annotated[dict[str, str], Depends(_library_form)],
) -> HTMLResponse:
    """Sort by title, created_at, updated_at, level, size or kind."""
    filters = service.filters(
        level=parse_level(form["level"]),
        releasable_to=form["releasable_to"],
        kind=parse_kind(form["kind"]),
        query=form["q"],
    )
    views, total = service.find(filters, page)
    context: dict[str, Any] = {
        "listing": Listing(views, total, page),
        "snippets": {v.document.id: _snippet(v) for v in views},
        "facets": service.facets(filters),
        "form": form,
        "levels": list(Classification),
        "kinds": list(DocumentKind),
        "can_write": service.principal.can(Permission.DOCUMENTS_DOCUMENT_WRITE),
        "marking": service.page_banner(views),
    }
    return render_marked(request, "documents/list.html", context)


# new documents ----------------------------------------------------------------------------------
UPLOAD_FIELDS = ("file", "title", "marking")
NOTE_FORM = {"title": "", "marking": "", "body": "", "format": "markdown"}


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


@router.get("/documents/new", response_class=HTMLResponse)
def new_document(request: Request, _writer: Writing) -> HTMLResponse:
    return _new_form(request, NOTE_FORM | {"which": ""})


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
    service: Writing,
    form: Annotated[Upload | LiaisonError, Depends(_page_upload)],
) -> Response:
    shown = NOTE_FORM | {"which": "upload"}
    try:
        if isinstance(form, LiaisonError):
            raise form
        shown |= {"title": form.title, "marking": form.marking}
        view = service.upload_file(form)
    except LiaisonError as exc:
        refused = refusal(service.session, exc, UPLOAD_FIELDS)
        return _new_form(request, shown, refused, service)
    return RedirectResponse(f"/documents/{view.document.id}", status_code=303)


@router.post("/documents/notes", response_class=HTMLResponse)
def add_note(request: Request, service: Writing, posted: PostedForm) -> Response:
    form = posted.fields(**NOTE_FORM)
    try:
        view = service.add_note(NoteCreate(**form))
    except (ValidationError, LiaisonError) as exc:
        refused = refusal(service.session, exc, form)
        return _new_form(request, form | {"which": "note"}, refused, service)
    return RedirectResponse(f"/documents/{view.document.id}", status_code=303)


# one document -----------------------------------------------------------------------------------
@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(document_id: str, request: Request, service: Documents) -> HTMLResponse:
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
    form: dict[str, str] | None = None,
    refused: Refusal | None = None,
    which: str = "",
) -> HTMLResponse:
    """The edit form: the document's title and marking, or the values a refused post sent
    with the errors beside them."""
    shown = {"title": view.document.title, "marking": view.short, "reason": ""} | (form or {})
    errors = {which: refused.errors} if refused else {}
    context = {"view": view, "errors": errors, "form": shown, "marking": view.banner}
    context["reach"] = service.reach(shown["marking"]) if shown.get("marking") else None
    return render_marked(
        request, "documents/edit.html", context, refused.status_code if refused else 200
    )


@router.get("/documents/{document_id}/edit", response_class=HTMLResponse)
def edit_document(document_id: str, request: Request, service: Writing) -> HTMLResponse:
    view = service.get(_document_id(document_id))
    if not service.may_change(view):  # the same refusal the form's posts would get
        raise Forbidden(NOT_YOURS.format(what="document"))
    return _edit_form(request, service, view)


def _refused_edit(
    request: Request,
    service: DocumentService,
    document_id: int,
    exc: LiaisonError | ValidationError,
    form: dict[str, str],
    which: str,
) -> HTMLResponse:
    """The form again after ``refusal`` rolled back what the refused change wrote (a fresh,
    audited read of the document as it stands)."""
    refused = refusal(service.session, exc, form)
    return _edit_form(request, service, service.get(document_id), form, refused, which)


@router.post("/documents/{document_id}/edit", response_class=HTMLResponse)
def rename(document_id: str, request: Request, service: Writing, posted: PostedForm) -> Response:
    key = _document_id(document_id)
    form = posted.fields(title="")
    try:
        service.update(key, DocumentUpdate(**form))
    except ValidationError as exc:
        return _refused_edit(request, service, key, exc, form, "title")
    return RedirectResponse(f"/documents/{key}", status_code=303)


@router.post("/documents/{document_id}/marking", response_class=HTMLResponse)
def remark(document_id: str, request: Request, service: Writing, posted: PostedForm) -> Response:
    key = _document_id(document_id)
    form = posted.fields(marking="", reason="")
    try:
        service.remark(key, MarkingChange(marking=form["marking"], reason=form["reason"] or None))
    except DocumentNotFound:
        raise
    except (ValidationError, LiaisonError) as exc:
        return _refused_edit(request, service, key, exc, form, "marking")
    return RedirectResponse(f"/documents/{key}", status_code=303)


@router.post("/documents/{document_id}/delete", response_class=HTMLResponse)
def delete(document_id: str, service: Writing) -> Response:
    service.delete(_document_id(document_id))
    return RedirectResponse("/documents", status_code=303)
