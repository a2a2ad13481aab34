# SPDX-License-Identifier: Apache-2.0
"""Document use cases, for the API, the pages, the CLI and the demo. Services never commit.

Invariants:
- reads go through ``DocumentRepository`` (the policy inside the SQL); a document the principal
  may not read raises ``DocumentNotFound``, word for word the error of a missing id;
- every read of a document above PUBLIC — one, its preview, its bytes, each row of a list or
  search page — appends an audit event carrying the document's marking, in this transaction;
- every write is audited with before/after metadata (never the bytes or the text), needs
  ``documents:document:write``, and is re-checked after the write: the writer must still be
  able to read what was written (``MarkingAboveReader`` otherwise, and the caller's unit of
  work rolls back);
- a document belongs to the side (and, for a partner, the mission) of the user who made it;
  renaming, re-marking or deleting it passes ``security.writes.guard_write`` in the unit of
  work that writes: a partner never changes alliance material released to it, nor another
  partner's; a hidden document is ``DocumentNotFound``, a readable one not the writer's 403;
- a marking is parsed by the registry's resolver and must be one the writer may read; lowering
  one (``rules.widenings``) needs ``documents:document:downgrade`` and a reason, and is
  recorded as ``documents:document:downgrade`` with both markings.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from liaison.audit.reads import record_reads
from liaison.audit.recorder import record_write
from liaison.documents import rules, search
from liaison.documents.errors import (
    DocumentNotFound,
    DowngradeNotPermitted,
    ReasonRequired,
)
from liaison.documents.extract import MARKDOWN, TEXT, Extracted, clean_text, extract, safe_filename
from liaison.documents.models import Document, DocumentBlob, DocumentKind, DocumentOwner
from liaison.documents.repository import DocumentFilters, DocumentRepository
from liaison.documents.schemas import (
    DocumentUpdate,
    MarkingChange,
    NoteCreate,
    NoteFormat,
    single_line,
)
from liaison.errors import Forbidden, InvalidInput
from liaison.kit.ids import MAX_ID
from liaison.kit.pagination import PageRequest
from liaison.registry.marked import MarkedService
from liaison.registry.reach import ReachService
from liaison.security.classification import Classification
from liaison.security.markings import Marking, short
from liaison.security.models import OwnerSide
from liaison.security.permissions import Permission
from liaison.security.principal import Principal
from liaison.security.reach import Reach
from liaison.security.readers import MarkingAboveReader
from liaison.security.writes import (
    ALLIANCE,
    Owner,
    can_write,
    guard_right,
    guard_write,
    owner_for,
)

if TYPE_CHECKING:
    from liaison.documents.uploads import Upload

OBJECT_TYPE = "document"
READ = "documents:document:read"  # an audited read of a document


@dataclass(frozen=True, slots=True)
class DocumentView:
    """A document with its marking in both written forms, and a search snippet (safe HTML)."""

    document: Document
    marking: Marking
    short: str
    banner: str
    snippet: str | None = None


class DocumentService(MarkedService):
    def __init__(self, session: Session, principal: Principal) -> None:
        super().__init__(session, principal, "a document")
        self.repo = DocumentRepository(session, principal)

    # markings ---------------------------------------------------------------------------------
    def banner(self, marking: Marking) -> str:
        return self.marks.banner(marking)

    def page_banner(self, views: Sequence[DocumentView]) -> str:
        """The banner of a page showing ``views`` (``security.markings.page_marking``)."""
        return self.marks.page_banner(v.marking for v in views)

    def reach(self, text: str) -> Reach | None:
        """Who may read a marking as typed in a form, today; None when it cannot be read."""
        try:
            return ReachService(self.session, self.principal).reach(text)
        except InvalidInput:
            return None

    def warnings(self, view: DocumentView) -> list[str]:
        """What the writer of ``view`` is told, never refused: each named release of its
        marking that cannot reach its partner today (``registry.reach``)."""
        return ReachService(self.session, self.principal).warnings(view.marking)

    def _view(
        self, document: Document, marking: Marking, snippet: str | None = None
    ) -> DocumentView:
        return DocumentView(document, marking, short(marking), self.banner(marking), snippet)

    # reads ------------------------------------------------------------------------------------
    def _find(self, document_id: int, *, with_text: bool = False) -> Document:
        found = (
            self.repo.get(document_id, with_text=with_text) if 0 < document_id <= MAX_ID else None
        )
        if found is None:
            raise DocumentNotFound(document_id)
        return found

    def _read(self, document_id: int, action: str, *, with_text: bool = False) -> DocumentView:
        document = self._find(document_id, with_text=with_text)
        view = self._view(document, self.markings.get(document.marking_id))
        record_reads(self.session, self.principal, f"documents:document:{action}", [document])
        return view

    def get(self, document_id: int) -> DocumentView:
        return self._read(document_id, "read")

    def preview(self, document_id: int) -> tuple[DocumentView, str]:
        view = self._read(document_id, "preview", with_text=True)
        return view, view.document.extracted_text

    def download(self, document_id: int) -> tuple[DocumentView, bytes]:
        view = self._read(document_id, "download")
        data = self.repo.content(document_id)
        if data is None:  # the document went in between: the same answer as a hidden one
            raise DocumentNotFound(document_id)
        return view, data

    def find(self, filters: DocumentFilters, page: PageRequest) -> tuple[list[DocumentView], int]:
        """One page of readable documents; each row above PUBLIC is an audited read."""
        hits, total = self.repo.find(filters, page)
        markings = self.markings.many(h.document.marking_id for h in hits)
        views = [
            self._view(
                h.document,
                markings[h.document.marking_id],
                search.snippet_html(h.snippet) if h.snippet is not None else None,
            )
            for h in hits
        ]
        record_reads(self.session, self.principal, READ, [v.document for v in views])
        return views, total

    def count(self, filters: DocumentFilters) -> int:
        return self.repo.count(filters)

    def facets(self, filters: DocumentFilters) -> dict[str, dict[str, int]]:
        return self.repo.facets(filters)

    def filters(
        self,
        *,
        level: Classification | None = None,
        releasable_to: str | None = None,
        kind: DocumentKind | None = None,
        query: str | None = None,
    ) -> DocumentFilters:
        """List filters from what people type; ``releasable_to`` takes a nation or group name
        and matches documents naming it or one of its groups."""
        codes = None
        if releasable_to:
            code = self.registry.release_code(releasable_to)
            if code is None:
                raise InvalidInput(
                    f"unknown nation or partner group {releasable_to!r}", field="releasable_to"
                )
            codes = frozenset({code}) | self.marks.groups_of(code)
        return DocumentFilters(level, codes, kind, (query or "").strip() or None)

    # writes -----------------------------------------------------------------------------------
    def _require(self, permission: Permission, error: type[Forbidden] = Forbidden) -> None:
        if not self.principal.can(permission):
            raise error(f"this needs the permission {permission}")

    def _owner(self, document: Document) -> Owner:
        owned = self.session.get(DocumentOwner, document.id)
        # A document without an owner row (none should exist) is alliance material.
        return Owner.of(owned.owner_side, owned.owner_organisation_id) if owned else ALLIANCE

    def may_change(self, view: DocumentView) -> bool:
        """Whether the principal may rename, re-mark or delete a document it reads (for the
        page's buttons; the write itself is checked again)."""
        return can_write(
            self.principal,
            self._owner(view.document),
            view.marking,
            Permission.DOCUMENTS_DOCUMENT_WRITE,
        )

    def _writable(self, document_id: int, *, with_text: bool = False) -> tuple[Document, Marking]:
        """A document the principal may change (the write policy), with its marking."""
        document = self._find(document_id, with_text=with_text)
        marking = self.markings.get(document.marking_id)
        guard_write(
            self.principal,
            self._owner(document),
            marking,
            Permission.DOCUMENTS_DOCUMENT_WRITE,
            hidden=lambda: DocumentNotFound(document_id),
            what="document",
            refused=Forbidden,
        )
        return document, marking

    def _snapshot(self, document: Document, marking: Marking | None = None) -> dict[str, Any]:
        """Metadata for the audit trail: never the bytes or the text."""
        shown = marking or self.markings.get(document.marking_id)
        return {
            "id": document.id,
            "title": document.title,
            "kind": document.kind.value,
            "filename": document.filename,
            "content_type": document.content_type,
            "size": document.size,
            "sha256": document.sha256,
            "marking": short(shown),
        }

    def _audit_write(
        self,
        action: str,
        document: Document,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        record_write(
            self.session,
            self.principal,
            f"documents:document:{action}",
            document,
            before=before,
            after=after,
        )

    def _recheck(self, document_id: int) -> None:
        """Check after write: the writer must still read what it wrote (else roll back)."""
        if self.repo.get(document_id) is None:
            raise MarkingAboveReader("a document")

    def upload(
        self,
        *,
        title: str,
        filename: str,
        declared_type: str | None,
        data: bytes,
        marking: str,
        extracted: Extracted | None = None,
    ) -> DocumentView:
        """Store an uploaded file under ``marking``. ``extracted``: its text, read before the
        transaction (the web surfaces: ``uploads.read_upload``); else it is read here."""
        guard_right(self.principal, Permission.DOCUMENTS_DOCUMENT_WRITE, Forbidden)
        checked = self.marks.checked(marking)
        name = safe_filename(filename)
        if extracted is None:
            extracted = extract(data, name, declared_type)
        clean_title = _title(title or name.rsplit(".", 1)[0])
        return self._create(clean_title, DocumentKind.FILE, name, extracted, data, checked)

    def upload_file(self, form: Upload) -> DocumentView:
        """``upload`` of the file a web form posted (``uploads.read_upload`` read its text)."""
        return self.upload(
            title=form.title,
            filename=form.filename,
            declared_type=form.content_type,
            data=form.data,
            marking=form.marking,
            extracted=form.text(),
        )

    def add_note(self, data: NoteCreate) -> DocumentView:
        guard_right(self.principal, Permission.DOCUMENTS_DOCUMENT_WRITE, Forbidden)
        checked = self.marks.checked(data.marking)
        markdown = data.format is NoteFormat.MARKDOWN
        text, truncated = clean_text(data.body)
        extracted = Extracted(MARKDOWN if markdown else TEXT, text, truncated)
        filename = f"{_slug(data.title)}.{'md' if markdown else 'txt'}"
        return self._create(
            data.title, DocumentKind.NOTE, filename, extracted, data.body.encode(), checked
        )

    def _create(
        self,
        title: str,
        kind: DocumentKind,
        filename: str,
        extracted: Extracted,
        data: bytes,
        marking: Marking,
    ) -> DocumentView:
        owner = owner_for(self.principal)
        document = Document(
            title=title,
            kind=kind,
            filename=filename,
            content_type=extracted.content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            text_truncated=extracted.truncated,
            created_by=self.principal.username,
            updated_by=self.principal.username,
            marking_id=self.markings.intern(marking),
            extracted_text=extracted.text,
        )
        document.blob = DocumentBlob(data=data)
        self.session.add(document)
        self.session.flush()  # the id is needed for the search row, the check and the audit
        self.session.add(
            DocumentOwner(
                document_id=document.id,
                owner_side=OwnerSide(owner.side.value),
                owner_organisation_id=owner.organisation_id,
            )
        )
        search.index(self.session, document.id, title, extracted.text)
        self._recheck(document.id)
        self._audit_write("create", document, None, self._snapshot(document, marking))
        return self._view(document, marking)

    def update(self, document_id: int, data: DocumentUpdate) -> DocumentView:
        document, marking = self._writable(document_id, with_text=True)
        before = self._snapshot(document, marking)
        document.title = data.title
        document.updated_by = self.principal.username
        search.index(self.session, document.id, document.title, document.extracted_text)
        self._audit_write("update", document, before, self._snapshot(document, marking))
        return self._view(document, marking)

    def remark(self, document_id: int, change: MarkingChange) -> DocumentView:
        """Change a marking; a downgrade needs its permission and a reason."""
        document, old = self._writable(document_id)
        new = self.marks.checked(change.marking)
        if new.key == old.key:
            return self._view(document, old)
        lowered = rules.widenings(old, new, self.marks.groups_of)
        if lowered:
            self._require(Permission.DOCUMENTS_DOCUMENT_DOWNGRADE, DowngradeNotPermitted)
            if not change.reason:
                raise ReasonRequired("; ".join(lowered))
        before = self._snapshot(document, old)
        document.marking_id = self.markings.intern(new)
        document.updated_by = self.principal.username
        self.session.flush()  # the new marking must be in place before the check after write
        self._recheck(document.id)
        after = {**self._snapshot(document, new), "reason": change.reason, "lowered": lowered}
        self._audit_write("downgrade" if lowered else "remark", document, before, after)
        return self._view(document, new)

    def delete(self, document_id: int) -> None:
        document, marking = self._writable(document_id)
        before = self._snapshot(document, marking)
        self._audit_write("delete", document, before, None)
        search.unindex(self.session, document.id)
        self.session.delete(document)
        self.session.flush()  # the delete must reach the database within this unit of work


_LEVELS = {key.casefold(): c for c in Classification for key in (c.value, c.abbreviation)}


def parse_level(text: str | None) -> Classification | None:
    """A level filter as typed: "NATO RESTRICTED", "nr"; empty means no filter."""
    if not text or not text.strip():
        return None
    found = _LEVELS.get(" ".join(text.split()).casefold())
    if found is None:
        known = ", ".join(f"{c.value} ({c.abbreviation})" for c in Classification)
        raise InvalidInput(f"unknown level {text!r}; use one of {known}", field="level")
    return found


def parse_kind(text: str | None) -> DocumentKind | None:
    if not text or not text.strip():
        return None
    try:
        return DocumentKind(text.strip().lower())
    except ValueError:
        raise InvalidInput(f"unknown kind {text!r}; use file or note", field="kind") from None


def _title(raw: str) -> str:
    title = " ".join(raw.split())
    if not title or len(title) > 300:  # noqa: PLR2004 - the column's length
        raise InvalidInput("give a title of 1 to 300 characters", field="title")
    try:
        return single_line(title)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="title") from None


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "note"
