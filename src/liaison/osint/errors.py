# SPDX-License-Identifier: Apache-2.0
"""OSINT errors: each says what is wrong in words a user can act on.

An assessment or tag the caller may not read is ``AssessmentNotFound``/``TagNotFound`` — the
same 404, with the same words, as an id that does not exist.
"""

from __future__ import annotations

from liaison.errors import Conflict, InvalidInput, LiaisonError, NotFound


class SourceNotFound(NotFound):
    def __init__(self, ref: object) -> None:
        super().__init__(f"no source {ref}")


class StoryNotFound(NotFound):
    def __init__(self, ref: object) -> None:
        super().__init__(f"no story {ref}")


class ArticleNotFound(NotFound):
    def __init__(self, ref: object) -> None:
        super().__init__(f"no article {ref}")


class AssessmentNotFound(NotFound):
    def __init__(self, ref: object) -> None:
        super().__init__(f"no assessment {ref}")


class TagNotFound(NotFound):
    def __init__(self, ref: object) -> None:
        super().__init__(f"no technique tag {ref}")


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


class MarkingAboveReader(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "you cannot mark anything above what you may read yourself", field="marking"
        )


class NotPermitted(LiaisonError):
    """The caller lacks a permission; raised only for what it may read, so it reveals nothing."""

    status_code = 403
    title = "Forbidden"
