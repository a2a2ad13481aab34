# SPDX-License-Identifier: Apache-2.0
"""``liaison catalogue`` and ``liaison plan`` on both databases: list and show as a user, in a
table or as the API's JSON; export then import a file; a planner run as a queued job followed
with a progress bar, printing objective, bound and gap; explanations; what a partner is told."""

from __future__ import annotations

import json

import pytest
from test_planner_run import profiles  # noqa: F401 - the fixture
from typer.testing import CliRunner

from liaison.cli.main import app


@pytest.fixture
def cli(engine, wide_console):
    env = {"LIAISON_DATABASE_URL": engine.url.render_as_string(hide_password=False)}

    def invoke(*args):
        return CliRunner().invoke(app, list(args), env=env)

    return invoke


def test_list_and_show_as_a_user_in_both_formats(cli, catalogue):
    result = cli("catalogue", "list", "--as", "korea", "--format", "json")
    assert result.exit_code == 0, result.output
    assert {i["code"] for i in json.loads(result.stdout)["items"]} == {"PUB-1", "ALL-1", "IP4-1"}
    table = cli("catalogue", "list", "--as", "korea")
    assert "NR-JPN" not in table.stdout
    assert "IP4-1" in table.stdout
    shown = cli("catalogue", "show", "NR-JPN", "--as", "korea")
    assert shown.exit_code == 2
    assert "no catalogue item NR-JPN" in shown.stderr
    item = json.loads(cli("catalogue", "show", "PUB-1", "--as", "japan", "--format", "json").stdout)
    assert [s["seats_held"] for s in item["sessions"]] == [None, None]


def test_export_then_import_a_file(cli, catalogue, tmp_path):
    target = tmp_path / "catalogue.xlsx"
    assert cli("catalogue", "export", str(target), "--as", "officer").exit_code == 0
    result = cli("catalogue", "import", str(target), "--as", "officer")
    assert result.exit_code == 0, result.output
    assert "0 items created, 5 updated" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "item_code,title,area,kind,item_marking,session_code,start_on,end_on,seats\nX-1,X,cyber-defence,course,PUBLIC,1,2027-01-02,2027-01-01,3\n"
    )
    refused = cli("catalogue", "import", str(bad), "--as", "officer")
    assert refused.exit_code == 2
    assert (
        "row 1, end_on: the session ends (2027-01-01) before it starts (2027-01-02)"
        in refused.stderr
    )
    ics = cli("catalogue", "export", "-", "--as", "korea", "--format", "ics")
    assert ics.stdout.count("BEGIN:VEVENT") == 4


def test_plan_run_prints_objective_bound_and_gap_and_explains(cli, profiles):  # noqa: F811
    result = cli(
        "plan",
        "run",
        "--as",
        "officer",
        "--period",
        "2027",
        "--time-limit",
        "2",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["run_state"] == "done"
    assert plan["bound"] >= plan["objective"] >= plan["greedy_objective"]
    table = cli("plan", "show", str(plan["id"]), "--as", "officer")
    assert "objective" in table.stdout
    assert "bound" in table.stdout
    assert "gap" in table.stdout
    explained = cli("plan", "explain", str(plan["id"]), "--as", "officer", "--unmet")
    assert "what would change it" in explained.stdout
    hidden = cli("plan", "explain", str(plan["id"]), "--as", "korea")
    assert hidden.exit_code == 2
    assert f"no plan {plan['id']}" in hidden.stderr
    assert cli("plan", "approve", str(plan["id"]), "--as", "korea").exit_code == 2
    proposed = cli("plan", "approve", str(plan["id"]), "--as", "officer")
    assert proposed.exit_code == 0, proposed.stderr
    assert "becomes approved when the allies adopt it" in proposed.stdout
    listed = json.loads(cli("plan", "list", "--as", "officer", "--format", "json").stdout)[0]
    assert listed["state"] == "draft"  # until the allies decide
    assert listed["proposal_reference"].startswith("DEC-")
