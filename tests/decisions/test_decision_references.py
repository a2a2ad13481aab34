# SPDX-License-Identifier: Apache-2.0
"""A proposal's reference is its address (issue 16, item 3): ``/decisions/DEC-2023-0001``,
``GET /api/v1/decisions/DEC-2023-0001`` (and its standings, positions, versions, writes) and
``liaison decisions show DEC-…``; programmes are already addressed by ``ITPP-JPN-2023``.

Leaks: a reference the reader may not see answers exactly as a reference that does not exist —
the same status and the same words (the reference typed is echoed, nothing else), on reads and
on writes."""

from __future__ import annotations

import pytest
from decision_helpers import now
from typer.testing import CliRunner

from liaison.cli.main import app
from liaison.db.session import session_factory, unit_of_work
from liaison.programmes.demo import create_demo_programmes

BASE = "/api/v1/decisions"
MISSING = "DEC-2099-9999"
pytestmark = pytest.mark.usefixtures("delegates")


def reference(pid):
    return f"DEC-{now().year}-{pid:04d}"


def test_a_reference_is_an_address_on_api_pages_and_cli(client, auth, login, open_proposal, db_url):
    pid = open_proposal(title="Seabed cables", procedure="meeting")
    ref = reference(pid)
    read = client.get(f"{BASE}/{ref}", headers=auth("france"))
    assert read.status_code == 200
    assert (read.json()["id"], read.json()["reference"]) == (pid, ref)
    assert len(client.get(f"{BASE}/{ref}/standings", headers=auth("france")).json()) == 32
    taken = client.post(
        f"{BASE}/{ref}/positions", json={"stance": "concur"}, headers=auth("france")
    )
    assert taken.status_code == 201, taken.text
    assert [
        p["ally"] for p in client.get(f"{BASE}/{ref}/positions", headers=auth("france")).json()
    ] == ["FRA"]
    assert client.get(f"{BASE}/{ref.lower()}", headers=auth("france")).status_code == 200
    login("france")
    page = client.get(f"/decisions/{ref}")
    assert page.status_code == 200
    assert "Seabed cables" in page.text
    assert client.get(f"/decisions/{ref}/status").status_code == 200
    shown = CliRunner().invoke(
        app, ["decisions", "show", ref, "--as", "germany"], env={"LIAISON_DATABASE_URL": db_url}
    )
    assert shown.exit_code == 0
    assert "Seabed cables" in shown.output


def test_a_hidden_reference_is_a_missing_one(client, auth, login, open_proposal, db_url):
    """japan (a partner) may not read an NU proposal (NATO only)."""
    ref = reference(open_proposal(title="Allies only"))
    for suffix in ("", "/standings", "/positions", "/versions"):
        hidden = client.get(f"{BASE}/{ref}{suffix}", headers=auth("japan"))
        missing = client.get(f"{BASE}/{MISSING}{suffix}", headers=auth("japan"))
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json()["detail"].replace(ref, "X") == missing.json()["detail"].replace(
            MISSING, "X"
        )
    for suffix, body in (("/positions", {"stance": "concur"}), ("/versions", {"text": "x"})):
        hidden = client.post(f"{BASE}/{ref}{suffix}", json=body, headers=auth("japan"))
        missing = client.post(f"{BASE}/{MISSING}{suffix}", json=body, headers=auth("japan"))
        assert hidden.status_code == missing.status_code, (hidden.text, missing.text)
        assert hidden.text.replace(ref, "X") == missing.text.replace(MISSING, "X")
    login("japan")
    hidden = client.get(f"/decisions/{ref}")
    missing = client.get(f"/decisions/{MISSING}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace(ref, "X") == missing.text.replace(MISSING, "X")
    assert "Allies only" not in hidden.text

    def show(name):
        return CliRunner().invoke(
            app, ["decisions", "show", name, "--as", "japan"], env={"LIAISON_DATABASE_URL": db_url}
        )

    assert show(ref).exit_code == show(MISSING).exit_code == 2
    assert show(ref).output.replace(ref, "X") == show(MISSING).output.replace(MISSING, "X")


def test_programme_references_are_addresses(client, auth, login, engine):
    with unit_of_work(session_factory(engine)) as session:
        create_demo_programmes(session)
    assert client.get("/api/v1/programmes/ITPP-JPN-2023", headers=auth("japan")).status_code == 200
    hidden = client.get("/api/v1/programmes/ITPP-AUS-2023", headers=auth("japan"))
    missing = client.get("/api/v1/programmes/ITPP-AUS-2099", headers=auth("japan"))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace("2023", "X") == missing.json()["detail"].replace(
        "2099", "X"
    )
    login("japan")
    assert client.get("/programmes/ITPP-JPN-2023").status_code == 200


@pytest.mark.parametrize("odd", ["%00", "DEC%00-1", "9" * 40, "-1", "0", "%E2%80%AE", "a" * 41])
def test_odd_references_are_missing_ones(client, auth, odd):
    r = client.get(f"{BASE}/{odd}", headers=auth("france"))
    expected = 422 if len(odd) > 40 else 404  # past 40 characters the path itself is refused
    assert r.status_code == expected, r.text
