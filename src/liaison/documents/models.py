# SPDX-License-Identifier: Apache-2.0
"""Document tables.

- ``document``: one marked record (``Marked``): title, kind, file facts and the extracted text
  (``extracted_text``, deferred with raise-on-load, so lists never carry it by accident);
- ``document_blob``: the original bytes, one row per document, deleted with it;
- ``document_tally``: how many documents carry each (marking, kind), kept by the database's
  triggers in the statement that inserts, deletes or re-marks a document (migration 0012), so
  counts and facets that search no text add up a few rows instead of counting documents.

Invariants:
- a blob has no marking of its own: it is read only by joining its document through the
  access policy (``DocumentRepository.content``), never by its key alone;
- the full-text index is the database's (an FTS5 table on SQLite, a GIN expression index on
  PostgreSQL; ``documents.search``), kept in step by the service in the same transaction;
- ``sha256`` and ``size`` describe the blob; ``content_type`` is one the extractor accepted;
- ``document_owner``: who owns each document (``Owned``; migration 0014) — a partner's upload
  is written only by its mission, an ally-side one by the alliance side (``security.writes``).
  A table of its own, so the document row keeps its column order (migration 0011) and lists
  never read it; deleted with its document.
"""

from __future__ import annotations

import enum

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liaison.db.base import Base, IdMixin, TimestampMixin, str_enum
from liaison.security.models import Marked, Owned


class DocumentKind(enum.StrEnum):
    FILE = "file"  # an uploaded PDF, DOCX, text or Markdown file
    NOTE = "note"  # text written in Liaison (Markdown or plain text)


class Document(IdMixin, TimestampMixin, Marked, Base):
    __tablename__ = "document"
    # The list's sorts, each with the id that breaks its ties (migration 0013): a page reads the
    # index in order and stops after its LIMIT instead of sorting every readable document.
    __table_args__ = tuple(
        Index(f"ix_document_{column}_id", column, "id")
        for column in ("updated_at", "created_at", "title", "size")
    )

    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[DocumentKind] = mapped_column(
        str_enum(DocumentKind, "document_kind"),
        index=True,
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    text_truncated: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(64))
    extracted_text: Mapped[str] = mapped_column(
        Text, deferred=True, deferred_raiseload=True, default=""
    )

    blob: Mapped[DocumentBlob] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class DocumentBlob(Base):
    """The bytes of a document, as uploaded (a note's body as UTF-8)."""

    __tablename__ = "document_blob"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)


class DocumentOwner(Owned, Base):
    """Who owns a document (one row per document, written when it is created)."""

    __tablename__ = "document_owner"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )


class DocumentTally(Marked, Base):
    """The number of documents with one marking and kind. Read through the access policy like
    the documents themselves (its marking is theirs); written only by triggers."""

    __tablename__ = "document_tally"
    __table_args__ = (PrimaryKeyConstraint("marking_id", "kind"),)

    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "document_kind"))
    n: Mapped[int] = mapped_column(Integer)
