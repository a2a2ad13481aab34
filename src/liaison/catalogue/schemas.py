# SPDX-License-Identifier: Apache-2.0
"""Catalogue API and import shapes: ``XRead`` out, ``XCreate``/``XUpdate`` in.

``CatalogueRow`` is one row of an import or export (CSV, XLSX, JSON): an item's fields and,
when ``session_code`` is given, one of its sessions. Lists inside a cell are ``;``-separated.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field

from liaison.catalogue.rules import DeliveryMode, ItemKind, NominationState, PlanState

ROW_FIELDS = (
    "item_code",
    "title",
    "area",
    "kind",
    "provider",
    "description",
    "prerequisites",
    "item_marking",
    "session_code",
    "start_on",
    "end_on",
    "location",
    "host_country",
    "region",
    "mode",
    "language",
    "seats",
    "fee",
    "eligible",
    "min_level",
    "session_marking",
)


class SessionRead(BaseModel):
    id: int
    item_id: int
    item_code: str
    title: str
    area_code: str
    code: str
    start_on: dt.date
    end_on: dt.date
    location: str
    host_country: str | None
    region: str
    mode: DeliveryMode
    language: str
    seats: int
    seats_held: int | None = Field(
        None, description="Seats held by accepted nominations (alliance staff only)."
    )
    fee: int
    eligible: list[str]
    min_level: str | None
    marking: str


class ItemRead(BaseModel):
    id: int
    code: str
    title: str
    area_code: str
    area: str
    kind: ItemKind
    provider: str
    description: str
    prerequisites: list[str]
    demo: bool
    marking: str
    sessions: list[SessionRead] | None = None


class CatalogueFacets(BaseModel):
    total: int
    area: dict[str, int]
    kind: dict[str, int]


class ImportReportRead(BaseModel):
    items_created: int
    items_updated: int
    sessions_created: int
    sessions_updated: int


class NominationCreate(BaseModel):
    session_id: int = Field(ge=1, le=2_147_483_647)
    person_name: str = Field(min_length=1, max_length=200)
    person_role: str = Field("", max_length=200)
    nationality: str = Field(min_length=2, max_length=100)
    partner: str | None = Field(
        None, max_length=100, description="Alliance staff only: the partner nominating."
    )


class NominationDecision(BaseModel):
    state: NominationState
    feedback: str = Field("", max_length=5000)


class OfferAnswer(BaseModel):
    """A partner's answer to an offered seat: accept it naming the person, or decline it."""

    accept: bool
    person_name: str = Field("", max_length=200, description="Required to accept.")
    person_role: str = Field("", max_length=200)
    nationality: str = Field("", max_length=100, description="Required to accept.")


class PublishRead(BaseModel):
    plan_id: int
    offered: int = Field(description="Seats offered to partners (nominations in 'offered').")
    not_offered: list[dict[str, Any]] = Field(
        description="Planned seats no longer free when the plan was published (session, "
        "partner, seats), never over-booked."
    )


class NominationRead(BaseModel):
    id: int
    session_id: int
    item_code: str
    title: str
    start_on: dt.date
    partner: str
    person_name: str
    person_role: str
    nationality: str
    state: NominationState
    wait_position: int | None
    feedback: str
    marking: str
    created_at: dt.datetime
    updated_at: dt.datetime


class PriorityIn(BaseModel):
    area: str = Field(max_length=40)
    weight: int = Field(ge=0, le=5)
    demand: int = Field(ge=0, le=1000)
    goal: str = Field("", max_length=300)


class ProfileUpdate(BaseModel):
    people: list[Annotated[int, Field(ge=0, le=10_000)]] = Field(
        min_length=4, max_length=4, description="People per quarter."
    )
    languages: list[Annotated[str, Field(min_length=2, max_length=8)]] = Field(
        min_length=1, max_length=10
    )
    budget: int = Field(ge=0, le=1_000_000_000)
    travel_costs: dict[
        Annotated[str, Field(max_length=40)], Annotated[int, Field(ge=0, le=1_000_000)]
    ] = Field(default_factory=dict, description="Euros per seat, by host region.", max_length=10)
    priorities: list[PriorityIn] = Field(max_length=100)


class ProfileRead(BaseModel):
    partner: str
    year: int
    version: int
    people: list[int]
    languages: list[str]
    budget: int
    travel_costs: dict[str, int]
    priorities: list[PriorityIn]
    marking: str
    updated_at: dt.datetime
    updated_by: str


class PlanRunRequest(BaseModel):
    period: int = Field(ge=2000, le=2100)
    time_limit: float = Field(10.0, gt=0, le=600)
    seed: int = Field(0, ge=0, le=2**31 - 1)


class AllocationRead(BaseModel):
    session_id: int
    item_code: str
    title: str
    start_on: dt.date
    partner: str
    seats: int
    fixed: bool
    value: int


class ExplanationRead(BaseModel):
    partner: str
    session_id: int | None
    area_code: str
    kind: str
    binding: str
    text: str
    change: str


class PlanRead(BaseModel):
    id: int
    period: int
    version: int
    state: PlanState
    objective: float | None
    bound: float | None
    gap: float | None
    greedy_objective: float | None
    solver_status: str
    time_limit: float
    seed: int
    run_state: str | None
    job_id: int | None = Field(None, description="The job that solves it (GET /api/v1/jobs/{id}).")
    progress_done: int
    progress_total: int
    note: str
    proposal_reference: str | None
    marking: str
    created_at: dt.datetime
    created_by: str
