# SPDX-License-Identifier: Apache-2.0
"""The catalogue's services per request, as the API and the pages take them: one alias per
service and guard (``web.deps.serves``). A write alias names its permission
(``require``), so the route census sees the guard and a caller without it gets 403 before
any record is read."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from liaison.catalogue.nominations import NominationService
from liaison.catalogue.planning.service import PlanService
from liaison.catalogue.profiles import ProfileService
from liaison.catalogue.service import CatalogueService
from liaison.security.permissions import Permission
from liaison.web.deps import serves

Catalogue = Annotated[CatalogueService, Depends(serves(CatalogueService))]
CatalogueWriting = Annotated[
    CatalogueService,
    Depends(serves(CatalogueService, Permission.CATALOGUE_ITEM_WRITE)),
]
Nominations = Annotated[NominationService, Depends(serves(NominationService))]
Nominating = Annotated[
    NominationService,
    Depends(serves(NominationService, Permission.CATALOGUE_NOMINATION_WRITE)),
]
Profiles = Annotated[ProfileService, Depends(serves(ProfileService))]
ProfileWriting = Annotated[
    ProfileService,
    Depends(serves(ProfileService, Permission.CATALOGUE_PROFILE_WRITE)),
]
Plans = Annotated[PlanService, Depends(serves(PlanService))]
PlanRunning = Annotated[PlanService, Depends(serves(PlanService, Permission.PLANNING_PLAN_RUN))]
PlanApproving = Annotated[
    PlanService, Depends(serves(PlanService, Permission.PLANNING_PLAN_APPROVE))
]
