# SPDX-License-Identifier: Apache-2.0
"""Partner profiles: per partner and year, priorities per cooperation area (seeded from the
partner's programme goals), people per quarter, languages, budget and travel costs.

Invariants:
- a profile is marked NATO UNCLASSIFIED releasable to its partner: alliance staff read all,
  a partner its own (the policy decides; a hidden profile is "not found");
- a partner mission edits only its own profile (``catalogue:profile:write`` and its nation);
  alliance staff with the permission edit any; every save keeps the previous version as a
  revision (history) and is audited with before/after.
"""

from __future__ import annotations

from typing import Any

from liaison.audit.reads import record_reads
from liaison.audit.recorder import record_write
from liaison.catalogue.base import CatalogueBase
from liaison.catalogue.errors import ProfileNotFound
from liaison.catalogue.models import PartnerPriority, PartnerProfile, PartnerProfileRevision
from liaison.catalogue.schemas import PriorityIn, ProfileRead, ProfileUpdate
from liaison.errors import Forbidden, InvalidInput
from liaison.kit import clock
from liaison.programmes.rules import OPEN_GOALS
from liaison.programmes.service import ProgrammeService
from liaison.security.classification import Classification
from liaison.security.markings import Marking, short
from liaison.security.permissions import Permission
from liaison.security.principal import SYSTEM, Side


class ProfileService(CatalogueBase):
    def marking_for(self, partner: str) -> Marking:
        return Marking(Classification.NATO_UNCLASSIFIED, frozenset({partner}))

    def _profile(self, partner: str, year: int, action: str) -> PartnerProfile:
        """The partner's profile for ``year``, its read audited as ``action``."""
        profile = self.repo.profile(self.partner_code(partner), year)
        if profile is None:
            raise ProfileNotFound(partner, year)
        self._audit([profile], action)
        return profile

    def _audit(self, rows: list[PartnerProfile], action: str) -> None:
        record_reads(
            self.session,
            self.principal,
            f"catalogue:profile:{action}",
            rows,
            object_type="partner_profile",
        )

    def get(self, partner: str, year: int) -> ProfileRead:
        profile = self._profile(partner, year, "read")
        return self._read(profile, self.markings.get(profile.marking_id))

    def all(self, year: int) -> list[ProfileRead]:
        rows = self.repo.profiles(year)
        marks = self.markings.many(p.marking_id for p in rows)
        self._audit(rows, "read")
        priorities = self.repo.priorities([p.id for p in rows])
        return [self._read(p, marks[p.marking_id], priorities[p.id]) for p in rows]

    def _read(
        self, p: PartnerProfile, marking: Marking, priorities: list[PartnerPriority] | None = None
    ) -> ProfileRead:
        rows = priorities if priorities is not None else self.repo.priorities([p.id])[p.id]
        return ProfileRead(
            partner=p.partner_iso3,
            year=p.year,
            version=p.version,
            people=[p.people_q1, p.people_q2, p.people_q3, p.people_q4],
            languages=[x for x in p.languages.split(",") if x],
            budget=p.budget,
            travel_costs={str(k): int(v) for k, v in (p.travel_costs or {}).items()},
            priorities=[
                PriorityIn(area=r.area_code, weight=r.weight, demand=r.demand, goal=r.goal)
                for r in rows
            ],
            marking=short(marking),
            updated_at=p.updated_at,
            updated_by=p.updated_by,
        )

    def history(self, partner: str, year: int) -> list[dict[str, Any]]:
        profile = self._profile(partner, year, "history")
        return [
            {
                "version": r.version,
                "saved_at": r.saved_at.isoformat(),
                "saved_by": r.saved_by,
                **r.snapshot,
            }
            for r in self.repo.revisions(profile.id)
        ]

    def save(self, partner: str, year: int, data: ProfileUpdate) -> ProfileRead:
        """Create or replace a profile (a partner: its own only)."""
        self.require(Permission.CATALOGUE_PROFILE_WRITE)
        code = self.partner_code(partner)
        if self.principal.side is Side.PARTNER and self.principal.nation != code:
            # the same answer as for a profile that does not exist
            raise ProfileNotFound(partner, year)
        areas = self.area_names()
        for p in data.priorities:
            if p.area not in areas:
                raise InvalidInput(f"unknown cooperation area {p.area!r}", field="priorities")
        profile = self.repo.profile(code, year)
        if profile is None:
            if self.repo.profile_exists(code, year):
                raise ProfileNotFound(partner, year)
            profile = PartnerProfile(
                partner_iso3=code,
                year=year,
                marking_id=self.markings.intern(self.marking_for(code)),
                updated_by=self.principal.username,
                version=0,
            )
            self.session.add(profile)
            self.session.flush()  # the id, for the priorities and the revision
            before = None
        else:
            before = self._read(profile, self.markings.get(profile.marking_id)).model_dump(
                mode="json"
            )
        profile.people_q1, profile.people_q2, profile.people_q3, profile.people_q4 = data.people
        profile.languages = ",".join(
            dict.fromkeys(x.strip().lower() for x in data.languages if x.strip())
        )
        profile.budget = data.budget
        profile.travel_costs = dict(data.travel_costs)
        profile.version += 1
        profile.updated_by = self.principal.username
        self.session.query(PartnerPriority).filter(
            PartnerPriority.profile_id == profile.id
        ).delete()
        seen: set[str] = set()
        for p in data.priorities:
            if p.area in seen:
                raise InvalidInput(f"area {p.area!r} is given twice", field="priorities")
            seen.add(p.area)
            self.session.add(
                PartnerPriority(
                    profile_id=profile.id,
                    area_code=p.area,
                    weight=p.weight,
                    demand=p.demand,
                    goal=p.goal,
                )
            )
        self.session.flush()  # the priorities are part of the saved version
        after = self._read(profile, self.markings.get(profile.marking_id))
        snapshot = after.model_dump(mode="json", exclude={"updated_at"})
        self.session.add(
            PartnerProfileRevision(
                profile_id=profile.id,
                version=profile.version,
                snapshot=snapshot,
                saved_at=clock.utcnow(),
                saved_by=self.principal.username,
                marking_id=profile.marking_id,
            )
        )
        record_write(
            self.session,
            self.principal,
            "catalogue:profile:save",
            profile,
            before=before,
            after=snapshot,
            object_type="partner_profile",
        )
        return after

    def seed_from_goals(self, partner: str, year: int) -> list[PriorityIn]:
        """Priorities from the partner's programme goals: an open goal due in or after
        ``year`` weighs 5 if due that year, 4 the next, 3 later; at-risk goals one more."""
        code = self.partner_code(partner)
        programmes = ProgrammeService(self.session, SYSTEM if self.staff else self.principal)
        weights: dict[str, tuple[int, str]] = {}
        views, _ = programmes.find(programmes.filters(partner=code), _all_page())
        for view in views:
            dossier = programmes.dossier(view.programme.reference)
            for shown in dossier.goals:
                goal = shown.row
                if goal.status not in OPEN_GOALS or goal.due_on.year < year:
                    continue
                weight = 5 if goal.due_on.year == year else 4 if goal.due_on.year == year + 1 else 3
                if goal.status.value == "at_risk":
                    weight = min(5, weight + 1)
                if weight > weights.get(goal.area_code, (0, ""))[0]:
                    weights[goal.area_code] = (weight, f"{goal.code} {goal.title}"[:300])
        return [
            PriorityIn(area=a, weight=w, demand=w, goal=g) for a, (w, g) in sorted(weights.items())
        ]

    def require_own(self, partner: str) -> None:
        if self.principal.side is Side.PARTNER and self.principal.nation != partner:
            raise Forbidden("a partner mission edits its own profile only")


def _all_page() -> Any:  # noqa: ANN401 - a PageRequest
    from liaison.kit.pagination import PageRequest  # noqa: PLC0415

    return PageRequest(limit=1000)
