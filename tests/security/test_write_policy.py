"""The write policy (``liaison.security.writes``) on its own, and the owners migration 0014
back-fills."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from leak_probes import principal_of
from liaison.db.session import session_factory, unit_of_work
from liaison.errors import NotFound
from liaison.identity.service import IdentityService
from liaison.security.authn import read_permissions
from liaison.security.classification import Classification
from liaison.security.markings import parse_marking
from liaison.security.models import User
from liaison.security.permissions import Permission, Role, permissions_of
from liaison.security.principal import ANONYMOUS, SYSTEM, AgreementSpan, Principal, Side
from liaison.security.writes import (
    ALLIANCE,
    Owner,
    Refusal,
    WriteRefused,
    can_write,
    guard_write,
    owner_for,
    write_refusal,
)

WRITE = Permission.DOCUMENTS_DOCUMENT_WRITE
JAPAN_ORG, KOREA_ORG, NATO_IS = 7, 8, 1


def partner(nation: str, organisation_id: int, *, agreement: bool) -> Principal:
    spans = (
        (AgreementSpan(dt.date(2010, 1, 1), None, Classification.NATO_SECRET),) if agreement else ()
    )
    return Principal(
        side=Side.PARTNER,
        username=nation.lower(),
        organisation_id=organisation_id,
        nation=nation,
        groups=frozenset({"IP4"}),
        clearance=Classification.NATO_SECRET,
        permissions=permissions_of({Role.MEMBER}),
        agreements=spans,
    )


JAPAN = partner("JPN", JAPAN_ORG, agreement=True)
KOREA = partner("KOR", KOREA_ORG, agreement=False)
OFFICER = Principal(
    side=Side.ALLY,
    username="officer",
    organisation_id=NATO_IS,
    clearance=Classification.NATO_SECRET,
    permissions=permissions_of({Role.OFFICER}),
)
ANALYST = Principal(
    side=Side.ALLY,
    username="analyst",
    organisation_id=2,
    clearance=Classification.NATO_RESTRICTED,
    permissions=permissions_of({Role.READER}),
)
ADMIN = Principal(
    side=Side.ALLY,
    username="admin",
    organisation_id=NATO_IS,
    clearance=Classification.COSMIC_TOP_SECRET,
    permissions=permissions_of({Role.ADMIN}),
)
CODES = {"jpn": "JPN", "kor": "KOR", "ip4": "IP4"}


def M(text: str):  # noqa: N802 - a marking, as the tables write it
    return parse_marking(text, lambda name: CODES.get(name.strip().lower()))


JAPANS = Owner(Side.PARTNER, JAPAN_ORG)
KOREAS = Owner(Side.PARTNER, KOREA_ORG)

# (principal, owner, marking) → the refusal, worked out from DESIGN.md by hand.
CASES = [
    # The three: Korea on alliance material released to it (or public).
    (KOREA, ALLIANCE, "PUBLIC", Refusal.NOT_OWNER),
    (KOREA, ALLIANCE, "NU // REL IP4", Refusal.NOT_OWNER),
    (KOREA, ALLIANCE, "NU // REL KOR", Refusal.NOT_OWNER),
    (KOREA, ALLIANCE, "NR // REL KOR", Refusal.HIDDEN),  # no agreement: NU at most
    (KOREA, JAPANS, "NU // REL IP4", Refusal.NOT_OWNER),  # another partner's
    (KOREA, KOREAS, "NU // REL IP4", None),
    (KOREA, Owner(Side.PARTNER, None), "NU // REL IP4", Refusal.NOT_OWNER),
    (JAPAN, JAPANS, "NS // REL JPN", None),
    (JAPAN, JAPANS, "NR", Refusal.HIDDEN),  # its own record, re-marked NATO-only by an ally
    (JAPAN, ALLIANCE, "NR // REL JPN", Refusal.NOT_OWNER),
    (OFFICER, ALLIANCE, "NS", None),
    (OFFICER, Owner(Side.ALLY, 5), "NR", None),  # the alliance side, any of its organisations
    (OFFICER, ALLIANCE, "CTS", Refusal.HIDDEN),
    (OFFICER, JAPANS, "NR // REL JPN", Refusal.NOT_OWNER),  # a partner's own upload
    (ANALYST, ALLIANCE, "NR", Refusal.PERMISSION),
    (ANALYST, ALLIANCE, "NS", Refusal.HIDDEN),
    (ADMIN, JAPANS, "NR // REL JPN", None),
    (ADMIN, ALLIANCE, "CTS", None),
    (SYSTEM, KOREAS, "NU // REL KOR", None),
    (ANONYMOUS, ALLIANCE, "PUBLIC", Refusal.PERMISSION),
    (ANONYMOUS, ALLIANCE, "NU", Refusal.HIDDEN),
]


@pytest.mark.parametrize(("principal", "owner", "marking", "refusal"), CASES)
def test_write_refusal(principal, owner, marking, refusal):
    assert write_refusal(principal, owner, M(marking), WRITE) is refusal
    assert can_write(principal, owner, M(marking), WRITE) is (refusal is None)


def test_a_read_only_token_drops_the_administer_right():
    assert Permission.SECURITY_RECORD_ADMINISTER not in read_permissions(ADMIN.permissions)
    assert Permission.SECURITY_RECORD_ADMINISTER not in OFFICER.permissions


def test_the_guard_answers_hidden_as_missing_and_says_nothing_of_the_owner():
    with pytest.raises(NotFound, match="no such thing 9"):
        guard_write(
            KOREA, ALLIANCE, M("NR"), WRITE, hidden=lambda: NotFound("no such thing 9"), what="x"
        )
    with pytest.raises(WriteRefused) as refused:
        guard_write(
            KOREA, JAPANS, M("NU // REL IP4"), WRITE, hidden=lambda: NotFound("n"), what="document"
        )
    assert refused.value.status_code == 403
    assert "Japan" not in refused.value.message
    assert "JPN" not in refused.value.message
    with pytest.raises(WriteRefused, match="documents:document:write"):
        guard_write(ANALYST, ALLIANCE, M("NU"), WRITE, hidden=lambda: NotFound("n"), what="x")


def test_owner_of_a_new_record():
    assert owner_for(KOREA) == KOREAS
    assert owner_for(OFFICER) == Owner(Side.ALLY, NATO_IS)
    assert owner_for(SYSTEM) == ALLIANCE
    with pytest.raises(ValueError, match="ally or the partner"):
        Owner(Side.ANONYMOUS)


def test_accounts_are_managed_by_administrators_only(engine):
    """Identity writes (organisations, users, passwords, tokens) need identity:user:manage:
    the console and admin hold it; an officer does not."""
    officer, admin = principal_of(engine, "officer"), principal_of(engine, "admin")
    with unit_of_work(session_factory(engine)) as session:
        refused = IdentityService(session, officer)
        with pytest.raises(WriteRefused, match="identity:user:manage"):
            refused.set_disabled("japan", True)
        with pytest.raises(WriteRefused, match="identity:user:manage"):
            refused.create_token("japan", "stolen")
        assert session.scalar(select(User.disabled).where(User.username == "japan")) is False
        IdentityService(session, admin).set_disabled("korea", True)
        assert session.scalar(select(User.disabled).where(User.username == "korea")) is True
