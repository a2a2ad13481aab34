# SPDX-License-Identifier: Apache-2.0
"""Text extraction of untrusted files (PDF, DOCX) in the project's bounded child process
(``kit.isolation``), run before and outside any transaction (``uploads.read_upload``).

Invariants:
- the child (``python -m liaison.kit.isolation liaison.documents.sandbox:extract_in_child``)
  sets its own limits before it reads a byte: address space (``LIAISON_EXTRACT_MEMORY_MIB``),
  CPU time, no file writes; the parent kills it after ``LIAISON_EXTRACT_SECONDS`` of wall time
  and reads at most ``MAX_OUTPUT`` bytes of its answer;
- a file that needs more time or memory than that is refused with ``BeyondLimits`` (413), a
  DOCX that inflates past the limits of ``extract`` is refused before any parsing (413): a file
  is stored only with its text, never with its extraction marked failed (one rule for search
  and preview: a stored file is searchable);
- what the child says is an error of ``extract`` (415, 413, 422) is raised as that error; any
  other death of the child is ``UnreadableFile`` (422) — never a 500;
- plain text and Markdown are decoded in process (bounded by the upload's size cap).
"""

from __future__ import annotations

from dataclasses import dataclass

from liaison.documents.errors import BeyondLimits, TooLarge, UnreadableFile, UnsupportedType
from liaison.documents.extract import (
    DOCX,
    MAX_BYTES,
    MAX_TEXT,
    PDF,
    Extracted,
    check_archive,
    content_type_of,
    extract,
)
from liaison.errors import LiaisonError
from liaison.kit.isolation import (
    IsolationFailed,
    IsolationMemory,
    IsolationTimeout,
    IsolationTooLong,
    run_isolated_async,
)

MAX_OUTPUT = 8 * MAX_TEXT + 4096  # the answer of MAX_TEXT characters, each at worst
_ERRORS: dict[str, type[LiaisonError]] = {
    "UnsupportedType": UnsupportedType,
    "UnreadableFile": UnreadableFile,
    "BeyondLimits": BeyondLimits,
}


@dataclass(frozen=True, slots=True)
class Limits:
    seconds: float = 20.0
    memory_mib: int = 768


def extract_in_child(job: tuple[bytes, str, str | None]) -> tuple[str, str, bool]:
    """What the child runs: ``extract`` of one file, as plain values."""
    data, filename, declared = job
    extracted = extract(data[: MAX_BYTES + 1], filename, declared)
    return extracted.content_type, extracted.text, extracted.truncated


async def extract_bounded(
    data: bytes, filename: str, declared: str | None, limits: Limits
) -> Extracted:
    """``extract(data, filename, declared)``, with PDF and DOCX parsed in a bounded child."""
    if len(data) > MAX_BYTES:
        raise TooLarge(MAX_BYTES)
    content_type = content_type_of(filename, declared)
    if content_type not in (PDF, DOCX) or not data:
        return extract(data, filename, declared)
    if content_type == DOCX:
        check_archive(data)  # a zip bomb is refused here, before a child is started
    took = f"reading the file's text took more than {limits.seconds:g} s; it is refused"
    try:
        kind, text, truncated = await run_isolated_async(
            extract_in_child,
            (data, filename, declared),
            seconds=limits.seconds,
            memory_bytes=limits.memory_mib * 1024 * 1024,
            max_output=MAX_OUTPUT,
        )
    except IsolationTimeout:
        raise BeyondLimits(took) from None
    except IsolationTooLong:
        raise BeyondLimits("the file's text is longer than can be kept; it is refused") from None
    except IsolationMemory:
        raise BeyondLimits(
            f"reading the file's text needs more than {limits.memory_mib} MiB; it is refused"
        ) from None
    except IsolationFailed as exc:
        error = _ERRORS.get(exc.kind, UnreadableFile)
        if error is BeyondLimits:
            raise BeyondLimits(
                f"reading the file's text needs more than {limits.memory_mib} MiB; it is refused"
            ) from None
        message = str(exc) if exc.kind in _ERRORS else "the file's text cannot be read"
        raise error(message) from None
    return Extracted(kind, text, truncated)
