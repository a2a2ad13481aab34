# SPDX-License-Identifier: Apache-2.0
"""Authentication: passwords (argon2), API tokens and login sessions (stored as SHA-256 only),
and building the request's ``Principal`` from a user.

Nation facts — is the user's nation an ally today, which partner groups it belongs to, which
security agreements cover it — come from the registry through ``NationFacts``, wired by the
application (the security layer does not import features).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from liaison.kit.clock import utcnow
from liaison.security.classification import Classification
from liaison.security.markings import Caveat
from liaison.security.models import (
    ApiToken,
    LoginSession,
    Organisation,
    OrganisationKind,
    User,
    user_community,
)
from liaison.security.permissions import Permission, Role, permissions_of
from liaison.security.principal import AgreementSpan, Principal, Side

TOKEN_PREFIX = "lia_"  # noqa: S105 - a public prefix that makes leaked tokens greppable
READ_ONLY_SCOPE = "read"
WRITE_SCOPE = "write"
SCOPES = frozenset({READ_ONLY_SCOPE, WRITE_SCOPE})
_hasher = PasswordHasher()
_SEP = "\x1f"  # joins community codes inside one query (a code never holds a control char)


@dataclass(frozen=True, slots=True)
class NationProfile:
    """What the policy needs to know about a user's nation."""

    groups: frozenset[str] = field(default_factory=frozenset)
    agreements: tuple[AgreementSpan, ...] = ()


NationFacts = Callable[[Session, str], NationProfile]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    if not stored:
        # Spend the same time as a real check, so unknown users are not told apart by timing.
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Holder:
    """The account a principal is built from, as plain values (no ORM object)."""

    user_id: int
    username: str
    display_name: str
    clearance: Classification
    caveats: tuple[str, ...]
    roles: tuple[str, ...]
    organisation_id: int
    organisation: str
    kind: OrganisationKind
    nation_iso3: str | None
    communities: frozenset[str]

    @classmethod
    def of(cls, user: User) -> Holder:
        org = user.organisation
        return cls(
            user_id=user.id,
            username=user.username,
            display_name=user.display_name,
            clearance=user.clearance,
            caveats=tuple(user.caveats),
            roles=tuple(user.roles),
            organisation_id=org.id,
            organisation=org.name,
            kind=org.kind,
            nation_iso3=org.nation_iso3,
            communities=frozenset(c.code for c in user.communities),
        )


def principal_for(
    session: Session, user: User, facts: NationFacts, *, scopes: frozenset[str] | None = None
) -> Principal:
    """The principal of an enabled ``user``; a read-only token keeps only read permissions."""
    return principal_of(session, Holder.of(user), facts, scopes=scopes)


def principal_of(
    session: Session, holder: Holder, facts: NationFacts, *, scopes: frozenset[str] | None = None
) -> Principal:
    """The principal of an account; a read-only token keeps only read permissions."""
    side = Side.PARTNER if holder.kind is OrganisationKind.PARTNER_MISSION else Side.ALLY
    nation = holder.nation_iso3
    profile = facts(session, nation) if nation and side is Side.PARTNER else NationProfile()
    permissions = permissions_of({Role(r) for r in holder.roles})
    if scopes is not None and WRITE_SCOPE not in scopes:
        permissions = read_permissions(permissions)
    return Principal(
        side=side,
        username=holder.username,
        user_id=holder.user_id,
        organisation_id=holder.organisation_id,
        nation=nation,
        groups=profile.groups,
        clearance=holder.clearance,
        caveats=frozenset(Caveat(c) for c in holder.caveats),
        communities=holder.communities,
        permissions=permissions,
        agreements=profile.agreements,
        display_name=holder.display_name,
        organisation=holder.organisation,
    )


def read_permissions(permissions: frozenset[Permission]) -> frozenset[Permission]:
    """The permissions that only read (``...:read``): what a read-only token keeps."""
    return frozenset(p for p in permissions if p.value.endswith(":read"))


def _token_query() -> Any:  # noqa: ANN401
    t, u, o = ApiToken, User, Organisation
    return (
        select(
            t.id.label("token_id"),
            t.scopes,
            t.expires_at,
            t.revoked,
            t.last_used_at,
            u.id.label("user_id"),
            u.username,
            u.display_name,
            u.clearance,
            u.caveats,
            u.roles,
            u.disabled,
            o.id.label("organisation_id"),
            o.name,
            o.kind,
            o.nation_iso3,
            select(func.aggregate_strings(user_community.c.community_code, _SEP))
            .where(user_community.c.user_id == u.id)
            .scalar_subquery()
            .label("communities"),
        )
        .join(u, u.id == t.user_id)
        .join(o, o.id == u.organisation_id)
        .where(t.token_hash == bindparam("token_hash"))
    )


# Built once: every API request runs it, and a statement built anew costs more to build and to
# key for SQLAlchemy's compiled cache than the query takes in the database.
_TOKEN_QUERY = _token_query()


def user_for_token(session: Session, token: str) -> tuple[Holder, frozenset[str]] | None:
    """The enabled account behind an unexpired, unrevoked token, and the token's scopes.

    Every API request asks this: one query of plain columns (the account's communities
    folded in), and a write of ``last_used_at`` at most once a minute."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    # Core, through the session's connection: the ORM's execution path adds more than the
    # query costs in the database.
    connection = session.connection()
    row = connection.execute(_TOKEN_QUERY, {"token_hash": token_digest(token)}).one_or_none()
    now = utcnow()
    if row is None or row.revoked or row.expires_at <= now or row.disabled:
        return None
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1):
        session.execute(
            update(ApiToken).where(ApiToken.id == row.token_id).values(last_used_at=now)
        )
    holder = Holder(
        user_id=row.user_id,
        username=row.username,
        display_name=row.display_name,
        clearance=row.clearance,
        caveats=tuple(row.caveats or ()),
        roles=tuple(row.roles or ()),
        organisation_id=row.organisation_id,
        organisation=row.name,
        kind=row.kind,
        nation_iso3=row.nation_iso3,
        communities=frozenset(row.communities.split(_SEP)) if row.communities else frozenset(),
    )
    return holder, frozenset(row.scopes or ())


def session_for_cookie(session: Session, cookie: str) -> LoginSession | None:
    """The live login session behind a cookie value, if any."""
    row = session.scalar(
        select(LoginSession).where(LoginSession.token_hash == token_digest(cookie))
    )
    if row is None or row.expires_at <= utcnow() or row.user.disabled:
        return None
    return row


def has_permission(principal: Principal, permission: Permission) -> bool:
    return principal.can(permission)
