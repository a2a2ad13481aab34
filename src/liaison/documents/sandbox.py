# SPDX-License-Identifier: Apache-2.0
"""Text extraction of untrusted files (PDF, DOCX) in a child process with limits, run before
and outside any transaction (``uploads.read_upload``).

Invariants:
- the child (``python -m liaison.documents.sandbox``) sets its own limits before it reads a
  byte: address space (``LIAISON_EXTRACT_MEMORY_MIB``, RLIMIT_AS), CPU time, no file writes;
  the parent kills it after ``LIAISON_EXTRACT_SECONDS`` of wall time and reads at most
  ``MAX_OUTPUT`` bytes of its answer;
- a file that needs more time or memory than that is refused with ``BeyondLimits`` (413), a
  DOCX that inflates past the limits of ``extract`` is refused before any parsing (413): a file
  is stored only with its text, never with its extraction marked failed (one rule for search
  and preview: a stored file is searchable);
- what the child says is an error of ``extract`` (415, 413, 422) is raised as that error; any
  other death of the child is ``UnreadableFile`` (422) — never a 500;
- plain text and Markdown are decoded in process (bounded by the upload's size cap).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import signal
import sys
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

MAX_OUTPUT = 8 * MAX_TEXT + 4096  # JSON of MAX_TEXT characters, each escaped at worst
_ERRORS: dict[str, type[LiaisonError]] = {
    "UnsupportedType": UnsupportedType,
    "UnreadableFile": UnreadableFile,
    "BeyondLimits": BeyondLimits,
}


@dataclass(frozen=True, slots=True)
class Limits:
    seconds: float = 20.0
    memory_mib: int = 768


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
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "liaison.documents.sandbox",
        filename,
        declared or "",
        str(limits.memory_mib),
        str(int(limits.seconds) + 1),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        output = await asyncio.wait_for(_talk(process, data), timeout=limits.seconds)
    except TimeoutError:
        raise BeyondLimits(
            f"reading the file's text took more than {limits.seconds:g} s; it is refused"
        ) from None
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    return _answer(output, process.returncode, limits)


async def _talk(process: asyncio.subprocess.Process, data: bytes) -> bytes | None:
    """Send ``data``, read the answer (None when it is longer than ``MAX_OUTPUT``)."""
    assert process.stdin is not None  # noqa: S101 - a PIPE
    assert process.stdout is not None  # noqa: S101 - a PIPE
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        process.stdin.write(data)
        await process.stdin.drain()
        process.stdin.close()
    chunks: list[bytes] = []
    size = 0
    while chunk := await process.stdout.read(1 << 16):
        size += len(chunk)
        if size > MAX_OUTPUT:
            return None
        chunks.append(chunk)
    await process.wait()
    return b"".join(chunks)


def _answer(output: bytes | None, returncode: int | None, limits: Limits) -> Extracted:
    if output is None:
        raise BeyondLimits("the file's text is longer than can be kept; it is refused")
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise BeyondLimits(
            f"reading the file's text took more than {limits.seconds:g} s; it is refused"
        )
    try:
        answer = json.loads(output)
    except ValueError:
        raise UnreadableFile("the file's text cannot be read") from None
    if "error" in answer:
        error = _ERRORS.get(answer["error"], UnreadableFile)
        if error is BeyondLimits or answer["error"] == "MemoryError":
            raise BeyondLimits(
                f"reading the file's text needs more than {limits.memory_mib} MiB; it is refused"
            )
        raise error(str(answer.get("message", "the file's text cannot be read")))
    return Extracted(answer["content_type"], answer["text"], bool(answer["truncated"]))


def _child(argv: list[str]) -> int:
    """The child: limits first, then one extraction, its answer as JSON on stdout."""
    filename, declared, memory_mib, cpu_seconds = argv
    memory = int(memory_mib) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (int(cpu_seconds), int(cpu_seconds) + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    data = sys.stdin.buffer.read(MAX_BYTES + 1)
    try:
        extracted = extract(data, filename, declared or None)
        answer: dict[str, object] = {
            "content_type": extracted.content_type,
            "text": extracted.text,
            "truncated": extracted.truncated,
        }
    except LiaisonError as exc:
        answer = {"error": type(exc).__name__, "message": exc.message}
    except MemoryError:
        answer = {"error": "MemoryError"}
    sys.stdout.buffer.write(json.dumps(answer).encode())
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(_child(sys.argv[1:]))
