# SPDX-License-Identifier: Apache-2.0
"""``liaison search``: the one search of the header and ``GET /api/v1/search``, for scripts
and terminals; ``--format json`` prints the API's fields."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from liaison.acting import AsUser, acting_as
from liaison.terminal.output import Format, FormatOption, console, emit
from liaison.web.search import search_all, to_read


def search(
    query: Annotated[str, typer.Argument(help="Words to find: a name, a reference, a phrase.")],
    as_user: AsUser,
    output: FormatOption = Format.TABLE,
) -> None:
    """Search partners, allies, offices, programmes, decisions and documents as USER may."""
    with acting_as(as_user) as (session, principal):
        result = to_read(query, search_all(session, principal, query))
    if output is Format.JSON:
        emit(output, result)
        return
    if output is Format.CSV:  # one row per hit, its group's kind first
        emit(
            output, [{"kind": g.kind, **hit.model_dump()} for g in result.groups for hit in g.hits]
        )
        return
    if not result.total:
        console.print(f"Nothing {as_user} may read matches {query!r}.")
        return
    for group in result.groups:
        table = Table(title=f"{group.title} ({group.total})", title_justify="left")
        table.add_column("")
        table.add_column("Marking")
        table.add_column("Address")
        for hit in group.hits:
            label = f"{hit.label}  [dim]{hit.detail}[/]" if hit.detail else hit.label
            table.add_row(label, hit.marking, hit.href)
        console.print(table)
