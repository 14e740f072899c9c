"""Fixtures that build the app on a temporary SQLite file, migrated by Alembic (no create_all)."""
from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

import pytest

from docklab import create_app
from docklab.extensions import db
from docklab.models import ApiToken, Role, User

PASSWORD = "correct-horse-9"


# The database tests run on SQLite by default and on a private PostgreSQL server with
# DOCKLAB_TEST_DATABASE=postgresql (`make test` runs both).
BACKEND = os.environ.get("DOCKLAB_TEST_DATABASE", "sqlite")


def make_app(database: Path | str, **overrides):
    """The app on `database`: a SQLite file path or a database URL."""
    url = database if isinstance(database, str) and "://" in database else f"sqlite:///{database}"
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "DOCKLAB_LOGIN_LIMIT": 1000,
        # Real sandboxes make Unix users and engines: only the tests about them turn them on,
        # with a driver of their own (tests/sandboxes/conftest.py).
        "DOCKLAB_SANDBOXES": False,
    }
    config.update(overrides)
    return create_app(config)


def _migrate(database: Path | str) -> None:
    from flask_migrate import upgrade

    app = make_app(database)
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def postgres_server():
    from .postgres import PrivatePostgres

    server = PrivatePostgres().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def migrated_template(request, tmp_path_factory):
    """Run the migrations once; every test then starts from a copy of the result."""
    if BACKEND == "postgresql":
        server = request.getfixturevalue("postgres_server")
        server.execute("CREATE DATABASE docklab_template")
        _migrate(server.url("docklab_template"))
        return server
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _migrate(path)
    return path


@pytest.fixture
def database_url(tmp_path, migrated_template):
    if BACKEND == "postgresql":
        name = f"test_{uuid.uuid4().hex[:12]}"
        migrated_template.execute(f"CREATE DATABASE {name} TEMPLATE docklab_template")
        yield migrated_template.url(name)
        migrated_template.execute(f"DROP DATABASE {name} WITH (FORCE)")
        return
    path = tmp_path / "docklab.sqlite3"
    shutil.copy(migrated_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def database_file(database_url) -> Path:
    """The SQLite file itself, for tests about what is on disk."""
    if not database_url.startswith("sqlite:///"):
        pytest.skip("about the SQLite file on disk")
    return Path(database_url.removeprefix("sqlite:///"))


@pytest.fixture
def app(database_url, tmp_path):
    app = make_app(database_url)
    app.instance_path = str(tmp_path / "instance")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def create_user(app, username: str, role: str = Role.STUDENT.value,
                password: str = PASSWORD) -> int:
    with app.app_context():
        user = User(username=username, role=role)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user.id


def csrf_token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def bearer(app, user_id: int) -> dict:
    """Authorization headers with a fresh API token of that user."""
    with app.app_context():
        _token, plain = ApiToken.issue(db.session.get(User, user_id), "tests")
        db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def post_form(client, form_url: str, data: dict, action: str | None = None, **kwargs):
    """Submit a form the way a browser does: fetch the page for its CSRF token, then post."""
    payload = dict(data, csrf_token=csrf_token(client, form_url))
    return client.post(action or form_url, data=payload, **kwargs)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = PASSWORD, next_url: str | None = None):
        url = "/login" + (f"?next={next_url}" if next_url else "")
        return post_form(self.client, "/login", {"username": username, "password": password},
                         action=url)

    def logout(self):
        return post_form(self.client, "/account", {}, action="/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
