# SPDX-License-Identifier: Apache-2.0
"""API shapes of identity. Nothing here carries a password hash, a token hash or a CSRF token."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from liaison.security.classification import Classification
from liaison.security.markings import Caveat
from liaison.security.permissions import Permission
from liaison.security.principal import Principal, Side


class MeRead(BaseModel):
    """Who the API takes the caller to be, with what the access policy will apply."""

    username: str
    display_name: str
    side: Side
    nation: str | None = Field(description="ISO 3166 alpha-3; none for NATO staff.")
    organisation: str | None
    clearance: Classification
    caveats: list[Caveat]
    communities: list[str] = Field(description="Need-to-know communities.")
    groups: list[str] = Field(
        description="A partner's frameworks (release codes besides its nation)."
    )
    permissions: list[Permission]
    agreement_ceiling: Classification | None = Field(
        description="For a partner: the highest level of its security agreements in force "
        "today (none without one). Always none for allies."
    )

    @classmethod
    def of(cls, principal: Principal) -> MeRead:
        partner = principal.side is Side.PARTNER
        return cls(
            username=principal.username,
            display_name=principal.display_name or principal.username,
            side=principal.side,
            nation=principal.nation,
            organisation=principal.organisation,
            clearance=principal.clearance,
            caveats=sorted(principal.caveats),
            communities=sorted(principal.communities),
            groups=sorted(principal.groups),
            permissions=sorted(principal.permissions),
            agreement_ceiling=principal.ceiling_on() if partner else None,
        )


class UserRead(BaseModel):
    """A user account as ``liaison user list --format json`` shows it: never a password hash
    (only whether one is set)."""

    username: str
    display_name: str
    organisation: str
    clearance: Classification
    caveats: list[str]
    roles: list[str]
    communities: list[str]
    password_set: bool
    disabled: bool
    last_login_at: dt.datetime | None


class TokenRead(BaseModel):
    """An API token as ``liaison token list --format json`` shows it: its prefix, never its
    secret or hash."""

    id: int
    username: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    state: str = Field(description="active, expired or revoked")


class OrganisationRead(BaseModel):
    name: str
    kind: str
    nation: str | None = Field(description="ISO 3166 alpha-3; none for NATO bodies.")
    users: int
