# SPDX-License-Identifier: Apache-2.0
"""The programme service as the API's and the pages' endpoints take it, once per guard:
``Programmes`` (the current principal, anonymous included), ``Signed`` (logged in),
``Writing``, ``Approving`` and ``Commenting`` (the route's write guard, which the route
census sees; the service applies the write policy to the record itself); and ``Versions``,
the two versions of a wording a redline compares (default: the last two)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from liaison.programmes.service import ProgrammeService
from liaison.security.permissions import Permission
from liaison.web.deps import authenticated, serves

Programmes = Annotated[ProgrammeService, Depends(serves(ProgrammeService))]
Signed = Annotated[ProgrammeService, Depends(serves(ProgrammeService, authenticated))]
Writing = Annotated[
    ProgrammeService,
    Depends(serves(ProgrammeService, Permission.PROGRAMMES_PROGRAMME_WRITE)),
]
Approving = Annotated[
    ProgrammeService,
    Depends(serves(ProgrammeService, Permission.PROGRAMMES_PROGRAMME_APPROVE)),
]
Commenting = Annotated[
    ProgrammeService,
    Depends(serves(ProgrammeService, Permission.PROGRAMMES_COMMENT_WRITE)),
]


def _versions(
    from_version: Annotated[int | None, Query(alias="from", ge=1)] = None,
    to_version: Annotated[int | None, Query(alias="to", ge=1)] = None,
) -> tuple[int | None, int | None]:
    return from_version, to_version


Versions = Annotated[tuple[int | None, int | None], Depends(_versions)]
