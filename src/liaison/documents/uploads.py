# SPDX-License-Identifier: Apache-2.0
"""Reading an upload from a multipart form, with the size capped before the body is read.

Routes list ``DeclaredLength`` before the principal (whose CSRF check may parse the form) and
``read_upload`` after it, so an oversized body is refused by its ``Content-Length`` alone,
the file is read at most one byte past ``MAX_BYTES``, and the parsed form's temporary files
are closed however the request ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData, UploadFile

from liaison.config import Settings
from liaison.documents.errors import LengthRequired, TooLarge
from liaison.documents.extract import MAX_BYTES, Extracted, safe_filename
from liaison.documents.sandbox import Limits, extract_bounded
from liaison.errors import InvalidInput, LiaisonError
from liaison.web.deps import outside_db_slot
from liaison.web.edge import over_limit

FORM_OVERHEAD = 64 * 1024  # room for the multipart framing and the other fields


@dataclass(frozen=True, slots=True)
class Upload:
    title: str
    marking: str
    filename: str
    content_type: str | None
    data: bytes
    extracted: Extracted | LiaisonError  # its text, or why it cannot be read

    def text(self) -> Extracted:
        """The file's text, or the error that says why it cannot be read."""
        if isinstance(self.extracted, LiaisonError):
            raise self.extracted
        return self.extracted


async def bounded_body(request: Request) -> AsyncIterator[None]:
    """Refuse an upload by its declared length, before anything reads the body; and, however
    the request ends (a refused login or CSRF check included), close the parsed form's files."""
    raw = request.headers.get("content-length")
    if raw is None:
        raise LengthRequired("send the upload with a Content-Length header")
    if over_limit(raw, MAX_BYTES + FORM_OVERHEAD):
        raise TooLarge(MAX_BYTES)
    try:
        yield
    finally:
        await request.close()  # closes the form whoever parsed it (web.deps' CSRF check may)


DeclaredLength = Annotated[None, Depends(bounded_body)]


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


async def read_upload(request: Request) -> Upload:
    """The form's file (at most ``MAX_BYTES``), title and marking, and the file's text, read
    here — outside any transaction, in a bounded child process (``sandbox``) — so that the
    request's writes come after it."""
    form = await request.form(max_files=1, max_fields=10)
    try:
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            raise InvalidInput("attach a file (form field 'file')", field="file")
        data = await file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise TooLarge(MAX_BYTES)
        settings: Settings = request.app.state.settings
        limits = Limits(seconds=settings.extract_seconds, memory_mib=settings.extract_memory_mib)
        name = safe_filename(file.filename)
        extracted: Extracted | LiaisonError
        try:
            async with outside_db_slot(request):
                extracted = await extract_bounded(data, name, file.content_type, limits)
        except LiaisonError as exc:
            extracted = exc
        return Upload(
            title=_field(form, "title"),
            marking=_field(form, "marking"),
            filename=file.filename,
            content_type=file.content_type,
            data=data,
            extracted=extracted,
        )
    finally:
        await form.close()  # its spooled files: Starlette closes only the forms it parses itself


UploadForm = Annotated[Upload, Depends(read_upload)]
