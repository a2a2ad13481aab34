"""Issue 14, findings 5, 6 and 7: ids are never reused; one case-folding for unique names
(a 409, never a 500 or a traceback); what the API accepts an export carries and an import
takes."""

import json

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from liaison.cli.main import app
from liaison.db.base import Base
from liaison.kit.text import fold
from liaison.migrations import downgrade, upgrade

runner = CliRunner()
DOCS = "/api/v1/documents"


def _upload(client, headers, title):
    files = {"file": ("note.txt", f"text of {title}".encode(), "text/plain")}
    r = client.post(DOCS, files=files, data={"marking": "NU", "title": title}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_a_deleted_documents_id_is_never_given_again(client, auth):
    officer = auth("officer")
    first = _upload(client, officer, "first")
    assert client.delete(f"{DOCS}/{first}", headers=officer).status_code == 204
    second = _upload(client, officer, "second")
    assert second > first


def test_every_table_a_url_or_the_trail_names_has_autoincrement(engine, backend):
    """SQLite: every table with an integer id but marking (never deleted) is AUTOINCREMENT;
    PostgreSQL: a sequence, which never hands out an id twice."""
    if backend != "sqlite":
        with engine.connect() as conn:
            missing = conn.scalars(
                text(
                    "SELECT c.table_name FROM information_schema.columns c "
                    "WHERE c.column_name = 'id' AND c.data_type = 'integer' "
                    "AND c.table_schema = 'public' AND c.column_default IS NULL "
                    "AND c.is_identity = 'NO' AND c.table_name <> 'marking'"
                )
            ).all()
        assert missing == []
        return
    with engine.connect() as conn:
        tables = conn.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL")
        ).all()
        plain = []
        for name, sql in tables:
            columns = conn.execute(text(f"PRAGMA table_info('{name}')")).all()
            pk = [c for c in columns if c[5]]
            integer_id = len(pk) == 1 and pk[0][1] == "id" and pk[0][2] == "INTEGER"
            if integer_id and "AUTOINCREMENT" not in sql and name != "marking":
                plain.append(name)
    assert [p for p in plain if not p.startswith("document_fts")] == []


@pytest.mark.parametrize("second", ["ÓSLO OFFICE", "óslo office", "Óslo Office"])
def test_an_office_name_differing_only_in_case_is_a_409(client, auth, second):
    body = {"kind": "partner_liaison", "host_country": "NO", "city": "Oslo"}
    officer = auth("officer")
    assert (
        client.post(
            "/api/v1/offices", json={**body, "name": "ÓSLO OFFICE"}, headers=officer
        ).status_code
        == 201
    )
    r = client.post("/api/v1/offices", json={**body, "name": second}, headers=officer)
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_renaming_an_office_onto_another_name_is_a_409(client, auth):
    officer = auth("officer")
    body = {"kind": "partner_liaison", "host_country": "NO", "city": "Oslo"}
    client.post("/api/v1/offices", json={**body, "name": "ÖSTERSUND"}, headers=officer)
    other = client.post("/api/v1/offices", json={**body, "name": "Bergen"}, headers=officer)
    r = client.patch(
        f"/api/v1/offices/{other.json()['id']}", json={"name": "östersund"}, headers=officer
    )
    assert r.status_code == 409, r.text


def test_an_organisation_name_differing_only_in_case_is_refused(db_url, monkeypatch):
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    kind = ["--kind", "nato_international_staff"]
    first = runner.invoke(app, ["org", "add", "ÅLAND STAFF", *kind])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["org", "add", "åland staff", *kind])
    assert again.exit_code == 3
    assert "exists" in again.output
    assert "Traceback" not in again.output


def _office(name):
    return {"name": name, "kind": "partner_liaison", "host_country": "SWE", "city": "Östersund"}


def test_importing_a_non_ascii_office_twice_merges_it(db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    path = tmp_path / "offices.json"
    path.write_text(json.dumps({"offices": [_office("Östersund Liaison Office")]}))
    first = runner.invoke(app, ["registry", "import", str(path)])
    assert first.exit_code == 0, first.output
    path.write_text(json.dumps({"offices": [_office("ÖSTERSUND LIAISON OFFICE")]}))
    again = runner.invoke(app, ["registry", "import", str(path)])
    assert again.exit_code == 0, again.output
    assert "Traceback" not in again.output


def test_one_file_naming_an_office_twice_is_a_clear_error(db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    path = tmp_path / "offices.json"
    offices = [_office("Östersund Liaison Office"), _office("ÖSTERSUND LIAISON OFFICE")]
    path.write_text(json.dumps({"offices": offices}))
    result = runner.invoke(app, ["registry", "import", str(path)])
    assert result.exit_code == 3
    assert "offices[1] repeats offices[0]" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_fold_is_one_key_for_case_and_composition():
    assert fold("ÓSLO  OFFICE") == fold("óslo office") == fold("O\u0301slo office")
    assert fold("Straße") == fold("STRASSE")
    assert fold("Oslo") != fold("Osl0")


AGREEMENT = {
    "partner": "KOR",
    "title": "Security of information",
    "kind": "binding_agreement",
    "max_level": "NATO RESTRICTED",
}


def test_the_same_agreement_twice_is_a_409(client, auth):
    officer = auth("officer")
    r = client.post("/api/v1/security-agreements", json=AGREEMENT, headers=officer)
    assert r.status_code == 201, r.text
    again = client.post(
        "/api/v1/security-agreements",
        json={**AGREEMENT, "title": "SECURITY OF INFORMATION"},
        headers=officer,
    )
    assert again.status_code == 409, again.text


def test_what_the_api_accepts_an_export_carries_and_an_import_takes(
    client, auth, db_url, empty_db_url, monkeypatch, tmp_path
):
    """Two agreements of one partner may share a title under different markings (a writer may
    not see the other's, so refusing would reveal it); the export carries both and an import,
    into the same database or a fresh one, takes the file."""
    officer = auth("officer")
    for marking in ("NU // REL KOR", "NR"):
        r = client.post(
            "/api/v1/security-agreements", json={**AGREEMENT, "marking": marking}, headers=officer
        )
        assert r.status_code == 201, r.text
    monkeypatch.setenv("LIAISON_DATABASE_URL", db_url)
    out = tmp_path / "registry.json"
    assert runner.invoke(app, ["registry", "export", "--out", str(out)]).exit_code == 0
    titles = [a["title"] for a in json.loads(out.read_text())["security_agreements"]]
    assert titles.count("Security of information") == 2
    again = runner.invoke(app, ["registry", "import", str(out)])
    assert again.exit_code == 0, again.output
    monkeypatch.setenv("LIAISON_DATABASE_URL", empty_db_url)
    assert runner.invoke(app, ["init"]).exit_code == 0
    fresh = runner.invoke(app, ["registry", "import", str(out)])
    assert fresh.exit_code == 0, fresh.output


def test_migration_0015_keeps_every_row_both_ways(engine, client, auth):
    """Down to 0014 (tables rebuilt without AUTOINCREMENT, name keys dropped, hashes in the old
    form) and up again: every row of every table is still there, the document tally too."""
    _upload(client, auth("officer"), "kept")

    def everything():
        with engine.connect() as conn:
            return {
                t.name: sorted(map(tuple, conn.execute(select(t)).all()), key=repr)
                for t in Base.metadata.sorted_tables
            }

    before = everything()
    downgrade(engine, "0014")
    upgrade(engine)
    assert everything() == before
