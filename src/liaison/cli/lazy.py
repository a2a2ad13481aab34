# SPDX-License-Identifier: Apache-2.0
"""A Typer root whose commands are imported when they are used, not when ``liaison`` starts.

``liaison --help`` lists every command from a table of names and one-line helps
(``liaison.cli.main.COMMANDS``), so it imports no feature: importing every feature (SQLAlchemy,
FastAPI, OR-Tools, spaCy...) took 3 to 9 s before anything was printed. A command's module is
imported when that command runs or shows its own help. ``tests/cli/test_lazy_root.py`` holds
the table's lines equal to the commands' own and checks what ``--help`` imports.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import typer
import typer.main
from typer import _click as click  # typer 0.29 ships its own Click; its groups take these types
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True, slots=True)
class Lazy:
    """A command of the root: ``target`` is "module:attribute" (a Typer sub-app or a
    function), ``help`` the line ``liaison --help`` shows for it."""

    target: str
    help: str


def load(name: str, entry: Lazy) -> click.Command:
    """Import the entry's module and build its Click command, named ``name``."""
    module, _, attribute = entry.target.partition(":")
    found = getattr(importlib.import_module(module), attribute)
    if isinstance(found, typer.Typer):
        command: click.Command = typer.main.get_group(found)
    else:  # a function: one command, as ``app.command(name)(function)`` would make it
        single = typer.Typer(add_completion=False)
        single.command(name)(found)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """The root group: its own commands (none but the callback's options) plus ``LAZY``."""

    LAZY: Mapping[str, Lazy] = {}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._loaded: dict[str, click.Command] = {}
        self._listing = False
        for name, entry in self.LAZY.items():  # listed in order; their names serve typos too
            self.commands.setdefault(
                name, TyperCommand(name, help=entry.help, short_help=entry.help)
            )

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = self.LAZY.get(cmd_name)
        if entry is None or self._listing:  # the root's help: the table's line, no import
            return super().get_command(ctx, cmd_name)
        if cmd_name not in self._loaded:
            self._loaded[cmd_name] = load(cmd_name, entry)
        return self._loaded[cmd_name]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with self._list_only():
            super().format_help(ctx, formatter)

    @contextmanager
    def _list_only(self) -> Iterator[None]:
        self._listing = True
        try:
            yield
        finally:
            self._listing = False
