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

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.kit.clock import utcnow
from liaison.security.markings import Caveat
from liaison.security.models import ApiToken, LoginSession, OrganisationKind, User
from liaison.security.permissions import Permission, Role, permissions_of
from liaison.security.principal import AgreementSpan, Principal, Side

TOKEN_PREFIX = "lia_"  # noqa: S105 - a public prefix that makes leaked tokens greppable
READ_ONLY_SCOPE = "read"
WRITE_SCOPE = "write"
SCOPES = frozenset({READ_ONLY_SCOPE, WRITE_SCOPE})
_hasher = PasswordHasher()


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


def principal_for(
    session: Session, user: User, facts: NationFacts, *, scopes: frozenset[str] | None = None
) -> Principal:
    """The principal of an enabled ``user``; a read-only token keeps only read permissions."""
    org = user.organisation
    side = Side.PARTNER if org.kind is OrganisationKind.PARTNER_MISSION else Side.ALLY
    profile = facts(session, org.nation_iso3) if org.nation_iso3 else NationProfile()
    permissions = permissions_of({Role(r) for r in user.roles})
    if scopes is not None and WRITE_SCOPE not in scopes:
        permissions = read_permissions(permissions)
    return Principal(
        side=side,
        username=user.username,
        user_id=user.id,
        organisation_id=org.id,
        nation=org.nation_iso3,
        groups=profile.groups if side is Side.PARTNER else frozenset(),
        clearance=user.clearance,
        caveats=frozenset(Caveat(c) for c in user.caveats),
        communities=frozenset(c.code for c in user.communities),
        permissions=permissions,
        agreements=profile.agreements if side is Side.PARTNER else (),
        display_name=user.display_name,
        organisation=org.name,
    )


def read_permissions(permissions: frozenset[Permission]) -> frozenset[Permission]:
    """The permissions that only read (``...:read``): what a read-only token keeps."""
    return frozenset(p for p in permissions if p.value.endswith(":read"))


def user_for_token(session: Session, token: str) -> tuple[User, frozenset[str]] | None:
    """The enabled user behind an unexpired, unrevoked token, and the token's scopes."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    now = utcnow()
    if row is None or row.revoked or row.expires_at <= now or row.user.disabled:
        return None
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1):
        row.last_used_at = now
    return row.user, frozenset(row.scopes)


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
