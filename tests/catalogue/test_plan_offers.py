# SPDX-License-Identifier: Apache-2.0
"""Publishing an approved plan on both databases: its planned seats become offers on the
nominations (``offered``), each partner sees and answers only its own (accept naming the person,
or decline: the wait list is promoted), a seat taken since the plan was made is not offered, and
offers never over-book a session, also while accepts race on other connections."""

from __future__ import annotations

import datetime as dt

import pytest
from catalogue_helpers import all_at_once, principal
from sqlalchemy import select
from test_nominations import nominate
from test_planner_run import (
    adopt,
    profiles,  # noqa: F401 - the fixture
    run,
)

from liaison.catalogue.errors import BadTransition, NominationNotFound
from liaison.catalogue.models import CatalogueSession, Nomination
from liaison.catalogue.nominations import NominationService
from liaison.catalogue.planning.service import PlanService
from liaison.catalogue.rules import HOLDS_SEAT, NominationState, PlanState
from liaison.catalogue.schemas import OfferAnswer
from liaison.db.session import session_factory, unit_of_work
from liaison.errors import InvalidInput
from liaison.kit.pagination import PageRequest

S = NominationState
pytestmark = pytest.mark.usefixtures("profiles")
EVERYTHING = PageRequest(limit=500)


def approved(engine, settings, as_user, time_limit=2.0):
    plan_id, _ = run(engine, time_limit=time_limit)
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    with as_user("officer", PlanService) as service:
        service.propose_approval(plan_id, deadline)
    adopt(engine, settings, deadline)
    return plan_id


def planned(as_user, plan_id):
    with as_user("officer", PlanService) as service:
        return {
            (s.id, a.partner_iso3): a.seats
            for a, s, _ in service.allocations(plan_id)
            if not a.fixed
        }


def held(engine):
    with unit_of_work(session_factory(engine)) as session:
        seats = dict(session.execute(select(CatalogueSession.id, CatalogueSession.seats)).all())
        rows = session.scalars(select(Nomination).where(Nomination.state.in_(HOLDS_SEAT)))
        count: dict[int, int] = {}
        for n in rows:
            count[n.session_id] = count.get(n.session_id, 0) + 1
    return seats, count


def offers_of(as_user, username):
    with as_user(username, NominationService) as service:
        views, _ = service.find(EVERYTHING, state=S.OFFERED)
        return {(v.session.id, v.nomination.partner_iso3): v.nomination.id for v in views}


def test_publishing_offers_every_planned_seat_to_its_partner_alone(engine, settings, as_user):
    plan_id = approved(engine, settings, as_user)
    seats = planned(as_user, plan_id)
    assert seats
    with as_user("officer", PlanService) as service:
        view, offered, missed = service.publish(plan_id)
    assert view.plan.state is PlanState.PUBLISHED
    assert (offered, missed) == (sum(seats.values()), [])
    assert set(offers_of(as_user, "officer")) == set(seats)
    for user, nation in (("korea", "KOR"), ("japan", "JPN"), ("australia", "AUS")):
        assert set(offers_of(as_user, user)) == {k for k in seats if k[1] == nation}
    with as_user("officer", PlanService) as service, pytest.raises(BadTransition) as caught:
        service.publish(plan_id)
    assert (
        str(caught.value) == f"plan {plan_id} is published; only an approved plan can be published"
    )
    total, count = held(engine)
    assert all(count[sid] <= total[sid] for sid in count)


def test_only_an_approved_plan_is_published(engine, as_user):
    plan_id, _ = run(engine, time_limit=1.0)
    with as_user("officer", PlanService) as service, pytest.raises(BadTransition) as caught:
        service.publish(plan_id)
    assert "only an approved plan can be published" in str(caught.value)
    assert offers_of(as_user, "officer") == {}


def test_a_partner_accepts_naming_its_person_or_declines_and_the_wait_list_moves(
    engine, settings, as_user, catalogue
):
    plan_id = approved(engine, settings, as_user)
    ip4 = catalogue["IP4-1/2027-1"]  # 2 seats: the plan gives them to Korea and Australia
    assert {p for (sid, p) in planned(as_user, plan_id) if sid == ip4} == {"KOR", "AUS"}
    with as_user("officer", PlanService) as service:
        service.publish(plan_id)
    waiting = nominate(as_user, "japan", ip4, name="Sato Hana")
    with as_user("officer", NominationService) as service:
        assert service.move(waiting, S.ACCEPTED).nomination.state is S.WAIT_LISTED
    korea = offers_of(as_user, "korea")[(ip4, "KOR")]
    australia = offers_of(as_user, "australia")[(ip4, "AUS")]
    # another partner's offer is not there for it
    with as_user("japan", NominationService) as service, pytest.raises(NominationNotFound) as c:
        service.answer(korea, OfferAnswer(accept=False))
    assert str(c.value) == f"no nomination {korea}"
    with as_user("korea", NominationService) as service:
        with pytest.raises(InvalidInput, match="name the person"):
            service.answer(korea, OfferAnswer(accept=True, nationality="KOR"))
        with pytest.raises(InvalidInput, match="nationality"):
            service.answer(korea, OfferAnswer(accept=True, person_name="X", nationality="JPN"))
        done = service.answer(
            korea, OfferAnswer(accept=True, person_name="Kim Min-jun", nationality="KOR")
        )
    assert (done.nomination.state, done.nomination.person_name) == (S.ACCEPTED, "Kim Min-jun")
    with as_user("korea", NominationService) as service, pytest.raises(BadTransition):
        service.answer(korea, OfferAnswer(accept=False))
    with as_user("officer", NominationService) as service, pytest.raises(BadTransition):
        service.move(australia, S.ACCEPTED)  # an offer is taken by answering it, with a name
    with as_user("australia", NominationService) as service:
        assert service.answer(australia, OfferAnswer(accept=False)).nomination.state is S.DECLINED
    with as_user("japan", NominationService) as service:
        assert service.get(waiting).nomination.state is S.ACCEPTED
    total, count = held(engine)
    assert count[ip4] == total[ip4] == 2


def test_a_seat_taken_since_the_plan_was_made_is_not_offered(engine, settings, as_user, catalogue):
    plan_id = approved(engine, settings, as_user)
    ip4 = catalogue["IP4-1/2027-1"]
    nid = nominate(as_user, "japan", ip4, name="Sato Hana")
    with as_user("officer", NominationService) as service:
        assert service.move(nid, S.ACCEPTED).nomination.state is S.ACCEPTED
    with as_user("officer", PlanService) as service:
        _, offered, missed = service.publish(plan_id)
    assert missed == [(ip4, "KOR", 1)]  # sessions in order, partners by code: AUS first
    assert offered == sum(planned(as_user, plan_id).values()) - 1
    total, count = held(engine)
    assert count[ip4] == total[ip4] == 2


def test_publishing_while_accepts_race_never_over_books(engine, settings, as_user, catalogue):
    plan_id = approved(engine, settings, as_user)
    ip4 = catalogue["IP4-1/2027-1"]
    ids = [nominate(as_user, "japan", ip4, name=f"P{k}") for k in range(3)]

    def accept(nid):
        return lambda session: NominationService(session, principal(session, "officer")).move(
            nid, S.ACCEPTED
        )

    def publish(session):
        PlanService(session, principal(session, "officer")).publish(plan_id)

    errors = all_at_once(engine, [*(accept(nid) for nid in ids), publish])
    assert errors == []
    total, count = held(engine)
    assert count[ip4] == total[ip4] == 2
    assert all(count[sid] <= total[sid] for sid in count)
