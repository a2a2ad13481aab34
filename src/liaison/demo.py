# SPDX-License-Identifier: Apache-2.0
"""Demo accounts for ``liaison init --demo`` (never created otherwise).

Each account answers one of the questions the access policy must get right: an ally's
national at NATO SECRET and one at NATO RESTRICTED, Japan's mission (under its 2010 security
agreement), Korea's mission (no agreement), and a member and a non-member of a need-to-know
community.

The demo documents are notes across levels and releasabilities, so each account sees a
different library: anonymous 2, Korea 4, Japan 5, Australia 6, the analyst 9, the officer 12
(all but the ATOMAL record, which needs a caveat access nobody in the demo holds).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.decisions.demo import DemoReport, create_demo_decisions
from liaison.documents.models import Document
from liaison.documents.schemas import NoteCreate
from liaison.documents.service import DocumentService
from liaison.identity.service import IdentityService
from liaison.programmes.demo import create_demo_programmes
from liaison.security.authn import verify_password
from liaison.security.classification import Classification
from liaison.security.models import OrganisationKind
from liaison.security.permissions import Role
from liaison.security.principal import SYSTEM

C = Classification
__all__ = [
    "DEMO_PASSWORD",
    "create_demo_accounts",
    "create_demo_documents",
    "create_demo_programmes",
]
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


# demo documents ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DemoDocument:
    title: str
    marking: str
    body: str


DOCUMENTS = [
    DemoDocument(
        "Press summary: Japan and NATO sign the ITPP (12 July 2023)",
        "PUBLIC",
        "On 12 July 2023, at the Vilnius Summit, the NATO Secretary General and the Prime "
        "Minister of Japan agreed the Individually Tailored Partnership Programme (ITPP) for "
        "2023-2026. The programme covers cyber defence, maritime security, technology, "
        "space, strategic communications and countering disinformation. This partnership "
        "summary is drawn from the public statements of both sides.",
    ),
    DemoDocument(
        "Partnership glossary",
        "PUBLIC",
        "IPCP: Individual Partnership and Cooperation Programme. ITPP: Individually Tailored "
        "Partnership Programme. IP4: the Indo-Pacific partners Australia, Japan, New Zealand "
        "and the Republic of Korea. A reference for partnership staff.",
    ),
    DemoDocument(
        "AP4 consultation agenda",
        "NATO UNCLASSIFIED Releasable to IP4",
        "1. Opening remarks. 2. Regional security outlook. 3. Cyber defence and hybrid "
        "threats. 4. Maritime domain awareness. 5. Next partnership meeting and any other "
        "business.",
    ),
    DemoDocument(
        "Korea: ITPP implementation note",
        "NU // REL KOR",
        "Short note on the implementation of the Republic of Korea's ITPP: staff exchanges "
        "planned, cyber training seats offered, partnership review due next spring.",
    ),
    DemoDocument(
        "Australia: Enhanced Opportunities Partner review agenda",
        "NU // REL AUS",
        "Agenda for the annual Enhanced Opportunities Partner review with Australia: "
        "interoperability, exercises, and the partnership road map.",
    ),
    DemoDocument(
        "Japan staff talks: minutes",
        "NR // REL JPN",
        "Minutes of the staff talks with the Mission of Japan. The sides reviewed the ITPP "
        "partnership goals on cyber defence and maritime security and agreed to hold the "
        "next round in Tokyo.",
    ),
    DemoDocument(
        "Cyber exercise observer note (Australia, Japan)",
        "NR // REL AUS, JPN",
        "Observers from Australia and Japan followed the cyber coalition exercise. The note "
        "records the partnership arrangements for observers and lessons for next year.",
    ),
    DemoDocument(
        "Allied positions on partner cooperation: draft summary",
        "NR",
        "Draft summary of Allied positions on deepening partnership cooperation with the "
        "Indo-Pacific partners, for the Political and Partnerships Committee.",
    ),
    DemoDocument(
        "Office administration: visitor procedures",
        "NU",
        "Visitor procedures for the partnership office: escort rules, badges, and the "
        "meeting rooms that may host partner delegations.",
    ),
    DemoDocument(
        "Assessment: a NATO liaison office in Tokyo",
        "NC",
        "Assessment of the proposal to open a NATO liaison office in Tokyo: Allied views "
        "differ; the partnership value is weighed against the political cost. NATO only.",
    ),
    DemoDocument(
        "Cyber threat brief: Indo-Pacific",
        "NS // NTK cyber",
        "Threat brief for the cyber community: campaigns against partnership networks in "
        "the region, indicators shared through the sharing hub.",
    ),
    DemoDocument(
        "Australia cyber cooperation: points of contact",
        "NR // REL AUS // NTK cyber",
        "Points of contact for cyber cooperation with Australia, for the cyber community "
        "only. Partnership channels and duty hours.",
    ),
    DemoDocument(
        "ATOMAL handling: test record",
        "NATO SECRET ATOMAL",
        "A stub record that tests the ATOMAL caveat; it holds no ATOMAL information. "
        "Partnership staff without ATOMAL access never see it.",
    ),
]


def create_demo_documents(session: Session) -> list[DemoDocument]:
    """Create the demo notes (idempotent by title), each under its marking; return them."""
    service = DocumentService(session, SYSTEM)
    existing = set(session.scalars(select(Document.title)).all())
    for item in DOCUMENTS:
        if item.title not in existing:
            service.add_note(NoteCreate(title=item.title, body=item.body, marking=item.marking))
    return DOCUMENTS


def create_demo_records(session: Session) -> DemoReport:
    """The demo decisions and the delegation accounts that take positions on them."""
    return create_demo_decisions(session)


def login_notice(session: Session) -> list[str]:
    """What ``liaison serve`` tells whoever starts it about logging in: that nobody can (no
    account yet, and how to make one), or which demo accounts still take the demo password."""
    users = [u for u in IdentityService(session, SYSTEM).users() if not u.disabled]
    if not users:
        return [
            (
                "No accounts yet: nobody can log in. Load the demo data and its accounts with "
                "`liaison init --demo`, or create an administrator with `liaison org add` and "
                "`liaison user add NAME --org ORG --clearance CTS --role admin`."
            )
        ]
    names = {account.username for account in ACCOUNTS}
    demo = [
        u.username
        for u in users
        if u.username in names and verify_password(u.password_hash, DEMO_PASSWORD)
    ]
    if not demo:
        return []
    return [f"Demo accounts (password {DEMO_PASSWORD}): {', '.join(demo)}"]
