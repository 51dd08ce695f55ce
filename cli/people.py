"""`casefile units | users | tokens`: people and their credentials, through the same services as the API."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from access import repository
from access import service as access_service
from access.schemas import Principal, TokenCreate, UserCreate
from core.config import get_settings
from core.db import SchemaOutdated, check_schema
from core.errors import CasefileError
from core.models import Role, UnitKind
from core.uow import unit_of_work

OPERATOR = Principal(user_id=None, token_id=None, name="casefile cli", role=Role.admin)
console = Console(stderr=True)  # stdout carries only the id or token, for scripts
units_app = typer.Typer(help="Units: ministries, law offices, courts.", no_args_is_help=True)
users_app = typer.Typer(help="Users.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(units_app, name="units")
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")


def _fail(message: str, code: int = 1) -> typer.Exit:
    console.print(f"[red]{message}[/]")
    return typer.Exit(code)


def _schema() -> None:
    try:
        check_schema(get_settings())
    except SchemaOutdated as error:
        raise _fail(str(error), 2) from error


@units_app.command("create")
def create_unit(
    name: Annotated[str, typer.Argument(help="e.g. 'Ministry of Interior'")],
    kind: Annotated[UnitKind, typer.Option(help="ministry, law_office, court or other")] = UnitKind.other,
) -> None:
    """Create a unit and print its id."""
    _schema()
    try:
        with unit_of_work(get_settings()) as session:
            unit_id = access_service.create_unit(session, OPERATOR, name, kind).id
    except CasefileError as error:
        raise _fail(error.detail) from error
    typer.echo(unit_id)


@users_app.command("create")
def create_user(
    username: Annotated[str, typer.Argument()],
    role: Annotated[Role, typer.Option(help="admin, clerk, officer, focal_person, auditor or client")],
    unit: Annotated[str, typer.Option(help="The unit's name")],
    full_name: Annotated[str | None, typer.Option(help="As shown to others")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read a password from stdin")] = False,
) -> None:
    """Create a user and print their id. Without a password the user signs in only with tokens."""
    _schema()
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        with unit_of_work(get_settings()) as session:
            found = repository.find_unit_by_name(session, unit)
            if found is None:
                raise _fail(f"no unit named {unit!r}; create it with `casefile units create`")
            data = UserCreate(username=username, full_name=full_name, role=role, unit_id=found.id, password=password)
            user_id = access_service.create_user(session, OPERATOR, data).id
    except CasefileError as error:
        raise _fail(error.detail) from error
    except ValueError as error:  # pydantic: a username or password that does not fit
        raise _fail(str(error)) from error
    typer.echo(user_id)


@tokens_app.command("create")
def create_token(
    name: Annotated[str, typer.Option(help="Who or what the token is for")],
    user: Annotated[str | None, typer.Option(help="The user the token acts as (username)")] = None,
    role: Annotated[Role | None, typer.Option(help="A service token with this role and no user")] = None,
    expires_in_days: Annotated[int | None, typer.Option(min=1, max=3650)] = None,
    read_only: Annotated[bool, typer.Option("--read-only", help="May read, never write")] = False,
) -> None:
    """Create an API token and print it, alone, on the last line: it is stored only as a hash."""
    _schema()
    try:
        with unit_of_work(get_settings()) as session:
            user_id = None
            if user is not None:
                found = repository.find_user(session, user)
                if found is None:
                    raise _fail(f"no user named {user!r}")
                user_id = found.id
            data = TokenCreate(name=name, user_id=user_id, role=role, expires_in_days=expires_in_days,
                               read_only=read_only)  # fmt: skip
            token, plaintext = access_service.create_token(session, OPERATOR, data)
            token_id = token.id
    except CasefileError as error:
        raise _fail(error.detail) from error
    except ValueError as error:  # pydantic: a name that does not fit
        raise _fail(str(error)) from error
    console.print(f"token {token_id} ({name}); it will not be shown again:", style="dim")
    typer.echo(plaintext)


@tokens_app.command("revoke")
def revoke_token(token_id: Annotated[str, typer.Argument()]) -> None:
    """Revoke a token at once."""
    _schema()
    try:
        with unit_of_work(get_settings()) as session:
            access_service.revoke_token(session, OPERATOR, token_id)
    except CasefileError as error:
        raise _fail(error.detail) from error
    console.print(f"token {token_id} revoked")
