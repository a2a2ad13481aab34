# SPDX-License-Identifier: Apache-2.0
"""Identity use cases: organisations, communities, users, API tokens, login and logout.

Passwords are argon2-hashed; tokens and session cookies are random and stored as SHA-256
only. Failed logins are counted per username and per address: more than
``MAX_FAILURES`` in ``FAILURE_WINDOW`` refuses further attempts until the window passes.
Every write is audited.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from liaison.audit.recorder import Entry, record
from liaison.identity.errors import (
    BadCredentials,
    DuplicateName,
    TooManyAttempts,
    UnknownOrganisation,
    UnknownUser,
    WeakPassword,
)
from liaison.kit.clock import utcnow
from liaison.security.authn import (
    SCOPES,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)
from liaison.security.classification import Classification
from liaison.security.markings import Caveat
from liaison.security.models import (
    ApiToken,
    Community,
    LoginFailure,
    LoginSession,
    Organisation,
    OrganisationKind,
    User,
)
from liaison.security.permissions import Role
from liaison.security.principal import Principal

MIN_PASSWORD = 12
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=12)
DEFAULT_TOKEN_DAYS = 90


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token as created: ``secret`` is shown once and never stored."""

    token: ApiToken
    secret: str


@dataclass(frozen=True, slots=True)
class IssuedSession:
    session: LoginSession
    cookie: str


class IdentityService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _audit(
        self,
        action: str,
        object_type: str,
        object_id: object,
        after: dict[str, object] | None = None,
    ) -> None:
        self.session.flush()  # ids for new rows, and constraint errors before the audit row
        record(
            self.session,
            self.principal,
            [
                Entry(
                    action=f"identity:{action}",
                    object_type=object_type,
                    object_id=str(object_id),
                    after=after,
                )
            ],
        )

    # organisations and communities -------------------------------------------------------------
    def organisation(self, name: str) -> Organisation:
        found = self.session.scalar(
            select(Organisation).where(func.lower(Organisation.name) == name.strip().lower())
        )
        if found is None:
            raise UnknownOrganisation(name)
        return found

    def organisations(self) -> list[Organisation]:
        return list(self.session.scalars(select(Organisation).order_by(Organisation.name)))

    def create_organisation(
        self, name: str, kind: OrganisationKind, nation_iso3: str | None
    ) -> Organisation:
        if (
            self.session.scalar(
                select(Organisation.id).where(func.lower(Organisation.name) == name.strip().lower())
            )
            is not None
        ):
            raise DuplicateName(f"an organisation named {name!r} exists", field="name")
        org = Organisation(name=name.strip(), kind=kind, nation_iso3=nation_iso3)
        self.session.add(org)
        self._audit(
            "organisation:create", "organisation", name, {"kind": kind.value, "nation": nation_iso3}
        )
        return org

    def community(self, code: str, name: str | None = None) -> Community:
        """The community ``code``, created on first use."""
        key = code.strip().lower()
        found = self.session.get(Community, key)
        if found is None:
            found = Community(code=key, name=name or key)
            self.session.add(found)
            self._audit("community:create", "community", key)
        return found

    # users -----------------------------------------------------------------------------------
    def user(self, username: str) -> User:
        found = self.session.scalar(select(User).where(User.username == username.strip().lower()))
        if found is None:
            raise UnknownUser(username)
        return found

    def users(self) -> list[User]:
        return list(self.session.scalars(select(User).order_by(User.username)))

    def create_user(
        self,
        username: str,
        *,
        display_name: str,
        organisation: Organisation,
        clearance: Classification,
        roles: set[Role],
        password: str | None = None,
        caveats: set[Caveat] | None = None,
        communities: set[str] | None = None,
    ) -> User:
        name = username.strip().lower()
        if not name or not name.replace(".", "").replace("-", "").replace("_", "").isalnum():
            raise WeakPassword(
                "a username uses letters, digits, '.', '-' and '_'", field="username"
            )
        if self.session.scalar(select(User.id).where(User.username == name)) is not None:
            raise DuplicateName(f"a user named {name!r} exists", field="username")
        user = User(
            username=name,
            display_name=display_name,
            organisation_id=organisation.id,
            clearance=clearance,
            roles=sorted(r.value for r in roles),
            caveats=sorted(c.value for c in caveats or set()),
            password_hash=self._password_hash(password) if password else None,
            communities=[self.community(c) for c in sorted(communities or set())],
        )
        user.organisation = organisation
        self.session.add(user)
        self._audit(
            "user:create",
            "user",
            name,
            {
                "organisation": organisation.name,
                "clearance": clearance.value,
                "roles": user.roles,
                "caveats": user.caveats,
                "communities": [c.code for c in user.communities],
            },
        )
        return user

    @staticmethod
    def _password_hash(password: str) -> str:
        if len(password) < MIN_PASSWORD:
            raise WeakPassword(
                f"a password needs at least {MIN_PASSWORD} characters", field="password"
            )
        return hash_password(password)

    def set_password(self, username: str, password: str) -> None:
        user = self.user(username)
        user.password_hash = self._password_hash(password)
        self._audit("user:password", "user", user.username)

    def set_disabled(self, username: str, disabled: bool) -> User:
        user = self.user(username)
        user.disabled = disabled
        if disabled:
            self.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
        self._audit("user:disable" if disabled else "user:enable", "user", user.username)
        return user

    # tokens ----------------------------------------------------------------------------------
    def create_token(
        self,
        username: str,
        name: str,
        *,
        scopes: set[str] | None = None,
        days: int = DEFAULT_TOKEN_DAYS,
    ) -> IssuedToken:
        user = self.user(username)
        wanted = scopes or {"read", "write"}
        unknown = wanted - SCOPES
        if unknown:
            raise WeakPassword(
                f"unknown scope {', '.join(sorted(unknown))}; use read or write", field="scopes"
            )
        if not 1 <= days <= 366:  # noqa: PLR2004 - at most a year
            raise WeakPassword("a token lives 1 to 366 days", field="days")
        secret = new_token()
        now = utcnow()
        token = ApiToken(
            user_id=user.id,
            name=name,
            token_hash=token_digest(secret),
            prefix=secret[:10],
            scopes=sorted(wanted),
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        token.user = user
        self.session.add(token)
        self._audit(
            "token:create",
            "api_token",
            f"{user.username}/{name}",
            {"scopes": token.scopes, "expires_at": token.expires_at.isoformat()},
        )
        return IssuedToken(token, secret)

    def tokens(self, username: str) -> list[ApiToken]:
        user = self.user(username)
        return list(
            self.session.scalars(
                select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
            )
        )

    def revoke_token(self, token_id: int) -> None:
        token = self.session.get(ApiToken, token_id)
        if token is None:
            raise UnknownUser(f"token {token_id}")
        token.revoked = True
        self._audit("token:revoke", "api_token", token_id)

    # login -----------------------------------------------------------------------------------
    def login(self, username: str, password: str, address: str) -> IssuedSession:
        """Check a password (rate-limited) and open a session; audit both outcomes."""
        name = username.strip().lower()
        now = utcnow()
        since = now - FAILURE_WINDOW
        failures = self.session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(
                LoginFailure.at > since,
                or_(LoginFailure.username == name, LoginFailure.address == address),
            )
        )
        if (failures or 0) >= MAX_FAILURES:
            raise TooManyAttempts("too many failed logins; wait 15 minutes and try again")
        user = self.session.scalar(select(User).where(User.username == name))
        if (
            user is None
            or user.disabled
            or not verify_password(user.password_hash if user else None, password)
        ):
            self.session.add(LoginFailure(username=name, address=address, at=now))
            self._audit("login:fail", "user", name, {"address": address})
            raise BadCredentials("unknown user or wrong password")
        cookie = secrets.token_urlsafe(32)
        login = LoginSession(
            user_id=user.id,
            token_hash=token_digest(cookie),
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
        login.user = user
        user.last_login_at = now
        self.session.add(login)
        self._audit("login:success", "user", name, {"address": address})
        return IssuedSession(login, cookie)

    def logout(self, cookie: str) -> None:
        self.session.execute(
            delete(LoginSession).where(LoginSession.token_hash == token_digest(cookie))
        )
        self._audit("logout", "user", self.principal.username)
