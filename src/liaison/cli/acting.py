# SPDX-License-Identifier: Apache-2.0
"""``--as USER`` for commands that read or write as a person: one unit of work with that
user's principal (clearance, nation, communities, delegation). An unknown or disabled user is
a one-line error, as every expected error in the CLI is."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

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


@contextmanager
def acting_as(username: str) -> Iterator[tuple[Session, Principal]]:
    request_id.set(f"cli-{uuid.uuid4().hex[:16]}")
    with command_session() as session:
        user = IdentityService(session, SYSTEM).user(username)
        if user.disabled:
            raise InvalidInput(f"user {user.username!r} is disabled", field="as")
        yield session, principal_for(session, user, nation_profile)
