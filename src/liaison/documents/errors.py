# SPDX-License-Identifier: Apache-2.0
"""Document errors: each says what is wrong in words a user can act on.

A document the caller may not read is ``DocumentNotFound`` — the same 404, with the same
words, as an id that does not exist.
"""

from __future__ import annotations

from liaison.errors import Forbidden, InvalidInput, LiaisonError, NotFound


class DocumentNotFound(NotFound):
    def __init__(self, document_id: object) -> None:
        super().__init__(f"no document {document_id}")


class FileRefused(LiaisonError):
    """A file refused for what it is: the form's ``file`` field says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


class UnsupportedType(FileRefused):
    status_code = 415
    title = "Unsupported media type"


class TooLarge(FileRefused):
    status_code = 413
    title = "Content too large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the file is larger than {limit // (1024 * 1024)} MiB; split it or compress it"
        )


class BeyondLimits(FileRefused):
    """Reading the file's text would take more than the sandbox allows (time, memory, an
    archive that inflates too far, text too long to return): the file is refused."""

    status_code = 413
    title = "Content too large"


class LengthRequired(LiaisonError):
    status_code = 411
    title = "Length required"


class UnreadableFile(InvalidInput):
    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


class DowngradeNotPermitted(Forbidden):
    pass


class ReasonRequired(InvalidInput):
    def __init__(self, why: str) -> None:
        super().__init__(f"this lowers the marking ({why}); give a reason", field="reason")
