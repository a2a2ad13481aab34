"""``liaison init`` and ``liaison registry ...`` against real databases."""

import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from liaison.cli.main import app
from liaison.db.engine import build_engine
from liaison.registry.models import Ally, Office, Partner

runner = CliRunner()


@pytest.fixture
def cli(monkeypatch):
    def invoke(url, *args):
        monkeypatch.setenv("LIAISON_DATABASE_URL", url)
        return runner.invoke(app, list(args))

    return invoke


def count(url, model):
    engine = build_engine(url)
    with engine.connect() as conn:
        n = conn.scalar(select(func.count()).select_from(model))
    engine.dispose()
    return n


def test_init_creates_reference_data_and_is_idempotent(cli, empty_db_url):
    result = cli(empty_db_url, "init")
    assert result.exit_code == 0, result.output
    assert "249 countries" in result.output
    assert (count(empty_db_url, Ally), count(empty_db_url, Partner)) == (32, 0)
    result = cli(empty_db_url, "init", "--demo")
    assert result.exit_code == 0, result.output
    again = cli(empty_db_url, "init", "--demo")
    assert again.exit_code == 0, again.output
    assert (count(empty_db_url, Ally), count(empty_db_url, Partner)) == (32, 37)
    assert count(empty_db_url, Office) == 11


def test_commands_need_an_initialised_database(cli, empty_db_url):
    result = cli(empty_db_url, "registry", "members")
    assert result.exit_code == 2
    assert "run `liaison init` first" in result.output


def test_members_on_a_date(cli, db_url):
    result = cli(db_url, "registry", "members", "--on", "2023-07-11")
    assert result.exit_code == 0, result.output
    assert "31 allies on 2023-07-11" in result.output
    assert "Sweden" not in result.output


def test_contact_point_on_a_date(cli, db_url):
    result = cli(db_url, "registry", "contact-points", "Japan", "--on", "2023-06-01")
    assert result.output.strip().startswith("Denmark")


def test_bad_date_option(cli, db_url):
    result = cli(db_url, "registry", "members", "--on", "yesterday")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_json_round_trip_into_a_fresh_database(cli, db_url, empty_db_url, tmp_path):
    out = tmp_path / "registry.json"
    assert cli(db_url, "registry", "export", "--out", str(out)).exit_code == 0
    exported = json.loads(out.read_text())
    assert len(exported["allies"]) == 32
    assert len(exported["offices"]) == 11
    assert cli(empty_db_url, "init").exit_code == 0
    result = cli(empty_db_url, "registry", "import", str(out))
    assert result.exit_code == 0, result.output
    again = tmp_path / "again.json"
    assert cli(empty_db_url, "registry", "export", "--out", str(again)).exit_code == 0
    assert json.loads(again.read_text()) == exported


def test_reimport_updates_rather_than_duplicates(cli, db_url, tmp_path):
    out = tmp_path / "registry.json"
    cli(db_url, "registry", "export", "--out", str(out))
    result = cli(db_url, "registry", "import", str(out))
    assert result.exit_code == 0, result.output
    assert "allies 32 updated" in result.output
    assert count(db_url, Ally) == 32


def test_csv_export_and_import(cli, db_url, tmp_path):
    folder = tmp_path / "csv"
    result = cli(db_url, "registry", "export", "--format", "csv", "--out", str(folder))
    assert result.exit_code == 0, result.output
    partners = (folder / "partners.csv").read_text()
    assert partners.splitlines()[0].startswith("country,status,frameworks")
    assert "JPN,active,IP4;IPF;PAG" in partners
    new = tmp_path / "partners.csv"
    new.write_text("country,status,frameworks\nIndia,active,PAG\n")
    result = cli(db_url, "registry", "import", str(new))
    assert result.exit_code == 0, result.output
    assert "partners 1 created" in result.output
    assert count(db_url, Partner) == 38


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        ('{"allies": [', ".json", "not valid JSON"),
        ("[1, 2]", ".json", "a registry document is a JSON object"),
        ('{"allies": [{"country": "IRL"}]}', ".json", "allies.0.accession_date: Field required"),
        ('{"format": "other/2"}', ".json", "format"),
        ("country,colour\nIRL,green\n", ".csv", "unknown columns colour"),
        ("country,accession_date\nIRL,not-a-date\n", ".csv", "line 2: accession_date"),
    ],
)
def test_malformed_files_fail_in_one_line(cli, db_url, tmp_path, content, suffix, message):
    path = tmp_path / f"allies{suffix}"
    path.write_text(content)
    result = cli(db_url, "registry", "import", str(path))
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert count(db_url, Ally) == 32


def test_import_is_all_or_nothing(cli, db_url, tmp_path):
    doc = {
        "partners": [{"country": "India"}, {"country": "Brazil"}],
        "contact_point_mandates": [
            {"partner": "JPN", "ally": "DNK", "start_on": "2024-01-01", "end_on": "2025-12-31"}
        ],
    }
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    result = cli(db_url, "registry", "import", str(path))
    assert result.exit_code == 3
    assert "contact_point_mandates[0]" in result.output
    assert "overlaps" in result.output
    assert count(db_url, Partner) == 37  # India and Brazil were not kept


def test_duplicates_inside_one_document(cli, db_url, tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps({"partners": [{"country": "India"}, {"country": "india"}]}))
    result = cli(db_url, "registry", "import", str(path))
    assert result.exit_code == 3
    assert "partners[1] repeats partners[0]" in result.output


def test_unknown_country_in_import(cli, db_url, tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps({"partners": [{"country": "Atlantis"}]}))
    result = cli(db_url, "registry", "import", str(path))
    assert result.exit_code == 2
    assert "partners[0]: unknown country 'Atlantis'" in result.output


def test_missing_file(cli, db_url, tmp_path):
    result = cli(db_url, "registry", "import", str(tmp_path / "nope.json"))
    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_version(cli, db_url):
    assert "liaison 0.1.0" in cli(db_url, "--version").output
