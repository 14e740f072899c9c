"""Every setting docklab reads from the environment, typed, with its default, written once.

`Settings` has one field per environment variable. `from_environment()` is the only place that
reads them (an empty variable counts as unset; a bad value stops the start with an error naming the
variable and what it should be). `create_app` copies the result into `app.config` under the usual
names, so Flask and its extensions see SECRET_KEY and SQLALCHEMY_DATABASE_URI, and a test or an
operator may override any key there (`create_app({...})`, `app.config[...] = ...`). Code reads the
typed view of the app's config through `current()`; it is rebuilt only when a key changes.

A new setting: add a field here, a row to the README's configuration table (a test checks that
the two list the same variables), and read it as `settings.current().name`.
"""
from __future__ import annotations

import os
import re
import secrets
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from flask import Flask, current_app

from grader.hosts import DEFAULT_SOCKET

from .config import REPO_ROOT

EXTENSION_KEY = "docklab.settings"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class SettingError(ValueError):
    """A setting with a value docklab cannot use."""

    def __init__(self, name: str, value: object, expected: str):
        super().__init__(f"{name}={value!r}: expected {expected}")
        self.name = name


def _setting(env: str | tuple[str, ...], default, doc: str, *,
             config: str | tuple[str, ...] | None = None, separator: str = r"\s*,\s*",
             secret: bool = False):
    """A field read from the environment variable `env` (the first set one of several), kept in
    `app.config` under `config` (None: the variable's own name; (): not in the config)."""
    names = (env,) if isinstance(env, str) else env
    keys = (config,) if isinstance(config, str) else names[:1] if config is None else config
    return field(default=default, repr=not secret,
                 metadata={"env": names, "config": keys, "doc": doc, "separator": separator,
                           "default": default})


@dataclass(frozen=True)
class Settings:
    # The site -----------------------------------------------------------------------------------
    database_url: str | None = _setting(
        "DATABASE_URL", None, "The database; None = SQLite in the instance folder.",
        config="SQLALCHEMY_DATABASE_URI")
    secret_key: str | None = _setting(
        "DOCKLAB_SECRET_KEY", None, "Signs sessions and encrypts stored secrets; None = one "
        "generated once in the instance folder.", config="SECRET_KEY", secret=True)
    old_secret_keys: tuple[str, ...] = _setting(
        "DOCKLAB_OLD_SECRET_KEYS", (), "Previous secret keys that still decrypt, during a key "
        "rotation (comma separated).", secret=True)
    instance_path: Path | None = _setting(
        "DOCKLAB_INSTANCE_PATH", None, "The folder of the secret key and the SQLite file; None = "
        "Flask's instance/ folder.", config=())
    secure_cookies: bool = _setting(
        "DOCKLAB_SECURE_COOKIES", False, "Served over HTTPS: Secure cookies and an HSTS header.",
        config=("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"))
    proxy_hops: int = _setting(
        "DOCKLAB_PROXY_HOPS", 0, "Reverse proxies whose X-Forwarded-* headers are believed; 0 = "
        "none, so nobody can fake an address to dodge a rate limit.")
    content_dir: Path = _setting(
        "DOCKLAB_CONTENT_DIR", REPO_ROOT, "Where quizzes/, labs/ and notes/ are.")
    # Accounts -----------------------------------------------------------------------------------
    open_registration: bool = _setting(
        "DOCKLAB_OPEN_REGISTRATION", True, "Anyone may sign up.")
    login_limit: int = _setting(
        "DOCKLAB_LOGIN_LIMIT", 10, "Failed log-ins of one name from one address per window.")
    login_window: int = _setting(
        "DOCKLAB_LOGIN_WINDOW", 300, "The log-in limits' window, seconds.")
    login_address_limit: int = _setting(
        "DOCKLAB_LOGIN_ADDRESS_LIMIT", 200, "Failed log-ins per address and window, any names "
        "(a whole class may share one address).")
    register_limit: int = _setting(
        "DOCKLAB_REGISTER_LIMIT", 60, "Sign-ups per address and window (a whole class may sign "
        "up from one school address).")
    register_window: int = _setting(
        "DOCKLAB_REGISTER_WINDOW", 3600, "The sign-up limit's window, seconds.")
    # Learners' Docker hosts ---------------------------------------------------------------------
    local_engine: bool = _setting(
        "DOCKLAB_LOCAL_ENGINE", True, "Learners without a host are graded on this machine's "
        "engine (turn it off on a classroom server).")
    local_engine_url: str = _setting(
        ("DOCKLAB_LOCAL_ENGINE_URL", "DOCKER_HOST"), DEFAULT_SOCKET,
        "The local engine: DOCKLAB_LOCAL_ENGINE_URL, else DOCKER_HOST, else the local socket.")
    allowed_hosts: tuple[str, ...] = _setting(
        "DOCKLAB_ALLOWED_HOSTS", (), "Networks, host names and sockets learners may register "
        "(comma or space separated).", separator=r"[\s,]+")
    allow_plain_tcp: bool = _setting(
        "DOCKLAB_ALLOW_PLAIN_TCP", False, "tcp:// hosts without TLS are allowed.")
    host_timeout: float = _setting(
        "DOCKLAB_HOST_TIMEOUT", 5.0, "Connect and read timeout per call to a learner's host, s.")
    host_max_response_mb: float = _setting(
        "DOCKLAB_HOST_MAX_RESPONSE_MB", 32.0, "The largest answer read from a learner's host, MB.")
    max_hosts: int = _setting(
        "DOCKLAB_MAX_HOSTS", 10, "Hosts one learner may register.")
    host_register_limit: int = _setting(
        "DOCKLAB_HOST_REGISTER_LIMIT", 20, "Host registrations per learner per window.")
    host_register_window: int = _setting(
        "DOCKLAB_HOST_REGISTER_WINDOW", 3600, "The host registration limit's window, seconds.")
    # Lab checks and calls to learners' hosts (docklab/hosts/outbound.py) ------------------------
    check_limit: int = _setting(
        "DOCKLAB_CHECK_LIMIT", 10, "Checks per learner per window.")
    check_window: int = _setting(
        "DOCKLAB_CHECK_WINDOW", 60, "The check limit's window, seconds.")
    check_deadline: float = _setting(
        "DOCKLAB_CHECK_DEADLINE", 20.0, "The one deadline of every call to a learner's host, "
        "seconds from when it starts on the pool.")
    request_wait: float = _setting(
        "DOCKLAB_REQUEST_WAIT", 3.0, "How long a web request waits for such a call, seconds.")
    check_workers: int = _setting(
        "DOCKLAB_CHECK_WORKERS", 8, "Threads per process that call learners' hosts.")
    checks_per_learner: int = _setting(
        "DOCKLAB_CHECKS_PER_LEARNER", 1, "Calls in flight per learner in one process.")
    lab_review_cap: int = _setting(
        "DOCKLAB_LAB_REVIEW_CAP", 5, "Questions of its note section one failed lab may put in "
        "the review queue.")
    own_machine_code_ttl: float = _setting(
        "DOCKLAB_OWN_MACHINE_CODE_TTL", 600.0, "How long an own-machine command's code lives, s.")
    own_machine_max_upload_kb: float = _setting(
        "DOCKLAB_OWN_MACHINE_MAX_UPLOAD_KB", 1024.0, "The largest own-machine upload, KB.")
    # Sandboxes: a rootless Docker engine per learner (docklab/sandboxes/) -----------------------
    sandboxes: bool = _setting(
        "DOCKLAB_SANDBOXES", True, "Every learner gets a sandbox on this server.")
    sandbox_max: int = _setting(
        "DOCKLAB_SANDBOX_MAX", 60, "Sandboxes running at once; more wait in a queue.")
    sandbox_idle_minutes: float = _setting(
        "DOCKLAB_SANDBOX_IDLE_MINUTES", 30.0, "An unused sandbox is stopped after this, minutes.")
    sandbox_memory_mb: int = _setting(
        "DOCKLAB_SANDBOX_MEMORY_MB", 1536, "Memory of one sandbox, MB.")
    sandbox_pids: int = _setting(
        "DOCKLAB_SANDBOX_PIDS", 512, "Processes of one sandbox.")
    sandbox_cpu_shares: int = _setting(
        "DOCKLAB_SANDBOX_CPU_SHARES", 256, "CPU weight of one sandbox (cgroup v1 shares).")
    sandbox_disk_mb: int = _setting(
        "DOCKLAB_SANDBOX_DISK_MB", 4096, "Disk budget of one sandbox, MB.")
    sandbox_exec_timeout: float = _setting(
        "DOCKLAB_SANDBOX_EXEC_TIMEOUT", 30.0, "Longest command run through the exec API, s.")
    sandbox_prefix: str = _setting(
        "DOCKLAB_SANDBOX_PREFIX", "dlsb", "The start of sandboxes' Unix user names.")
    sandbox_address_base: str = _setting(
        "DOCKLAB_SANDBOX_ADDRESS_BASE", "127.77", "The loopback range sandboxes publish ports on.")
    terminals_per_user: int = _setting(
        "DOCKLAB_TERMINALS_PER_USER", 2, "Terminals one learner may have open.")
    terminals_per_process: int = _setting(
        "DOCKLAB_TERMINALS_PER_PROCESS", 24, "Terminals one process serves (each holds a thread).")
    registry_addr: str = _setting(
        "DOCKLAB_REGISTRY_ADDR", "127.0.0.1:5055", "Where the local image registry listens.")
    registry_dir: Path | None = _setting(
        "DOCKLAB_REGISTRY_DIR", None, "The registry's folder; None = registry/ in the instance "
        "folder.")
    registry_upstream: str = _setting(
        "DOCKLAB_REGISTRY_UPSTREAM", "", "Docker Hub's URL to run the registry as a pull-through "
        "cache; empty = offline.")

    @property
    def max_response_bytes(self) -> int:
        return int(self.host_max_response_mb * 1024 * 1024)

    @property
    def own_machine_max_upload_bytes(self) -> int:
        return int(self.own_machine_max_upload_kb * 1024)

    def in_instance(self, instance_path: Path) -> Settings:
        """The settings with the instance folder's defaults filled in (creating the secret key
        file when no key is set)."""
        return replace(
            self,
            database_url=self.database_url or f"sqlite:///{instance_path / 'docklab.sqlite3'}",
            secret_key=self.secret_key or _instance_secret(instance_path),
            registry_dir=self.registry_dir or instance_path / "registry")

    def config_values(self) -> dict[str, object]:
        """The settings as `app.config` keys (paths as text, as Flask's own settings are)."""
        values: dict[str, object] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            for key in spec.metadata["config"]:
                values[key] = str(value) if isinstance(value, Path) else value
        return values


# Each field's type, and the config keys whose values make up the settings (their first key).
_TYPES = typing.get_type_hints(Settings)
_CONFIG_KEYS = [spec.metadata["config"][0] for spec in fields(Settings) if spec.metadata["config"]]


def environment_names() -> set[str]:
    """Every environment variable Settings reads (the README's table lists exactly these)."""
    return {name for spec in fields(Settings) for name in spec.metadata["env"]}


def from_environment(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings from the environment: the one place docklab reads it."""
    environ = os.environ if environ is None else environ
    values = {}
    for spec in fields(Settings):
        for name in spec.metadata["env"]:
            raw = environ.get(name)
            if raw is not None and raw.strip():
                values[spec.name] = _parse(name, raw, _TYPES[spec.name], spec.metadata)
                break
    return Settings(**values)


def from_config(config: Mapping, instance_path: Path | None = None) -> Settings:
    """The typed view of an app's config: a key that is missing, None or empty keeps its default;
    text is parsed as in the environment, other values are checked against the field's type."""
    values: dict[str, object] = {"instance_path": instance_path}
    for spec in fields(Settings):
        if not spec.metadata["config"]:
            continue
        key = spec.metadata["config"][0]
        value = config.get(key)
        if value is not None and not (isinstance(value, str) and not value.strip()):
            values[spec.name] = _parse(key, value, _TYPES[spec.name], spec.metadata)
    return Settings(**values)


def init_app(app: Flask) -> Settings:
    """Check the app's settings once at start (so a bad override fails here, not mid-request)."""
    app.extensions.pop(EXTENSION_KEY, None)
    return current(app)


def current(app: Flask | None = None) -> Settings:
    """The settings of `app` (default: the current app), as its config says now."""
    app = app or current_app._get_current_object()
    snapshot = [app.config.get(key) for key in _CONFIG_KEYS]
    cached = app.extensions.get(EXTENSION_KEY)
    if cached is not None and cached[0] == snapshot:
        return cached[1]
    settings = from_config(app.config, Path(app.instance_path))
    app.extensions[EXTENSION_KEY] = (snapshot, settings)
    return settings



# --- parsing ----------------------------------------------------------------------------------
def _parse(name: str, value: object, kind: object, metadata: Mapping) -> object:
    """`value` (text from the environment, or what a test put in the config) as `kind`."""
    if isinstance(kind, types.UnionType):  # `X | None`: None was handled by the caller
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    default = metadata["default"]
    if kind is bool:
        return _flag(name, value)
    if kind is int:
        return _number(name, value, int, f"a whole number (the default is {default})")
    if kind is float:
        return _number(name, value, float, f"a number (the default is {default:g})")
    if kind is Path:
        if isinstance(value, str | os.PathLike):
            return Path(value)
        raise SettingError(name, value, "a folder path")
    if typing.get_origin(kind) is tuple:
        return _entries(name, value, metadata["separator"])
    if isinstance(value, str):
        return value.strip()
    raise SettingError(name, value, "text")


def _flag(name: str, value: object) -> bool:
    if isinstance(value, bool | int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingError(name, value, "1 or 0 (also true/false, yes/no, on/off)")


def _number(name: str, value: object, kind: type, expected: str):
    if isinstance(value, bool):
        raise SettingError(name, value, expected)
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise SettingError(name, value, expected) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise SettingError(name, value, expected)
    if kind is int:
        if not number.is_integer():
            raise SettingError(name, value, expected)
        return int(number)
    return number


def _entries(name: str, value: object, separator: str) -> tuple[str, ...]:
    """A list from text split at `separator` (a pattern), or from a list a test configured."""
    if isinstance(value, str):
        parts: Iterable = re.split(separator, value)
    elif isinstance(value, Iterable):
        parts = value
    else:
        raise SettingError(name, value, "a comma-separated list")
    return tuple(str(part).strip() for part in parts if part and str(part).strip())


def _instance_secret(instance_path: Path) -> str:
    """A secret key generated once and kept in the instance folder, so sessions and encrypted
    secrets survive restarts without the operator having to invent one."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
