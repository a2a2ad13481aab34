# SPDX-License-Identifier: Apache-2.0
"""``liaison user``, ``liaison token`` and ``liaison org``: accounts, API tokens and
organisations, run by the operator at the server's console (the SYSTEM principal; every
change is audited).

Invariants:
- a password is read from a hidden, confirmed prompt or one line of standard input, never
  from the command line (where shell history and ``ps`` would keep it);
- a token's secret is printed once, when created: only its SHA-256 is stored;
- lists never show a password hash or a token hash (a token shows its prefix);
- values are checked before any prompt, with messages that list the allowed values.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from liaison.errors import LiaisonError
from liaison.identity import choices
from liaison.identity.schemas import OrganisationRead, TokenRead, UserRead
from liaison.identity.service import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, IdentityService
from liaison.kit.clock import utcnow
from liaison.security.models import ApiToken, User
from liaison.security.principal import SYSTEM
from liaison.terminal.context import command_session
from liaison.terminal.output import Format, FormatOption, console, emit, errors, fail

user_app = typer.Typer(
    help="User accounts: add, list, disable, enable, passwd.", no_args_is_help=True
)
token_app = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)
org_app = typer.Typer(help="Organisations users belong to: add, list.", no_args_is_help=True)

Username = Annotated[str, typer.Argument(help="The user's login name.")]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from one line of standard input."),
]


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = typer.get_text_stream("stdin").readline().rstrip("\r\n")
        if not line:
            fail("no password on standard input")
        return line
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


# users ------------------------------------------------------------------------------------------
@user_app.command("add")
def user_add(
    username: Username,
    org: Annotated[str, typer.Option("--org", help="Organisation name (see `liaison org list`).")],
    clearance: Annotated[str, typer.Option(help='Clearance, e.g. "NATO SECRET" or NS.')],
    role: Annotated[
        list[str] | None,
        typer.Option("--role", help="admin, officer, member or reader (repeat; default reader)."),
    ] = None,
    community: Annotated[
        list[str] | None, typer.Option("--community", help="Need-to-know community (repeat).")
    ] = None,
    caveat: Annotated[
        list[str] | None, typer.Option("--caveat", help="Caveat access: ATOMAL, BOHEMIA (repeat).")
    ] = None,
    display_name: Annotated[str, typer.Option(help="Name shown in pages.")] = "",
    password_stdin: PasswordStdin = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="No password: the user works with API tokens.")
    ] = False,
) -> None:
    """Add a user (asks for the password unless --password-stdin or --no-password)."""
    if password_stdin and no_password:
        fail("use either --password-stdin or --no-password, not both")
    try:
        level = choices.parse_clearance(clearance)
        roles = choices.parse_roles(role or ["reader"])
        caveats = choices.parse_caveats(caveat or [])
        communities = choices.parse_communities(community or [])
    except LiaisonError as exc:
        fail(exc.message)
    password = None if no_password else _read_password(password_stdin)
    with command_session() as session:
        identity = IdentityService(session, SYSTEM)
        user = identity.create_user(
            username,
            display_name=display_name,
            organisation=identity.organisation(org),
            clearance=level,
            roles=roles,
            password=password,
            caveats=caveats,
            communities=communities,
        )
        summary = f"{user.username} ({escape(user.organisation.name)}, {user.clearance})"
    console.print(f"[green]✓[/] added {summary}", highlight=False)


@user_app.command("list")
def user_list(output: FormatOption = Format.TABLE) -> None:
    """Every user, with organisation, clearance, roles and status."""
    with command_session() as session:
        users = IdentityService(session, SYSTEM).users()
        if output is not Format.TABLE:
            emit(output, [_user_read(u) for u in users], item=UserRead)
            return
        table = _users_table(users)
    console.print(table)


def _user_read(u: User) -> UserRead:
    return UserRead(
        username=u.username,
        display_name=u.display_name,
        organisation=u.organisation.name,
        clearance=u.clearance,
        caveats=list(u.caveats),
        roles=list(u.roles),
        communities=[c.code for c in u.communities],
        password_set=u.password_hash is not None,
        disabled=u.disabled,
        last_login_at=u.last_login_at,
    )


def _users_table(users: list[User]) -> Table:
    table = Table(title=f"{len(users)} users")
    for column in ("User", "Name", "Organisation", "Clearance", "Caveats", "Roles", "Communities"):
        table.add_column(column)
    for column in ("Password", "Status", "Last login"):
        table.add_column(column)
    for u in users:
        table.add_row(
            u.username,
            escape(u.display_name),
            escape(u.organisation.name),
            u.clearance.value,
            ", ".join(u.caveats),
            ", ".join(u.roles),
            ", ".join(c.code for c in u.communities),
            "set" if u.password_hash else "none (tokens only)",
            "disabled" if u.disabled else "enabled",
            _when(u.last_login_at),
        )
    return table


def _set_disabled(username: str, disabled: bool) -> None:
    with command_session() as session:
        user = IdentityService(session, SYSTEM).set_disabled(username, disabled)
        name = user.username
    word = "disabled (sessions ended, tokens refused)" if disabled else "enabled"
    console.print(f"[green]✓[/] {name} {word}", highlight=False)


@user_app.command("disable")
def user_disable(username: Username) -> None:
    """Disable a user: ends its sessions; its tokens stop working."""
    _set_disabled(username, disabled=True)


@user_app.command("enable")
def user_enable(username: Username) -> None:
    """Enable a disabled user again."""
    _set_disabled(username, disabled=False)


@user_app.command("unblock")
def user_unblock(
    username: Annotated[
        str | None, typer.Argument(help="Forget this account's failed logins.")
    ] = None,
    address: Annotated[
        str | None, typer.Option(help="Forget the failed logins from this address.")
    ] = None,
) -> None:
    """Let an account (or an address) log in again at once after failed logins."""
    with command_session() as session:
        cleared = IdentityService(session, SYSTEM).clear_failures(
            username=username, address=address
        )
    console.print(f"[green]✓[/] forgot {cleared} failed logins", highlight=False)


@user_app.command("passwd")
def user_passwd(username: Username, password_stdin: PasswordStdin = False) -> None:
    """Set a user's password (ends its login sessions)."""
    with command_session() as session:
        IdentityService(session, SYSTEM).user(username)  # unknown users fail before the prompt
    password = _read_password(password_stdin)
    with command_session() as session:
        IdentityService(session, SYSTEM).set_password(username, password)
    console.print(f"[green]✓[/] password changed for {username.strip().lower()}", highlight=False)


# tokens -----------------------------------------------------------------------------------------
@token_app.command("create")
def token_create(
    username: Username,
    name: Annotated[str, typer.Option("--name", help="What the token is for, e.g. 'taxii-sync'.")],
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="read or write (repeat; default both).")
    ] = None,
    days: Annotated[
        int, typer.Option(help="Lifetime in days.", min=1, max=MAX_TOKEN_DAYS)
    ] = DEFAULT_TOKEN_DAYS,
) -> None:
    """Create an API token and print its secret, once."""
    try:
        scopes = choices.parse_scopes(scope or [])
    except LiaisonError as exc:
        fail(exc.message)
    with command_session() as session:
        issued = IdentityService(session, SYSTEM).create_token(
            username, name, scopes=scopes or None, days=days
        )
        token = issued.token
        about = f"token {token.id} for {token.user.username}, {', '.join(token.scopes)}"
        expiry = _when(token.expires_at)
    console.print(f"[green]✓[/] created {about}, expires {expiry} UTC", highlight=False)
    typer.echo(issued.secret)
    errors.print(
        "[yellow]warning:[/] copy the token now: it is not stored and cannot be shown again.",
        highlight=False,
    )


@token_app.command("list")
def token_list(
    username: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """API tokens (prefix, scopes, expiry, last use, state); never the secret."""
    with command_session() as session:
        tokens = IdentityService(session, SYSTEM).tokens(username)
        if output is not Format.TABLE:
            now = utcnow()
            emit(output, [_token_read(t, now) for t in tokens], item=TokenRead)
            return
        table = _tokens_table(tokens)
    console.print(table)


def _token_read(t: ApiToken, now: dt.datetime) -> TokenRead:
    return TokenRead(
        id=t.id,
        username=t.user.username,
        name=t.name,
        prefix=t.prefix,
        scopes=list(t.scopes),
        created_at=t.created_at,
        expires_at=t.expires_at,
        last_used_at=t.last_used_at,
        state=_state(t, now),
    )


def _state(token: ApiToken, now: dt.datetime) -> str:
    if token.revoked:
        return "revoked"
    return "expired" if token.expires_at <= now else "active"


def _tokens_table(tokens: list[ApiToken]) -> Table:
    table = Table(title=f"{len(tokens)} API tokens")
    for column in ("Id", "User", "Name", "Prefix", "Scopes", "Created", "Expires", "Last used"):
        table.add_column(column)
    table.add_column("State")
    now = utcnow()
    for t in tokens:
        table.add_row(
            str(t.id),
            t.user.username,
            escape(t.name),
            f"{t.prefix}…",
            ", ".join(t.scopes),
            _when(t.created_at),
            _when(t.expires_at),
            _when(t.last_used_at),
            _state(t, now),
        )
    return table


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see `liaison token list`).")],
) -> None:
    """Revoke an API token: requests with it get 401 from now on."""
    with command_session() as session:
        token = IdentityService(session, SYSTEM).revoke_token(token_id)
        about = f"token {token.id} ({token.user.username}/{escape(token.name)})"
    console.print(f"[green]✓[/] revoked {about}", highlight=False)


# organisations ----------------------------------------------------------------------------------
@org_app.command("add")
def org_add(
    name: Annotated[str, typer.Argument(help="e.g. 'Mission of Japan to NATO'.")],
    kind: Annotated[
        str, typer.Option(help=f"One of: {choices.one_of(choices.ORGANISATION_KINDS)}.")
    ],
    nation: Annotated[
        str | None,
        typer.Option(help="ISO alpha-3 code; required for delegations and missions, else none."),
    ] = None,
) -> None:
    """Add an organisation: a partner mission's users are partner nationals to the policy."""
    try:
        org_kind = choices.parse_kind(kind)
    except LiaisonError as exc:
        fail(exc.message)
    with command_session() as session:
        org = IdentityService(session, SYSTEM).create_organisation(name, org_kind, nation)
        nation = f", {org.nation_iso3}" if org.nation_iso3 else ""
        about = f"{escape(org.name)} ({org.kind.value}{nation})"
    console.print(f"[green]✓[/] added {about}", highlight=False)


@org_app.command("list")
def org_list(output: FormatOption = Format.TABLE) -> None:
    """Every organisation, with its kind, nation and number of users."""
    with command_session() as session:
        identity = IdentityService(session, SYSTEM)
        members = identity.user_counts()
        if output is not Format.TABLE:
            rows = [
                OrganisationRead(
                    name=org.name,
                    kind=org.kind.value,
                    nation=org.nation_iso3,
                    users=members.get(org.id, 0),
                )
                for org in identity.organisations()
            ]
            emit(output, rows, item=OrganisationRead)
            return
        table = Table(title="Organisations")
        for column in ("Organisation", "Kind", "Nation", "Users"):
            table.add_column(column)
        for org in identity.organisations():
            table.add_row(
                escape(org.name),
                org.kind.value,
                org.nation_iso3 or "—",
                str(members.get(org.id, 0)),
            )
    console.print(table)
