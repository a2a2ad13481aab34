# SPDX-License-Identifier: Apache-2.0
"""``liaison documents ... --as USER``: the same policy, audit and banners as the API."""

from __future__ import annotations

import pytest
from document_helpers import ALL, TITLES, USERS, VISIBLE
from sqlalchemy import func, select
from typer.testing import CliRunner

from liaison.audit.models import AuditEvent
from liaison.cli.main import app
from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.documents.models import Document

runner = CliRunner()


@pytest.fixture
def cli(monkeypatch, db_url, wide_console):

    def invoke(*args, url=None):
        monkeypatch.setenv("LIAISON_DATABASE_URL", url or db_url)
        return runner.invoke(app, list(args))

    return invoke


@pytest.mark.parametrize("user", USERS)
def test_list_shows_only_what_the_user_may_read(cli, docs, user):
    result = cli("documents", "list", "--as", user)
    assert result.exit_code == 0, result.output
    n = len(VISIBLE[user])
    assert f"{n} of {n} documents" in result.output
    for key in ALL:
        assert (TITLES[key] in result.output) == (key in VISIBLE[user]), key


def test_korea_through_the_cli(cli, docs):
    result = cli("documents", "list", "--as", "korea")
    banner = "── NATO UNCLASSIFIED Releasable to South Korea ──"
    assert result.output.count(banner) == 2
    for level in ("NR", "NC", "NS", "CTS"):
        assert (
            "0 of 0 documents" in cli("documents", "list", "--level", level, "--as", "korea").output
        )
    assert "0 of 0" in cli("documents", "search", "Tokyo", "--as", "korea").output


def test_search(cli, docs):
    analyst = cli("documents", "search", "partnership", "--limit", "50", "--as", "analyst")
    assert "9 of 9 documents" in analyst.output
    assert "0 of 0" in cli("documents", "search", '"threat brief"', "--as", "analyst").output
    officer = cli("documents", "search", '"threat brief"', "--as", "officer")
    assert "1 of 1 documents" in officer.output
    assert TITLES["threat"] in officer.output


def test_show(cli, docs):
    result = cli("documents", "show", str(docs["minutes"]), "--as", "japan")
    assert result.exit_code == 0, result.output
    assert result.output.count("── NATO RESTRICTED Releasable to Japan ──") == 2
    assert "Marking: NR // REL JPN" in result.output
    assert "Minutes of the staff talks" in result.output


@pytest.mark.parametrize("target", ["tokyo", "missing"])
def test_hidden_and_missing_read_alike(cli, docs, target):
    ident = str(docs.get(target, 999_999))
    for command in ("show", "download"):
        result = cli("documents", command, ident, "--as", "korea")
        assert result.exit_code == 2
        assert result.output.strip() == f"error: no document {ident}"


def test_download(cli, docs, tmp_path):
    out = tmp_path / "minutes.md"
    result = cli("documents", "download", str(docs["minutes"]), "--out", str(out), "--as", "japan")
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("Minutes of the staff talks")
    assert "marked NR // REL JPN" in result.output
    raw = cli("documents", "download", str(docs["press"]), "--as", "korea")
    assert raw.stdout_bytes.startswith(b"On 12 July 2023")


def test_add_note(cli, docs, tmp_path):
    result = cli(
        "documents",
        "add-note",
        "--title",
        "Liaison call",
        "--marking",
        "NR // REL JPN",
        "--body",
        "Call with the Japanese mission.",
        "--as",
        "japan",
    )
    assert result.exit_code == 0, result.output
    assert "marked NR // REL JPN" in result.output
    assert "Liaison call" in cli("documents", "list", "--as", "officer").output
    assert "Liaison call" not in cli("documents", "list", "--as", "korea").output
    body = tmp_path / "note.md"
    body.write_text("# From a file", encoding="utf-8")
    from_file = cli(
        "documents",
        "add-note",
        "--title",
        "Filed",
        "--marking",
        "NU",
        "--file",
        str(body),
        "--as",
        "officer",
    )
    assert from_file.exit_code == 0, from_file.output


@pytest.mark.parametrize(
    ("user", "marking", "words"),
    [
        ("analyst", "NU", "needs the permission documents:document:write"),
        ("japan", "NC", "above what you may read yourself"),
        ("officer", "NATO PINK", "unknown classification"),
    ],
)
def test_add_note_refusals_are_one_line(cli, docs, user, marking, words):
    result = cli(
        "documents", "add-note", "--title", "t", "--marking", marking, "--body", "b", "--as", user
    )
    assert result.exit_code == 2
    assert words in result.output
    assert result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_unknown_user_is_one_line(cli, docs):
    result = cli("documents", "list", "--as", "nobody")
    assert result.exit_code == 2
    assert result.output == "error: no user 'nobody'\n"


def test_cli_reads_are_audited(cli, docs, db_url):
    cli("documents", "list", "--as", "japan")
    engine = build_engine(db_url)
    with unit_of_work(session_factory(engine)) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.actor == "japan")).all()
    engine.dispose()
    assert [e.action for e in events] == ["documents:document:read"] * 3
    assert len({e.request_id for e in events}) == 1
    assert events[0].request_id.startswith("cli-")


def test_init_demo_creates_the_demo_library(cli, empty_db_url):
    for _ in range(2):  # idempotent
        result = cli("init", "--demo", url=empty_db_url)
        assert result.exit_code == 0, result.output
    engine = build_engine(empty_db_url)
    with unit_of_work(session_factory(engine)) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == len(ALL)
    engine.dispose()
