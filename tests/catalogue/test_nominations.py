# SPDX-License-Identifier: Apache-2.0
"""Nominations on both databases: who may nominate whom to what, the state machine, seats
never over-booked (also by concurrent accepts on separate connections), and the wait list
promoted in order."""

from __future__ import annotations

import pytest
from catalogue_helpers import all_at_once, principal
from sqlalchemy import select

from liaison.catalogue.errors import (
    BadTransition,
    NominationNotFound,
    NotPermitted,
    SessionNotFound,
)
from liaison.catalogue.models import Nomination
from liaison.catalogue.nominations import NominationService
from liaison.catalogue.present import nomination_read
from liaison.catalogue.rules import NominationState
from liaison.catalogue.schemas import NominationCreate
from liaison.db.session import session_factory, unit_of_work
from liaison.errors import InvalidInput
from liaison.kit.pagination import PageRequest

S = NominationState
EVERYTHING = PageRequest(limit=500)
PEOPLE = {"korea": "KOR", "japan": "JPN", "australia": "AUS"}


def nominate(as_user, username, session_id, name="A. Person", **extra):
    with as_user(username, NominationService) as service:
        data = NominationCreate(
            session_id=session_id,
            person_name=name,
            nationality=extra.pop("nationality", PEOPLE.get(username, "KOR")),
            **extra,
        )
        return service.nominate(data).nomination.id


def move(as_user, nomination_id, state, username="officer"):
    with as_user(username, NominationService) as service:
        return service.move(nomination_id, state).nomination.state


def test_a_partner_nominates_its_own_nationals_to_sessions_it_may_read(catalogue, as_user):
    nid = nominate(as_user, "korea", catalogue["PUB-1/2027-1"])
    with as_user("korea", NominationService) as service:
        view = service.get(nid)
    assert (view.nomination.partner_iso3, view.nomination.state, view.short) == (
        "KOR",
        S.NOMINATED,
        "NU // REL KOR",
    )
    with pytest.raises(InvalidInput, match="nationality"):
        nominate(as_user, "korea", catalogue["PUB-1/2027-1"], nationality="Japan")
    with pytest.raises(InvalidInput, match="own nation"):
        nominate(as_user, "korea", catalogue["PUB-1/2027-1"], partner="Japan", nationality="JPN")
    with pytest.raises(SessionNotFound):
        nominate(as_user, "korea", catalogue["NR-JPN/2027-1"])
    with pytest.raises(SessionNotFound):
        nominate(as_user, "korea", catalogue["NATO-1/2027-1"])


def test_staff_cannot_nominate_a_partner_to_what_it_may_not_attend(catalogue, as_user):
    with pytest.raises(InvalidInput, match="not releasable"):
        nominate(as_user, "officer", catalogue["NR-JPN/2027-1"], partner="Korea", nationality="KOR")
    with pytest.raises(InvalidInput, match="not eligible"):
        nominate(
            as_user, "officer", catalogue["PUB-1/2027-2"], partner="Georgia", nationality="GEO"
        )
    nid = nominate(
        as_user, "officer", catalogue["NR-JPN/2027-1"], partner="Japan", nationality="JPN"
    )
    assert move(as_user, nid, S.ACCEPTED) is S.ACCEPTED


def test_partners_never_see_or_change_each_others_nominations(catalogue, as_user):
    korean = nominate(as_user, "korea", catalogue["PUB-1/2027-1"])
    japanese = nominate(as_user, "japan", catalogue["PUB-1/2027-1"])
    with as_user("japan", NominationService) as service:
        listed, total = service.find(EVERYTHING)
        assert [v.nomination.id for v in listed] == [japanese]
        assert total == 1
        with pytest.raises(NominationNotFound):
            service.get(korean)
        with pytest.raises(NominationNotFound):
            service.move(korean, S.WITHDRAWN)
    with as_user("officer", NominationService) as service:
        assert service.find(EVERYTHING)[1] == 2
    with pytest.raises(NotPermitted):
        move(as_user, japanese, S.ACCEPTED, username="japan")
    assert move(as_user, japanese, S.WITHDRAWN, username="japan") is S.WITHDRAWN


def test_the_state_machine_refuses_what_it_does_not_allow(catalogue, as_user):
    nid = nominate(as_user, "korea", catalogue["PUB-1/2027-1"])
    assert move(as_user, nid, S.DECLINED) is S.DECLINED
    with pytest.raises(BadTransition):
        move(as_user, nid, S.ACCEPTED)
    other = nominate(as_user, "korea", catalogue["PUB-1/2027-1"])
    with pytest.raises(BadTransition):
        move(as_user, other, S.ATTENDED)


def test_seats_run_out_into_the_wait_list_and_a_withdrawal_promotes_it_in_order(catalogue, as_user):
    session_id = catalogue["IP4-1/2027-1"]  # 2 seats
    ids = [
        nominate(as_user, user, session_id, name=f"P{k}")
        for k, user in enumerate(["korea", "japan", "korea", "australia"])
    ]
    states = [move(as_user, nid, S.ACCEPTED) for nid in ids]
    assert states == [S.ACCEPTED, S.ACCEPTED, S.WAIT_LISTED, S.WAIT_LISTED]
    assert move(as_user, ids[0], S.WITHDRAWN, username="korea") is S.WITHDRAWN
    with as_user("officer", NominationService) as service:
        now = {nid: service.get(nid).nomination for nid in ids}
    assert now[ids[2]].state is S.ACCEPTED
    assert now[ids[3]].state is S.WAIT_LISTED
    assert now[ids[3]].wait_position == 2


def test_a_partner_is_not_told_its_place_on_the_wait_list(catalogue, as_user):
    """The place counts other partners' nominations (an attack review): staff see it, the
    nominating partner sees only that it waits."""
    session_id = catalogue["IP4-1/2027-1"]  # 2 seats
    ids = [
        nominate(as_user, user, session_id, name=f"P{k}")
        for k, user in enumerate(["japan", "australia", "japan", "korea"])
    ]
    for nid in ids:
        move(as_user, nid, S.ACCEPTED)
    with as_user("officer", NominationService) as service:
        assert service.get(ids[3]).wait_position == 2
    with as_user("korea", NominationService) as service:
        mine = service.get(ids[3])
        assert mine.nomination.state is S.WAIT_LISTED
        assert mine.wait_position is None
        assert nomination_read(mine).wait_position is None


def test_concurrent_accepts_never_over_book_a_session(catalogue, as_user, engine):
    session_id = catalogue["PUB-1/2027-1"]  # 3 seats
    users = ["korea", "japan", "australia"] * 3
    ids = [nominate(as_user, user, session_id, name=f"P{k}") for k, user in enumerate(users)]

    def accept(nid):
        return lambda session: NominationService(session, principal(session, "officer")).move(
            nid, S.ACCEPTED
        )

    errors = all_at_once(engine, [accept(nid) for nid in ids])
    assert errors == []
    with unit_of_work(session_factory(engine)) as session:
        rows = list(session.scalars(select(Nomination).where(Nomination.session_id == session_id)))
    states = sorted(r.state.value for r in rows)
    assert states.count("accepted") == 3
    assert states.count("wait_listed") == 6
    assert sorted(r.wait_position for r in rows if r.wait_position) == [1, 2, 3, 4, 5, 6]
