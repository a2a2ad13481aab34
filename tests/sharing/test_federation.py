# SPDX-License-Identifier: Apache-2.0
"""Federation: pull from a remote TAXII 2.1 server (another Liaison, served over real HTTP),
idempotent and resumable; markings kept and capped by the remote's ceiling; credentials
encrypted; the remote's ``next`` never followed as a URL, redirects refused."""

from __future__ import annotations

import http.server
import threading

import pytest
import requests
from cryptography.fernet import Fernet
from sharing_helpers import KEY, ROOT, indicator, make_collection, marking_ref, taxii_headers
from sqlalchemy import select

from liaison.db.session import session_factory, unit_of_work
from liaison.errors import InvalidInput
from liaison.registry.service import RegistryService
from liaison.security.principal import SYSTEM
from liaison.sharing.federation import Federation, RemoteFailed, pull_page
from liaison.sharing.models import TaxiiRemote
from liaison.sharing.service import SharingService

FERNET = Fernet.generate_key().decode()


def _remote(engine, url, secret, *, ceiling="NU // REL IP4", name="peer"):
    local = make_collection(engine, title="Pulled", alias="pulled", default="NU")
    with unit_of_work(session_factory(engine)) as session:
        service = SharingService(session, SYSTEM, KEY)
        marking = RegistryService(session, SYSTEM).parse_marking(ceiling)
        Federation(service, FERNET).add_remote(
            name=name,
            url=url,
            username="officer",
            secret=secret,
            collection_ref=local,
            ceiling=marking,
        )
    return local


def _pull_all(engine, name="peer", pages=None):
    received = stored = count = 0
    token = None
    factory = session_factory(engine)
    while pages is None or count < pages:
        report = pull_page(factory, lambda s: SharingService(s, SYSTEM, KEY), FERNET, name, token)
        count += 1
        received += report.received
        stored += report.stored
        if not report.more:
            break
        token = report.next
    return received, stored


def test_pull_is_idempotent_resumable_and_caps_releasability(live, auth, engine):
    source = make_collection(engine, title="Source", alias="source", default="PUBLIC")
    with unit_of_work(session_factory(engine)) as session:
        wide_ref, wide = marking_ref(session, "NU // REL IP4")
        nato_ref, nato = marking_ref(session, "NR")
        objects = [wide, nato] + [indicator(i, markings=[wide_ref]) for i in range(1500)]
        objects.append(indicator(9999, markings=[nato_ref]))
        SharingService(session, SYSTEM, KEY).post(source, objects)
    token = auth("officer")["Authorization"].removeprefix("Bearer ")
    local = _remote(
        engine, f"{live}/taxii2/liaison/collections/{source}/", token, ceiling="NU // REL JPN"
    )
    # Stop after one page, then resume: nothing is missed, nothing stored twice.
    first = _pull_all(engine, pages=1)
    assert first == (1000, 1001)  # and the stamped definition of the capped marking
    rest = _pull_all(engine)
    assert rest[1] == 1503 - 1000
    again = _pull_all(engine)
    assert again[1] == 0
    with unit_of_work(session_factory(engine)) as session:
        assert session.scalar(select(TaxiiRemote.added_after)) is not None
        assert FERNET not in str(session.scalar(select(TaxiiRemote.secret)))
        assert token not in str(session.scalar(select(TaxiiRemote.secret)))
    url = f"{ROOT}/collections/{local}/objects/"
    pulled = lambda user: [  # noqa: E731
        o for p in _pages(live, url, auth(user)) for o in p if o["type"] == "indicator"
    ]
    # REL IP4 capped by REL JPN: Japan still reads them, Korea no longer does.
    assert len(pulled("japan")) == 1500
    assert pulled("korea") == []
    assert len(pulled("officer")) == 1501


def _pages(live, url, headers):
    params = {"limit": 1000}
    while True:
        body = requests.get(
            f"{live}{url}", params=params, headers=taxii_headers(headers), timeout=30
        ).json()
        yield body.get("objects", [])
        if not body["more"]:
            return
        params = {"limit": 1000, "next": body["next"]}


@pytest.fixture
def redirector(live):
    """A server that answers every request with a redirect to the live Liaison (a remote
    trying to send the hub elsewhere); it counts the requests it gets."""
    hits = []

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", f"{live}/taxii2/")
            self.end_headers()

        def log_message(self, *_args):
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_redirects_are_not_followed(redirector, auth, engine):
    url, hits = redirector
    token = auth("officer")["Authorization"].removeprefix("Bearer ")
    _remote(engine, f"{url}/collections/x/", token)
    with pytest.raises(RemoteFailed, match="HTTP 302; not followed"):
        _pull_all(engine)
    assert len(hits) == 1
    assert hits[0].startswith("/collections/x/objects/?limit=1000")


def test_wrong_credentials_and_missing_key(live, engine):
    source = make_collection(engine, title="Source", alias="source")
    _remote(engine, f"{live}/taxii2/liaison/collections/{source}/", "lia_wrong")
    with pytest.raises(RemoteFailed, match="401"):
        _pull_all(engine)
    with unit_of_work(session_factory(engine)) as session:
        service = SharingService(session, SYSTEM, KEY)
        with pytest.raises(InvalidInput):
            Federation(service, None).add_remote(
                name="x",
                url="http://example.org/c/",
                username="u",
                secret="s",  # noqa: S106 - a test value
                collection_ref=source,
                ceiling=RegistryService(session, SYSTEM).parse_marking("NU"),
            )
        with pytest.raises(InvalidInput):
            Federation(service, FERNET).add_remote(
                name="y",
                url="file:///etc/passwd",
                username="u",
                secret="s",  # noqa: S106 - a test value
                collection_ref=source,
                ceiling=RegistryService(session, SYSTEM).parse_marking("NU"),
            )
