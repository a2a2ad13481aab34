# SPDX-License-Identifier: Apache-2.0
"""Identity queries: organisations, communities, users, API tokens, login sessions and failed
logins. Accounts are not marked records (the policy's principals are made from them), so
nothing here goes through ``readable``; the service decides who may manage them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import column, delete, func, select, table
from sqlalchemy.orm import Session

from liaison.kit.text import fold
from liaison.security.models import (
    ApiToken,
    Community,
    LoginFailure,
    LoginSession,
    Organisation,
    User,
)

# The registry's country table, which ``organisation.nation_iso3`` refers to. Identity sits
# beside the registry (import-linter), so it names the table rather than the model.
_country = table("country", column("iso3"))


class IdentityRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # organisations and communities ---------------------------------------------------------
    def organisation(self, name: str) -> Organisation | None:
        return self.session.scalar(select(Organisation).where(Organisation.name_key == fold(name)))

    def organisations(self) -> list[Organisation]:
        return list(self.session.scalars(select(Organisation).order_by(Organisation.name)))

    def organisation_exists(self, name: str) -> bool:
        stmt = select(Organisation.id).where(Organisation.name_key == fold(name))
        return self.session.scalar(stmt) is not None

    def user_counts(self) -> dict[int, int]:
        rows = self.session.execute(
            select(User.organisation_id, func.count()).group_by(User.organisation_id)
        )
        return {org_id: n for org_id, n in rows}  # noqa: C416 - rows are Row objects, not pairs

    def country_exists(self, iso3: str) -> bool:
        return (
            self.session.scalar(select(_country.c.iso3).where(_country.c.iso3 == iso3)) is not None
        )

    def community(self, code: str) -> Community | None:
        return self.session.get(Community, code)

    # users -----------------------------------------------------------------------------------
    def user(self, username: str) -> User | None:
        return self.session.scalar(select(User).where(User.username == username))

    def users(self) -> list[User]:
        return list(self.session.scalars(select(User).order_by(User.username)))

    def username_taken(self, username: str) -> bool:
        return self.session.scalar(select(User.id).where(User.username == username)) is not None

    # tokens and login sessions ---------------------------------------------------------------
    def tokens(self, user_id: int | None = None) -> list[ApiToken]:
        stmt = select(ApiToken).order_by(ApiToken.id)
        if user_id is not None:
            stmt = stmt.where(ApiToken.user_id == user_id)
        return list(self.session.scalars(stmt))

    def token(self, token_id: int) -> ApiToken | None:
        return self.session.get(ApiToken, token_id)

    def end_sessions(self, user_id: int, *, expired_by: dt.datetime | None = None) -> None:
        """Delete the user's login sessions (only those expired by ``expired_by`` if given)."""
        stmt = delete(LoginSession).where(LoginSession.user_id == user_id)
        if expired_by is not None:
            stmt = stmt.where(LoginSession.expires_at <= expired_by)
        self.session.execute(stmt)

    def end_session(self, cookie_digest: str) -> None:
        self.session.execute(delete(LoginSession).where(LoginSession.token_hash == cookie_digest))

    # failed logins ---------------------------------------------------------------------------
    def forget_failures_before(self, before: dt.datetime) -> None:
        self.session.execute(delete(LoginFailure).where(LoginFailure.at <= before))

    def failures_from(self, address: str, since: dt.datetime) -> int:
        stmt = (
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.at > since, LoginFailure.address == address)
        )
        return self.session.scalar(stmt) or 0

    def failures_of(self, username: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:
        """How many failed logins ``username`` had since ``since``, and the last one's time."""
        failures, last = self.session.execute(
            select(func.count(), func.max(LoginFailure.at)).where(
                LoginFailure.at > since, LoginFailure.username == username
            )
        ).one()
        return failures or 0, last

    def clear_failures(self, *, username: str | None, address: str | None) -> int:
        stmt = delete(LoginFailure)
        if username is not None:
            stmt = stmt.where(LoginFailure.username == username)
        if address is not None:
            stmt = stmt.where(LoginFailure.address == address)
        return int(self.session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]
