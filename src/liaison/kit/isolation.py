# SPDX-License-Identifier: Apache-2.0
"""Run untrusted parsing in a child process with a time and a memory limit (DESIGN.md,
"Background work": untrusted files are parsed outside any transaction, in a subprocess with
time and memory limits). The project's one bounded child: the MISP import, document uploads'
text extraction and the catalogue's import files all go through it.

``run_isolated(func, arg, seconds=..., memory_bytes=...)`` starts a fresh interpreter
(``python -m liaison.kit.isolation module:function``: nothing of the parent's state, no open
database connection, is inherited; its own session, so the whole group is killed), which sets
its limits before it reads a byte — address space (``RLIMIT_AS``), CPU time (``RLIMIT_CPU``,
the wall limit rounded up), no file writes (``RLIMIT_FSIZE`` 0) — then calls ``func(arg)`` and
returns its result. ``func`` must be a module-level function (its module and name are the
child's command line), ``arg`` and the result must pickle; the answer is read up to
``max_output`` bytes. ``run_isolated_async`` is the same for a coroutine (the event loop is
not blocked meanwhile).

Failures: the child is killed when the wall time is up, and one stopped by its CPU limit or
killed from outside answers the same (``IsolationTimeout``); a ``MemoryError`` in it is
``IsolationMemory``; an answer longer than ``max_output`` is ``IsolationTooLong``; any other
exception is raised again in the parent as ``IsolationFailed`` carrying the child's message
(its type name kept in ``kind``), never its traceback; a child that dies without an answer is
``IsolationMemory`` (the kernel's answer to an address space exhausted outside Python).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
A = TypeVar("A")

DEFAULT_MAX_OUTPUT = 256 * 1024 * 1024


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


class IsolationTooLong(IsolationFailed):
    def __init__(self, max_output: int) -> None:
        super().__init__("output", f"answered more than {max_output:,} bytes")


def _target(func: Callable[..., Any]) -> str:
    name = f"{func.__module__}:{func.__qualname__}"
    if "<" in name or func.__module__ == "__main__":
        msg = f"{name} cannot run isolated: give a module-level function"
        raise ValueError(msg)
    return name


def _command(func: Callable[..., Any], seconds: float, memory_bytes: int) -> list[str]:
    cpu = int(seconds) + 1
    return [
        sys.executable,
        "-m",
        "liaison.kit.isolation",
        _target(func),
        str(memory_bytes),
        str(cpu),
    ]


def _result(output: bytes, returncode: int | None, seconds: float, memory_bytes: int) -> Any:  # noqa: ANN401 - what func returns
    if not output:
        if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            raise IsolationTimeout(seconds)
        raise IsolationMemory(memory_bytes)
    try:
        status, payload = pickle.loads(output)  # noqa: S301 - our own child's answer
    except Exception:  # noqa: BLE001 - a truncated or garbled answer
        raise IsolationFailed("answer", "the child's answer cannot be read") from None
    if status == "memory":
        raise IsolationMemory(memory_bytes)
    if status == "error":
        kind, message = payload
        raise IsolationFailed(str(kind), str(message))
    return payload


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def run_isolated(
    func: Callable[[A], T],
    arg: A,
    *,
    seconds: float,
    memory_bytes: int,
    max_output: int = DEFAULT_MAX_OUTPUT,
) -> T:
    """``func(arg)`` in a child process limited to ``seconds`` and ``memory_bytes``."""
    with subprocess.Popen(  # noqa: S603 - our own interpreter and module
        _command(func, seconds, memory_bytes),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    ) as process:
        try:
            output, _ = process.communicate(pickle.dumps(arg), timeout=seconds)
        except subprocess.TimeoutExpired:
            raise IsolationTimeout(seconds) from None
        finally:
            _kill(process)
    if len(output) > max_output:
        raise IsolationTooLong(max_output)
    result: T = _result(output, process.returncode, seconds, memory_bytes)
    return result


async def run_isolated_async(
    func: Callable[[A], T],
    arg: A,
    *,
    seconds: float,
    memory_bytes: int,
    max_output: int = DEFAULT_MAX_OUTPUT,
) -> T:
    """``run_isolated`` for a coroutine: the loop serves others while the child works."""
    process = await asyncio.create_subprocess_exec(
        *_command(func, seconds, memory_bytes),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        output = await asyncio.wait_for(_talk(process, pickle.dumps(arg), max_output), seconds)
    except TimeoutError:
        raise IsolationTimeout(seconds) from None
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
    if output is None:
        raise IsolationTooLong(max_output)
    result: T = _result(output, process.returncode, seconds, memory_bytes)
    return result


async def _talk(process: asyncio.subprocess.Process, data: bytes, limit: int) -> bytes | None:
    """Send ``data``, read the answer (None when it is longer than ``limit``)."""
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
        if size > limit:
            return None
        chunks.append(chunk)
    await process.wait()
    return b"".join(chunks)


def _child(argv: list[str]) -> int:
    """The child: limits first, then one call, its answer pickled on stdout."""
    import resource  # noqa: PLC0415 - POSIX only, and only here

    target, memory, cpu = argv[0], int(argv[1]), int(argv[2])
    for limit, value in (
        (resource.RLIMIT_AS, (memory, memory)),
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_FSIZE, (0, 0)),
    ):
        with contextlib.suppress(ValueError, OSError):  # a platform without it
            resource.setrlimit(limit, value)
    answer: tuple[str, Any]
    try:
        arg = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - the parent's own data
        module, _, name = target.partition(":")
        func: Any = importlib.import_module(module)
        for part in name.split("."):
            func = getattr(func, part)
        answer = ("ok", func(arg))
    except MemoryError:
        answer = ("memory", "")
    except Exception as exc:  # noqa: BLE001 - every failure goes back as a message
        answer = ("error", (type(exc).__name__, str(exc)))
    try:
        data = pickle.dumps(answer)
    except MemoryError:
        data = pickle.dumps(("memory", ""))
    except Exception as exc:  # noqa: BLE001 - a result that does not pickle
        data = pickle.dumps(("error", (type(exc).__name__, str(exc))))
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(_child(sys.argv[1:]))
