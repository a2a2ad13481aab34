"""Pure registry rules, without a database."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.registry import rules
from liaison.registry.rules import (
    AgreementDates,
    AgreementStatus,
    OfficeDates,
    OfficeStatus,
    Period,
)

D = dt.date


def test_membership_starts_on_accession_and_ends_before_withdrawal():
    assert rules.is_member_on(D(2024, 3, 7), None, D(2024, 3, 7))
    assert not rules.is_member_on(D(2024, 3, 7), None, D(2024, 3, 6))
    assert rules.is_member_on(D(1949, 8, 24), D(2000, 1, 1), D(1999, 12, 31))
    assert not rules.is_member_on(D(1949, 8, 24), D(2000, 1, 1), D(2000, 1, 1))


def test_agreement_status_walks_through_its_dates():
    dates = AgreementDates(D(2007, 9, 26), D(2008, 1, 1), None, D(2020, 1, 1))
    assert rules.agreement_status_on(dates, D(2007, 1, 1)) is AgreementStatus.NEGOTIATING
    assert rules.agreement_status_on(dates, D(2007, 9, 26)) is AgreementStatus.SIGNED
    assert rules.agreement_status_on(dates, D(2008, 1, 1)) is AgreementStatus.IN_FORCE
    assert rules.agreement_status_on(dates, D(2020, 1, 1)) is AgreementStatus.TERMINATED


def test_attested_date_stands_in_for_unknown_entry_into_force():
    dates = AgreementDates(None, None, D(2022, 2, 1), None)
    assert rules.agreement_status_on(dates, D(2022, 1, 31)) is AgreementStatus.NEGOTIATING
    assert rules.agreement_status_on(dates, D(2022, 2, 1)) is AgreementStatus.IN_FORCE


@pytest.mark.parametrize(
    ("dates", "problem"),
    [
        (AgreementDates(D(2010, 1, 2), D(2010, 1, 1), None, None), "before signed_on"),
        (AgreementDates(None, D(2010, 1, 1), None, D(2009, 1, 1)), "terminated_on is before"),
    ],
)
def test_agreement_dates_must_not_run_backwards(dates, problem):
    assert problem in (rules.check_agreement_dates(dates) or "")


def test_office_lifecycle_allows_only_its_next_steps():
    assert rules.check_office_transition(OfficeStatus.PROPOSED, OfficeStatus.APPROVED) is None
    assert rules.check_office_transition(OfficeStatus.PROPOSED, OfficeStatus.SHELVED) is None
    assert rules.check_office_transition(OfficeStatus.APPROVED, OfficeStatus.OPEN) is None
    problem = rules.check_office_transition(OfficeStatus.SHELVED, OfficeStatus.OPEN)
    assert problem is not None
    assert "allowed next: proposed" in problem
    assert "final state" in (
        rules.check_office_transition(OfficeStatus.CLOSED, OfficeStatus.OPEN) or ""
    )


def test_office_status_on_a_date_follows_the_latest_step():
    tokyo = OfficeDates(proposed_on=D(2023, 4, 1), shelved_on=D(2025, 6, 24))
    assert rules.office_status_on(tokyo, D(2023, 3, 31)) is None
    assert rules.office_status_on(tokyo, D(2024, 1, 1)) is OfficeStatus.PROPOSED
    assert rules.office_status_on(tokyo, D(2025, 6, 24)) is OfficeStatus.SHELVED
    amman = OfficeDates(approved_on=D(2024, 7, 10), opened_on=D(2025, 9, 16))
    assert rules.office_status_on(amman, D(2025, 1, 1)) is OfficeStatus.APPROVED
    assert rules.is_open_on(amman, D(2025, 9, 16))
    assert not rules.is_open_on(amman, D(2025, 9, 15))


@pytest.mark.parametrize(
    ("status", "dates", "problem"),
    [
        (OfficeStatus.APPROVED, OfficeDates(opened_on=D(2020, 1, 1)), "opened_on is set"),
        (
            OfficeStatus.OPEN,
            OfficeDates(approved_on=D(2020, 1, 2), opened_on=D(2020, 1, 1)),
            "before approved_on",
        ),
        (
            OfficeStatus.SHELVED,
            OfficeDates(opened_on=D(2020, 1, 1), shelved_on=D(2021, 1, 1)),
            "cannot be shelved",
        ),
        (OfficeStatus.OPEN, OfficeDates(shelved_on=D(2021, 1, 1)), "shelved_on is set"),
    ],
)
def test_office_dates_must_match_the_status(status, dates, problem):
    assert problem in (rules.check_office_consistency(status, dates) or "")


def test_consistent_office_passes():
    dates = OfficeDates(
        approved_on=D(2023, 12, 14), host_agreement_on=D(2024, 7, 15), opened_on=D(2024, 7, 15)
    )
    assert rules.check_office_consistency(OfficeStatus.OPEN, dates) is None


def test_mandates_of_one_embassy_must_not_overlap():
    denmark = [Period(D(2023, 1, 1), D(2024, 12, 31))]
    assert rules.check_mandate(Period(D(2025, 1, 1), D(2026, 12, 31)), denmark) is None
    assert "overlaps" in (rules.check_mandate(Period(D(2024, 6, 1), None), denmark) or "")
    open_ended = [Period(D(2023, 1, 1), None)]
    assert "already has an open mandate" in (
        rules.check_mandate(Period(D(2030, 1, 1), None), open_ended) or ""
    )
    assert "ends" in (rules.check_mandate(Period(D(2025, 1, 2), D(2025, 1, 1)), []) or "")


dates = st.dates(min_value=D(1949, 1, 1), max_value=D(2040, 12, 31))


@given(a=dates, b=st.one_of(st.none(), dates), c=dates, d=st.one_of(st.none(), dates))
def test_overlap_is_symmetric_and_matches_a_shared_day(a, b, c, d):
    first = Period(a, b if b is None or b >= a else a)
    second = Period(c, d if d is None or d >= c else c)
    assert first.overlaps(second) == second.overlaps(first)
    shared = max(first.start, second.start)
    assert first.overlaps(second) == (first.covers(shared) and second.covers(shared))
