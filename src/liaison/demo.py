# SPDX-License-Identifier: Apache-2.0
"""Demo accounts for ``liaison init --demo`` (never created otherwise).

Each account answers one of the questions the access policy must get right: an ally's
national at NATO SECRET and one at NATO RESTRICTED, Japan's mission (under its 2010 security
agreement), Korea's mission (no agreement), and a member and a non-member of a need-to-know
community.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from liaison.identity.service import IdentityService
from liaison.security.classification import Classification
from liaison.security.models import OrganisationKind
from liaison.security.permissions import Role
from liaison.security.principal import SYSTEM

C = Classification
DEMO_PASSWORD = "liaison-demo-2026"  # noqa: S105 - printed by `init --demo`, demo only


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    display_name: str
    organisation: str
    clearance: Classification
    roles: frozenset[Role]
    communities: frozenset[str] = frozenset()
    describe: str = ""


ORGANISATIONS = [
    ("NATO International Staff", OrganisationKind.NATO_INTERNATIONAL_STAFF, None),
    ("Delegation of Italy to NATO", OrganisationKind.ALLY_DELEGATION, "ITA"),
    ("Mission of Japan to NATO", OrganisationKind.PARTNER_MISSION, "JPN"),
    ("Mission of the Republic of Korea to NATO", OrganisationKind.PARTNER_MISSION, "KOR"),
    ("Mission of Australia to NATO", OrganisationKind.PARTNER_MISSION, "AUS"),
]

ACCOUNTS = [
    DemoAccount(
        "admin",
        "Administrator",
        "NATO International Staff",
        C.COSMIC_TOP_SECRET,
        frozenset({Role.ADMIN}),
        describe="administrator (NATO IS, CTS)",
    ),
    DemoAccount(
        "officer",
        "Liaison officer",
        "NATO International Staff",
        C.NATO_SECRET,
        frozenset({Role.OFFICER}),
        frozenset({"cyber"}),
        describe="liaison officer (ally side, NATO SECRET, cyber community)",
    ),
    DemoAccount(
        "analyst",
        "Italian analyst",
        "Delegation of Italy to NATO",
        C.NATO_RESTRICTED,
        frozenset({Role.READER}),
        describe="ally national cleared NATO RESTRICTED, no community",
    ),
    DemoAccount(
        "japan",
        "Japan mission officer",
        "Mission of Japan to NATO",
        C.NATO_SECRET,
        frozenset({Role.MEMBER}),
        describe="Japan's mission (agreement in force 2010)",
    ),
    DemoAccount(
        "korea",
        "Korea mission officer",
        "Mission of the Republic of Korea to NATO",
        C.NATO_SECRET,
        frozenset({Role.MEMBER}),
        describe="Korea's mission (no security agreement)",
    ),
    DemoAccount(
        "australia",
        "Australia mission officer",
        "Mission of Australia to NATO",
        C.NATO_SECRET,
        frozenset({Role.MEMBER}),
        frozenset({"cyber"}),
        describe="Australia's mission (agreement in force 2005), cyber community",
    ),
]


def create_demo_accounts(session: Session) -> list[DemoAccount]:
    """Create the demo organisations and users (idempotent); return the accounts."""
    identity = IdentityService(session, SYSTEM)
    existing_orgs = {o.name for o in identity.organisations()}
    for name, kind, nation in ORGANISATIONS:
        if name not in existing_orgs:
            identity.create_organisation(name, kind, nation)
    existing_users = {u.username for u in identity.users()}
    for account in ACCOUNTS:
        if account.username in existing_users:
            continue
        identity.create_user(
            account.username,
            display_name=account.display_name,
            organisation=identity.organisation(account.organisation),
            clearance=account.clearance,
            roles=set(account.roles),
            password=DEMO_PASSWORD,
            communities=set(account.communities),
        )
    return ACCOUNTS
