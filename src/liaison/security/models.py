# SPDX-License-Identifier: Apache-2.0
"""Security tables: interned markings (and their release codes, caveats, communities), and
identity: organisations, users, communities, API tokens, login sessions, login failures.

Markings are immutable and deduplicated by their canonical key, so a marked record carries one
``marking_id`` and the policy's SQL face filters on a small table.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship, validates

from liaison.db.base import Base, IdMixin, TimestampMixin, UTCDateTime, link_table, str_enum
from liaison.kit.text import fold
from liaison.security.classification import Classification
from liaison.security.markings import LIST_SEP, Tlp


def framed(values: Iterable[str]) -> str:
    """``values`` as one text the policy searches for a framed value: ``"\x1fAUS\x1fJPN\x1f"``,
    ``""`` when there is none."""
    ordered = sorted(values)
    return LIST_SEP + LIST_SEP.join(ordered) + LIST_SEP if ordered else ""


class MarkingRow(Base):
    """One distinct marking. ``level_rank`` is the classification's rank (the SQL face compares
    ranks). ``release_list``, ``caveat_list`` and ``community_list`` repeat the child tables'
    values as framed text (``framed``), so the policy's SQL face is a condition on this table
    alone (migration 0010; docs/dev/security.md)."""

    __tablename__ = "marking"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(1000), unique=True)
    level: Mapped[Classification] = mapped_column(str_enum(Classification, "classification"))
    level_rank: Mapped[int] = mapped_column(Integer, index=True)
    tlp: Mapped[Tlp | None] = mapped_column(str_enum(Tlp, "tlp"))
    release_list: Mapped[str] = mapped_column(Text, default="", server_default="")
    caveat_list: Mapped[str] = mapped_column(Text, default="", server_default="")
    community_list: Mapped[str] = mapped_column(Text, default="", server_default="")


class Marked:
    """Mixin for every table whose rows carry information: one interned marking per row. Reads
    of such tables go through ``security.policy.readable``."""

    @declared_attr
    def marking_id(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy's declared_attr signature
        return mapped_column(ForeignKey("marking.id"), index=True)


class OwnerSide(enum.StrEnum):
    """The side a record belongs to (``security.writes.Owner``)."""

    ALLY = "ally"  # alliance material
    PARTNER = "partner"  # a partner organisation's own record


class Owned:
    """Mixin for records people of either side create: who owns the record, for the write
    policy (``security.writes``). ``owner_organisation_id`` is the creating user's organisation
    (none for the console); a partner's record is written only by its organisation, alliance
    material only by the alliance side (migration 0014)."""

    @declared_attr
    def owner_side(cls) -> Mapped[OwnerSide]:  # noqa: N805 - SQLAlchemy's declared_attr signature
        return mapped_column(
            str_enum(OwnerSide, "owner_side"), default=OwnerSide.ALLY, server_default="ally"
        )

    @declared_attr
    def owner_organisation_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("organisation.id"))


class MarkingRelease(Base):
    __tablename__ = "marking_release"

    marking_id: Mapped[int] = mapped_column(ForeignKey("marking.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)


class MarkingCaveat(Base):
    __tablename__ = "marking_caveat"

    marking_id: Mapped[int] = mapped_column(ForeignKey("marking.id"), primary_key=True)
    caveat: Mapped[str] = mapped_column(String(16), primary_key=True)


class MarkingCommunity(Base):
    __tablename__ = "marking_community"

    marking_id: Mapped[int] = mapped_column(ForeignKey("marking.id"), primary_key=True)
    community: Mapped[str] = mapped_column(String(64), primary_key=True)


class OrganisationKind(enum.StrEnum):
    ALLY_DELEGATION = "ally_delegation"
    PARTNER_MISSION = "partner_mission"
    NATO_INTERNATIONAL_STAFF = "nato_international_staff"
    NATO_MILITARY_STAFF = "nato_military_staff"
    LIAISON_OFFICE = "liaison_office"


class Organisation(IdMixin, TimestampMixin, Base):
    """Where a user works. A delegation or mission belongs to its nation; NATO staff and
    liaison offices are on the allies' side and name no nation."""

    __tablename__ = "organisation"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    # ``kit.text.fold(name)``: one name, however it is cased or composed (migration 0015)
    name_key: Mapped[str] = mapped_column(String(200), unique=True, index=True)
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "organisation_kind"))
    nation_iso3: Mapped[str | None] = mapped_column(ForeignKey("country.iso3"), index=True)

    @validates("name")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.name_key = fold(value)
        return value


user_community = link_table(
    "user_community", ("user_id", "app_user.id"), ("community_code", "community.code")
)


class Community(Base):
    """A need-to-know community (e.g. ``cyber``, ``ap4-maritime``)."""

    __tablename__ = "community"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "app_user"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    clearance: Mapped[Classification] = mapped_column(str_enum(Classification, "classification"))
    caveats: Mapped[list[str]] = mapped_column(JSON, default=list)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)
    communities: Mapped[list[Community]] = relationship(
        secondary=user_community, lazy="selectin", order_by=Community.code
    )


class ApiToken(IdMixin, Base):
    """A bearer token, stored as its SHA-256 only; shown once when created."""

    __tablename__ = "api_token"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class LoginSession(IdMixin, Base):
    """A browser session: the cookie holds a random token, the table its SHA-256."""

    __tablename__ = "login_session"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class LoginFailure(IdMixin, Base):
    """A failed login, counted for the rate limit (per username and per address)."""

    __tablename__ = "login_failure"

    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
