"""docklab: concept quizzes and auto-graded Docker labs from the Korean Docker notes."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask_babel import get_locale
from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import config as config_module
from . import library
from . import settings as settings_module
from .extensions import babel, csrf, db, login_manager, migrate

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(config: dict | None = None) -> Flask:
    """Application factory: settings from the environment, then `config` (tests) on top."""
    environment = settings_module.from_environment()
    instance_path = environment.instance_path
    app = Flask(__name__, instance_relative_config=True,
                instance_path=str(instance_path) if instance_path else None)
    # Private: it holds the secret key and, by default, the SQLite database.
    Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)
    app.config.update(config_module.DEFAULTS)
    app.config.update(environment.in_instance(Path(app.instance_path)).config_values())
    if config:
        app.config.update(config)
    settings_module.init_app(app)  # a bad value in `config` fails here, not in a request

    _init_extensions(app)
    library.init(app)  # notes, questions and labs, checked once: invalid content stops the start
    _register_blueprints(app)
    _trust_proxies(app)

    from . import cli, errors, navigation, security

    navigation.register(app)
    errors.register(app)
    security.register(app)
    cli.register(app)
    _warn_about_risky_settings(app)
    return app


def _warn_about_risky_settings(app: Flask) -> None:
    settings = settings_module.current(app)
    if settings.local_engine and settings.open_registration and not app.testing:
        app.logger.warning(
            "DOCKLAB_LOCAL_ENGINE=1 with DOCKLAB_OPEN_REGISTRATION=1: anyone who signs up is "
            "graded on this server's own Docker engine and sees its containers and images. "
            "On a shared server set DOCKLAB_LOCAL_ENGINE=0 (or close registration).")


def _trust_proxies(app: Flask) -> None:
    """Behind N proxies the client's address (rate limits key on it) and the scheme come from
    their X-Forwarded-* headers; only as many hops as configured are believed."""
    hops = settings_module.current(app).proxy_hops
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _init_extensions(app: Flask) -> None:
    from . import i18n
    from .auth.session import load_user

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    try:  # a fresh checkout has only .po files; compiling takes milliseconds
        i18n.compile_catalogs()
    except OSError as exc:  # a read-only install must ship compiled catalogs
        app.logger.warning("could not compile message catalogs: %s", exc)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=";".join(i18n.translation_directories()),
    )
    app.jinja_env.globals.update(available_languages=i18n.LANGUAGES, get_locale=get_locale,
                                 current_lang=i18n.current_lang)
    _register_markdown_filters(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)


def _register_markdown_filters(app: Flask) -> None:
    """`text|md` (blocks) and `text|md_inline` (one line, no wrapping <p>) for any text shown to
    people that may hold Markdown (check messages and hints, answers): the quiz's safe renderer,
    with no raw HTML and only safe links."""
    from .i18n import role_name
    from .quiz.rendering import inline_html, markdown_html

    app.jinja_env.filters.update(md=markdown_html, md_inline=inline_html, role_name=role_name)



def _register_blueprints(app: Flask) -> None:
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .classes import bp as classes_bp
    from .hosts import bp as hosts_bp
    from .instructor import bp as instructor_bp
    from .labs import bp as labs_bp
    from .main import bp as main_bp
    from .quiz import bp as quiz_bp
    from .sandboxes import bp as sandboxes_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(quiz_bp)  # notes and quizzes
    app.register_blueprint(hosts_bp)  # learners' Docker hosts, allowed-hosts admin
    app.register_blueprint(labs_bp)  # lab pages, Check, attempts
    app.register_blueprint(instructor_bp)  # classes, progress board, admin users
    app.register_blueprint(classes_bp)  # students join classes
    app.register_blueprint(sandboxes_bp)  # a Docker engine per learner, terminal, registry

    from .sandboxes import services as sandboxes
    from .sandboxes import terminal

    terminal.init_app(app, sandboxes.terminal_target)  # the terminal opens the learner's sandbox


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers and one writer work at once; the busy timeout makes writers wait
    for each other instead of failing with 'database is locked'."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        files = [row[2] for row in cursor.execute("PRAGMA database_list") if row[1] == "main"]
        cursor.close()
        _make_private(files[0] if files else "")


def _make_private(database_file: str) -> None:
    """The database holds password and token hashes and the encrypted host secrets: owner only.
    SQLite gives a -wal or -shm it creates later the database file's mode."""
    if not database_file:  # in memory
        return
    for path in (database_file, f"{database_file}-wal", f"{database_file}-shm"):
        try:
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
        except OSError:  # not there (yet), or not ours to change
            pass
