# SPDX-License-Identifier: Apache-2.0
"""Demo accounts for ``liaison init --demo`` (never created otherwise).

Each account answers one of the questions the access policy must get right: an ally's
national at NATO SECRET and one at NATO RESTRICTED, Japan's mission (under its 2010 security
agreement), Korea's mission (no agreement), and a member and a non-member of a need-to-know
community.

The demo documents are notes across levels and releasabilities, so each account sees a
different library: anonymous 2, Korea 4, Japan 5, Australia 6, the analyst 9, the officer 12
(all but the ATOMAL record, which needs a caveat access nobody in the demo holds).

Both are data (``data/demo.json``), as the registry's and the programmes' demo records are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

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

DATA = resources.files("liaison") / "data" / "demo.json"
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


@dataclass(frozen=True, slots=True)
class DemoDocument:
    title: str
    marking: str
    body: str


@dataclass(frozen=True, slots=True)
class DemoData:
    organisations: tuple[tuple[str, OrganisationKind, str | None], ...]
    accounts: tuple[DemoAccount, ...]
    documents: tuple[DemoDocument, ...]


@cache
def demo_data() -> DemoData:
    """The demo's organisations, accounts and documents (``data/demo.json``), read once."""
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return DemoData(
        tuple((o["name"], OrganisationKind(o["kind"]), o["nation"]) for o in raw["organisations"]),
        tuple(
            DemoAccount(
                **{
                    **a,
                    "clearance": Classification(a["clearance"]),
                    "roles": frozenset(Role(r) for r in a["roles"]),
                    "communities": frozenset(a["communities"]),
                }
            )
            for a in raw["accounts"]
        ),
        tuple(DemoDocument(**d) for d in raw["documents"]),
    )


def create_demo_accounts(session: Session) -> list[DemoAccount]:
    """Create the demo organisations and users (idempotent); return the accounts."""
    identity = IdentityService(session, SYSTEM)
    data = demo_data()
    existing_orgs = {o.name for o in identity.organisations()}
    for name, kind, nation in data.organisations:
        if name not in existing_orgs:
            identity.create_organisation(name, kind, nation)
    existing_users = {u.username for u in identity.users()}
    for account in data.accounts:
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
    return list(data.accounts)


def create_demo_documents(session: Session) -> list[DemoDocument]:
    """Create the demo notes (idempotent by title), each under its marking; return them."""
    service = DocumentService(session, SYSTEM)
    existing = set(session.scalars(select(Document.title)).all())
    documents = demo_data().documents
    for item in documents:
        if item.title not in existing:
            service.add_note(NoteCreate(title=item.title, body=item.body, marking=item.marking))
    return list(documents)


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
    names = {account.username for account in demo_data().accounts}
    demo = [
        u.username
        for u in users
        if u.username in names and verify_password(u.password_hash, DEMO_PASSWORD)
    ]
    if not demo:
        return []
    return [f"Demo accounts (password {DEMO_PASSWORD}): {', '.join(demo)}"]
