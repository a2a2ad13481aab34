# SPDX-License-Identifier: Apache-2.0
"""``liaison sharing``: TAXII collections, and import/export of STIX 2.1 bundles, ``--as`` a user.

Invariants: every command builds that user's principal and goes through ``SharingService`` —
the same policy in the SQL, the same audit trail and the same all-or-nothing rule as TAXII. An
import validates the whole file and stores it in one transaction: one refused object and
nothing is stored. An export writes only what the user may read, with the markings kept on
each object and the marking definitions they name.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from liaison.acting import AsUser, principal_named, serving
from liaison.db.session import SessionFactory, session_factory
from liaison.errors import InvalidInput, LiaisonError
from liaison.kit.context import request_id
from liaison.registry.service import RegistryService
from liaison.security.markings import short
from liaison.sharing.federation import Federation, pull_page
from liaison.sharing.misp_import import import_misp
from liaison.sharing.misp_import import prepare_isolated as prepare_misp
from liaison.sharing.query import MAX_LIMIT
from liaison.sharing.repository import ObjectQuery
from liaison.sharing.schemas import BODY
from liaison.sharing.service import SharingService
from liaison.terminal.context import engine_for, settings
from liaison.terminal.output import Format, FormatOption, console, emit, fail

MISP_MAX_BYTES = 64 * 1024 * 1024  # a MISP import file; misp-stix holds it whole in memory

app = typer.Typer(
    help="STIX 2.1 sharing hub: TAXII collections, bundle import and export — as a given user.",
    no_args_is_help=True,
)

CollectionOption = Annotated[
    str, typer.Option("--collection", "-c", help="The collection's id or alias.")
]
BATCH = 2000


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


@contextmanager
def sharing_as(username: str) -> Iterator[SharingService]:
    """One unit of work as ``username`` (``liaison.acting.serving`` with the cursor key)."""
    key = settings().taxii_cursor_key.encode()
    with serving(username, lambda session, principal: SharingService(session, principal, key)) as s:
        yield s


@app.command("collections")
def collections(as_user: AsUser, output: FormatOption = Format.TABLE) -> None:
    """The collections the user may read or write, with how many objects they may see (json
    and csv: the TAXII collection resources of GET /taxii2/liaison/collections/)."""
    with sharing_as(as_user) as service:
        if output is not Format.TABLE:
            emit(output, [view.resource() for view in service.collections()])
            return
        table = Table(title="TAXII collections")
        for column in ("ID", "Alias", "Title", "Read", "Write", "Objects", "Default marking"):
            table.add_column(column)
        for view in service.collections():
            row = view.row
            table.add_row(
                row.id,
                row.alias or "",
                Text(row.title),
                "yes" if view.can_read else "no",
                "yes" if view.can_write else "no",
                str(service.count(row.id)) if view.can_read else "-",
                Text(short(service.marking(row.default_marking_id))),
            )
        console.print(table)


@app.command("create-collection")
def create_collection(
    as_user: AsUser,
    title: Annotated[str, typer.Option(help="The collection's title.")],
    default_marking: Annotated[
        str,
        typer.Option(help="Marking of objects that name none, e.g. 'NU // REL IP4' or 'PUBLIC'."),
    ],
    alias: Annotated[str | None, typer.Option(help="A short name for URLs.")] = None,
    description: Annotated[str, typer.Option(help="What the collection holds.")] = "",
    reader: Annotated[
        list[str] | None,
        typer.Option(
            help="Who may read: all, ally, partner, nation:KOR, community:cyber, org:NAME."
        ),
    ] = None,
    writer: Annotated[list[str] | None, typer.Option(help="Who may write (same forms).")] = None,
) -> None:
    """Create a TAXII collection (needs sharing:collection:manage)."""
    with sharing_as(as_user) as service:
        marking = RegistryService(service.session, service.principal).parse_marking(default_marking)
        view = service.create_collection(
            title=title,
            description=description,
            alias=alias,
            readers=reader or ["all"],
            writers=writer or [],
            default_marking=marking,
        )
        console.print(f"created collection {view.row.id} ({view.row.title})")


def _read_bundle(path: Path) -> list[Any]:
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    except orjson.JSONDecodeError as exc:
        fail(f"{path} is not JSON: {exc}")
    if not isinstance(data, dict) or not isinstance(data.get("objects"), list):
        fail(f"{path} is not a STIX bundle or TAXII envelope (no objects list)")
    objects: list[Any] = data["objects"]
    if not objects:
        fail(f"{path} holds no objects")
    return objects


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A STIX 2.1 bundle (or TAXII envelope) file.")],
    collection: CollectionOption,
    as_user: AsUser,
) -> None:
    """Import a bundle into a collection, all or nothing, with a progress bar."""
    objects = _read_bundle(path)
    # Marking definitions first, so the objects that name them find them.
    objects.sort(
        key=lambda o: 0 if isinstance(o, dict) and o.get("type") == "marking-definition" else 1
    )
    stored = 0
    with sharing_as(as_user) as service, _progress() as progress:
        task = progress.add_task(f"importing {path.name}", total=len(objects))
        for start in range(0, len(objects), BATCH):
            batch = objects[start : start + BATCH]
            outcome = service.post(collection, batch)
            if outcome.status.failure_count:
                refused = [
                    f for f in outcome.status.failures if "all or nothing" not in f["message"]
                ]
                first = refused[0] if refused else outcome.status.failures[0]
                raise InvalidInput(
                    f"nothing imported: {len(refused)} object(s) refused; "
                    f"first: {first['id']}: {first['message']}"
                )
            stored += len(outcome.stored)
            progress.advance(task, len(batch))
    console.print(
        f"imported {len(objects)} objects from {path.name} ({stored} new versions stored)"
    )


@app.command("export")
def export(
    collection: CollectionOption,
    as_user: AsUser,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the STIX bundle.")],
    all_versions: Annotated[
        bool, typer.Option("--all-versions", help="Every version, not only the latest.")
    ] = False,
) -> None:
    """Export what the user may read in a collection as a STIX 2.1 bundle, markings kept."""
    query = ObjectQuery(versions=("all",) if all_versions else ("last",))
    bodies: list[str] = []
    with sharing_as(as_user) as service, _progress() as progress:
        view = service.readable_collection(collection)
        task = progress.add_task(f"exporting {view.row.title}", total=service.count(view.row.id))
        token: str | None = None
        while True:
            page = service.page(view.row.id, query, limit=MAX_LIMIT, next_token=token)
            bodies.extend(r[BODY] or "" for r in page.rows)
            progress.advance(task, len(page.rows))
            if not page.more:
                break
            token = page.next
    bundle_head = orjson.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}"})[:-1]
    out.write_bytes(bundle_head + b',"objects":[' + ",".join(bodies).encode() + b"]}")
    console.print(f"exported {len(bodies)} objects to {out}")


@app.command("import-misp")
def import_misp_event(
    path: Annotated[Path, typer.Argument(help="MISP events as JSON ({'Event': {...}}).")],
    collection: CollectionOption,
    as_user: AsUser,
) -> None:
    """Import MISP events (misp-stix's STIX 2.1 of them), all or nothing.

    Each object is marked by the strictest of its attribute's, object's and event's nato,
    tlp and liaison tags (else the collection's default); a tag that cannot be read exactly
    refuses the file."""
    try:
        size = path.stat().st_size
        if size > MISP_MAX_BYTES:
            fail(f"{path} is {size} bytes; a MISP import takes at most {MISP_MAX_BYTES}")
        raw = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    try:  # untrusted parsing: in a child process, before the transaction opens
        prepared = prepare_misp(raw)
    except InvalidInput as exc:
        fail(exc.message)
    with sharing_as(as_user) as service:
        result = import_misp(service, collection, prepared)
        status = result.outcome.status
        if status.failure_count:
            refused = [f for f in status.failures if "all or nothing" not in f["message"]]
            first = refused[0] if refused else status.failures[0]
            raise InvalidInput(f"nothing imported: {first['id']}: {first['message']}")
    console.print(
        f"imported {status.success_count} objects from {result.events} event(s) in {path.name}"
    )
    for item in result.not_carried:
        console.print(Text(f"  not carried: {item}"))


@app.command("remote-add")
def remote_add(
    as_user: AsUser,
    name: Annotated[str, typer.Option(help="A short name for the remote.")],
    url: Annotated[str, typer.Option(help="The remote TAXII 2.1 collection's URL.")],
    username: Annotated[str, typer.Option(help="The user name on the remote.")],
    collection: CollectionOption,
    ceiling: Annotated[
        str,
        typer.Option(
            help="The most a pulled object may be released to, e.g. 'NU // REL JPN': "
            "every pulled marking is capped by it."
        ),
    ],
    secret: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            envvar="LIAISON_REMOTE_SECRET",
            help="The remote password or API token (prompted; stored encrypted).",
        ),
    ],
) -> None:
    """Register a remote TAXII collection to pull into a local one.

    Needs sharing:collection:manage, and LIAISON_FEDERATION_KEY to encrypt the secret."""
    with sharing_as(as_user) as service:
        marking = RegistryService(service.session, service.principal).parse_marking(ceiling)
        row = Federation(service, settings().federation_key).add_remote(
            name=name,
            url=url,
            username=username,
            secret=secret,
            collection_ref=collection,
            ceiling=marking,
        )
        console.print(f"added remote {row.name} → collection {row.collection_id}")


@app.command("pull")
def pull(
    name: Annotated[str, typer.Argument(help="The remote's name.")],
    as_user: AsUser,
    every: Annotated[
        int, typer.Option(min=0, help="Pull again every this many seconds (0: once).")
    ] = 0,
    max_pages: Annotated[int, typer.Option(min=1, help="Stop after this many pages.")] = 1_000_000,
) -> None:
    """Pull new objects from a remote TAXII collection, page by page.

    Each page is stored in its own transaction, so an interrupted pull resumes where it
    stopped; versions already stored are skipped."""
    cfg = settings()
    request_id.set(f"cli-{uuid.uuid4().hex[:16]}")
    engine = engine_for(cfg)
    factory = session_factory(engine)

    def service_for(session: Session) -> SharingService:
        return SharingService(
            session, principal_named(session, as_user), cfg.taxii_cursor_key.encode()
        )

    try:
        _pull_loop(factory, service_for, cfg.federation_key, name, every, max_pages)
    except LiaisonError as exc:
        fail(exc.message)
    finally:
        engine.dispose()


def _pull_loop(
    factory: SessionFactory,
    service_for: Callable[[Session], SharingService],
    key: str | None,
    name: str,
    every: int,
    max_pages: int,
) -> None:
    while True:
        received = stored = pages = 0
        token: str | None = None
        with _progress() as progress:
            task = progress.add_task(f"pulling {name}", total=None)
            while pages < max_pages:
                report = pull_page(factory, service_for, key, name, token)
                pages += 1
                received += report.received
                stored += report.stored
                progress.update(task, completed=received)
                if not report.more:
                    break
                token = report.next
        console.print(f"{name}: {received} objects received, {stored} new versions stored")
        if not every:
            return
        time.sleep(every)
