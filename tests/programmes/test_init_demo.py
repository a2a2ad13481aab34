# SPDX-License-Identifier: Apache-2.0
"""Acceptance: ``liaison init --demo``, then the dashboard shows the AP4 renewals due (the
ITPPs ending 2026-12-31), in the CLI and on the landing page; a second init changes nothing."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from liaison.app import create_app
from liaison.cli.main import app
from liaison.config import Settings
from liaison.db.engine import build_engine
from liaison.kit import clock
from liaison.programmes.models import Programme
from liaison.terminal import output

AP4_DUE = ("ITPP-AUS-2023", "ITPP-JPN-2023", "ITPP-KOR-2023")


def test_init_demo_then_the_dashboard_shows_the_renewals_due(empty_db_url, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 23))
    monkeypatch.setattr(output.console, "_width", 250)
    monkeypatch.setenv("LIAISON_DATABASE_URL", empty_db_url)
    runner = CliRunner()
    first = runner.invoke(app, ["init", "--demo"])
    assert first.exit_code == 0, first.output
    assert "12 partnership programmes" in first.output
    assert runner.invoke(app, ["init", "--demo"]).exit_code == 0
    engine = build_engine(empty_db_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Programme)) == 12
    dashboard = runner.invoke(app, ["programmes", "dashboard", "--as", "officer"])
    assert dashboard.exit_code == 0, dashboard.output
    for ref in AP4_DUE:
        assert ref in dashboard.output
    assert "ITPP-NZL-2024" not in dashboard.output.split("Goals overdue")[0]
    with TestClient(create_app(Settings(database_url=empty_db_url), engine=engine)) as client:
        login = client.post(
            "/login",
            data={"username": "officer", "password": "liaison-demo-2026"},
            follow_redirects=False,
        )
        assert login.status_code == 303, login.text
        page = client.get("/programmes", headers={"accept": "text/html"}).text
    landing = page.split("Goals overdue")[0]
    for ref in AP4_DUE:
        assert f"<strong>{ref}</strong>" in landing
    assert landing.count('datetime="2026-12-31"') == 3
    assert "38 days" in landing
    engine.dispose()
