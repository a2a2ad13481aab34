# SPDX-License-Identifier: Apache-2.0
"""CLI output: Rich consoles, and one way to fail (a one-line message, a non-zero exit)."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

EXIT_INPUT = 2  # bad input (usage, unreadable file, invalid data)
EXIT_CONFLICT = 3  # the data clashes with what is stored


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print ``message`` (plain text: input it quotes, such as "[/x]", is not Rich markup)."""
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)
