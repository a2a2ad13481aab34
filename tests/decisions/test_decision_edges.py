# SPDX-License-Identifier: Apache-2.0
"""Decisions at the edges (issue 21), on both databases, through the service with real
sessions, the API and the CLI — and, for the rules a database must hold, under requests racing
in threads (each its own unit of work, as concurrent requests are):

1. no proposal on a dependency already decided against; nothing decided before it opened;
2. no proposal some elector's delegation cannot read;
3. one pending proposal per subject and effect;
5. a free-text proposal names no subject; a footnoted adoption names who footnoted; one stored
   position when an ally concurs several times at once;
6. an administrator records a past decision (``opened_at``), audited as such.

(4, entry into force with the period, is in ``tests/programmes/test_entry_into_force.py``.)
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from decision_helpers import UTC, audit_count, now, principal
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from liaison.cli.main import app
from liaison.db.session import session_factory, unit_of_work
from liaison.decisions import worker
from liaison.decisions.errors import PositionRefused
from liaison.decisions.models import Position, Proposal
from liaison.decisions.schemas import PositionCreate, ProposalCreate, Revision
from liaison.decisions.service import DecisionService
from liaison.errors import Conflict, Forbidden, InvalidInput, LiaisonError
from liaison.identity.service import IdentityService
from liaison.programmes.demo import create_demo_programmes
from liaison.programmes.rules import ProgrammeStatus
from liaison.programmes.service import ProgrammeService
from liaison.security.classification import Classification
from liaison.security.permissions import Role
from liaison.security.principal import SYSTEM

BASE = "/api/v1/decisions"


def race(*jobs):
    """Run each job in its own thread, released together; their results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(i, job):
        barrier.wait()
        try:
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - returned for the test to judge
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def as_user(engine, username, work):
    """``work(service)`` in a unit of work of its own, as ``username`` (or SYSTEM)."""
    with unit_of_work(session_factory(engine)) as session:
        who = SYSTEM if username is None else principal(engine, username, session)
        return work(DecisionService(session, who))


def body(**fields):
    data = {"title": "A proposal", "text": "The Council agrees.", "marking": "NU"}
    data.setdefault("deadline", now() + dt.timedelta(days=3))
    data.update(fields)
    return ProposalCreate(**data)


def break_silence(engine, pid, ally="FRA"):
    return as_user(
        engine,
        None,
        lambda s: s.record_position(
            pid, PositionCreate(ally=ally, stance="break_silence", statement="No.")
        ),
    )


def assert_refused(engine, row):
    """The database itself refuses ``row`` (a constraint, not the service)."""
    session = session_factory(engine)()
    try:
        session.add(row)
        with pytest.raises(IntegrityError):
            session.flush()
    finally:
        session.rollback()
        session.close()


def rows(engine, stmt):
    with unit_of_work(session_factory(engine)) as session:
        return session.execute(stmt).all()


# 1. dependencies already decided against; nothing decided before it opened ---------------------
@pytest.mark.usefixtures("delegates")
def test_no_proposal_on_a_dependency_already_broken(engine, open_proposal, client, auth):
    base = open_proposal(title="A base")
    break_silence(engine, base)
    reference = f"DEC-{now().year}-{base:04d}"
    with pytest.raises(Conflict, match=f"{reference} is already broken"):
        as_user(engine, "officer", lambda s: s.open(body(depends_on=reference)))
    packaged = open_proposal(title="Packaged", package="P1")
    break_silence(engine, packaged)
    with pytest.raises(Conflict, match="the package 'P1' is already decided"):
        as_user(engine, "officer", lambda s: s.open(body(package="P1")))
    r = client.post(
        BASE,
        json={"title": "D2", "text": "D2.", "marking": "NU", "depends_on": reference}
        | {"deadline": (now() + dt.timedelta(days=1)).isoformat()},
        headers=auth("officer"),
    )
    assert r.status_code == 409
    assert f"{reference} is already broken" in r.json()["detail"]
    assert rows(engine, select(func.count()).select_from(Proposal))[0][0] == 2


def test_the_database_refuses_a_decision_before_the_opening(engine, open_proposal):
    pid = open_proposal()
    with pytest.raises(IntegrityError), unit_of_work(session_factory(engine)) as session:
        session.execute(
            update(Proposal)
            .where(Proposal.id == pid)
            .values(outcome="lapsed", decided_at=dt.datetime(2020, 1, 1, tzinfo=UTC))
        )


@pytest.mark.usefixtures("delegates")
def test_a_dependency_broken_while_a_dependent_opens(engine, settings, open_proposal):
    """The break and the dependent's opening race: either the opening is refused, or it wins
    and the dependent lapses — never decided before it opened (the check would refuse it)."""
    outcomes = []
    for round_ in range(3):
        base = open_proposal(title=f"Base {round_}")
        reference = f"DEC-{now().year}-{base:04d}"
        results = race(
            lambda base=base: break_silence(engine, base),
            lambda ref=reference: as_user(
                engine, "officer", lambda s: s.open(body(depends_on=ref)).proposal.id
            ),
        )
        assert not isinstance(results[0], Exception), results[0]
        opened = results[1]
        if isinstance(opened, Exception):
            assert isinstance(opened, Conflict), opened
            outcomes.append("refused")
            continue
        worker.tick(session_factory(engine), settings)
        (row,) = rows(
            engine,
            select(Proposal.outcome, Proposal.opened_at, Proposal.decided_at).where(
                Proposal.id == opened
            ),
        )
        assert row.outcome == "lapsed"
        assert row.decided_at >= row.opened_at
        outcomes.append("lapsed")
    assert len(outcomes) == 3


# 2. what some elector's delegation cannot read ------------------------------------------------
@pytest.mark.usefixtures("delegates")
def test_no_proposal_an_electors_delegation_cannot_read(engine, client, auth):
    with pytest.raises(InvalidInput, match="France, Germany, Sweden cannot read") as caught:
        as_user(engine, "admin", lambda s: s.open(body(marking="CTS")))
    assert caught.value.field == "marking"
    with unit_of_work(session_factory(engine)) as session:
        identity = IdentityService(session, SYSTEM)
        identity.create_user(
            "france-cts",
            display_name="French ambassador",
            organisation=identity.organisation("Delegation of France to NATO"),
            clearance=Classification.COSMIC_TOP_SECRET,
            roles={Role.MEMBER},
        )
    with pytest.raises(InvalidInput, match=r"^Germany, Sweden cannot read"):
        as_user(engine, "admin", lambda s: s.open(body(marking="CTS")))
    r = client.post(
        BASE,
        json={"title": "T", "text": "T.", "marking": "CTS"}
        | {"deadline": (now() + dt.timedelta(days=1)).isoformat()},
        headers=auth("admin"),
    )
    assert r.status_code == 422
    assert "Germany, Sweden cannot read" in r.text
    assert as_user(engine, "admin", lambda s: s.open(body(marking="NS")).tally.electors) == 32
    results = race(*[lambda: as_user(engine, "admin", lambda s: s.open(body(marking="CTS")))] * 3)
    assert all(isinstance(r, InvalidInput) for r in results), results
    assert rows(engine, select(func.count()).select_from(Proposal))[0][0] == 1


# 3. one pending proposal per subject and effect -----------------------------------------------
@pytest.mark.usefixtures("delegates")
def test_one_pending_proposal_per_subject(engine, open_proposal, proposed_office, client, auth):
    office = proposed_office()
    first = open_proposal(subject_kind="office_opening", subject_ref=office, title=None)
    reference = f"DEC-{now().year}-{first:04d}"
    with pytest.raises(Conflict, match=f"{reference} on this subject is still pending"):
        as_user(
            engine,
            "officer",
            lambda s: s.open(body(subject_kind="office_opening", subject_ref=f"0{office}")),
        )
    r = client.post(
        BASE,
        json={"subject_kind": "office_opening", "subject_ref": office, "text": "Again."}
        | {"marking": "NU", "deadline": (now() + dt.timedelta(days=1)).isoformat()},
        headers=auth("officer"),
    )
    assert r.status_code == 409
    other = proposed_office("NATO Liaison Office Elsewhere")
    assert open_proposal(subject_kind="office_opening", subject_ref=other, title=None)


def test_a_hidden_pending_proposal_is_not_named(engine, open_proposal, proposed_office):
    office = proposed_office()
    open_proposal(subject_kind="office_opening", subject_ref=office, title=None, marking="CTS")
    with pytest.raises(Conflict) as caught:
        as_user(
            engine,
            "officer",
            lambda s: s.open(body(subject_kind="office_opening", subject_ref=office)),
        )
    assert caught.value.message.startswith("another proposal on this subject is still pending")
    assert "DEC-" not in caught.value.message


def test_a_revision_takes_the_place_of_a_broken_proposal(engine, open_proposal):
    """The index keeps one *pending* proposal per subject; a revision opens once the one it
    revises is settled (the service settles it first), so it never meets its predecessor."""
    with unit_of_work(session_factory(engine)) as session:
        create_demo_programmes(session)
        programmes = ProgrammeService(session, SYSTEM)
        programmes.renew("ITPP-JPN-2023")
        programmes.transition("ITPP-JPN-2027", ProgrammeStatus.SUBMITTED)
    pid = open_proposal(subject_kind="itpp_approval", subject_ref="ITPP-JPN-2027", title=None)
    break_silence(engine, pid)
    with unit_of_work(session_factory(engine)) as session:
        session.execute(  # as if the break had not been settled yet (a tick to come)
            update(Proposal)
            .where(Proposal.id == pid)
            .values(outcome="pending", decided_at=None, outcome_reason="")
        )
    revised = as_user(
        engine,
        None,
        lambda s: (
            s.revise(
                pid, Revision(text="Revised.", deadline=now() + dt.timedelta(days=2))
            ).proposal.revises_id
        ),
    )
    assert revised == pid
    (row,) = rows(engine, select(Proposal.outcome).where(Proposal.id == pid))
    assert row.outcome == "broken"


@pytest.mark.usefixtures("delegates")
def test_concurrent_openings_on_one_subject_store_one(engine, proposed_office):
    office = proposed_office()

    def opening():
        return as_user(
            engine,
            "officer",
            lambda s: s.open(body(subject_kind="office_opening", subject_ref=office)).proposal.id,
        )

    results = race(opening, opening, opening)
    opened = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(opened) == 1, results
    assert all(isinstance(r, Conflict) and r.status_code == 409 for r in refused), refused
    assert rows(
        engine, select(func.count()).select_from(Proposal).where(Proposal.subject_ref == office)
    ) == [(1,)]


def test_the_index_is_in_the_database(engine, open_proposal, proposed_office):
    office = proposed_office()
    pid = open_proposal(subject_kind="office_opening", subject_ref=office, title=None)
    with unit_of_work(session_factory(engine)) as session:
        first = session.get(Proposal, pid)
        copy = {c.key: getattr(first, c.key) for c in Proposal.__table__.columns}
    assert_refused(engine, Proposal(**(copy | {"id": None, "reference": "DEC-COPY"})))


# 5. free text, footnotes, one stored position -------------------------------------------------
def test_a_free_text_proposal_names_no_subject(engine):
    with pytest.raises(InvalidInput, match="a free-text proposal has no subject") as caught:
        as_user(engine, "officer", lambda s: s.open(body(subject_ref="FOO")))
    assert caught.value.field == "subject_ref"


@pytest.mark.usefixtures("delegates")
def test_a_footnoted_adoption_names_who_footnoted(engine, open_proposal):
    pid = open_proposal(procedure="meeting")

    def everyone(service):
        for row in service.standings(pid):
            stance = "footnote" if row.elector.iso3 in {"FRA", "TUR"} else "concur"
            statement = "A national position." if stance == "footnote" else ""
            service.record_position(
                pid, PositionCreate(ally=row.elector.iso3, stance=stance, statement=statement)
            )
        return service.get(pid)

    view = as_user(engine, None, everyone)
    assert view.verdict.outcome == "adopted"
    assert view.reason == "every ally concurred (footnotes: France, Türkiye)"
    silent = open_proposal(deadline=now() + dt.timedelta(minutes=5))
    as_user(
        engine,
        None,
        lambda s: s.record_position(
            silent, PositionCreate(ally="DEU", stance="footnote", statement="Noted.")
        ),
    )
    settled = as_user(
        engine, None, lambda s: s.views([s.find_ref(str(silent))], now() + dt.timedelta(minutes=6))
    )
    assert settled[0].reason == "nobody broke silence before the deadline (footnotes: Germany)"


@pytest.mark.usefixtures("delegates")
def test_concurrent_concurrences_store_one_position(engine, open_proposal):
    pid = open_proposal(procedure="meeting")

    def concur():
        return as_user(
            engine, "france", lambda s: s.record_position(pid, PositionCreate(stance="concur")).id
        )

    results = race(concur, concur, concur, concur)
    stored = [r for r in results if isinstance(r, int)]
    assert len(stored) == 1, results
    assert all(isinstance(r, PositionRefused) for r in results if r not in stored), results
    assert rows(engine, select(func.count()).select_from(Position)) == [(1,)]
    with pytest.raises(PositionRefused, match="FRA already concurs on version 1"):
        concur()
    ((seq,),) = rows(engine, select(Position.seq))
    again = Position(
        proposal_id=pid,
        ally_iso3="FRA",
        seq=seq,
        stance="concur",
        version_number=1,
        recorded_at=now(),
        recorded_by="x",
    )
    assert_refused(engine, again)


# 6. an administrator's record of a past decision ----------------------------------------------
TOKYO = [
    "decisions",
    "open",
    "--subject",
    "office_opening",
    "--title",
    "Opening of a NATO liaison office in Tokyo",
    "--text",
    "The Council agrees to open a NATO liaison office in Tokyo.",
    "--marking",
    "NR",
    "--opened-on",
    "2023-04-11T09:00",
    "--days",
    "59",
    "--position",
    "FRA break_silence 2023-06-06T10:00 France breaks silence.",
]


@pytest.mark.usefixtures("delegates")
def test_an_administrator_records_a_past_decision_from_the_cli(db_url, engine, proposed_office):
    office = proposed_office("NATO Liaison Office Tokyo 2", proposed_on=dt.date(2023, 1, 5))

    def run(*args):
        return CliRunner().invoke(app, list(args), env={"LIAISON_DATABASE_URL": db_url})

    refused = run(*TOKYO, "--ref", office, "--as", "officer")
    assert refused.exit_code != 0
    assert "decisions:proposal:backdate" in refused.output
    recorded = run(*TOKYO, "--ref", office, "--as", "admin")
    assert recorded.exit_code == 0, recorded.output
    assert "opened; 31 electors" in recorded.output  # Finland joined on 2023-04-04
    reference = recorded.output.split()[1]
    assert reference.startswith("DEC-2023-")
    shown = run("decisions", "show", reference, "--as", "germany")
    assert "Outcome: broken" in shown.output
    assert "France broke silence" in shown.output
    (row,) = rows(
        engine, select(Proposal.id, Proposal.decided_at).where(Proposal.reference == reference)
    )
    assert row.decided_at == dt.datetime(2023, 6, 6, 10, tzinfo=UTC)
    assert audit_count(engine, "decisions:proposal:record_past", row.id) == 1
    assert audit_count(engine, "decisions:proposal:open", row.id) == 0
    bad = run(*TOKYO[:-2], "--position", "FRA break_silence", "--ref", office, "--as", "admin")
    assert bad.exit_code == 2
    assert "ALLY STANCE WHEN" in bad.output


@pytest.mark.usefixtures("delegates")
def test_an_administrator_records_a_past_decision_through_the_api(client, auth, engine):
    past = {
        "title": "Before Finland",
        "text": "The Council agrees.",
        "marking": "NU",
        "procedure": "silence",
        "opened_at": "2023-03-01T09:00:00Z",
        "deadline": "2023-03-08T09:00:00Z",
    }
    r = client.post(BASE, json=past, headers=auth("officer"))
    assert r.status_code == 403
    r = client.post(
        BASE,
        json=past | {"positions": [{"ally": "FRA", "stance": "concur"}]},
        headers=auth("admin"),
    )
    assert r.status_code == 422  # a past position says when
    made = client.post(BASE, json=past, headers=auth("admin"))
    assert made.status_code == 201, made.text
    assert made.json()["tally"]["electors"] == 30
    assert made.json()["outcome"] == "adopted"
    assert made.json()["decided_at"].startswith("2023-03-08T09:00")
    assert audit_count(engine, "decisions:proposal:record_past", made.json()["id"]) == 1
    r = client.post(
        f"{BASE}/{made.json()['id']}/positions", json={"stance": "concur"}, headers=auth("france")
    )
    assert r.status_code == 409


def test_only_an_administrator_records_positions_of_the_past(engine, open_proposal):
    pid = open_proposal()
    with pytest.raises(Forbidden, match="only an administrator"):
        as_user(
            engine,
            "officer",
            lambda s: s.record_position(
                pid, PositionCreate(ally="FRA", stance="concur"), at=now() - dt.timedelta(hours=1)
            ),
        )
    with pytest.raises(LiaisonError, match="between the opening"):
        as_user(
            engine,
            "admin",
            lambda s: s.record_position(
                pid, PositionCreate(ally="FRA", stance="concur"), at=now() - dt.timedelta(days=9)
            ),
        )
