# SPDX-License-Identifier: Apache-2.0
"""``liaison osint``: sources, polling, importing a folder, stories and a story, assessments.

Invariants: every command acts ``--as`` a user (their principal, with the registry's nation
facts) through ``OsintService`` — the same policy and audit trail as the API; a hidden
assessment or tag is absent, like a missing one. ``--format json`` prints the API's fields.
Files are parsed and NLP runs outside any transaction (``jobs``), with progress bars.
``poll`` runs the job body in this process, or with ``--queue`` enqueues it on the job queue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from liaison.acting import AsUser, LimitOption, OffsetOption, acting_as, serving
from liaison.db.session import session_factory, unit_of_work
from liaison.errors import LiaisonError
from liaison.kit.pagination import Page, PageRequest
from liaison.osint import ingest, jobs, present
from liaison.osint.errors import DuplicateArticle
from liaison.osint.models import SourceKind, TagStatus
from liaison.osint.schemas import SourceRead, StorySummary
from liaison.osint.service import OsintService
from liaison.security.permissions import Permission
from liaison.security.principal import Principal
from liaison.terminal.context import command_session, engine_for, settings
from liaison.terminal.output import Format, FormatOption, console, emit, fail

app = typer.Typer(
    help="Open sources: sources, polling, imports, stories, contradictions, DISARM tags.",
    no_args_is_help=True,
)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console
    )


@app.command()
def sources(as_user: AsUser, output: FormatOption = Format.TABLE) -> None:
    """The sources: feeds, pages and imported folders, with their last poll."""
    with serving(as_user, OsintService) as service:
        rows = [present.source_read(s) for s in service.sources()]
    if output is not Format.TABLE:
        emit(output, list(rows), item=SourceRead)
        return
    table = Table(title=f"{len(rows)} sources")
    for column in ("ID", "Name", "Kind", "URL", "Every", "Last polled", "Error"):
        table.add_column(column)
    for s in rows:
        table.add_row(
            str(s.id),
            Text(s.name),
            s.kind.value,
            Text(s.url or ""),
            f"{s.poll_minutes} min",
            f"{s.last_polled_at:%Y-%m-%d %H:%M}" if s.last_polled_at else "never",
            Text(s.last_error or ""),
        )
    console.print(table)


@app.command("add-source")
def add_source(
    name: Annotated[str, typer.Argument(help="A name for the source.")],
    as_user: AsUser,
    kind: Annotated[SourceKind, typer.Option(help="feed, page or files.")] = SourceKind.FEED,
    url: Annotated[str | None, typer.Option(help="The feed's or page's http(s) address.")] = None,
    outlet: Annotated[
        str | None, typer.Option(help="The outlet's name (default: the name).")
    ] = None,
    every: Annotated[int, typer.Option(help="Minutes between polls.", min=5, max=10_080)] = 60,
) -> None:
    """Add a feed or page to poll (needs osint:source:manage)."""
    with serving(as_user, OsintService) as service:
        source = service.add_source(name, kind, url, outlet, every)
        shown = source.id
    console.print(Text(f"✓ source {shown} added"))


def _writer(username: str, permission: Permission) -> Principal:
    with acting_as(username) as (_, principal):
        pass
    if not principal.can(permission):
        fail(f"this needs the permission {permission}")
    return principal


@app.command()
def poll(
    as_user: AsUser,
    source: Annotated[
        list[int] | None, typer.Option(help="Poll this source now (repeatable).")
    ] = None,
    queue: Annotated[
        bool, typer.Option("--queue", help="Enqueue it as a job (which then reschedules itself).")
    ] = False,
) -> None:
    """Poll the sources that are due (or those named), store new articles and analyse them:
    in this process, or with --queue as a job for `liaison worker` / `liaison serve`."""
    principal = _writer(as_user, Permission.OSINT_SOURCE_MANAGE)
    if queue:
        with command_session() as session:
            job_id = jobs.schedule_poll(session, principal, payload={"source_ids": source or None})
        console.print(Text(f"✓ poll queued as job {job_id} (liaison jobs show {job_id})"))
        return
    engine = engine_for(settings())
    try:
        with _progress() as bar:
            task = bar.add_task("polling", total=None)
            ctx = jobs.DirectContext(session_factory(engine), _reporter(bar, task))
            result = jobs.poll(ctx, {"source_ids": source or None, "principal": principal})
    except LiaisonError as exc:
        fail(exc.message)
    finally:
        engine.dispose()
    console.print(
        Text(
            f"✓ {result['sources']} sources polled, {result['stored']} new articles, "
            f"{result['errors']} with errors; {result['analysed']} analysed"
        )
    )


def _reporter(bar: Progress, task: Any) -> Any:  # noqa: ANN401 - Rich's task id and a callback
    def report(done: int, total: int, note: str) -> None:
        bar.update(task, completed=done, total=total or None, description=note[:60])

    return report


@app.command("import")
def import_(
    folder: Annotated[Path, typer.Argument(help="A folder of .txt, .html and .pdf files.")],
    as_user: AsUser,
    outlet: Annotated[
        str | None, typer.Option(help="Outlet of files that do not name one.")
    ] = None,
) -> None:
    """Import one article per file, then analyse them (needs osint:source:manage)."""
    if not folder.is_dir():
        fail(f"{folder} is not a folder")
    principal = _writer(as_user, Permission.OSINT_SOURCE_MANAGE)
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in ingest.FILE_TYPES
    )
    parsed: list[tuple[str, ingest.Parsed]] = []
    problems: list[str] = []
    with _progress() as bar:
        task = bar.add_task("reading files", total=len(files))
        for path in files:
            try:
                parsed.append((path.name, ingest.parse_file(path.name, path.read_bytes())))
            except LiaisonError as exc:
                problems.append(exc.message)
            except OSError as exc:
                problems.append(f"{path.name}: {exc.strerror}")
            bar.advance(task)
    engine = engine_for(settings())
    stored = duplicates = 0
    try:
        factory = session_factory(engine)
        with unit_of_work(factory) as session:
            service = OsintService(session, principal)
            for name, item in parsed:
                try:
                    with session.begin_nested():
                        service.store(item, outlet=outlet)
                    stored += 1
                except DuplicateArticle as exc:
                    duplicates += 1
                    problems.append(f"{name}: {exc.message}")
        with _progress() as bar:
            task = bar.add_task("analysing", total=None)
            result = jobs.analyse(
                jobs.DirectContext(factory, _reporter(bar, task)), {"principal": principal}
            )
    except LiaisonError as exc:
        fail(exc.message)
    finally:
        engine.dispose()
    for line in problems:
        console.print(Text(f"! {line}"))
    console.print(
        Text(
            f"✓ {stored} articles imported, {duplicates} duplicates, "
            f"{len(problems) - duplicates} unreadable; {result['analysed']} analysed "
            f"into {len(result['stories'])} stories"
        )
    )


@app.command("stories")
def stories_(
    as_user: AsUser,
    output: FormatOption = Format.TABLE,
    q: Annotated[str | None, typer.Option("-q", help="Words in an article of the story.")] = None,
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
) -> None:
    """Stories, newest first, with their outlets, countries and contradictions."""
    page = PageRequest(limit, offset)
    with serving(as_user, OsintService) as service:
        rows, total = service.stories(page, q)
        shown = [present.summary(r) for r in rows]
    if output is not Format.TABLE:
        emit(output, Page[StorySummary].of(shown, total, page))
        return
    table = Table(title=f"{len(shown)} of {total} stories")
    for column in (
        "ID",
        "First published",
        "Title",
        "Articles",
        "Outlets",
        "Countries",
        "Contradictions",
    ):
        table.add_column(column)
    for s in shown:
        table.add_row(
            str(s.id),
            str(s.first_published or ""),
            Text(s.title),
            str(s.article_count),
            Text(", ".join(s.outlets)),
            ", ".join(s.countries),
            str(s.contradictions),
        )
    console.print(table)


@app.command()
def show(story_id: int, as_user: AsUser, output: FormatOption = Format.TABLE) -> None:
    """A story: timeline of events, outlets, contradictions side by side, DISARM tags and the
    assessments the user may read."""
    with serving(as_user, OsintService) as service:
        story = present.story_read(service.story(story_id))
    if output is not Format.TABLE:
        emit(output, story)
        return
    console.print(Text(f"Story {story.id}: {story.title}", style="bold"))
    console.print(Text(f"{story.article_count} articles from {', '.join(story.outlets)}"))
    timeline = Table(title="Timeline")
    for column in ("When", "Granularity", "Event", "Place", "Outlet", "As written"):
        timeline.add_column(column)
    for e in story.events:
        when = (
            e.date_start.isoformat()
            if e.date_start == e.date_end
            else f"{e.date_start}..{e.date_end}"
        )
        timeline.add_row(
            when,
            e.granularity.value,
            e.kind,
            Text(e.place or ""),
            Text(e.outlet),
            Text(e.date_text),
        )
    console.print(timeline)
    disputes = Table(title="Contradictions")
    for column in ("Kind", "Subject", "One side", "Other side"):
        disputes.add_column(column)
    for c in story.contradictions_found:
        disputes.add_row(
            c.kind.value,
            Text(c.subject),
            Text(f"{c.left_outlet} ({c.left_published_on}): {c.left_value}\n{c.left_text}"),
            Text(
                f"{c.right_outlet} ({c.right_published_on or ''}): {c.right_value}\n{c.right_text}"
            ),
        )
    console.print(disputes)
    tags = Table(title="DISARM techniques")
    for column in ("ID", "Technique", "Status", "Marking", "Why"):
        tags.add_column(column)
    for t in story.tags:
        tags.add_row(
            str(t.id),
            Text(f"{t.technique_id} {t.technique_name}"),
            t.status.value,
            t.marking,
            Text(t.reason),
        )
    console.print(tags)
    for a in story.assessments:
        console.print(Text(f"── {a.marking} ──", style="bold reverse"), justify="center")
        console.print(
            Text(f"Assessment {a.id}: {a.title} (confidence {a.confidence})", style="bold")
        )
        console.print(Text(a.body))
        console.print(Text(f"── {a.marking} ──", style="bold reverse"), justify="center")
    console.print(Text(story.attribution, style="dim"))


@app.command()
def assess(
    story_id: int,
    as_user: AsUser,
    title: Annotated[str, typer.Option(help="The assessment's title.")],
    body: Annotated[str, typer.Option(help="What the analyst judges.")],
    marking: Annotated[str, typer.Option(help="E.g. 'NR // REL JPN'.")],
    confidence: Annotated[int, typer.Option(min=0, max=100)] = 50,
) -> None:
    """Write a marked assessment of a story (needs osint:assessment:write)."""
    with serving(as_user, OsintService) as service:
        shown = service.create_assessment(story_id, title, body, marking, confidence).id
    console.print(Text(f"✓ assessment {shown} saved"))


@app.command()
def review(
    tag_id: int,
    as_user: AsUser,
    status: Annotated[TagStatus, typer.Option(help="confirmed or rejected.")],
    marking: Annotated[str, typer.Option(help="The marking of this judgement.")] = "PUBLIC",
) -> None:
    """Confirm or reject a suggested DISARM technique (needs osint:assessment:write)."""
    with serving(as_user, OsintService) as service:
        tag = service.review_tag(tag_id, status, marking)
        shown = (tag.id, tag.status.value)
    console.print(Text(f"✓ tag {shown[0]} {shown[1]}"))
