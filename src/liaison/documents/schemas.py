# SPDX-License-Identifier: Apache-2.0
"""API shapes: ``DocumentRead`` out (with its marking's short form and banner, so the marking
travels with every copy), ``NoteCreate``/``DocumentUpdate``/``MarkingChange`` in.

Markings are text as people write them ("NR // REL AUS, JPN", "NATO RESTRICTED Releasable to
Japan"); the service parses and checks them. Titles and reasons are single lines.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from liaison.documents.models import DocumentKind
from liaison.security.classification import Classification

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_NOTE = 1_000_000


def single_line(value: str) -> str:
    """A title or reason: no control characters (they would break banners, headers, the CLI)."""
    if _CONTROL.search(value):
        msg = "must be one line without control characters"
        raise ValueError(msg)
    return value


Title = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(single_line)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NoteFormat(enum.StrEnum):
    MARKDOWN = "markdown"
    TEXT = "text"


class NoteCreate(_In):
    title: Title
    body: str = Field(min_length=1, max_length=MAX_NOTE, description="Markdown or plain text.")
    marking: str = Field(
        min_length=1, max_length=500, examples=["NR // REL JPN", "NATO UNCLASSIFIED"]
    )
    format: NoteFormat = NoteFormat.MARKDOWN


class DocumentUpdate(_In):
    title: Title


class MarkingChange(_In):
    marking: str = Field(min_length=1, max_length=500)
    reason: Annotated[str, Field(max_length=1000), AfterValidator(single_line)] | None = Field(
        default=None,
        description="Why; required when the change lowers the marking (a downgrade).",
    )


class DocumentRead(BaseModel):
    id: int
    title: str
    kind: DocumentKind
    filename: str
    content_type: str
    size: int
    sha256: str
    level: Classification
    marking: str = Field(description="The short form, e.g. 'NR // REL AUS, JPN'.")
    banner: str = Field(description="The banner, e.g. 'NATO RESTRICTED Releasable to Japan'.")
    text_truncated: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str
    updated_by: str
    snippet: str | None = Field(
        default=None,
        description="With q: matching text as HTML — escaped, hits in <mark>.",
    )


class DocumentWritten(DocumentRead):
    """A document as written (upload, note, re-mark), with what its writer should know."""

    warnings: list[str] = Field(
        default_factory=list,
        description="Each named release that cannot reach its partner today, e.g. 'South "
        "Korea cannot read this: no security agreement in force' (a warning, not a refusal).",
    )


class DocumentPreview(BaseModel):
    id: int
    marking: str
    banner: str
    text: str
    truncated: bool


class DocumentFacets(BaseModel):
    total: int
    level: dict[str, int]
    kind: dict[str, int]
