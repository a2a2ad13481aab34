# SPDX-License-Identifier: Apache-2.0
"""Pure registry rules: membership on a date, agreement and office status on a date, office
lifecycle transitions, and contact-point mandate overlaps. No framework imports (import-linter).
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
from collections.abc import Iterable
from dataclasses import dataclass


class PartnerStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class AgreementKind(enum.StrEnum):
    BINDING_AGREEMENT = "binding_agreement"
    EXCHANGE_OF_LETTERS = "exchange_of_letters"


class AgreementStatus(enum.StrEnum):
    NEGOTIATING = "negotiating"
    SIGNED = "signed"
    IN_FORCE = "in_force"
    TERMINATED = "terminated"


class OfficeKind(enum.StrEnum):
    IO_LIAISON = "io_liaison"
    PARTNER_LIAISON = "partner_liaison"
    MILITARY_LIAISON = "military_liaison"
    REPRESENTATION = "representation"
    REGIONAL_CENTRE = "regional_centre"
    MILITARY_HQ = "military_hq"


class OfficeStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    HOST_AGREEMENT = "host_agreement"
    OPEN = "open"
    CLOSED = "closed"
    SHELVED = "shelved"


# proposed → approved → host_agreement → open → closed; shelved when consensus fails.
# An office may open straight after approval where no separate host agreement is recorded.
OFFICE_TRANSITIONS: dict[OfficeStatus, frozenset[OfficeStatus]] = {
    OfficeStatus.PROPOSED: frozenset({OfficeStatus.APPROVED, OfficeStatus.SHELVED}),
    OfficeStatus.APPROVED: frozenset(
        {OfficeStatus.HOST_AGREEMENT, OfficeStatus.OPEN, OfficeStatus.SHELVED}
    ),
    OfficeStatus.HOST_AGREEMENT: frozenset({OfficeStatus.OPEN, OfficeStatus.SHELVED}),
    OfficeStatus.OPEN: frozenset({OfficeStatus.CLOSED}),
    OfficeStatus.CLOSED: frozenset(),
    OfficeStatus.SHELVED: frozenset({OfficeStatus.PROPOSED}),
}

# The date field each status sets when an office enters it.
OFFICE_STATUS_DATE: dict[OfficeStatus, str] = {
    OfficeStatus.PROPOSED: "proposed_on",
    OfficeStatus.APPROVED: "approved_on",
    OfficeStatus.HOST_AGREEMENT: "host_agreement_on",
    OfficeStatus.OPEN: "opened_on",
    OfficeStatus.CLOSED: "closed_on",
    OfficeStatus.SHELVED: "shelved_on",
}


def is_member_on(accession: dt.date, withdrawal: dt.date | None, day: dt.date) -> bool:
    """An ally is a member from its accession date until (not including) its withdrawal."""
    return accession <= day and (withdrawal is None or day < withdrawal)


@dataclass(frozen=True, slots=True)
class AgreementDates:
    signed_on: dt.date | None
    in_force_on: dt.date | None
    attested_on: dt.date | None
    terminated_on: dt.date | None

    @property
    def effective_from(self) -> dt.date | None:
        """The first day the agreement is known to be in force."""
        return self.in_force_on or self.attested_on


def agreement_status_on(dates: AgreementDates, day: dt.date) -> AgreementStatus:
    if dates.terminated_on is not None and day >= dates.terminated_on:
        return AgreementStatus.TERMINATED
    start = dates.effective_from
    if start is not None and day >= start:
        return AgreementStatus.IN_FORCE
    if dates.signed_on is not None and day >= dates.signed_on:
        return AgreementStatus.SIGNED
    return AgreementStatus.NEGOTIATING


def check_agreement_dates(dates: AgreementDates) -> str | None:
    """Return why the dates are inconsistent, or ``None``."""
    if dates.signed_on and dates.in_force_on and dates.in_force_on < dates.signed_on:
        return "in_force_on is before signed_on"
    start = dates.effective_from
    if dates.terminated_on and start and dates.terminated_on < start:
        return "terminated_on is before the agreement entered into force"
    return None


@dataclass(frozen=True, slots=True)
class OfficeDates:
    proposed_on: dt.date | None = None
    approved_on: dt.date | None = None
    host_agreement_on: dt.date | None = None
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    shelved_on: dt.date | None = None


def office_status_on(dates: OfficeDates, day: dt.date) -> OfficeStatus | None:
    """The office's status on ``day``: the latest step whose date is on or before it.

    ``None`` means the office was not yet proposed on that day (or no date is known).
    """
    steps = [
        (dates.proposed_on, OfficeStatus.PROPOSED),
        (dates.approved_on, OfficeStatus.APPROVED),
        (dates.host_agreement_on, OfficeStatus.HOST_AGREEMENT),
        (dates.opened_on, OfficeStatus.OPEN),
        (dates.shelved_on, OfficeStatus.SHELVED),
        (dates.closed_on, OfficeStatus.CLOSED),
    ]
    reached = [(when, status) for when, status in steps if when is not None and when <= day]
    if not reached:
        return None
    # Later dates win; on the same day the later lifecycle step wins (stable sort).
    reached.sort(key=lambda pair: pair[0])
    return reached[-1][1]


def is_open_on(dates: OfficeDates, day: dt.date) -> bool:
    return (
        dates.opened_on is not None
        and dates.opened_on <= day
        and (dates.closed_on is None or day < dates.closed_on)
    )


def check_office_transition(current: OfficeStatus, target: OfficeStatus) -> str | None:
    """Return why ``current → target`` is not allowed, or ``None``."""
    if target in OFFICE_TRANSITIONS[current]:
        return None
    allowed = ", ".join(sorted(OFFICE_TRANSITIONS[current])) or "none (final state)"
    return f"an office cannot go from {current} to {target}; allowed next: {allowed}"


def check_office_dates(dates: OfficeDates) -> str | None:
    """The lifecycle dates must not run backwards."""
    chain = [
        ("proposed_on", dates.proposed_on),
        ("approved_on", dates.approved_on),
        ("host_agreement_on", dates.host_agreement_on),
        ("opened_on", dates.opened_on),
        ("closed_on", dates.closed_on),
    ]
    known = [(name, when) for name, when in chain if when is not None]
    for (first, a), (second, b) in itertools.pairwise(known):
        if b < a:
            return f"{second} ({b}) is before {first} ({a})"
    if dates.shelved_on and dates.opened_on:
        return "an office that opened cannot be shelved; close it instead"
    return None


@dataclass(frozen=True, slots=True)
class Period:
    """A mandate period: ``end`` inclusive, ``None`` for open-ended."""

    start: dt.date
    end: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def overlaps(self, other: Period) -> bool:
        return (other.end is None or self.start <= other.end) and (
            self.end is None or other.start <= self.end
        )


def check_mandate(new: Period, existing: Iterable[Period]) -> str | None:
    """Why a new mandate of one embassy clashes with that embassy's other mandates, or None."""
    if new.end is not None and new.end < new.start:
        return f"the mandate ends ({new.end}) before it starts ({new.start})"
    others = list(existing)
    if new.end is None and any(p.end is None for p in others):
        return "this embassy already has an open mandate; end it before opening another"
    for other in others:
        if new.overlaps(other):
            until = other.end.isoformat() if other.end else "open-ended"
            return f"overlaps the embassy's mandate {other.start.isoformat()} to {until}"
    return None


_OFFICE_ORDER = [
    OfficeStatus.PROPOSED,
    OfficeStatus.APPROVED,
    OfficeStatus.HOST_AGREEMENT,
    OfficeStatus.OPEN,
    OfficeStatus.CLOSED,
]


def check_office_consistency(status: OfficeStatus, dates: OfficeDates) -> str | None:
    """A recorded office's dates must not run ahead of its status, nor backwards."""
    problem = check_office_dates(dates)
    if problem:
        return problem
    if status is OfficeStatus.SHELVED:
        reached = (
            OfficeStatus.APPROVED
            if dates.host_agreement_on is None
            else (OfficeStatus.HOST_AGREEMENT)
        )
        limit = _OFFICE_ORDER.index(reached)
    else:
        limit = _OFFICE_ORDER.index(status)
        if dates.shelved_on is not None:
            return f"shelved_on is set but the status is {status}"
    for step in _OFFICE_ORDER[limit + 1 :]:
        field = OFFICE_STATUS_DATE[step]
        if getattr(dates, field) is not None:
            return f"{field} is set but the status is only {status}"
    return None
