# SPDX-License-Identifier: Apache-2.0
"""``liaison``: init, serve, and each feature's commands.

The root imports no feature: ``COMMANDS`` names each command, where it lives and its line in
``liaison --help``; a command's module is imported when it runs or shows its own help
(``liaison.cli.lazy``). The features' event handlers are subscribed (``wiring.install``) when a
command first opens the database, so no help screen pays for them.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from liaison import __version__
from liaison.cli.lazy import Lazy, LazyGroup
from liaison.terminal import startup

# One BLAS thread per process, set before anything imports numpy: story grouping's 384-wide
# matrix-vector products gained nothing from OpenBLAS's threads, which spun on the core the
# extraction needed (bench/osint.py: grouping 10,000 articles 118 -> 36 CPU s).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

COMMANDS = {
    "init": Lazy(
        "liaison.cli.server:init",
        "Create or upgrade the database and load reference data (countries, allies, frameworks).",
    ),
    "serve": Lazy(
        "liaison.cli.server:serve", "Serve the web UI, the REST API and the TAXII 2.1 server."
    ),
    "backup": Lazy(
        "liaison.cli.server:backup",
        "Back up the database while it serves (SQLite's online backup, or pg_dump), verify its "
        "audit chain against the anchor, and sign its head into PATH.anchor.",
    ),
    "restore": Lazy(
        "liaison.cli.server:restore",
        "Restore a backup into the configured (empty) database, refusing one whose audit chain "
        "does not verify against its signed checkpoint.",
    ),
    "reach": Lazy(
        "liaison.cli.reach:reach",
        "Who may read MARKING today (or --on a day): allies' users and each partner it names.",
    ),
    "search": Lazy(
        "liaison.cli.search:search",
        "Search partners, allies, offices, programmes, decisions and documents as USER may.",
    ),
    "registry": Lazy(
        "liaison.registry.cli:app",
        "Allies, partners, agreements, offices and contact-point embassies.",
    ),
    "documents": Lazy(
        "liaison.documents.cli:app",
        "Marked documents: list, search, show, download, add notes — as a given user.",
    ),
    "programmes": Lazy(
        "liaison.programmes.cli:app",
        "Partnership programmes (IPCP, ITPP): dashboard, lifecycle, renewal, exports.",
    ),
    "user": Lazy(
        "liaison.identity.cli:user_app", "User accounts: add, list, disable, enable, passwd."
    ),
    "token": Lazy("liaison.identity.cli:token_app", "API tokens: create, list, revoke."),
    "org": Lazy("liaison.identity.cli:org_app", "Organisations users belong to: add, list."),
    "audit": Lazy("liaison.trail.cli:app", "The tamper-evident audit trail."),
    "decisions": Lazy(
        "liaison.decisions.cli:app",
        "Consensus decisions: proposals, positions, silence deadlines — as a given user.",
    ),
    "sharing": Lazy(
        "liaison.sharing.cli:app",
        "STIX 2.1 sharing hub: TAXII collections, bundle import and export — as a given user.",
    ),
    "catalogue": Lazy(
        "liaison.catalogue.cli:app", "The cooperation catalogue: import, export, list, show."
    ),
    "plan": Lazy(
        "liaison.catalogue.cli:plan_app",
        "Seat plans: run the planner, show, explain, diff, approve.",
    ),
    "jobs": Lazy("liaison.jobs.cli:app", "The job queue: what runs, ran or failed."),
    "worker": Lazy(
        "liaison.jobs.cli:worker",
        "Run queued jobs until stopped (Ctrl+C). Any number of workers may run against "
        "PostgreSQL, on any machine; on SQLite `liaison serve` already runs one.",
    ),
    "osint": Lazy(
        "liaison.osint.cli:app",
        "Open sources: sources, polling, imports, stories, contradictions, DISARM tags.",
    ),
}


class Root(LazyGroup):
    LAZY = COMMANDS


app = typer.Typer(
    name="liaison",
    cls=Root,
    help="Liaison: an alliance's partnerships — registry, programmes, decisions, sharing, audit.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"liaison {__version__}")
        raise typer.Exit


def _install_handlers() -> None:
    from liaison import wiring  # noqa: PLC0415 - every feature: only once a command needs them

    wiring.install()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Settings come from LIAISON_* environment variables (LIAISON_DATABASE_URL, ...)."""
    del version  # handled eagerly by _version
    startup.before_database(_install_handlers)


def main() -> None:
    app()
