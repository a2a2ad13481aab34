# SPDX-License-Identifier: Apache-2.0
"""The root imports no feature: ``liaison --help`` lists every command from its table, a
command's help imports that command's module alone, and the table says what the commands say.
Structural, not timed (the timings are in docs/benchmarks.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from liaison.cli.lazy import load
from liaison.cli.main import COMMANDS, app

HEAVY = ("liaison.wiring", "liaison.osint", "spacy", "ortools", "pandas", "fastapi", "fpdf")
SCRIPT = """
import json, sys
from liaison.cli.main import app
try:
    app({args!r})
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def imported_by(*args: str) -> tuple[str, set[str]]:
    """Run ``liaison ARGS`` in a fresh interpreter: its output and the modules it imported."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(args=list(args))],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout, set(json.loads(done.stderr.strip().splitlines()[-1]))


def loaded(modules: set[str], name: str) -> bool:
    return any(m == name or m.startswith(f"{name}.") for m in modules)


def test_the_roots_help_imports_no_feature():
    shown, modules = imported_by("--help")
    for name in COMMANDS:
        assert f" {name} " in shown
    assert not [m for m in (*HEAVY, "sqlalchemy", "liaison.registry") if loaded(modules, m)]


def test_a_commands_help_imports_its_module_alone():
    shown, modules = imported_by("registry", "--help")
    assert "members" in shown
    assert loaded(modules, "liaison.registry.cli")
    assert not [m for m in HEAVY if loaded(modules, m)]
    assert not loaded(modules, "liaison.programmes")


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_table_says_what_the_command_says(name):
    command = load(name, COMMANDS[name])
    first_paragraph = " ".join((command.help or "").split("\n\n")[0].split())
    assert COMMANDS[name].help == first_paragraph


def test_a_typo_is_answered_with_the_command_meant():
    result = CliRunner().invoke(app, ["regisry"])
    assert result.exit_code == 2
    assert "Did you mean 'registry'?" in result.output
