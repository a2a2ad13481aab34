# SPDX-License-Identifier: Apache-2.0
"""Deadlines take effect on time without anyone opening a page: the worker in the app's
lifespan (as under ``liaison serve``) settles a silence deadline and applies its effect once,
with no request in between; e-mail goes out after the decision commits, only when SMTP is
configured (a tiny SMTP server in this process receives it)."""

from __future__ import annotations

import datetime as dt
import socketserver
import threading
import time

import pytest
from decision_helpers import audit_count, now, office
from fastapi.testclient import TestClient

from liaison.app import create_app
from liaison.config import Settings
from liaison.db.session import session_factory, unit_of_work
from liaison.decisions import notify, worker
from liaison.decisions.consensus import Outcome, Procedure
from liaison.decisions.models import (
    Notification,
    NotificationAddress,
    NotificationKind,
    Proposal,
)
from liaison.decisions.schemas import PositionCreate
from liaison.decisions.service import DecisionService
from liaison.security.classification import Classification
from liaison.security.models import User
from liaison.security.principal import SYSTEM

pytestmark = pytest.mark.usefixtures("delegates")


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_the_worker_adopts_at_the_deadline_with_no_request(
    db_url, engine, open_proposal, proposed_office
):
    adopted_office = proposed_office("NATO Liaison Office Adopted")
    broken_office = proposed_office("NATO Liaison Office Broken")
    deadline = now() + dt.timedelta(seconds=6)  # room for two opens and a position under load
    adopted = open_proposal(
        subject_kind="office_opening", subject_ref=adopted_office, title=None, deadline=deadline
    )
    broken = open_proposal(
        subject_kind="office_opening", subject_ref=broken_office, title=None, deadline=deadline
    )
    with unit_of_work(session_factory(engine)) as session:
        DecisionService(session, SYSTEM).record_position(
            broken, PositionCreate(ally="FRA", stance="break_silence", statement="No.")
        )
    fast = Settings(database_url=db_url, decisions_tick_seconds=0.2)
    app = create_app(fast, engine=engine)
    with TestClient(app):  # runs the lifespan, so the worker; the test makes no request
        assert office(engine, adopted_office)[0] == "proposed"
        assert wait_for(lambda: office(engine, adopted_office)[0] == "approved")
        ticks = app.state.decisions_worker.ticks
        assert wait_for(lambda: app.state.decisions_worker.ticks >= ticks + 3)
    assert office(engine, adopted_office) == ("approved", deadline.date(), None)
    assert office(engine, broken_office)[0] == "shelved"
    assert audit_count(engine, "registry:office:transition", adopted_office) == 1
    assert audit_count(engine, "decisions:proposal:adopted", adopted) == 1
    assert audit_count(engine, "decisions:proposal:broken", broken) == 1
    with unit_of_work(session_factory(engine)) as session:
        assert session.get(Proposal, adopted).decided_at == deadline


def test_no_worker_when_the_interval_is_zero(client):
    assert client.app.state.decisions_worker.interval == 0
    assert client.app.state.decisions_worker.ticks == 0


def test_tick_is_idempotent(engine, settings, open_proposal):
    deadline = now() + dt.timedelta(minutes=1)
    open_proposal(deadline=deadline)
    factory = session_factory(engine)
    first = worker.tick(factory, settings, now=deadline)
    again = worker.tick(factory, settings, now=deadline + dt.timedelta(seconds=1))
    assert [o for _, o in first.settled] == ["adopted"]
    assert again.settled == []


# e-mail -----------------------------------------------------------------------------------------
class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP to receive messages (RFC 5321: EHLO, MAIL, RCPT, DATA, QUIT)."""

    received: list[str]

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                body = []
                while (row := self.rfile.readline()) not in {b".\r\n", b""}:
                    body.append(row.decode())
                self.server.received.append("".join(body))
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            elif verb == b"EHLO":
                self.wfile.write(b"250 test\r\n")
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _address(engine, username, email):
    with unit_of_work(session_factory(engine)) as session:
        user_id = session.query(User.id).filter(User.username == username).scalar()
        session.add(NotificationAddress(user_id=user_id, email=email))


def test_e_mail_after_the_decision_only_when_smtp_is_configured(
    engine, db_url, settings, open_proposal, smtp
):
    _address(engine, "france", "france@delegation.example")
    deadline = now() + dt.timedelta(minutes=1)
    pid = open_proposal(marking="NR", title="Secret-ish title", deadline=deadline)
    factory = session_factory(engine)
    assert worker.tick(factory, settings, now=deadline - dt.timedelta(seconds=5)).emailed == 0
    configured = Settings(
        database_url=db_url, smtp_host="127.0.0.1", smtp_port=smtp.server_address[1]
    )
    report = worker.tick(factory, configured, now=deadline)
    assert report.emailed == 2  # "opened" and "adopted", both to France
    assert worker.tick(factory, configured, now=deadline).emailed == 0  # each at most once
    assert len(smtp.received) == 2
    opened, adopted = smtp.received
    assert "awaits your delegation" in opened
    assert "adopted" in adopted
    for message in smtp.received:
        assert "france@delegation.example" in message
        assert "Secret-ish title" not in message  # marked content never leaves in e-mail
        assert "NATO RESTRICTED: sign in to read it" in message
        assert f"/decisions/{pid}" in message


def test_a_public_proposal_is_named_in_its_e_mail(settings):
    proposal = Proposal(
        id=99,
        reference="DEC-2026-0099",
        title="Public title",
        procedure=Procedure.SILENCE,
        outcome=Outcome.ADOPTED,
    )
    notification = Notification(kind=NotificationKind.DECIDED)
    message = notify.build_message(
        settings, "x@example.org", notification, proposal, Classification.PUBLIC
    )
    assert "DEC-2026-0099: Public title is adopted" in message.get_content()
    assert "sign in" not in message.get_content()
    assert message["Subject"] == "[Liaison] DEC-2026-0099 adopted"


def test_the_due_only_tick_follows_links(engine, settings, open_proposal):
    """The worker's usual tick looks at deadlines that came, and at what hangs on them: a
    meeting that agreed while waiting for another proposal is adopted with it."""
    deadline = now() + dt.timedelta(minutes=5)
    first = open_proposal(title="ITPP review", deadline=deadline)
    tied = open_proposal(title="Office", procedure="meeting", depends_on=str(first))
    with unit_of_work(session_factory(engine)) as session:
        service = DecisionService(session, SYSTEM)
        for row in service.standings(tied):
            service.record_position(tied, PositionCreate(ally=row.elector.iso3, stance="concur"))
        assert service.get(tied).verdict.outcome == "pending"  # waits for the review
    factory = session_factory(engine)
    assert worker.tick(factory, settings, now=deadline, due_only=True).settled == [
        (f"DEC-{deadline.year}-{first:04d}", "adopted"),
        (f"DEC-{deadline.year}-{tied:04d}", "adopted"),
    ]


def test_racing_ticks_settle_once(engine, settings, open_proposal, proposed_office):
    """Two ticks at once (the worker and a cron timer): one wins the conditional update, the
    other finds nothing left to do; the office moves once."""
    office_id = proposed_office()
    deadline = now() + dt.timedelta(minutes=1)
    pid = open_proposal(
        subject_kind="office_opening", subject_ref=office_id, title=None, deadline=deadline
    )
    factory = session_factory(engine)
    reports, errors = [], []

    def run():
        try:
            reports.append(worker.tick(factory, settings, now=deadline))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(len(r.settled) for r in reports) == [0, 1]
    assert audit_count(engine, "decisions:proposal:adopted", pid) == 1
    assert audit_count(engine, "registry:office:transition", office_id) == 1
