# SPDX-License-Identifier: Apache-2.0
"""The one way to write a marked iCalendar (RFC 5545) feed: each event's summary begins with
its marking (the caller's portion mark), its description is framed by the banner where the
caller gives one, and CLASS is CONFIDENTIAL for anything above PUBLIC, so the marking travels
with every copy a calendar program makes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from icalendar import Calendar, Event

from liaison.security.classification import Classification


def marked_calendar(product: str, name: str) -> Calendar:
    """An empty calendar: ``product`` names the feature ("Decisions"), ``name`` the feed."""
    calendar = Calendar()
    calendar.add("prodid", f"-//Liaison//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar


@dataclass(frozen=True, slots=True)
class MarkedEvent:
    uid: str  # unique across the feed and its host ("proposal-3@liaison.decisions")
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime  # exclusive, as RFC 5545 has it
    summary: str  # already prefixed with the marking
    description: str
    level: Classification
    url: str | None = None
    location: str = ""


def add_event(calendar: Calendar, stamp: dt.datetime, e: MarkedEvent) -> None:
    event = Event()
    event.add("uid", e.uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", e.start)
    event.add("dtend", e.end)
    event.add("summary", e.summary)
    if e.location:
        event.add("location", e.location)
    event.add("description", e.description)
    if e.url is not None:
        event.add("url", e.url)
    event.add("class", "PUBLIC" if e.level is Classification.PUBLIC else "CONFIDENTIAL")
    calendar.add_component(event)
