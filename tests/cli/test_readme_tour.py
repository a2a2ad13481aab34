# SPDX-License-Identifier: Apache-2.0
"""Every ``liaison …`` command of the README's tour runs as written on a fresh demo database
(``liaison init --demo``, as ``scripts/run`` makes it), exits 0 and prints an answer; where the
question gives its answer in parentheses as one word ("(shelved)", "(Denmark)"), the output
names it."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from liaison.cli.main import app

README = Path(__file__).resolve().parents[2] / "README.md"
COMMAND = re.compile(r"`(liaison [^`]+)`")
ANSWER = re.compile(r"\((\w+)\)\s*$")


def tour() -> list[tuple[str, str]]:
    """(question, command) for each CLI command in the tour's table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## A tour", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    found = []
    for row in rows[2:]:  # after the header and its rule
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        found += [(cells[0], command) for command in COMMAND.findall(cells[-1])]
    return found


def test_the_tour_has_commands():
    commands = [command for _, command in tour()]
    assert len(commands) >= 12
    assert not [c for c in commands if "…" in c or "{" in c]  # placeholders do not run


def test_every_tour_command_runs_as_written(empty_db_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the tour's exports write out.pdf and out.json here
    monkeypatch.setenv("LIAISON_DATABASE_URL", empty_db_url)
    runner = CliRunner()
    init = runner.invoke(app, ["init", "--demo"])
    assert init.exit_code == 0, init.output
    for question, command in tour():
        result = runner.invoke(app, shlex.split(command)[1:])
        assert result.exit_code == 0, (command, result.output)
        assert result.stdout.strip(), command
        answer = ANSWER.search(question)
        if answer:
            assert answer.group(1) in result.stdout, (command, answer.group(1))
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")
    assert '"type":"bundle"' in (tmp_path / "out.json").read_text()
