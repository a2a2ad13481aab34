# SPDX-License-Identifier: Apache-2.0
"""Registry pages (Jinja2 + HTMX): the start page, allies, partners, agreements, offices and
contact-point embassies."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from liaison.kit.clock import today
from liaison.kit.pagination import PageRequest
from liaison.registry.rules import OfficeStatus
from liaison.registry.service import RegistryService
from liaison.web.deps import DbSession
from liaison.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: DbSession) -> HTMLResponse:
    repo = RegistryService(session).repo
    day = today()
    one = PageRequest(limit=1)
    counts = {
        "allies": repo.list_allies(day, one)[1],
        "partners": repo.list_partners(framework=None, status=None, agreement_in_force_on=None,
                                       page=one)[1],
        "agreements": repo.list_agreements(partner_id=None, in_force_on=day, page=one)[1],
        "offices": repo.list_offices(status=OfficeStatus.OPEN, open_on=None, host=None,
                                     page=one)[1],
    }
    return render(request, "home.html", {"counts": counts})
