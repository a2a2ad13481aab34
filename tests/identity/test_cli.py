"""``liaison user``, ``liaison token`` and ``liaison org`` against real databases."""

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from liaison.cli.main import app
from liaison.db.engine import build_engine
from liaison.security.authn import verify_password
from liaison.security.models import ApiToken, Organisation, User
from liaison.terminal import output

runner = CliRunner()
NEW_PASSWORD = "correct-horse-battery"  # noqa: S105 - a test password


@pytest.fixture
def cli(monkeypatch):
    """``cli(url, *args, stdin=None)``: run the CLI against ``url``, on a wide console."""
    # One line per table row, whatever the terminal. Rich keeps a width once it has one, so
    # COLUMNS alone is not enough; the private attribute is restored after the test.
    monkeypatch.setattr(output.console, "_width", 250)

    def invoke(url, *args, stdin=None):
        monkeypatch.setenv("LIAISON_DATABASE_URL", url)
        return runner.invoke(app, list(args), input=stdin)

    return invoke


def scalar(url, stmt):
    engine = build_engine(url)
    with engine.connect() as conn:
        value = conn.scalar(stmt)
    engine.dispose()
    return value


def user_row(url, username):
    engine = build_engine(url)
    with engine.connect() as conn:
        row = conn.execute(select(User.__table__).where(User.username == username)).mappings()
        found = row.one()
    engine.dispose()
    return found


def add_alice(cli, url, *extra, stdin=NEW_PASSWORD + "\n"):
    return cli(
        url,
        "user", "add", "alice",
        "--org", "Mission of Japan to NATO",
        "--clearance", "NS",
        "--role", "member",
        "--community", "AP4-maritime",
        "--display-name", "Alice Adams",
        *extra,
        stdin=stdin,
    )  # fmt: skip


class TestUser:
    def test_add_with_the_password_on_stdin(self, cli, db_url):
        result = add_alice(cli, db_url, "--password-stdin")
        assert result.exit_code == 0, result.output
        assert "added alice (Mission of Japan to NATO, NATO SECRET)" in result.output
        row = user_row(db_url, "alice")
        assert row["display_name"] == "Alice Adams"
        assert row["roles"] == ["member"]
        assert verify_password(row["password_hash"], NEW_PASSWORD)

    def test_add_asks_for_the_password_twice(self, cli, db_url):
        result = add_alice(cli, db_url, stdin=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
        assert result.exit_code == 0, result.output
        assert "Repeat for confirmation" in result.output
        assert NEW_PASSWORD not in result.output  # the prompt hides what is typed
        assert verify_password(user_row(db_url, "alice")["password_hash"], NEW_PASSWORD)

    def test_add_a_token_only_user(self, cli, db_url):
        result = add_alice(cli, db_url, "--no-password", stdin=None)
        assert result.exit_code == 0, result.output
        assert user_row(db_url, "alice")["password_hash"] is None

    def test_list_shows_users_without_hashes(self, cli, db_url):
        add_alice(cli, db_url, "--no-password")
        result = cli(db_url, "user", "list")
        assert result.exit_code == 0, result.output
        assert "7 users" in result.output
        assert "Alice Adams" in result.output
        assert "ap4-maritime" in result.output
        assert "none (tokens only)" in result.output
        assert "$argon2" not in result.output

    def test_disable_then_enable(self, cli, db_url):
        result = cli(db_url, "user", "disable", "Analyst")
        assert result.exit_code == 0, result.output
        assert user_row(db_url, "analyst")["disabled"] is True
        assert "disabled" in cli(db_url, "user", "list").output
        assert cli(db_url, "user", "enable", "analyst").exit_code == 0
        assert user_row(db_url, "analyst")["disabled"] is False

    def test_passwd(self, cli, db_url):
        result = cli(db_url, "user", "passwd", "analyst", stdin=f"{NEW_PASSWORD}\n" * 2)
        assert result.exit_code == 0, result.output
        assert "password changed for analyst" in result.output
        assert verify_password(user_row(db_url, "analyst")["password_hash"], NEW_PASSWORD)

    def test_passwd_refuses_a_short_password(self, cli, db_url):
        result = cli(db_url, "user", "passwd", "analyst", "--password-stdin", stdin="short\n")
        assert result.exit_code == 2
        assert "at least 12 characters" in result.output

    def test_passwd_of_an_unknown_user_fails_before_the_prompt(self, cli, db_url):
        result = cli(db_url, "user", "passwd", "nobody")
        assert result.exit_code == 2
        assert "no user 'nobody'" in result.output
        assert "Password" not in result.output

    @pytest.mark.parametrize(
        ("option", "value", "message"),
        [
            (
                "--clearance",
                "TOP SECRET",
                (
                    "unknown clearance 'TOP SECRET'; use PUBLIC, NATO UNCLASSIFIED (NU), "
                    "NATO RESTRICTED (NR), NATO CONFIDENTIAL (NC), NATO SECRET (NS) "
                    "or COSMIC TOP SECRET (CTS)"
                ),
            ),
            (
                "--role",
                "superuser",
                "unknown role 'superuser'; use admin, officer, member or reader",
            ),
            ("--caveat", "NOFORN", "unknown caveat 'NOFORN'; use ATOMAL or BOHEMIA"),
            ("--community", "cyber ops", "bad community code 'cyber ops'"),
        ],
    )
    def test_bad_values_are_refused_before_the_prompt(self, cli, db_url, option, value, message):
        result = cli(
            db_url, "user", "add", "bob", "--org", "NATO International Staff",
            "--clearance", "NR", option, value,
        )  # fmt: skip
        assert result.exit_code == 2
        assert message in result.output
        assert "Password" not in result.output
        assert "Traceback" not in result.output
        assert scalar(db_url, select(func.count()).select_from(User)) == 6

    def test_a_duplicate_user_is_a_conflict(self, cli, db_url):
        result = cli(
            db_url, "user", "add", "officer", "--org", "NATO International Staff",
            "--clearance", "NS", "--no-password",
        )  # fmt: skip
        assert result.exit_code == 3
        assert "a user named 'officer' exists" in result.output

    def test_an_unknown_organisation(self, cli, db_url):
        result = cli(
            db_url, "user", "add", "bob", "--org", "Nowhere", "--clearance", "NS", "--no-password"
        )
        assert result.exit_code == 2
        assert "no organisation 'Nowhere'" in result.output

    def test_a_bad_username(self, cli, db_url):
        result = cli(
            db_url, "user", "add", "bob smith", "--org", "NATO International Staff",
            "--clearance", "NS", "--no-password",
        )  # fmt: skip
        assert result.exit_code == 2
        assert "a username has 1 to 64 letters" in result.output

    @pytest.mark.parametrize("name", ["system", "SYSTEM", "anonymous"])
    def test_the_names_of_the_systems_own_principals_are_reserved(self, cli, db_url, name):
        """A user named "system" would have its jobs run as the console (an attack review)."""
        result = cli(
            db_url, "user", "add", name, "--org", "Mission of the Republic of Korea to NATO",
            "--clearance", "NU", "--role", "officer", "--no-password",
        )  # fmt: skip
        assert result.exit_code == 2
        assert "names a principal of the system itself" in result.output


class TestToken:
    def test_create_prints_the_secret_once_with_a_warning(self, cli, db_url):
        result = cli(
            db_url, "token", "create", "officer", "--name", "ci", "--scope", "read", "--days", "30"
        )
        assert result.exit_code == 0, result.output
        secret = next(line for line in result.stdout.splitlines() if line.startswith("lia_"))
        assert "not stored" in result.stderr
        assert "officer, read" in result.output
        listed = cli(db_url, "token", "list", "officer")
        assert listed.exit_code == 0, listed.output
        assert secret[:10] + "…" in listed.output
        assert secret not in listed.output
        hashed = scalar(db_url, select(ApiToken.token_hash))
        assert hashed not in listed.output
        assert "active" in listed.output

    def test_list_every_token(self, cli, db_url):
        cli(db_url, "token", "create", "officer", "--name", "one")
        cli(db_url, "token", "create", "japan", "--name", "two")
        result = cli(db_url, "token", "list")
        assert result.exit_code == 0, result.output
        assert "2 API tokens" in result.output
        assert "read, write" in result.output

    def test_revoke(self, cli, db_url):
        cli(db_url, "token", "create", "officer", "--name", "ci")
        token_id = scalar(db_url, select(ApiToken.id))
        result = cli(db_url, "token", "revoke", str(token_id))
        assert result.exit_code == 0, result.output
        assert f"revoked token {token_id} (officer/ci)" in result.output
        assert scalar(db_url, select(ApiToken.revoked)) is True
        assert "revoked" in cli(db_url, "token", "list", "officer").output

    def test_revoke_an_unknown_token(self, cli, db_url):
        result = cli(db_url, "token", "revoke", "999")
        assert result.exit_code == 2
        assert "no API token 999" in result.output

    def test_a_bad_scope(self, cli, db_url):
        result = cli(db_url, "token", "create", "officer", "--name", "ci", "--scope", "admin")
        assert result.exit_code == 2
        assert "unknown scope 'admin'; use read or write" in result.output

    def test_too_long_a_lifetime(self, cli, db_url):
        result = cli(db_url, "token", "create", "officer", "--name", "ci", "--days", "400")
        assert result.exit_code == 2
        assert "Traceback" not in result.output

    def test_for_an_unknown_user(self, cli, db_url):
        result = cli(db_url, "token", "create", "nobody", "--name", "ci")
        assert result.exit_code == 2
        assert "no user 'nobody'" in result.output


class TestOrg:
    def test_add_and_list(self, cli, db_url):
        result = cli(
            db_url,
            "org",
            "add",
            "Mission of India to NATO",
            "--kind",
            "partner-mission",
            "--nation",
            "ind",
        )
        assert result.exit_code == 0, result.output
        assert "added Mission of India to NATO (partner_mission, IND)" in result.output
        listed = cli(db_url, "org", "list")
        assert listed.exit_code == 0, listed.output
        assert "Mission of India to NATO" in listed.output
        assert "NATO International Staff" in listed.output
        count = select(func.count()).select_from(Organisation)
        assert scalar(db_url, count) == 6

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (
                ["--kind", "embassy"],
                "unknown kind 'embassy'; use ally_delegation, partner_mission,",
            ),
            (["--kind", "partner_mission"], "a partner_mission names its nation"),
            (["--kind", "partner_mission", "--nation", "XXX"], "unknown country code 'XXX'"),
            (["--kind", "nato_military_staff", "--nation", "ITA"], "belongs to no nation"),
        ],
    )
    def test_bad_values(self, cli, db_url, args, message):
        result = cli(db_url, "org", "add", "Somewhere", *args)
        assert result.exit_code == 2
        assert message in result.output

    def test_a_duplicate_is_a_conflict(self, cli, db_url):
        result = cli(
            db_url, "org", "add", "nato international staff", "--kind", "nato_international_staff"
        )
        assert result.exit_code == 3
        assert "exists" in result.output


def test_init_without_demo_creates_no_account(cli, empty_db_url):
    result = cli(empty_db_url, "init")
    assert result.exit_code == 0, result.output
    assert scalar(empty_db_url, select(func.count()).select_from(User)) == 0
    assert "demo accounts" not in result.output


def test_init_with_demo_prints_the_demo_accounts(cli, empty_db_url):
    result = cli(empty_db_url, "init", "--demo")
    assert result.exit_code == 0, result.output
    assert "demo accounts (password liaison-demo-2026)" in result.output
    demo = ("admin", "officer", "analyst", "japan", "korea", "australia")
    delegations = ("france", "germany", "sweden")  # liaison.decisions.demo
    for username in demo + delegations:
        assert f"    {username} " in result.output
    assert scalar(empty_db_url, select(func.count()).select_from(User)) == 9


def test_brackets_in_input_are_printed_not_read_as_markup(cli, db_url):
    result = cli(db_url, "org", "add", "Cell [/x] [bold]", "--kind", "nato_military_staff")
    assert result.exit_code == 0, result.output
    assert "Cell [/x] [bold]" in result.output
    assert "Cell [/x] [bold]" in cli(db_url, "org", "list").output
    result = cli(db_url, "user", "add", "bob", "--org", "x", "--clearance", "[/x]")
    assert result.exit_code == 2
    assert "unknown clearance '[/x]'" in result.output
