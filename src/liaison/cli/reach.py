# SPDX-License-Identifier: Apache-2.0
"""``liaison reach MARKING --as USER``: who may read a marking on a day, as
``GET /api/v1/markings/reach`` answers USER (an ally: every partner the release names; a
partner: its own nation only); the warnings go to stderr, ``--format json`` prints the API's
fields."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from liaison.acting import AsUser, serving
from liaison.registry.reach import ReachService, reach_read
from liaison.terminal.output import Format, FormatOption, console, emit, errors


def reach(
    marking: Annotated[str, typer.Argument(help="A marking as written, e.g. 'NR // REL KOR'.")],
    as_user: AsUser,
    on: Annotated[
        dt.datetime | None,
        typer.Option("--on", formats=["%Y-%m-%d"], help="Date (YYYY-MM-DD); default today."),
    ] = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Who may read MARKING today (or --on a day): allies' users and each partner it names."""
    with serving(as_user, ReachService) as service:
        answer = reach_read(service.reach(marking, on and on.date()))
    if output is Format.JSON:
        emit(output, answer)
        return
    if output is Format.CSV:  # one row per partner the release names
        emit(output, list(answer.partners))
        return
    console.print(Text(answer.summary))
    if answer.partners:
        table = Table(title=answer.banner, title_justify="left")
        for column in ("Partner", "Code", "Named as", "Reads", "Why not"):
            table.add_column(column)
        for p in answer.partners:
            reads = "yes" if p.reads else "no"
            table.add_row(Text(p.name), p.code, p.via or "", reads, Text(p.reason or ""))
        console.print(table)
    for warning in answer.warnings:
        errors.print(Text(f"warning: {warning}"))
