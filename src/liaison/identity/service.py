# SPDX-License-Identifier: Apache-2.0
"""Identity use cases: organisations, communities, users, API tokens, login and logout.

Passwords are argon2-hashed; tokens and session cookies are random and stored as SHA-256
only. Failed logins are counted per address and per username. ``MAX_FAILURES`` from one
address in ``FAILURE_WINDOW`` refuse that address until the window passes; an account is
never locked, only slowed: past ``ACCOUNT_FREE_FAILURES`` failures in the window (from any
address), each attempt must wait ``account_delay`` since the last failure (doubling, at most
``ACCOUNT_DELAY_CAP``), so a guesser elsewhere cannot keep the owner out for 15 minutes.
``clear_failures`` (``liaison user unblock``) forgets them. Every write is audited.

Invariants:
- a failed login leaves its ``LoginFailure`` row and audit event in the session *and* raises
  ``BadCredentials``: the caller must catch it and let its unit of work commit, or the rate
  limit never counts the failure (the web view renders the form again and returns normally);
- an unknown, disabled or password-less user costs the same argon2 work as a wrong password,
  so timing does not tell which usernames exist;
- disabling a user or changing its password ends its login sessions; a disabled user's tokens
  stop working (``authn.user_for_token``) and work again when it is enabled.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from liaison.audit.recorder import Entry, record
from liaison.identity.choices import parse_communities
from liaison.identity.errors import (
    BadCredentials,
    DuplicateName,
    InvalidIdentity,
    TooManyAttempts,
    UnknownOrganisation,
    UnknownToken,
    UnknownUser,
    WeakPassword,
)
from liaison.identity.repository import IdentityRepository
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
from liaison.security.permissions import Permission, Role
from liaison.security.principal import ANONYMOUS, SYSTEM, Principal
from liaison.security.writes import ALLIANCE, guard_create

MIN_PASSWORD = 12
MAX_FAILURES = 5  # per address in FAILURE_WINDOW
FAILURE_WINDOW = dt.timedelta(minutes=15)
ACCOUNT_FREE_FAILURES = 10  # per username in FAILURE_WINDOW before attempts are slowed
ACCOUNT_DELAY_CAP = dt.timedelta(seconds=60)


def account_delay(failures: int) -> dt.timedelta:
    """How long after its last failure an account with ``failures`` takes another attempt."""
    if failures < ACCOUNT_FREE_FAILURES:
        return dt.timedelta(0)
    steps = min(failures - ACCOUNT_FREE_FAILURES, 16)
    return min(dt.timedelta(seconds=2**steps), ACCOUNT_DELAY_CAP)


SESSION_LIFETIME = dt.timedelta(hours=12)
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 366
NAME_LENGTH = 64  # usernames, and what a failed login records (the columns' length)
NATIONAL_KINDS = frozenset({OrganisationKind.ALLY_DELEGATION, OrganisationKind.PARTNER_MISSION})


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token as created: ``secret`` is shown once and never stored."""

    token: ApiToken
    secret: str


@dataclass(frozen=True, slots=True)
class IssuedSession:
    session: LoginSession
    cookie: str


# The usernames of the principals that are not users (the console, the anonymous reader): a
# user by that name could be taken for one of them (a job run "as system").
RESERVED_NAMES = frozenset({SYSTEM.username, ANONYMOUS.username})


class IdentityService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.repo = IdentityRepository(session)

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
        found = self.repo.organisation(name)
        if found is None:
            raise UnknownOrganisation(name)
        return found

    def organisations(self) -> list[Organisation]:
        return self.repo.organisations()

    def user_counts(self) -> dict[int, int]:
        """How many users each organisation has, by organisation id."""
        return self.repo.user_counts()

    def _may_manage(self) -> None:
        """Accounts, organisations and tokens are alliance material managed by administrators
        (``identity:user:manage``; the console holds it): ``security.writes``."""
        guard_create(self.principal, ALLIANCE, Permission.IDENTITY_USER_MANAGE, what="account")

    def create_organisation(
        self, name: str, kind: OrganisationKind, nation_iso3: str | None
    ) -> Organisation:
        self._may_manage()
        name = name.strip()
        if not 1 <= len(name) <= 200:  # noqa: PLR2004 - the column's length
            raise InvalidIdentity("an organisation's name has 1 to 200 characters", field="name")
        if self.repo.organisation_exists(name):
            raise DuplicateName(f"an organisation named {name!r} exists", field="name")
        nation_iso3 = self._check_nation(kind, nation_iso3)
        org = Organisation(name=name, kind=kind, nation_iso3=nation_iso3)
        self.session.add(org)
        self._audit(
            "organisation:create", "organisation", name, {"kind": kind.value, "nation": nation_iso3}
        )
        return org

    def _check_nation(self, kind: OrganisationKind, nation_iso3: str | None) -> str | None:
        """The nation an organisation of ``kind`` must (delegations, missions) or must not
        (NATO staff, liaison offices) name, as a known ISO alpha-3 code."""
        code = nation_iso3.strip().upper() if nation_iso3 else None
        if kind in NATIONAL_KINDS and not code:
            raise InvalidIdentity(f"a {kind.value} names its nation (--nation)", field="nation")
        if kind not in NATIONAL_KINDS and code:
            raise InvalidIdentity(f"a {kind.value} belongs to no nation", field="nation")
        if code and not self.repo.country_exists(code):
            raise InvalidIdentity(f"unknown country code {code!r} (ISO alpha-3)", field="nation")
        return code

    def community(self, code: str, name: str | None = None) -> Community:
        """The community ``code``, created on first use."""
        [key] = parse_communities([code])  # lower-case letters, digits and '-'
        found = self.repo.community(key)
        if found is None:
            found = Community(code=key, name=name or key)
            self.session.add(found)
            self._audit("community:create", "community", key)
        return found

    # users -----------------------------------------------------------------------------------
    def user(self, username: str) -> User:
        found = self.repo.user(username.strip().lower())
        if found is None:
            raise UnknownUser(username)
        return found

    def users(self) -> list[User]:
        return self.repo.users()

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
        self._may_manage()
        name = username.strip().lower()
        if not _valid_username(name):
            raise InvalidIdentity(
                f"a username has 1 to {NAME_LENGTH} letters, digits, '.', '-' and '_'",
                field="username",
            )
        if name in RESERVED_NAMES:
            raise InvalidIdentity(
                f"{name!r} names a principal of the system itself; choose another username",
                field="username",
            )
        if self.repo.username_taken(name):
            raise DuplicateName(f"a user named {name!r} exists", field="username")
        user = User(
            username=name,
            display_name=display_name.strip()[:200] or name,
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
        """Set a new password and end the user's login sessions (a changed password is often a
        suspected leak)."""
        self._may_manage()
        user = self.user(username)
        user.password_hash = self._password_hash(password)
        self.repo.end_sessions(user.id)
        self._audit("user:password", "user", user.username)

    def set_disabled(self, username: str, disabled: bool) -> User:
        self._may_manage()
        user = self.user(username)
        user.disabled = disabled
        if disabled:
            self.repo.end_sessions(user.id)
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
        self._may_manage()
        user = self.user(username)
        wanted = scopes or set(SCOPES)
        unknown = wanted - SCOPES
        if unknown:
            raise InvalidIdentity(
                f"unknown scope {', '.join(sorted(unknown))}; use read or write", field="scopes"
            )
        if not 1 <= days <= MAX_TOKEN_DAYS:
            raise InvalidIdentity(f"a token lives 1 to {MAX_TOKEN_DAYS} days", field="days")
        name = name.strip()
        if not 1 <= len(name) <= 100:  # noqa: PLR2004 - the column's length
            raise InvalidIdentity("a token's name has 1 to 100 characters", field="name")
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

    def tokens(self, username: str | None = None) -> list[ApiToken]:
        """The tokens of ``username``, or of every user."""
        return self.repo.tokens(self.user(username).id if username is not None else None)

    def revoke_token(self, token_id: int) -> ApiToken:
        self._may_manage()
        token = self.repo.token(token_id)
        if token is None:
            raise UnknownToken(token_id)
        token.revoked = True
        self._audit("token:revoke", "api_token", token_id, {"user": token.user.username})
        return token

    # login -----------------------------------------------------------------------------------
    def login(self, username: str, password: str, address: str) -> IssuedSession:
        """Check a password (rate-limited) and open a session; audit both outcomes.

        On ``BadCredentials`` the failure is recorded in the session: commit it (see the module
        docstring). ``TooManyAttempts`` records nothing.
        """
        name = username.strip().lower()[:NAME_LENGTH]
        address = address[:NAME_LENGTH]
        now = utcnow()
        self._check_rate(name, address, now)
        user = self.repo.user(name)
        # Always verify (an unknown user hashes anyway) so timing does not reveal who exists.
        verified = verify_password(user.password_hash if user else None, password)
        # Housekeeping writes come after the hash: a request takes SQLite's write lock at its
        # first write (db.engine.WRITE_ON_DEMAND), and argon2 must never run under it.
        self.repo.forget_failures_before(now - FAILURE_WINDOW)
        if user is None or user.disabled or not verified:
            self.session.add(LoginFailure(username=name, address=address, at=now))
            self._audit("login:fail", "user", name, {"address": address})
            raise BadCredentials("unknown user or wrong password")
        self.repo.end_sessions(user.id, expired_by=now)
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

    def _check_rate(self, name: str, address: str, now: dt.datetime) -> None:
        since = now - FAILURE_WINDOW
        if self.repo.failures_from(address, since) >= MAX_FAILURES:
            minutes = int(FAILURE_WINDOW.total_seconds() // 60)
            raise TooManyAttempts(
                f"too many failed logins from this address; wait {minutes} minutes and try again"
            )
        failures, last = self.repo.failures_of(name, since)
        delay = account_delay(failures)
        if last is not None and delay and now < _aware(last) + delay:
            wait = math.ceil((_aware(last) + delay - now).total_seconds())
            raise TooManyAttempts(
                f"too many failed logins for this account; wait {wait} seconds and try again"
            )

    def clear_failures(self, *, username: str | None = None, address: str | None = None) -> int:
        """Forget the failed logins of ``username`` and/or from ``address`` (an administrator's
        command); how many there were. Audited."""
        if username is None and address is None:
            raise InvalidIdentity("name a username or an address")
        cleared = self.repo.clear_failures(
            username=username.strip().lower() if username is not None else None,
            address=address.strip() if address is not None else None,
        )
        self._audit(
            "login:unblock",
            "user",
            username or "-",
            {"address": address, "failures": cleared},
        )
        return cleared

    def logout(self, cookie: str) -> None:
        self.repo.end_session(token_digest(cookie))
        self._audit("logout", "user", self.principal.username)


def _aware(at: dt.datetime) -> dt.datetime:
    """A stored time as UTC-aware (``func.max`` bypasses the column type on SQLite)."""
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def _valid_username(name: str) -> bool:
    plain = name.replace(".", "").replace("-", "").replace("_", "")
    return 0 < len(name) <= NAME_LENGTH and plain.isascii() and plain.isalnum()
