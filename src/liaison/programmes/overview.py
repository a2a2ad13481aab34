# SPDX-License-Identifier: Apache-2.0
"""Overviews across programmes: the dashboard (renewals due, goals overdue, activities this
month), the comparison by area, and what a calendar shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from liaison.errors import InvalidInput
from liaison.kit import clock
from liaison.kit.pagination import PageRequest
from liaison.programmes import rules
from liaison.programmes.base import ProgrammeBase
from liaison.programmes.models import (
    PartnershipGoal,
    Programme,
    ProgrammeActivity,
)
from liaison.programmes.rules import GoalStatus, ProgrammeStatus
from liaison.programmes.shown import (
    AP4,
    Comparison,
    Dashboard,
    ProgrammeView,
    Shown,
)

S = ProgrammeStatus


class Overview(ProgrammeBase):
    def dashboard(self, horizon_days: int = 90, page: PageRequest | None = None) -> Dashboard:
        """Programmes ending within the horizon, goals overdue, activities this month."""
        if not 1 <= horizon_days <= 3660:  # noqa: PLR2004 - ten years
            raise InvalidInput("the horizon is 1 to 3660 days", field="horizon")
        page = page or PageRequest(limit=50)
        today = clock.today()
        rows, total = self.repo.expiring(today, today + dt.timedelta(days=horizon_days), page)
        expiring = self._views(rows)
        renewals = {}
        for v in expiring:
            successors = [
                s for s in self.repo.successors(v.programme.id) if s.status not in rules.ENDED
            ]
            if successors:
                renewals[v.programme.reference] = successors[0].reference
        goal_rows, overdue_total = self.repo.overdue_goals(today, page)
        goals = self._shown([g for g, _ in goal_rows], (g.marking_id for g, _ in goal_rows))
        first, last = rules.month_bounds(today)
        act_rows, act_total = self.repo.activities_between(first, last, page)
        acts = self._shown([a for a, _ in act_rows], (a.marking_id for a, _ in act_rows))
        shown: list[Shown[Any]] = [
            *(Shown(v.programme, v.marking, v.short) for v in expiring),
            *goals,
            *acts,
        ]
        self._record_reads(s.row for s in shown)
        marking = self.highest(s.marking for s in shown)
        return Dashboard(
            today,
            horizon_days,
            expiring,
            total,
            renewals,
            list(zip(goals, [r for _, r in goal_rows], strict=True)),
            overdue_total,
            list(zip(acts, [r for _, r in act_rows], strict=True)),
            act_total,
            marking,
            self.banner(marking),
        )

    def compare(self, partners: Sequence[str] = AP4) -> Comparison:
        """Goals per cooperation area across partners' current programmes (in force, else
        agreed or approved): (goals, achieved) per area and partner, as the reader sees them."""
        codes = [self.registry.partner(p).country_iso3 for p in partners]
        candidates = self.repo.of_partners(codes, rules.LIVE)
        rank = {S.IN_FORCE: 0, S.AGREED: 1, S.APPROVED: 2}
        current: dict[str, Programme] = {}
        for p in sorted(candidates, key=lambda p: (rank[p.status], -p.period_start.toordinal())):
            current.setdefault(p.partner_iso3, p)
        goals = self.repo.goals_of([p.id for p in current.values()])
        shown_goals = self._shown(goals, (g.marking_id for g in goals))
        by_programme = {p.id: code for code, p in current.items()}
        table: dict[str, dict[str, tuple[int, int]]] = {}
        for g in shown_goals:
            code = by_programme[g.row.programme_id]
            n, done = table.setdefault(g.row.area_code, {}).get(code, (0, 0))
            table[g.row.area_code][code] = (
                n + 1,
                done + (g.row.status is GoalStatus.ACHIEVED),
            )
        names = self.area_names()
        rows = [
            (area, names.get(area, area), cells)
            for area, cells in sorted(table.items(), key=lambda kv: names.get(kv[0], kv[0]))
        ]
        programme_views = self._views(list(current.values()))
        shown: list[Shown[Any]] = [
            *(Shown(v.programme, v.marking, v.short) for v in programme_views),
            *shown_goals,
        ]
        self._record_reads(s.row for s in shown)
        marking = self.highest(s.marking for s in shown)
        return Comparison(
            codes,
            {c: self.marks.name_of(c) for c in codes},
            {c: p.reference for c, p in current.items()},
            rows,
            marking,
            self.banner(marking),
        )

    def calendar_items(
        self,
    ) -> tuple[list[ProgrammeView], list[Shown[PartnershipGoal]], list[Shown[ProgrammeActivity]]]:
        """Everything a calendar feed shows the reader: live programmes (their milestones),
        open goals (due dates) and activities (audited)."""
        programmes = [p for p in self.repo.all_readable_programmes() if p.status not in rules.ENDED]
        views = self._views(programmes)
        ids = [p.id for p in programmes]
        goals = self.repo.goals_of(ids)
        acts = self.repo.activities_of(ids)
        shown_goals = self._shown(goals, (g.marking_id for g in goals))
        shown_acts = self._shown(acts, (a.marking_id for a in acts))
        self._record_reads(
            [
                *(v.programme for v in views),
                *(g.row for g in shown_goals),
                *(a.row for a in shown_acts),
            ]
        )
        return views, shown_goals, shown_acts
