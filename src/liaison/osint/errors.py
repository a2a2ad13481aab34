# SPDX-License-Identifier: Apache-2.0
"""OSINT errors: each says what is wrong in words a user can act on.

An assessment or tag the caller may not read is ``AssessmentNotFound``/``TagNotFound`` — the
same 404, with the same words, as an id that does not exist. A missing permission is
``liaison.errors.Forbidden``; a marking above the writer ``security.readers.MarkingAboveReader``.
"""

from __future__ import annotations

from typing import ClassVar

from liaison.errors import Conflict, Forbidden, InvalidInput, LiaisonError, NotFound


class _Missing(NotFound):
    """``no <what> <ref>``: missing, or hidden from the caller (the same words)."""

    what: ClassVar[str]

    def __init__(self, ref: object) -> None:
        super().__init__(f"no {self.what} {ref}")


class SourceNotFound(_Missing):
    what = "source"


class StoryNotFound(_Missing):
    what = "story"


class ArticleNotFound(_Missing):
    what = "article"


class AssessmentNotFound(_Missing):
    what = "assessment"


class TagNotFound(_Missing):
    what = "technique tag"


class UnknownTechnique(InvalidInput):
    def __init__(self, ref: str) -> None:
        super().__init__(f"no DISARM technique {ref!r}", field="technique")


class DuplicateArticle(Conflict):
    def __init__(self, why: str) -> None:
        super().__init__(f"the article is already stored ({why})")


class DuplicateSource(Conflict):
    def __init__(self, name: str) -> None:
        super().__init__(f"a source named {name!r} exists already", field="name")


class FetchFailed(LiaisonError):
    """A feed or page that could not be fetched or read: said on that source, never a 500."""

    status_code = 502
    title = "Bad gateway"


class UnreadableArticle(InvalidInput):
    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


# A missing permission is the one 403 (``liaison.errors.Forbidden``); this is its old name here.
NotPermitted = Forbidden
