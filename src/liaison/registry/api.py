# SPDX-License-Identifier: Apache-2.0
"""Registry REST API under ``/api/v1``: list (paginated, filtered, sorted), get, create, update.

Countries are addressed by ISO 3166 alpha-3 (aliases resolve), offices, agreements and
mandates by id. Errors are problem JSON (``liaison.web.problems``). ``Registry`` and
``Managing`` are the feature's service dependencies (the pages take them from here too).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from liaison.kit.clock import today
from liaison.kit.dates import IsoDate
from liaison.kit.pagination import Page
from liaison.registry.models import SecurityAgreement
from liaison.registry.reach import ReachService, reach_read
from liaison.registry.rules import OfficeStatus, PartnerStatus
from liaison.registry.schemas import (
    AllyCreate,
    AllyRead,
    AllyUpdate,
    CountryRead,
    FrameworkCreate,
    FrameworkRead,
    MandateCreate,
    MandateRead,
    MandateUpdate,
    OfficeCreate,
    OfficeRead,
    OfficeTransition,
    OfficeUpdate,
    PartnerCreate,
    PartnerRead,
    PartnerUpdate,
    ReachRead,
    SecurityAgreementCreate,
    SecurityAgreementRead,
    SecurityAgreementUpdate,
)
from liaison.registry.service import RegistryService
from liaison.security.permissions import Permission
from liaison.web.deps import RowId, SortedPage, authenticated, serves

router = APIRouter(prefix="/api/v1", tags=["registry"])

Registry = Annotated[RegistryService, Depends(serves(RegistryService))]
Managing = Annotated[
    RegistryService,
    Depends(serves(RegistryService, Permission.REGISTRY_ENTRY_WRITE)),
]
Reach = Annotated[ReachService, Depends(serves(ReachService, authenticated))]

On = Annotated[IsoDate | None, Query(description="ISO date (YYYY-MM-DD).")]


# countries --------------------------------------------------------------------------------------
@router.get("/countries", summary="List or search countries (ISO 3166, with aliases)")
def list_countries(
    service: Registry, page: SortedPage, q: Annotated[str | None, Query(max_length=200)] = None
) -> Page[CountryRead]:
    """Sort by name or iso3."""
    rows, total = service.countries(q, page)
    return Page[CountryRead].of(map(CountryRead.model_validate, rows), total, page)


@router.get("/countries/{ref}", summary="Resolve a code or name to a country")
def get_country(ref: str, service: Registry) -> CountryRead:
    return CountryRead.model_validate(service.country(ref))


# allies -----------------------------------------------------------------------------------------
@router.get("/allies", summary="List allies, optionally those that are members on a date")
def list_allies(service: Registry, page: SortedPage, member_on: On = None) -> Page[AllyRead]:
    """Sort by name, accession_date or country."""
    rows, total = service.allies(member_on, page)
    return Page[AllyRead].of(map(AllyRead.model_validate, rows), total, page)


@router.get("/allies/{ref}")
def get_ally(ref: str, service: Registry) -> AllyRead:
    return AllyRead.model_validate(service.ally(ref))


@router.post("/allies", status_code=status.HTTP_201_CREATED)
def create_ally(data: AllyCreate, service: Managing) -> AllyRead:
    return AllyRead.model_validate(service.create_ally(data))


@router.patch("/allies/{ref}")
def update_ally(ref: str, data: AllyUpdate, service: Managing) -> AllyRead:
    return AllyRead.model_validate(service.update_ally(ref, data))


# frameworks -------------------------------------------------------------------------------------
@router.get("/frameworks")
def list_frameworks(service: Registry) -> list[FrameworkRead]:
    return [FrameworkRead.model_validate(f) for f in service.frameworks()]


@router.post("/frameworks", status_code=status.HTTP_201_CREATED)
def create_framework(data: FrameworkCreate, service: Managing) -> FrameworkRead:
    return FrameworkRead.model_validate(service.create_framework(data))


# partners ---------------------------------------------------------------------------------------
@router.get("/partners", summary="List partners by framework, status or agreement in force")
def list_partners(
    service: Registry,
    page: SortedPage,
    framework: Annotated[str | None, Query(max_length=16)] = None,
    status_: Annotated[PartnerStatus | None, Query(alias="status")] = None,
    agreement_in_force_on: On = None,
) -> Page[PartnerRead]:
    """Sort by name, country or status."""
    rows, total = service.partners(
        framework=framework, status=status_, agreement_in_force_on=agreement_in_force_on, page=page
    )
    return Page[PartnerRead].of(map(PartnerRead.model_validate, rows), total, page)


@router.get("/partners/{ref}")
def get_partner(ref: str, service: Registry) -> PartnerRead:
    return PartnerRead.model_validate(service.partner(ref))


@router.post("/partners", status_code=status.HTTP_201_CREATED)
def create_partner(data: PartnerCreate, service: Managing) -> PartnerRead:
    return PartnerRead.model_validate(service.create_partner(data))


@router.patch("/partners/{ref}")
def update_partner(ref: str, data: PartnerUpdate, service: Managing) -> PartnerRead:
    return PartnerRead.model_validate(service.update_partner(ref, data))


@router.get("/partners/{ref}/contact-points", summary="The contact-point embassies on a date")
def partner_contact_points(ref: str, service: Registry, on: On = None) -> list[MandateRead]:
    return [MandateRead.model_validate(m) for m in service.contact_points_on(ref, on or today())]


# security agreements ----------------------------------------------------------------------------
def _agreement_read(
    service: RegistryService, agreement: SecurityAgreement, day: dt.date
) -> SecurityAgreementRead:
    fields = {
        k: getattr(agreement, k)
        for k in SecurityAgreementRead.model_fields
        if k not in {"status", "marking"}
    }
    return SecurityAgreementRead.model_validate(
        {
            **fields,
            "status": RegistryService.agreement_status(agreement, day),
            "marking": service.marking_text(agreement.marking_id),
        }
    )


@router.get("/security-agreements", summary="List security agreements; status is on `on`")
def list_agreements(
    service: Registry,
    page: SortedPage,
    partner: Annotated[str | None, Query(max_length=200)] = None,
    in_force_on: On = None,
    on: On = None,
) -> Page[SecurityAgreementRead]:
    """Sort by partner, signed_on or max_level."""
    rows, total = service.agreements(partner=partner, in_force_on=in_force_on, page=page)
    day = on or in_force_on or today()
    return Page[SecurityAgreementRead].of(
        (_agreement_read(service, r, day) for r in rows), total, page
    )


@router.get("/security-agreements/{agreement_id}")
def get_agreement(agreement_id: RowId, service: Registry, on: On = None) -> SecurityAgreementRead:
    return _agreement_read(service, service.agreement(agreement_id), on or today())


@router.post("/security-agreements", status_code=status.HTTP_201_CREATED)
def create_agreement(data: SecurityAgreementCreate, service: Managing) -> SecurityAgreementRead:
    return _agreement_read(service, service.create_agreement(data), today())


@router.patch("/security-agreements/{agreement_id}")
def update_agreement(
    agreement_id: RowId, data: SecurityAgreementUpdate, service: Managing
) -> SecurityAgreementRead:
    return _agreement_read(service, service.update_agreement(agreement_id, data), today())


# offices ----------------------------------------------------------------------------------------
@router.get("/offices", summary="List offices by status, host, or open on a date")
def list_offices(
    service: Registry,
    page: SortedPage,
    status_: Annotated[OfficeStatus | None, Query(alias="status")] = None,
    open_on: On = None,
    host: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[OfficeRead]:
    """Sort by name, status, opened_on or city."""
    rows, total = service.offices(status=status_, open_on=open_on, host=host, page=page)
    return Page[OfficeRead].of(map(OfficeRead.model_validate, rows), total, page)


@router.get("/offices/{office_id}")
def get_office(office_id: RowId, service: Registry) -> OfficeRead:
    return OfficeRead.model_validate(service.office(office_id))


@router.post("/offices", status_code=status.HTTP_201_CREATED)
def create_office(data: OfficeCreate, service: Managing) -> OfficeRead:
    return OfficeRead.model_validate(service.create_office(data))


@router.patch("/offices/{office_id}")
def update_office(office_id: RowId, data: OfficeUpdate, service: Managing) -> OfficeRead:
    return OfficeRead.model_validate(service.update_office(office_id, data))


@router.post("/offices/{office_id}/transitions", summary="Move an office along its lifecycle")
def transition_office(office_id: RowId, data: OfficeTransition, service: Managing) -> OfficeRead:
    return OfficeRead.model_validate(service.transition_office(office_id, data))


# contact-point mandates -------------------------------------------------------------------------
@router.get("/contact-point-mandates", summary="List contact-point embassy mandates")
def list_mandates(
    service: Registry,
    page: SortedPage,
    partner: Annotated[str | None, Query(max_length=200)] = None,
    on: On = None,
) -> Page[MandateRead]:
    """Sort by partner or start_on."""
    rows, total = service.mandates(partner=partner, on=on, page=page)
    return Page[MandateRead].of(map(MandateRead.model_validate, rows), total, page)


@router.get("/contact-point-mandates/{mandate_id}")
def get_mandate(mandate_id: RowId, service: Registry) -> MandateRead:
    return MandateRead.model_validate(service.mandate(mandate_id))


@router.post("/contact-point-mandates", status_code=status.HTTP_201_CREATED)
def create_mandate(data: MandateCreate, service: Managing) -> MandateRead:
    return MandateRead.model_validate(service.create_mandate(data))


@router.patch("/contact-point-mandates/{mandate_id}")
def update_mandate(mandate_id: RowId, data: MandateUpdate, service: Managing) -> MandateRead:
    return MandateRead.model_validate(service.update_mandate(mandate_id, data))


# markings ------------------------------------------------------------------------------------
@router.get(
    "/markings/reach",
    tags=["markings"],
    summary="Who may read a marking on a day: allies' users and each partner it names",
)
def marking_reach(
    service: Reach,
    marking: Annotated[str, Query(min_length=1, max_length=500, description="As typed.")],
    on: On = None,
) -> ReachRead:
    """An ally's user is answered from the security agreements it may read; a partner's user
    about its own nation only (docs/dev/security.md, "Who can read a marking")."""
    return reach_read(service.reach(marking, on))
