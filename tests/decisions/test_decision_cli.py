# SPDX-License-Identifier: Apache-2.0
"""``liaison decisions``: every command, as a given user, through the same service and policy;
errors are one line and a non-zero exit code."""

from __future__ import annotations

import datetime as dt

import pytest
from decision_helpers import UTC, audit_count
from typer.testing import CliRunner

from liaison.cli.main import app

pytestmark = pytest.mark.usefixtures("delegates")


@pytest.fixture
def run(db_url):
    def invoke(*args):
        return CliRunner().invoke(app, list(args), env={"LIAISON_DATABASE_URL": db_url})

    return invoke


def test_open_list_show_and_break_silence(run, engine):
    opened = run(
        "decisions",
        "open",
        "--as",
        "officer",
        "--title",
        "Seabed cables",
        "--text",
        "The Council agrees.",
        "--marking",
        "NR",
        "--days",
        "2",
    )
    assert opened.exit_code == 0, opened.output
    assert "opened; 32 electors" in opened.output
    reference = opened.output.split()[1]
    listed = run("decisions", "list", "--as", "france")
    assert "Seabed cables" in listed.output
    assert listed.output.count("NATO RESTRICTED") == 2
    assert run("decisions", "list", "--as", "japan").output.count("Seabed cables") == 0
    broken = run(
        "decisions",
        "position",
        reference,
        "break_silence",
        "--as",
        "france",
        "--statement",
        "Not now.",
    )
    assert broken.exit_code == 0, broken.output
    assert "outcome now broken" in broken.output
    shown = run("decisions", "show", reference, "--as", "germany")
    assert "Outcome: broken" in shown.output
    assert "Not now." in shown.output
    assert audit_count(engine, "decisions:position:record") == 1


def test_refusals_are_one_line(run, open_proposal):
    pid = open_proposal(marking="NU // REL JPN")
    partner = run("decisions", "position", str(pid), "concur", "--as", "japan")
    assert partner.exit_code == 2
    assert "partners do not take part" in partner.output
    past = open_proposal(
        opened_at=dt.datetime(2023, 7, 11, 9, tzinfo=UTC),
        record_past=True,
        deadline=dt.datetime.now(UTC) + dt.timedelta(days=1),
    )
    sweden = run("decisions", "position", str(past), "concur", "--as", "sweden")
    assert "Sweden is not among the 31 electors" in sweden.output
    assert run("decisions", "show", "999999", "--as", "france").exit_code == 2
    closed = run("decisions", "position", str(pid), "concur", "--as", "france")
    assert closed.exit_code == 0
    again = run("decisions", "withdraw", str(pid), "--as", "officer", "--reason", "done")
    assert again.exit_code == 0
    twice = run("decisions", "withdraw", str(pid), "--as", "officer", "--reason", "done")
    assert twice.exit_code == 3
    assert "already withdrawn" in twice.output


def test_inbox_calendar_email_and_tick(run, open_proposal):
    pid = open_proposal(title="Awaiting", deadline=dt.datetime.now(UTC) + dt.timedelta(days=1))
    assert "Awaiting" in run("decisions", "inbox", "--as", "germany").output
    assert run("decisions", "inbox", "--as", "officer").exit_code == 2
    ics = run("decisions", "calendar", "--as", "germany")
    assert ics.output.startswith("BEGIN:VCALENDAR")
    assert f"proposal-{pid}@" in ics.output
    assert run("decisions", "email", "france", "france@example.org").exit_code == 0
    assert run("decisions", "email", "france", "not-an-address").exit_code == 2
    ticked = run("decisions", "tick")
    assert ticked.exit_code == 0
    assert "0 settled, 0 e-mailed" in ticked.output


def test_amend_and_revise(run, open_proposal):
    meeting = open_proposal(procedure="meeting", title="At a meeting")
    amended = run("decisions", "amend", str(meeting), "--as", "officer", "--text", "Better words.")
    assert amended.exit_code == 0, amended.output
    assert "now at version 2" in amended.output
    silence = open_proposal(title="Under silence")
    refused = run("decisions", "amend", str(silence), "--as", "officer", "--text", "x")
    assert refused.exit_code == 3
    assert "under silence the text cannot change" in refused.output
    run(
        "decisions",
        "position",
        str(silence),
        "break_silence",
        "--as",
        "france",
        "--statement",
        "No.",
    )
    revised = run("decisions", "revise", str(silence), "--as", "officer", "--text", "Revised.")
    assert revised.exit_code == 0, revised.output
    assert "revising DEC-" in revised.output
