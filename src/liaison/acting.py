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

AsUser = Annotated[
    str,
    typer.Option(
        "--as", metavar="USERNAME", help="Act as this user: their clearance, nation, communities."
    ),
]


S = TypeVar("S")
# The one way a list command takes its page: ``limit: LimitOption = 50, offset: OffsetOption = 0``.
LimitOption = Annotated[int, typer.Option(min=1, max=1000, help="How many to show.")]
OffsetOption = Annotated[int, typer.Option(min=0, help="How many to skip.")]


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
        user = IdentityService(session, SYSTEM).user(username)
        if user.disabled:
            raise InvalidInput(f"user {user.username!r} is disabled", field="as")
        yield session, principal_for(session, user, nation_profile)
