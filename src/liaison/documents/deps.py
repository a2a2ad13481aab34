# SPDX-License-Identifier: Apache-2.0
"""The documents' service for a request, as the API and the pages take it (``web.deps.serves``):
``Documents`` for anyone (hidden is missing), ``Writing`` behind the write guard the route
census reads (``documents:document:write``: 401 anonymous, 403 without it, before any document
is looked up)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from liaison.documents.service import DocumentService
from liaison.security.permissions import Permission
from liaison.web.deps import serves

Documents = Annotated[DocumentService, Depends(serves(DocumentService))]
Writing = Annotated[
    DocumentService,
    Depends(serves(DocumentService, Permission.DOCUMENTS_DOCUMENT_WRITE)),
]
