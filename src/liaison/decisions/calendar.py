# SPDX-License-Identifier: Apache-2.0
"""An iCalendar feed of deadlines (RFC 5545): one event per proposal with a deadline, as the
reader may see it. Each event's summary starts with the proposal's marking, so the marking
travels with every copy a calendar program makes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from icalendar import Calendar, Event

from liaison.decisions.consensus import Procedure
from liaison.decisions.service import ProposalView
from liaison.kit import clock
from liaison.security.classification import Classification

DOMAIN = "liaison.decisions"


def feed(views: Sequence[ProposalView], base_url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Liaison//Decisions//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Liaison: decision deadlines")
    stamp = clock.utcnow()
    for view in views:
        p = view.proposal
        if p.deadline is None:
            continue
        what = "Silence ends" if p.procedure is Procedure.SILENCE else "Decision due"
        event = Event()
        event.add("uid", f"proposal-{p.id}@{DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", p.deadline)
        event.add("dtend", p.deadline + dt.timedelta(minutes=15))
        event.add("summary", f"({view.short}) {what}: {p.reference} {p.title}")
        event.add(
            "description",
            f"{view.banner}\n{p.reference}: {p.title}\nOutcome now: {view.verdict.outcome}"
            f"\n{view.banner}",
        )
        event.add("url", f"{base_url.rstrip('/')}/decisions/{p.id}")
        event.add(
            "class", "PUBLIC" if view.marking.level is Classification.PUBLIC else "CONFIDENTIAL"
        )
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
