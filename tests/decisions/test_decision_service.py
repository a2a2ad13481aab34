# SPDX-License-Identifier: Apache-2.0
"""Decision use cases on both databases: the electorate frozen at opening, who may record a
position, outcomes settled once with their effects (offices, document releases, ITPPs through a
fake describer), revisions, amendments, links and notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from decision_helpers import UTC, audit_count, now, office, principal
from sqlalchemy import func, select

from liaison import events, wiring
from liaison.db.session import session_factory, unit_of_work
from liaison.decisions import worker
from liaison.decisions.errors import (
    NotAnElector,
    PositionRefused,
    ProcedureClosed,
    ProposalNotFound,
    SubjectNotDecidable,
)
from liaison.decisions.models import Notification, Proposal
from liaison.decisions.schemas import (
    Amendment,
    PositionCreate,
    ProposalCreate,
    Revision,
    Withdrawal,
)
from liaison.decisions.service import DecisionService
from liaison.documents.schemas import NoteCreate
from liaison.documents.service import DocumentService
from liaison.errors import Forbidden, InvalidInput, NotFound
from liaison.registry.models import Office
from liaison.security.markings import short
from liaison.security.principal import SYSTEM

pytestmark = pytest.mark.usefixtures("delegates")


def service_as(engine, username):
    session = session_factory(engine)()
    return session, DecisionService(session, principal(engine, username, session))


def record(engine, username, proposal_id, stance, statement="", ally=None):
    with unit_of_work(session_factory(engine)) as session:
        service = DecisionService(session, principal(engine, username, session))
        return service.record_position(
            proposal_id, PositionCreate(stance=stance, statement=statement, ally=ally)
        ).id


def view(engine, username, proposal_id):
    with unit_of_work(session_factory(engine)) as session:
        return DecisionService(session, principal(engine, username, session)).get(proposal_id)


def tick(engine, settings, at):
    return worker.tick(session_factory(engine), settings, now=at)


# the electorate ---------------------------------------------------------------------------------
def test_the_electorate_is_the_allies_that_are_members_on_the_opening_day(engine, open_proposal):
    vilnius = open_proposal(
        opened_at=dt.datetime(2023, 7, 11, 9, tzinfo=UTC),
        record_past=True,
        deadline=dt.datetime(2023, 7, 12, 9, tzinfo=UTC),
    )
    sweden_in = open_proposal(
        opened_at=dt.datetime(2024, 3, 7, 9, tzinfo=UTC),
        record_past=True,
        deadline=dt.datetime(2024, 3, 9, 9, tzinfo=UTC),
    )
    assert view(engine, "officer", vilnius).tally.electors == 31
    assert view(engine, "officer", sweden_in).tally.electors == 32
    with unit_of_work(session_factory(engine)) as session:
        electors = {s.elector.iso3 for s in DecisionService(session, SYSTEM).standings(vilnius)}
    assert "SWE" not in electors
    assert "FIN" in electors


def test_a_partner_user_may_not_hold_a_position(engine, open_proposal):
    pid = open_proposal(marking="NU // REL JPN")
    with pytest.raises(Forbidden, match="partners do not take part"):
        record(engine, "japan", pid, "concur")


def test_an_ally_outside_the_electorate_is_refused_with_why(engine, open_proposal):
    pid = open_proposal(
        opened_at=dt.datetime(2023, 7, 11, 9, tzinfo=UTC),
        record_past=True,
        deadline=now() + dt.timedelta(days=2),
    )
    with pytest.raises(NotAnElector) as refused:
        record(engine, "sweden", pid, "concur")
    assert "Sweden is not among the 31 electors" in refused.value.message
    assert "joined on 2024-03-07" in refused.value.message
    assert refused.value.status_code == 422


def test_only_a_delegation_records_and_only_its_own_ally(engine, open_proposal):
    pid = open_proposal()
    with pytest.raises(Forbidden, match="only a user of an ally's delegation"):
        record(engine, "officer", pid, "concur")  # NATO International Staff
    with pytest.raises(Forbidden, match="only France's position, not Germany's"):
        record(engine, "france", pid, "concur", ally="Germany")
    with pytest.raises(Forbidden, match="decisions:position:record"):
        record(engine, "analyst", pid, "concur")  # Italy's delegation, a reader
    record(engine, "france", pid, "concur")
    assert view(engine, "officer", pid).tally.consent == 1
    assert audit_count(engine, "decisions:position:record", pid) == 1


def test_a_hidden_proposal_is_not_found_for_a_position(engine, open_proposal):
    pid = open_proposal(marking="NC")
    with pytest.raises(ProposalNotFound):
        record(engine, "japan", pid, "concur")


# silence ----------------------------------------------------------------------------------------
def test_silence_adopted_at_the_deadline_applies_its_effect_once(
    engine, settings, open_proposal, proposed_office
):
    office_id = proposed_office()
    deadline = now() + dt.timedelta(hours=1)
    pid = open_proposal(
        subject_kind="office_opening", subject_ref=office_id, title=None, deadline=deadline
    )
    record(engine, "germany", pid, "footnote", "Germany recalls its budget reservation.")
    assert tick(engine, settings, deadline - dt.timedelta(seconds=1)).settled == []
    assert view(engine, "officer", pid).verdict.outcome == "pending"
    report = tick(engine, settings, deadline + dt.timedelta(seconds=1))
    assert [outcome for _, outcome in report.settled] == ["adopted"]
    assert tick(engine, settings, deadline + dt.timedelta(minutes=5)).settled == []
    assert office(engine, office_id) == ("approved", deadline.date(), None)
    assert audit_count(engine, "registry:office:transition", office_id) == 1
    assert audit_count(engine, "decisions:proposal:adopted", pid) == 1
    shown = view(engine, "france", pid)
    assert shown.settled
    assert shown.verdict.at == deadline


def test_one_break_breaks_silence_at_once_and_shelves_the_office(
    engine, open_proposal, proposed_office
):
    office_id = proposed_office()
    pid = open_proposal(subject_kind="office_opening", subject_ref=office_id, title=None)
    with pytest.raises(PositionRefused, match="needs a statement"):
        record(engine, "france", pid, "break_silence")
    record(engine, "france", pid, "break_silence", "Articles 5 and 6.")
    shown = view(engine, "officer", pid)
    assert shown.verdict.outcome == "broken"
    assert shown.settled
    assert "France broke silence" in shown.reason
    assert office(engine, office_id)[0] == "shelved"
    with pytest.raises(PositionRefused, match="already broken"):
        record(engine, "germany", pid, "concur")


def test_a_reservation_standing_at_the_deadline_breaks_silence(engine, settings, open_proposal):
    deadline = now() + dt.timedelta(hours=2)
    kept = open_proposal(deadline=deadline)
    lifted = open_proposal(deadline=deadline)
    for pid in (kept, lifted):
        record(engine, "france", pid, "reservation", "Pending instructions from Paris.")
    record(engine, "france", lifted, "withdraw_reservation")
    with pytest.raises(PositionRefused, match="no reservation to withdraw"):
        record(engine, "france", lifted, "withdraw_reservation")
    tick(engine, settings, deadline)
    assert view(engine, "officer", kept).verdict.outcome == "broken"
    assert view(engine, "officer", lifted).verdict.outcome == "adopted"


def test_the_status_read_before_any_worker_is_already_right(engine, open_proposal):
    pid = open_proposal(
        opened_at=now() - dt.timedelta(days=3),
        record_past=True,
        deadline=now() - dt.timedelta(days=1),
    )
    shown = view(engine, "officer", pid)
    assert shown.verdict.outcome == "adopted"
    assert not shown.settled  # nobody settled it yet: the outcome is computed at the read


# meetings, amendments, withdrawal, revision --------------------------------------------------------
def test_a_meeting_adopts_when_every_elector_concurs_on_the_current_text(engine, open_proposal):
    pid = open_proposal(
        procedure="meeting",
        opened_at=dt.datetime(2024, 7, 9, 9, tzinfo=UTC),
        record_past=True,
    )
    with unit_of_work(session_factory(engine)) as session:
        service = DecisionService(session, SYSTEM)
        electors = [s.elector.iso3 for s in service.standings(pid)]
        for iso3 in electors[:-1]:
            service.record_position(pid, PositionCreate(ally=iso3, stance="concur"))
        service.amend(pid, Amendment(text="The Council agrees, as amended.", note="one word"))
        assert service.get(pid).tally.consent == 0  # concurrences were on version 1
        with pytest.raises(PositionRefused, match="no silence to break"):
            service.record_position(
                pid, PositionCreate(ally=electors[0], stance="break_silence", statement="x")
            )
        for iso3 in electors:
            service.record_position(pid, PositionCreate(ally=iso3, stance="concur"))
        shown = service.get(pid)
    assert shown.verdict.outcome == "adopted"
    assert shown.settled
    assert shown.tally.electors == 32


def test_under_silence_the_text_cannot_change(engine, open_proposal):
    pid = open_proposal()
    with (
        unit_of_work(session_factory(engine)) as session,
        pytest.raises(ProcedureClosed, match="under silence the text cannot change"),
    ):
        DecisionService(session, SYSTEM).amend(pid, Amendment(text="Other words."))


def test_withdrawal_and_revision(engine, open_proposal):
    pid = open_proposal(text="The Council agrees to open an office.")
    record(engine, "france", pid, "break_silence", "Not in this form.")
    with unit_of_work(session_factory(engine)) as session:
        service = DecisionService(session, principal(engine, "officer", session))
        revised = service.revise(
            pid,
            Revision(
                text="The Council agrees to study an office.",
                deadline=now() + dt.timedelta(days=5),
            ),
        )
        assert revised.revises == service.get(pid).proposal.reference
        assert revised.verdict.outcome == "pending"
        assert service.previous_text(revised.proposal) == "The Council agrees to open an office."
        with pytest.raises(ProcedureClosed, match="only a broken or lapsed"):
            service.revise(revised.proposal.id, Revision(text="again"))
        withdrawn = service.withdraw(revised.proposal.id, Withdrawal(reason="overtaken"))
    assert withdrawn.verdict.outcome == "withdrawn"
    assert withdrawn.settled


def test_opening_needs_the_permission_and_a_decidable_subject(
    engine, open_proposal, proposed_office
):
    with unit_of_work(session_factory(engine)) as session:
        tokyo = session.scalar(select(func.min(Proposal.id)))  # none yet
    assert tokyo is None
    session, service = service_as(engine, "france")
    try:
        with pytest.raises(Forbidden, match="decisions:proposal:manage"):
            service.open(_create())
    finally:
        session.close()
    with pytest.raises(SubjectNotDecidable, match="is shelved"):
        open_proposal(subject_kind="office_opening", subject_ref=_office_named(engine, "Tokyo"))
    with pytest.raises(InvalidInput, match="no office"):
        open_proposal(subject_kind="office_opening", subject_ref="999999")
    with pytest.raises(InvalidInput, match="deadline must come after the proposal opens"):
        open_proposal(deadline=now() - dt.timedelta(minutes=1))
    with pytest.raises(InvalidInput, match="needs a deadline"):
        open_proposal(deadline=None)
    # a record of the past may name a subject that has moved on since
    assert open_proposal(
        subject_kind="office_opening",
        subject_ref=_office_named(engine, "Tokyo"),
        title=None,
        opened_at=dt.datetime(2023, 4, 11, 9, tzinfo=UTC),
        record_past=True,
        deadline=dt.datetime(2023, 6, 9, 12, tzinfo=UTC),
    )


def _create():
    return ProposalCreate(title="t", text="x", marking="NU", deadline=now() + dt.timedelta(days=1))


def _office_named(engine, city):
    with unit_of_work(session_factory(engine)) as session:
        return str(session.scalar(select(Office.id).where(Office.city == city)))


# links ------------------------------------------------------------------------------------------
def test_a_dependent_proposal_waits_for_and_follows_the_other(engine, settings, open_proposal):
    deadline = now() + dt.timedelta(hours=1)
    itpp = open_proposal(title="ITPP implementation review", deadline=deadline)
    tokyo = open_proposal(
        title="Tokyo office, tied to the ITPP review",
        deadline=deadline - dt.timedelta(minutes=30),
        depends_on=str(itpp),
    )
    tick(engine, settings, deadline - dt.timedelta(minutes=10))
    shown = view(engine, "officer", tokyo)
    assert shown.verdict.outcome == "pending"
    assert "waits for DEC-" in shown.reason
    tick(engine, settings, deadline)
    assert view(engine, "officer", tokyo).verdict.outcome == "adopted"
    assert view(engine, "officer", tokyo).verdict.at == deadline


def test_a_package_is_decided_together(engine, settings, open_proposal):
    deadline = now() + dt.timedelta(hours=1)
    office_p = open_proposal(title="Office", deadline=deadline, package="tokyo-2023")
    review = open_proposal(
        title="Review", deadline=deadline + dt.timedelta(hours=1), package="tokyo-2023"
    )
    tick(engine, settings, deadline + dt.timedelta(minutes=1))
    assert view(engine, "officer", office_p).verdict.outcome == "pending"  # waits for Review
    record(engine, "france", review, "break_silence", "Not as a package.")
    assert view(engine, "officer", review).verdict.outcome == "broken"
    lapsed = view(engine, "officer", office_p)
    assert lapsed.verdict.outcome == "lapsed"
    assert lapsed.settled
    assert "package partner DEC-" in lapsed.reason


def test_a_hidden_linked_proposal_is_not_named(engine, settings, open_proposal):
    deadline = now() + dt.timedelta(hours=1)
    secret = open_proposal(title="Secret", marking="NS", deadline=deadline)
    open_one = open_proposal(title="Open", marking="NU", deadline=deadline, package="p")
    with unit_of_work(session_factory(engine)) as session:
        session.get(Proposal, secret).package = "p"
    record(engine, "france", secret, "break_silence", "No.")
    analyst = view(engine, "analyst", open_one)  # cleared NR: cannot read the NS one
    assert analyst.verdict.outcome == "lapsed"
    assert "a linked proposal" in analyst.reason
    assert "DEC-" not in analyst.reason
    assert "DEC-" in view(engine, "officer", open_one).reason


# effects through events ----------------------------------------------------------------------------
def test_a_release_widens_the_document_and_never_narrows(engine, settings, open_proposal):
    with unit_of_work(session_factory(engine)) as session:
        doc = DocumentService(session, SYSTEM).add_note(
            NoteCreate(title="Maritime brief", body="text", marking="NR // REL AUS")
        )
    deadline = now() + dt.timedelta(hours=1)
    pid = open_proposal(
        subject_kind="document_release",
        subject_ref=str(doc.document.id),
        title=None,
        release_to=["Japan", "AUS"],
        deadline=deadline,
    )
    tick(engine, settings, deadline)
    tick(engine, settings, deadline + dt.timedelta(minutes=1))
    with unit_of_work(session_factory(engine)) as session:
        after = DocumentService(session, SYSTEM).get(doc.document.id)
    assert short(after.marking) == "NR // REL AUS, JPN"
    assert audit_count(engine, "documents:document:downgrade", doc.document.id) == 1
    assert view(engine, "officer", pid).proposal.title == "Release of Maritime brief"


def test_itpp_approval_through_a_registered_describer(engine, settings, open_proposal):
    seen = []

    def describe(session, principal, ref):
        if ref != "ITPP-NZL-2024":
            raise NotFound(f"no programme {ref}")
        return events.SubjectInfo(title="New Zealand ITPP 2024", state="submitted")

    try:
        events.register_subject(events.SubjectKind.ITPP_APPROVAL, describe)
        events.subscribe(events.ProposalAdopted, lambda s, e: seen.append(e))
        deadline = now() + dt.timedelta(hours=1)
        pid = open_proposal(
            subject_kind="itpp_approval",
            subject_ref="ITPP-NZL-2024",
            title=None,
            deadline=deadline,
        )
        with pytest.raises(InvalidInput, match="no programme ITPP-XXX"):
            open_proposal(subject_kind="itpp_approval", subject_ref="ITPP-XXX")
        tick(engine, settings, deadline)
        tick(engine, settings, deadline + dt.timedelta(minutes=1))
    finally:
        events.reset_for_tests()
        wiring.install()
    assert len(seen) == 1
    assert seen[0].subject_ref == "ITPP-NZL-2024"
    assert seen[0].proposal_id == pid
    assert seen[0].occurred_on == deadline.date()


# notifications ----------------------------------------------------------------------------------
def test_the_electors_delegations_are_notified_if_they_may_read(engine, settings, open_proposal):
    deadline = now() + dt.timedelta(hours=1)
    pid = open_proposal(deadline=deadline)
    secret = open_proposal(marking="NS", deadline=deadline)  # above the analyst's NR
    tick(engine, settings, deadline)
    with unit_of_work(session_factory(engine)) as session:
        rows = session.execute(
            select(Notification.proposal_id, Notification.kind, func.count())
            .group_by(Notification.proposal_id, Notification.kind)
            .order_by(Notification.proposal_id, Notification.kind)
        ).all()
    # france, germany and sweden (a member today); the analyst's delegation (Italy) too, but
    # only for what the analyst may read
    assert [(p, k.value, n) for p, k, n in rows] == [
        (pid, "decided", 4),
        (pid, "opened", 4),
        (secret, "decided", 3),
        (secret, "opened", 3),
    ]
