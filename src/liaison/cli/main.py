# SPDX-License-Identifier: Apache-2.0
"""``liaison``: init, serve, and each feature's commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.progress import Progress, SpinnerColumn, TextColumn
from sqlalchemy.exc import OperationalError

from liaison import __version__, wiring
from liaison.audit import anchor as audit_anchor
from liaison.audit.anchor import AnchorError
from liaison.catalogue.cli import app as catalogue_app
from liaison.catalogue.cli import plan_app
from liaison.catalogue.demo import create_demo_catalogue
from liaison.cli.reach import reach
from liaison.cli.search import search
from liaison.config import Settings
from liaison.decisions.cli import app as decisions_app
from liaison.demo import (
    DEMO_PASSWORD,
    create_demo_accounts,
    create_demo_documents,
    create_demo_programmes,
    create_demo_records,
    login_notice,
)
from liaison.documents.cli import app as documents_app
from liaison.errors import Conflict, LiaisonError
from liaison.identity.cli import org_app, token_app, user_app
from liaison.jobs.cli import app as jobs_app
from liaison.jobs.cli import worker as worker_command
from liaison.migrations import upgrade
from liaison.osint.cli import app as osint_app
from liaison.programmes.cli import app as programmes_app
from liaison.registry.cli import app as registry_app
from liaison.registry.service import RegistryService
from liaison.security.principal import SYSTEM
from liaison.sharing.cli import app as sharing_app
from liaison.sharing.demo import create_demo_sharing
from liaison.terminal.context import command_session, engine_for, settings
from liaison.terminal.output import EXIT_CONFLICT, EXIT_INPUT, console, fail
from liaison.trail import backup as trail_backup
from liaison.trail.cli import app as audit_app

app = typer.Typer(
    name="liaison",
    help="Liaison: an alliance's partnerships — registry, programmes, decisions, sharing, audit.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(registry_app, name="registry")
app.add_typer(documents_app, name="documents")
app.add_typer(programmes_app, name="programmes")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(org_app, name="org")
app.add_typer(audit_app, name="audit")
app.add_typer(decisions_app, name="decisions")
app.add_typer(sharing_app, name="sharing")
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(plan_app, name="plan")
app.add_typer(jobs_app, name="jobs")
app.command("worker")(worker_command)
app.add_typer(osint_app, name="osint")


def _version(value: bool) -> None:
    if value:
        console.print(f"liaison {__version__}")
        raise typer.Exit


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
    wiring.install()


@app.command()
def init(
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Also load the demo partnership registry "
            "(partners, agreements, offices, contact points).",
        ),
    ] = False,
) -> None:
    """Create or upgrade the database and load reference data (countries, allies, frameworks)."""
    cfg = settings()
    engine = engine_for(cfg)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True
    ) as progress:
        task = progress.add_task("Migrating the database schema…")
        try:
            upgrade(engine)
        except OperationalError as exc:
            fail(f"cannot reach the database at {engine.url.render_as_string()}: {exc.orig}")
        finally:
            engine.dispose()
        progress.update(task, description="Loading reference data…")
        with command_session(cfg) as session:
            service = RegistryService(session, SYSTEM)
            countries = service.load_countries()
            reference = service.load_seed("reference")
            demo_report = service.load_seed("partnerships") if demo else None
            accounts = create_demo_accounts(session) if demo else []
            programmes = 0
            decisions = None
            if demo:
                create_demo_documents(session)
                programmes = create_demo_programmes(session)
                decisions = create_demo_records(session)
                create_demo_sharing(session)
                catalogue = create_demo_catalogue(session)
    anchored = _anchor_audit(cfg)
    console.print(f"[green]✓[/] database ready at {engine.url.render_as_string()}")
    console.print(f"  {anchored}")
    console.print(f"  {countries} countries, {reference.total} allies and frameworks")
    if demo_report is not None:
        console.print(f"  demo: {demo_report.total} partners, agreements, offices and mandates")
        console.print(f"  demo: {programmes} partnership programmes (IPCPs and the AP4's ITPPs)")
        console.print(
            f"  demo: {catalogue.items_created} catalogue items, "
            f"{catalogue.sessions_created} sessions (labelled demo data)"
        )
    if accounts:
        console.print(f"  demo accounts (password [bold]{DEMO_PASSWORD}[/]):")
        for account in accounts:
            console.print(f"    {account.username:<10} {account.describe}")
    if decisions is not None:
        for user in decisions.accounts:
            console.print(f"    {user.username:<10} {user.describe}")
        for line in decisions.proposals:
            console.print(f"  decision {line}")
        for note in decisions.notes:
            console.print(f"  [yellow]note:[/] {note}")


def _anchor_audit(cfg: Settings) -> str:
    """Make the audit key if it is missing, and checkpoint the chain's head."""
    where = audit_anchor.paths(cfg)
    try:
        made = audit_anchor.create_key(where.key)
        with command_session(cfg) as session:
            written = audit_anchor.checkpoint(session, where)
    except AnchorError as exc:
        fail(exc.message)
    key = f"new audit key {where.key} (0600; keep it outside the database's backups)"
    return (
        f"{key if made else f'audit key {where.key}'}; checkpoint of {written.seq} events "
        f"in {where.anchors}"
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).", min=1, max=65535)] = None,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
) -> None:
    """Serve the web UI, the REST API and the TAXII 2.1 server."""
    cfg = settings()
    with command_session(cfg) as session:  # fails clearly when the database is not initialised
        notice = login_notice(session)
    console.print(f"Liaison on http://{host or cfg.host}:{port or cfg.port}  (Ctrl+C stops)")
    for line in notice:
        console.print(f"  [yellow]{line}[/]", markup=True, highlight=False)
    uvicorn.run(
        "liaison.app:factory",
        factory=True,
        host=host or cfg.host,
        port=port or cfg.port,
        reload=reload,
        log_level="info",
        # the app believes X-Forwarded-* from LIAISON_TRUSTED_PROXIES only (web.edge);
        # uvicorn's own handling would trust any loopback peer
        proxy_headers=False,
    )


@app.command()
def backup(
    path: Annotated[Path, typer.Argument(help="The new backup file (never overwritten).")],
) -> None:
    """Back up the database while it serves (SQLite's online backup, or pg_dump), verify its
    audit chain against the anchor, and sign its head into PATH.anchor."""
    try:
        report = trail_backup.backup(settings(), path)
    except LiaisonError as exc:
        fail(exc.message, EXIT_CONFLICT if isinstance(exc, Conflict) else EXIT_INPUT)
    console.print(
        f"[green]✓[/] backup {report.path} ({report.events} audit events, head {report.head}); "
        f"signed checkpoint in {trail_backup.sidecar(report.path)}"
    )


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help="A backup made by `liaison backup`.")],
    public_key: Annotated[
        Path | None,
        typer.Option("--public-key", help="The key that signed it (default: the audit key)."),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace a database that is not empty.")
    ] = False,
) -> None:
    """Restore a backup into the configured (empty) database, refusing one whose audit chain
    does not verify against its signed checkpoint."""
    try:
        report = trail_backup.restore(settings(), path, public_key=public_key, replace=replace)
    except LiaisonError as exc:
        fail(exc.message, EXIT_CONFLICT if isinstance(exc, Conflict) else EXIT_INPUT)
    console.print(
        f"[green]✓[/] restored {report.path}: {report.events} audit events verified, "
        f"head {report.head}"
    )


app.command("search")(search)
app.command("reach")(reach)


def main() -> None:
    app()
