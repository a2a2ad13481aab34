# SPDX-License-Identifier: Apache-2.0
"""An iCalendar feed of deadlines (RFC 5545): one event per proposal with a deadline, as the
reader may see it. Each event's summary starts with the proposal's marking, so the marking
travels with every copy a calendar program makes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from liaison.decisions.consensus import Procedure
from liaison.decisions.service import ProposalView
from liaison.kit import clock
from liaison.security.ical import MarkedEvent, add_event, marked_calendar

DOMAIN = "liaison.decisions"


def feed(views: Sequence[ProposalView], base_url: str) -> bytes:
    calendar = marked_calendar("Decisions", "Liaison: decision deadlines")
    stamp = clock.utcnow()
    for view in views:
        p = view.proposal
        if p.deadline is None:
            continue
        what = "Silence ends" if p.procedure is Procedure.SILENCE else "Decision due"
        text = f"{view.banner}\n{p.reference}: {p.title}\nOutcome now: {view.verdict.outcome}"
        due = (p.deadline, p.deadline + dt.timedelta(minutes=15))
        summary = f"({view.short}) {what}: {p.reference} {p.title}"
        url = f"{base_url.rstrip('/')}/decisions/{p.id}"
        uid = f"proposal-{p.id}@{DOMAIN}"
        event = MarkedEvent(uid, *due, summary, f"{text}\n{view.banner}", view.marking.level, url)
        add_event(calendar, stamp, event)
    data: bytes = calendar.to_ical()
    return data
