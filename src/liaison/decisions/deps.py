# SPDX-License-Identifier: Apache-2.0
"""The decisions' service for a request, as the API and the pages take it (``web.deps.serves``):
``Decisions`` for anyone (hidden is missing), ``SignedIn`` for one's own inbox and
notifications, ``Managing`` and ``Recording`` behind the write guards the route census reads."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from liaison.decisions.service import DecisionService
from liaison.security.permissions import Permission
from liaison.web.deps import authenticated, serves

Decisions = Annotated[DecisionService, Depends(serves(DecisionService))]
SignedIn = Annotated[DecisionService, Depends(serves(DecisionService, authenticated))]
Managing = Annotated[
    DecisionService,
    Depends(serves(DecisionService, Permission.DECISIONS_PROPOSAL_MANAGE)),
]
Recording = Annotated[
    DecisionService,
    Depends(serves(DecisionService, Permission.DECISIONS_POSITION_RECORD)),
]
