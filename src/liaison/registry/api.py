# SPDX-License-Identifier: Apache-2.0
"""Registry REST API under ``/api/v1``: list (paginated, filtered, sorted), get, create, update.

Countries are addressed by ISO 3166 alpha-3 (aliases resolve), offices, agreements and
mandates by id. Errors are problem JSON (``liaison.web.problems``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from liaison.kit.clock import today
from liaison.kit.dates import IsoDate
from liaison.kit.pagination import Page, PageRequest
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
from liaison.security.principal import Principal
from liaison.web.deps import (
    AppSettings,
    AuthenticatedPrincipal,
    CurrentPrincipal,
    DbSession,
    Limit,
    Offset,
    RowId,
    page_request,
    require,
)

router = APIRouter(prefix="/api/v1", tags=["registry"])

RegistryWriter = Annotated[Principal, Depends(require(Permission.REGISTRY_ENTRY_WRITE))]

Sort = Annotated[
    str | None, Query(description="Field to sort by; prefix '-' for descending.", max_length=200)
]
On = Annotated[IsoDate | None, Query(description="ISO date (YYYY-MM-DD).")]


def _page(limit: int | None, offset: int, sort: str | None, settings: AppSettings) -> PageRequest:
    return page_request(settings, limit, offset, sort)


# countries --------------------------------------------------------------------------------------
@router.get("/countries", summary="List or search countries (ISO 3166, with aliases)")
def list_countries(
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Sort = None,
) -> Page[CountryRead]:
    page = _page(limit, offset, sort, settings)
    rows, total = RegistryService(session, principal).repo.list_countries(q, page)
    return Page[CountryRead](
        items=[CountryRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/countries/{ref}", summary="Resolve a code or name to a country")
def get_country(ref: str, session: DbSession, principal: CurrentPrincipal) -> CountryRead:
    return CountryRead.model_validate(RegistryService(session, principal).country(ref))


# allies -----------------------------------------------------------------------------------------
@router.get("/allies", summary="List allies, optionally those that are members on a date")
def list_allies(
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    member_on: On = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Sort = None,
) -> Page[AllyRead]:
    page = _page(limit, offset, sort, settings)
    rows, total = RegistryService(session, principal).repo.list_allies(member_on, page)
    return Page[AllyRead](
        items=[AllyRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/allies/{ref}")
def get_ally(ref: str, session: DbSession, principal: CurrentPrincipal) -> AllyRead:
    return AllyRead.model_validate(RegistryService(session, principal).ally(ref))


@router.post("/allies", status_code=status.HTTP_201_CREATED)
def create_ally(data: AllyCreate, session: DbSession, principal: RegistryWriter) -> AllyRead:
    ally = RegistryService(session, principal).create_ally(data)
    session.flush()  # assign the id before the response is built
    return AllyRead.model_validate(ally)


@router.patch("/allies/{ref}")
def update_ally(
    ref: str, data: AllyUpdate, session: DbSession, principal: RegistryWriter
) -> AllyRead:
    return AllyRead.model_validate(RegistryService(session, principal).update_ally(ref, data))


# frameworks -------------------------------------------------------------------------------------
@router.get("/frameworks")
def list_frameworks(session: DbSession, principal: CurrentPrincipal) -> list[FrameworkRead]:
    return [
        FrameworkRead.model_validate(f)
        for f in RegistryService(session, principal).repo.frameworks()
    ]


@router.post("/frameworks", status_code=status.HTTP_201_CREATED)
def create_framework(
    data: FrameworkCreate, session: DbSession, principal: RegistryWriter
) -> FrameworkRead:
    return FrameworkRead.model_validate(RegistryService(session, principal).create_framework(data))


# partners ---------------------------------------------------------------------------------------
@router.get("/partners", summary="List partners by framework, status or agreement in force")
def list_partners(
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    framework: Annotated[str | None, Query(max_length=16)] = None,
    status_: Annotated[PartnerStatus | None, Query(alias="status")] = None,
    agreement_in_force_on: On = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Sort = None,
) -> Page[PartnerRead]:
    page = _page(limit, offset, sort, settings)
    rows, total = RegistryService(session, principal).repo.list_partners(
        framework=framework, status=status_, agreement_in_force_on=agreement_in_force_on, page=page
    )
    return Page[PartnerRead](
        items=[PartnerRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/partners/{ref}")
def get_partner(ref: str, session: DbSession, principal: CurrentPrincipal) -> PartnerRead:
    return PartnerRead.model_validate(RegistryService(session, principal).partner(ref))


@router.post("/partners", status_code=status.HTTP_201_CREATED)
def create_partner(
    data: PartnerCreate, session: DbSession, principal: RegistryWriter
) -> PartnerRead:
    partner = RegistryService(session, principal).create_partner(data)
    session.flush()  # assign the id before the response is built
    return PartnerRead.model_validate(partner)


@router.patch("/partners/{ref}")
def update_partner(
    ref: str, data: PartnerUpdate, session: DbSession, principal: RegistryWriter
) -> PartnerRead:
    return PartnerRead.model_validate(RegistryService(session, principal).update_partner(ref, data))


@router.get("/partners/{ref}/contact-points", summary="The contact-point embassies on a date")
def partner_contact_points(
    ref: str, session: DbSession, principal: CurrentPrincipal, on: On = None
) -> list[MandateRead]:
    mandates = RegistryService(session, principal).contact_points_on(ref, on or today())
    return [MandateRead.model_validate(m) for m in mandates]


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
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    partner: Annotated[str | None, Query(max_length=200)] = None,
    in_force_on: On = None,
    on: On = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Sort = None,
) -> Page[SecurityAgreementRead]:
    service = RegistryService(session, principal)
    page = _page(limit, offset, sort, settings)
    rows, total = service.agreements(partner=partner, in_force_on=in_force_on, page=page)
    day = on or in_force_on or today()
    return Page[SecurityAgreementRead](
        items=[_agreement_read(service, r, day) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/security-agreements/{agreement_id}")
def get_agreement(
    agreement_id: RowId, session: DbSession, principal: CurrentPrincipal, on: On = None
) -> SecurityAgreementRead:
    service = RegistryService(session, principal)
    return _agreement_read(service, service.agreement(agreement_id), on or today())


@router.post("/security-agreements", status_code=status.HTTP_201_CREATED)
def create_agreement(
    data: SecurityAgreementCreate, session: DbSession, principal: RegistryWriter
) -> SecurityAgreementRead:
    service = RegistryService(session, principal)
    return _agreement_read(service, service.create_agreement(data), today())


@router.patch("/security-agreements/{agreement_id}")
def update_agreement(
    agreement_id: RowId,
    data: SecurityAgreementUpdate,
    session: DbSession,
    principal: RegistryWriter,
) -> SecurityAgreementRead:
    service = RegistryService(session, principal)
    return _agreement_read(service, service.update_agreement(agreement_id, data), today())


# offices ----------------------------------------------------------------------------------------
@router.get("/offices", summary="List offices by status, host, or open on a date")
def list_offices(
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    status_: Annotated[OfficeStatus | None, Query(alias="status")] = None,
    open_on: On = None,
    host: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Sort = None,
) -> Page[OfficeRead]:
    service = RegistryService(session, principal)
    page = _page(limit, offset, sort, settings)
    host_iso3 = service.country(host, field="host").iso3 if host else None
    rows, total = service.repo.list_offices(
        status=status_, open_on=open_on, host=host_iso3, page=page
    )
    return Page[OfficeRead](
        items=[OfficeRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/offices/{office_id}")
def get_office(office_id: RowId, session: DbSession, principal: CurrentPrincipal) -> OfficeRead:
    return OfficeRead.model_validate(RegistryService(session, principal).office(office_id))


@router.post("/offices", status_code=status.HTTP_201_CREATED)
def create_office(data: OfficeCreate, session: DbSession, principal: RegistryWriter) -> OfficeRead:
    office = RegistryService(session, principal).create_office(data)
    session.flush()  # assign the id before the response is built
    return OfficeRead.model_validate(office)


@router.patch("/offices/{office_id}")
def update_office(
    office_id: RowId, data: OfficeUpdate, session: DbSession, principal: RegistryWriter
) -> OfficeRead:
    return OfficeRead.model_validate(
        RegistryService(session, principal).update_office(office_id, data)
    )


@router.post("/offices/{office_id}/transitions", summary="Move an office along its lifecycle")
def transition_office(
    office_id: RowId, data: OfficeTransition, session: DbSession, principal: RegistryWriter
) -> OfficeRead:
    return OfficeRead.model_validate(
        RegistryService(session, principal).transition_office(office_id, data)
    )


# contact-point mandates -------------------------------------------------------------------------
@router.get("/contact-point-mandates", summary="List contact-point embassy mandates")
def list_mandates(
    session: DbSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    partner: Annotated[str | None, Query(max_length=200)] = None,
    on: On = None,
    limit: Limit = None,
    offset: Offset = 0,
    sort: Sort = None,
) -> Page[MandateRead]:
    service = RegistryService(session, principal)
    page = _page(limit, offset, sort, settings)
    partner_id = service.partner(partner).id if partner else None
    rows, total = service.repo.list_mandates(partner_id=partner_id, on=on, page=page)
    return Page[MandateRead](
        items=[MandateRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/contact-point-mandates/{mandate_id}")
def get_mandate(mandate_id: RowId, session: DbSession, principal: CurrentPrincipal) -> MandateRead:
    return MandateRead.model_validate(RegistryService(session, principal).mandate(mandate_id))


@router.post("/contact-point-mandates", status_code=status.HTTP_201_CREATED)
def create_mandate(
    data: MandateCreate, session: DbSession, principal: RegistryWriter
) -> MandateRead:
    mandate = RegistryService(session, principal).create_mandate(data)
    session.flush()  # assign the id before the response is built
    return MandateRead.model_validate(mandate)


@router.patch("/contact-point-mandates/{mandate_id}")
def update_mandate(
    mandate_id: RowId, data: MandateUpdate, session: DbSession, principal: RegistryWriter
) -> MandateRead:
    return MandateRead.model_validate(
        RegistryService(session, principal).update_mandate(mandate_id, data)
    )


# markings ------------------------------------------------------------------------------------
@router.get(
    "/markings/reach",
    tags=["markings"],
    summary="Who may read a marking on a day: allies' users and each partner it names",
)
def marking_reach(
    session: DbSession,
    principal: AuthenticatedPrincipal,
    marking: Annotated[str, Query(min_length=1, max_length=500, description="As typed.")],
    on: On = None,
) -> ReachRead:
    """An ally's user is answered from the security agreements it may read; a partner's user
    about its own nation only (docs/dev/security.md, "Who can read a marking")."""
    return reach_read(ReachService(session, principal).reach(marking, on))
