# SPDX-License-Identifier: Apache-2.0
"""Federation: pull a remote TAXII 2.1 collection (another Liaison, medallion, OpenCTI...) into
a local one, page by page, idempotent and resumable.

Invariants:
- requests go only to the configured collection URL: a remote's ``next`` is sent back as an
  opaque query parameter to that same URL, never followed as a URL, and redirects are refused
  (GHSA-w3h6-4frq-fgm7: a server-supplied pagination URL followed is an SSRF);
- every pulled object goes through ``SharingService.post`` (validation, all or nothing per
  page, the writer's rights, audit) with the remote's ceiling marking: markings named by the
  remote are kept, and what arrives is never more releasable than the ceiling;
- a page is stored before the resume point (``added_after``: the remote's
  ``X-TAXII-Date-Added-Last``) moves past it, so a pull stopped at any point resumes without
  gaps; versions already stored are skipped, so a pull repeated stores nothing twice;
- the remote secret is stored encrypted (Fernet, ``Settings.federation_key``) and never shown.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit.recorder import Entry, record
from liaison.db.session import SessionFactory, unit_of_work
from liaison.errors import InvalidInput, LiaisonError, NotFound
from liaison.kit.clock import utcnow
from liaison.security.markings import Marking
from liaison.security.permissions import Permission
from liaison.sharing import stix
from liaison.sharing.errors import NotPermitted
from liaison.sharing.models import TaxiiRemote
from liaison.sharing.service import SharingService

TAXII = "application/taxii+json;version=2.1"
PAGE = 1000
TIMEOUT = 60
MAX_BODY = 256 * 1024 * 1024  # a page of 1000 objects is a few MiB


class RemoteFailed(LiaisonError):
    """The remote server answered something this hub will not use; nothing of it is stored."""

    status_code = 502
    title = "Remote TAXII server failed"


@dataclass(frozen=True, slots=True)
class PageReport:
    received: int
    stored: int
    more: bool
    next: str | None


def _fernet(key: str | None) -> Fernet:
    if not key:
        raise InvalidInput(
            "set LIAISON_FEDERATION_KEY (a Fernet key) before adding a remote: credentials "
            "are stored encrypted",
            field="secret",
        )
    try:
        return Fernet(key.encode())
    except ValueError:
        raise InvalidInput("LIAISON_FEDERATION_KEY is not a Fernet key", field="secret") from None


def collection_url(url: str) -> str:
    """A remote collection URL, checked: http(s), a host, ending in a slash."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidInput(f"{url!r} is not an http(s) URL of a TAXII collection", field="url")
    if parts.query or parts.fragment:
        raise InvalidInput("the collection URL takes no query or fragment", field="url")
    return url if url.endswith("/") else url + "/"


class Federation:
    def __init__(
        self,
        service: SharingService,
        federation_key: str | None,
    ) -> None:
        self.service = service
        self.session = service.session
        self.key = federation_key

    def remote(self, name: str) -> TaxiiRemote:
        row = self.session.scalar(select(TaxiiRemote).where(TaxiiRemote.name == name))
        if row is None or not self.service.collection(row.collection_id).can_write:
            raise NotFound(f"no remote {name!r}")
        return row

    def add_remote(
        self,
        *,
        name: str,
        url: str,
        username: str,
        secret: str,
        collection_ref: str,
        ceiling: Marking,
    ) -> TaxiiRemote:
        if not self.service.principal.can(Permission.SHARING_COLLECTION_MANAGE):
            raise NotPermitted(f"this needs the permission {Permission.SHARING_COLLECTION_MANAGE}")
        view = self.service.collection(collection_ref)
        if not view.can_write:
            raise NotPermitted("you may not write to this collection")
        if self.session.scalar(select(TaxiiRemote.id).where(TaxiiRemote.name == name)):
            raise InvalidInput(f"a remote named {name!r} exists", field="name")
        row = TaxiiRemote(
            name=name.strip(),
            url=collection_url(url.strip()),
            username=username,
            secret=_fernet(self.key).encrypt(secret.encode()).decode(),
            collection_id=view.row.id,
            ceiling_marking_id=self.service.intern(ceiling),
        )
        self.session.add(row)
        self.session.flush()
        record(
            self.session,
            self.service.principal,
            [
                Entry(
                    "sharing:remote:create",
                    "taxii-remote",
                    str(row.id),
                    after={"name": row.name, "url": row.url, "collection": view.row.id},
                )
            ],
        )
        return row

    def target(self, name: str) -> Target:
        """Where and how to fetch the next page of ``name`` (decrypted in memory only)."""
        remote = self.remote(name)
        try:
            secret = _fernet(self.key).decrypt(remote.secret.encode()).decode()
        except InvalidToken:
            raise RemoteFailed("the stored credentials cannot be decrypted with this key") from None
        return Target(remote.name, remote.url, remote.username, secret, remote.added_after)

    def store(self, name: str, fetched: Fetched) -> int:
        """Store a fetched page (all or nothing) and move the resume point past it."""
        remote = self.remote(name)
        stored = 0
        if fetched.objects:
            ceiling = self.service.marking(remote.ceiling_marking_id)
            outcome = self.service.post(remote.collection_id, fetched.objects, ceiling=ceiling)
            if outcome.refused:
                failures = outcome.status.failures
                refused = [f for f in failures if "all or nothing" not in f["message"]]
                first = refused[0] if refused else failures[0]
                reason = f"{first['id']}: {first['message']}"
                raise RemoteFailed(f"{remote.name}: page refused, nothing stored: {reason}")
            stored = len(outcome.stored)
        if fetched.last_added:
            # an envelope shares one date_added and a page may end inside one: resume at it
            remote.added_after = stix.just_before(fetched.last_added)
        remote.last_pulled_at = utcnow()
        return stored


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    url: str
    username: str
    secret: str
    added_after: str | None


@dataclass(frozen=True, slots=True)
class Fetched:
    objects: list[Any]
    last_added: str | None
    more: bool
    next: str | None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse every redirect: a remote may not send this hub to another URL."""

    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _get(url: str, target: Target) -> tuple[int, dict[str, str], bytes]:
    credentials = base64.b64encode(f"{target.username}:{target.secret}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - the scheme was checked (collection_url)
        url, headers={"Accept": TAXII, "Authorization": f"Basic {credentials}"}
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as response:
            body = response.read(MAX_BODY + 1)
            return response.status, dict(response.headers.items()), body
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code, {}, b""
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise RemoteFailed(f"{target.name}: {type(exc).__name__}") from None


def fetch(target: Target, next_token: str | None) -> Fetched:
    """GET one page from the remote collection URL — and only from there."""
    params: dict[str, str | int] = {"limit": PAGE}
    # TAXII: ``next`` goes back with the same filters, so a continuation carries the
    # ``added_after`` its pull began with (``pull_page``), not the resume point it moved to.
    if next_token:
        added_after, _, token = next_token.rpartition("\n")
    else:
        added_after, token = target.added_after or "", ""
    if added_after:
        params["added_after"] = added_after
    if token:
        params["next"] = token  # an opaque value for the same URL, never a URL
    status, headers, content = _get(f"{target.url}objects/?{urlencode(params)}", target)
    if status != 200:  # noqa: PLR2004 - redirects included: never followed
        raise RemoteFailed(f"{target.name} answered HTTP {status}; not followed")
    if len(content) > MAX_BODY:
        raise RemoteFailed(f"{target.name} sent more than {MAX_BODY} bytes")
    lowered = {k.lower(): v for k, v in headers.items()}
    if not lowered.get("content-type", "").replace(" ", "").startswith("application/taxii+json"):
        raise RemoteFailed(f"{target.name} did not answer a TAXII envelope")
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError:
        raise RemoteFailed(f"{target.name} sent something that is not JSON") from None
    objects = body.get("objects", []) if isinstance(body, dict) else None
    if not isinstance(objects, list):
        raise RemoteFailed(f"{target.name} sent something that is not an envelope")
    last = lowered.get("x-taxii-date-added-last")
    if last:
        try:
            stix.canonical_timestamp(last)
        except stix.StixInvalid:
            raise RemoteFailed(f"{target.name} sent a bad X-TAXII-Date-Added-Last") from None
    more = bool(body.get("more"))
    sent = body.get("next")
    return Fetched(objects, last, more, sent if more and isinstance(sent, str) else None)


def pull_page(
    factory: SessionFactory,
    make_service: Callable[[Session], SharingService],
    federation_key: str | None,
    name: str,
    next_token: str | None = None,
) -> PageReport:
    """One page of a pull: read the remote's settings, fetch the page with no transaction
    open (the remote may be slow, or be this very server), then store it in a second one."""
    with unit_of_work(factory) as session:
        target = Federation(make_service(session), federation_key).target(name)
    fetched = fetch(target, next_token)
    with unit_of_work(factory) as session:
        stored = Federation(make_service(session), federation_key).store(name, fetched)
    began = next_token.rpartition("\n")[0] if next_token else (target.added_after or "")
    continuation = f"{began}\n{fetched.next}" if fetched.next else None
    return PageReport(len(fetched.objects), stored, fetched.more, continuation)
