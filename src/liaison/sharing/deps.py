# SPDX-License-Identifier: Apache-2.0
"""The sharing service of a request, as the pages, the MISP feed and TAXII take it.

``SharingService`` needs the deployment's TAXII cursor key (``Settings.taxii_cursor_key``,
which signs ``next`` cursors) beside the session and principal, so it is made here rather than
by ``web.deps.serves``: ``Sharing`` for the request's principal (pages), ``SharingSignedIn``
for a logged-in one (the feed); TAXII's (``sharing.taxii``) authenticates and checks
``Accept`` first. They only construct, so they run on the event loop (no thread hop).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from liaison.sharing.service import SharingService
from liaison.web.deps import AppSettings, AuthenticatedPrincipal, CurrentPrincipal, DbSession


async def _cursor_key(settings: AppSettings) -> bytes:
    return settings.taxii_cursor_key.encode()


CursorKey = Annotated[bytes, Depends(_cursor_key)]


async def _sharing(
    session: DbSession, principal: CurrentPrincipal, key: CursorKey
) -> SharingService:
    return SharingService(session, principal, key)


async def _signed_in(
    session: DbSession, principal: AuthenticatedPrincipal, key: CursorKey
) -> SharingService:
    return SharingService(session, principal, key)


Sharing = Annotated[SharingService, Depends(_sharing)]
SharingSignedIn = Annotated[SharingService, Depends(_signed_in)]
