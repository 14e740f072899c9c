"""`flask --app app ...` operations: accounts, first-run setup."""
from __future__ import annotations

import fcntl
import secrets
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select, text

from . import backup, library, settings
from .extensions import db
from .models import ApiToken, Role, User
from .sandboxes import services as sandboxes

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
    existing = User.by_name(username)  # names are unique regardless of letter case
    if existing is not None:
        raise click.ClickException(f"user {existing.username!r} already exists")
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
    user = User.by_name(username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    _token, plain = ApiToken.issue(user, name=name)
    db.session.commit()
    click.echo(plain)


@users.command("set-password")
@click.argument("username")
@click.option("--stdin", "from_stdin", is_flag=True,
              help="Read the new password from the first line of standard input.")
def set_password(username: str, from_stdin: bool) -> None:
    """Give USERNAME a new password (asked twice, or read with --stdin); every session of that
    account ends. For a lost password, the instructor's own included."""
    user = User.by_name(username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.ClickException("the password needs at least 8 characters")
    user.set_password(password)
    db.session.commit()
    click.echo(f"new password set for {user.username}; their sessions were logged out")


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


SETUP_LOCK_ID = 0x646F636B6C6162  # "docklab": the PostgreSQL advisory lock `setup` holds


@contextmanager
def one_setup_at_a_time():
    """Replicas that start together all run `setup`: they take turns, so the migrations and the
    first instructor happen once (PostgreSQL: an advisory lock; SQLite: a lock file beside the
    database, which only one machine can use anyway)."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": SETUP_LOCK_ID})
            connection.commit()  # the lock is the session's; no transaction stays open
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": SETUP_LOCK_ID})
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.setup-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@click.command("setup")
@with_appcontext
def setup() -> None:
    """Apply migrations, check the content and make the first instructor account (idempotent)."""
    with one_setup_at_a_time():
        _setup()


def _setup() -> None:
    upgrade()
    click.echo(library.sync())  # the content, read and checked again (ContentError: every problem)
    _reap_sandboxes()
    created = ensure_first_instructor()
    if created:
        name, password = created
        click.secho("First instructor account (shown once, write it down):", bold=True)
        click.echo(f"  username: {name}\n  password: {password}")


def _reap_sandboxes() -> None:
    """Engines a crash left running are stopped and states repaired before anyone starts one."""
    if sandboxes.unavailable() is None:
        click.echo("sandboxes: " + ", ".join(f"{key.replace('_', ' ')} {value}"
                                             for key, value in sandboxes.reap().items()))


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Copy the live SQLite database to PATH (online, consistent)."""
    try:
        pages = backup.backup(settings.current().database_url, path)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backed up {pages} pages to {path}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database with the backup at PATH."""
    if not yes:
        click.confirm("This replaces every current record with the backup. Go on?", abort=True)
    db.engine.dispose()  # no pooled connection may hold the old file open
    try:
        pages = backup.restore(settings.current().database_url, path)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored {pages} pages from {path}")


def register(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(setup)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
