"""`flask --app app ...` operations: accounts, first-run setup."""
from __future__ import annotations

import secrets
import sys

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from .extensions import db
from .models import ApiToken, Role, User

users = AppGroup("users", help="Manage accounts.")


def _read_password(password: str | None) -> str:
    if password:
        return password
    if not sys.stdin.isatty():
        value = sys.stdin.readline().rstrip("\n")
        if value:
            return value
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.STUDENT.value)
@click.option("--password", help="Read from standard input when omitted.")
def create_user(username: str, role: str, password: str | None) -> None:
    """Create an account (the password may come on stdin)."""
    if db.session.scalar(select(User).where(User.username == username)):
        raise click.ClickException(f"user {username!r} already exists")
    password = _read_password(password)
    if len(password) < 8:
        raise click.ClickException("the password needs at least 8 characters")
    user = User(username=username, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"created {role} {username}")


@users.command("token")
@click.argument("username")
@click.option("--name", default="cli", help="A label to recognise the token by.")
def create_token(username: str, name: str) -> None:
    """Print a new API token for USERNAME (shown once)."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    _token, plain = ApiToken.issue(user, name=name)
    db.session.commit()
    click.echo(plain)


@users.command("list")
def list_users() -> None:
    for user in db.session.scalars(select(User).order_by(User.id)):
        click.echo(f"{user.id}\t{user.username}\t{user.role}")


def ensure_first_instructor(username: str = "instructor") -> tuple[str, str] | None:
    """Create an instructor if there is none; returns (name, password) when one was made."""
    has_one = db.session.scalar(
        select(User).where(User.role.in_([Role.INSTRUCTOR.value, Role.ADMIN.value]))
    )
    if has_one is not None:
        return None
    password = secrets.token_urlsafe(12)
    user = User(username=username, role=Role.ADMIN.value)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return username, password


@click.command("setup")
@with_appcontext
def setup() -> None:
    """Apply migrations, load content and make the first instructor account (idempotent)."""
    upgrade()
    from .content_sync import sync_content

    summary = sync_content()
    click.echo(summary)
    created = ensure_first_instructor()
    if created:
        name, password = created
        click.secho("First instructor account (shown once, write it down):", bold=True)
        click.echo(f"  username: {name}\n  password: {password}")


def register(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(setup)
