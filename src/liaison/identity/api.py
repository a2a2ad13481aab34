# SPDX-License-Identifier: Apache-2.0
"""Identity REST API under ``/api/v1``: ``GET /me``, the caller as the access policy sees it.

Anonymous callers get 401 problem JSON; the answer names only the caller's own facts.
"""

from __future__ import annotations

from fastapi import APIRouter

from liaison.identity.schemas import MeRead
from liaison.web.deps import AuthenticatedPrincipal

router = APIRouter(prefix="/api/v1", tags=["identity"])


@router.get("/me", summary="The current user: clearance, communities, permissions, ceiling")
def me(principal: AuthenticatedPrincipal) -> MeRead:
    return MeRead.of(principal)
