# SPDX-License-Identifier: Apache-2.0
"""Run untrusted parsing in a child process with a time and a memory limit (DESIGN.md,
"Background work": untrusted files are parsed outside any transaction, in a subprocess with
time and memory limits).

``run_isolated(func, arg, seconds=..., memory_bytes=...)`` starts a fresh interpreter (spawn:
nothing of the parent's state, no open database connection, is inherited), caps its address
space (``RLIMIT_AS``, where the platform has it), calls ``func(arg)`` there and returns its
result. ``func`` and ``arg`` and the result must pickle. The child is killed when the time is
up (``IsolationTimeout``); a ``MemoryError`` in it is ``IsolationMemory``; any other
exception is raised again in the parent as ``IsolationFailed`` carrying the child's message
(its type name kept in ``kind``), never its traceback.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")
A = TypeVar("A")


class IsolationFailed(Exception):
    """The isolated call raised; ``kind`` is the exception's type name."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class IsolationTimeout(IsolationFailed):
    def __init__(self, seconds: float) -> None:
        super().__init__("timeout", f"stopped after {seconds:g} s")


class IsolationMemory(IsolationFailed):
    def __init__(self, memory_bytes: int) -> None:
        super().__init__("memory", f"needed more than {memory_bytes // (1024 * 1024)} MiB")


def _child(func: Callable[[Any], Any], arg: Any, memory_bytes: int, conn: Connection) -> None:  # noqa: ANN401
    try:
        import resource  # noqa: PLC0415 - POSIX only

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    except (ImportError, ValueError, OSError):  # pragma: no cover - a platform without it
        pass
    try:
        conn.send(("ok", func(arg)))
    except MemoryError:
        conn.send(("memory", ""))
    except Exception as exc:  # noqa: BLE001 - every failure goes back as a message
        conn.send(("error", (type(exc).__name__, str(exc))))
    finally:
        conn.close()


def run_isolated(func: Callable[[A], T], arg: A, *, seconds: float, memory_bytes: int) -> T:
    """``func(arg)`` in a child process limited to ``seconds`` and ``memory_bytes``."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(func, arg, memory_bytes, child), daemon=True)
    process.start()
    child.close()
    try:
        if not parent.poll(seconds):
            raise IsolationTimeout(seconds)
        try:
            status, payload = parent.recv()
        except EOFError:  # the child died without an answer (killed, or out of memory)
            raise IsolationMemory(memory_bytes) from None
    finally:
        parent.close()
        if process.is_alive():
            process.kill()
        process.join()
    if status == "memory":
        raise IsolationMemory(memory_bytes)
    if status == "error":
        kind, message = payload
        raise IsolationFailed(kind, message)
    result: T = payload
    return result
