# SPDX-License-Identifier: Apache-2.0
"""``--as USER`` for commands that read or write as a person: one unit of work with that
user's principal (clearance, nation, communities, delegation). An unknown or disabled user is
a one-line error, as every expected error in the CLI is.

A layer of its own (pyproject's import contract): above registry and identity, which it uses,
and below every feature whose CLI acts as a user."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

import typer
from sqlalchemy.orm import Session

from liaison.errors import InvalidInput
from liaison.identity.service import IdentityService
from liaison.kit.context import request_id
from liaison.registry.service import nation_profile
from liaison.security.authn import principal_for
from liaison.security.principal import SYSTEM, Principal
from liaison.terminal.context import command_session
from liaison.terminal.output import LimitOption, OffsetOption

AsUser = Annotated[
    str,
    typer.Option(
        "--as", metavar="USERNAME", help="Act as this user: their clearance, nation, communities."
    ),
]


__all__ = ["AsUser", "LimitOption", "OffsetOption", "acting_as", "principal_named", "serving"]

S = TypeVar("S")


@contextmanager
def serving(username: str, factory: Callable[[Session, Principal], S]) -> Iterator[S]:
    """The one way a command acts as ``--as USER``: a feature's service for that user's
    principal in one unit of work (``with serving(user, DecisionService) as service:``)."""
    with acting_as(username) as (session, principal):
        yield factory(session, principal)


@contextmanager
def acting_as(username: str) -> Iterator[tuple[Session, Principal]]:
    """One unit of work as ``username`` (its session and principal)."""
    request_id.set(f"cli-{uuid.uuid4().hex[:16]}")
    with command_session() as session:
        yield session, principal_named(session, username)


def principal_named(session: Session, username: str) -> Principal:
    """The principal of the user ``username``; unknown or disabled: a one-line error."""
    user = IdentityService(session, SYSTEM).user(username)
    if user.disabled:
        raise InvalidInput(f"user {user.username!r} is disabled", field="as")
    return principal_for(session, user, nation_profile)
