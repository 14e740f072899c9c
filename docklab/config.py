"""Configuration from the environment, with defaults that are safe for one learner on a laptop."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


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


def from_environment(instance_path: Path) -> dict:
    """Every setting docklab reads, in one place (the README's configuration table mirrors it)."""
    default_db = f"sqlite:///{instance_path / 'docklab.sqlite3'}"
    return {
        "SECRET_KEY": os.environ.get("DOCKLAB_SECRET_KEY") or _instance_secret(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or default_db,
        "SESSION_COOKIE_SECURE": _flag("DOCKLAB_SECURE_COOKIES", False),
        "REMEMBER_COOKIE_SECURE": _flag("DOCKLAB_SECURE_COOKIES", False),
        "DOCKLAB_LOCAL_ENGINE": _flag("DOCKLAB_LOCAL_ENGINE", True),
        "DOCKLAB_OPEN_REGISTRATION": _flag("DOCKLAB_OPEN_REGISTRATION", True),
        "DOCKLAB_LOGIN_LIMIT": int(os.environ.get("DOCKLAB_LOGIN_LIMIT", "10")),
        "DOCKLAB_LOGIN_WINDOW": int(os.environ.get("DOCKLAB_LOGIN_WINDOW", "300")),
        # Failed log-ins per address and window, any names: a whole class may share one address.
        "DOCKLAB_LOGIN_ADDRESS_LIMIT": int(os.environ.get("DOCKLAB_LOGIN_ADDRESS_LIMIT", "200")),
        # Sign-ups per address: a whole class may sign up from one school address (NAT).
        "DOCKLAB_REGISTER_LIMIT": int(os.environ.get("DOCKLAB_REGISTER_LIMIT", "60")),
        "DOCKLAB_REGISTER_WINDOW": int(os.environ.get("DOCKLAB_REGISTER_WINDOW", "3600")),
        "DOCKLAB_CONTENT_DIR": os.environ.get("DOCKLAB_CONTENT_DIR", str(REPO_ROOT)),
        # Learners' Docker hosts (docklab/hosts/settings.py reads these).
        "DOCKLAB_LOCAL_ENGINE_URL": (os.environ.get("DOCKLAB_LOCAL_ENGINE_URL")
                                     or os.environ.get("DOCKER_HOST") or None),
        "DOCKLAB_ALLOWED_HOSTS": os.environ.get("DOCKLAB_ALLOWED_HOSTS", ""),
        "DOCKLAB_ALLOW_PLAIN_TCP": _flag("DOCKLAB_ALLOW_PLAIN_TCP", False),
        "DOCKLAB_HOST_TIMEOUT": float(os.environ.get("DOCKLAB_HOST_TIMEOUT", "5")),
        "DOCKLAB_HOST_MAX_RESPONSE_MB": float(os.environ.get("DOCKLAB_HOST_MAX_RESPONSE_MB", "32")),
        "DOCKLAB_MAX_HOSTS": int(os.environ.get("DOCKLAB_MAX_HOSTS", "10")),
        "DOCKLAB_HOST_REGISTER_LIMIT": int(os.environ.get("DOCKLAB_HOST_REGISTER_LIMIT", "20")),
        "DOCKLAB_HOST_REGISTER_WINDOW": int(os.environ.get("DOCKLAB_HOST_REGISTER_WINDOW",
                                                           "3600")),
        # Lab checks (docklab/labs/services.py).
        "DOCKLAB_CHECK_LIMIT": int(os.environ.get("DOCKLAB_CHECK_LIMIT", "10")),
        "DOCKLAB_CHECK_WINDOW": int(os.environ.get("DOCKLAB_CHECK_WINDOW", "60")),
        "DOCKLAB_CHECK_DEADLINE": float(os.environ.get("DOCKLAB_CHECK_DEADLINE", "20")),
        # Own-machine checks (docklab/labs/own_machine.py): how long a pasted command's code
        # lives (seconds), and the largest upload of its results (KB).
        "DOCKLAB_OWN_MACHINE_CODE_TTL": float(os.environ.get("DOCKLAB_OWN_MACHINE_CODE_TTL",
                                                             "600")),
        "DOCKLAB_OWN_MACHINE_MAX_UPLOAD_KB": float(os.environ.get(
            "DOCKLAB_OWN_MACHINE_MAX_UPLOAD_KB", "1024")),
        # How many questions of its note section one failed lab may put in the review queue.
        "DOCKLAB_LAB_REVIEW_CAP": int(os.environ.get("DOCKLAB_LAB_REVIEW_CAP", "5")),
        # Calls to learners' hosts (docklab/hosts/outbound.py): the pool's threads per process,
        # calls in flight per learner, and how long a web request waits for one.
        "DOCKLAB_CHECK_WORKERS": int(os.environ.get("DOCKLAB_CHECK_WORKERS", "8")),
        "DOCKLAB_CHECKS_PER_LEARNER": int(os.environ.get("DOCKLAB_CHECKS_PER_LEARNER", "1")),
        "DOCKLAB_REQUEST_WAIT": float(os.environ.get("DOCKLAB_REQUEST_WAIT", "3")),
        # Sandboxes: a rootless Docker engine per learner (docklab/sandboxes/).
        "DOCKLAB_SANDBOXES": _flag("DOCKLAB_SANDBOXES", True),
        "DOCKLAB_SANDBOX_MAX": int(os.environ.get("DOCKLAB_SANDBOX_MAX", "60")),
        "DOCKLAB_SANDBOX_IDLE_MINUTES": float(os.environ.get("DOCKLAB_SANDBOX_IDLE_MINUTES",
                                                             "30")),
        "DOCKLAB_SANDBOX_MEMORY_MB": int(os.environ.get("DOCKLAB_SANDBOX_MEMORY_MB", "1536")),
        "DOCKLAB_SANDBOX_PIDS": int(os.environ.get("DOCKLAB_SANDBOX_PIDS", "512")),
        "DOCKLAB_SANDBOX_CPU_SHARES": int(os.environ.get("DOCKLAB_SANDBOX_CPU_SHARES", "256")),
        "DOCKLAB_SANDBOX_DISK_MB": int(os.environ.get("DOCKLAB_SANDBOX_DISK_MB", "4096")),
        "DOCKLAB_SANDBOX_EXEC_TIMEOUT": float(os.environ.get("DOCKLAB_SANDBOX_EXEC_TIMEOUT",
                                                             "30")),
        # Terminals: each open one holds a server thread (size gunicorn's --threads for them).
        "DOCKLAB_TERMINALS_PER_USER": int(os.environ.get("DOCKLAB_TERMINALS_PER_USER", "2")),
        "DOCKLAB_TERMINALS_PER_PROCESS": int(os.environ.get("DOCKLAB_TERMINALS_PER_PROCESS",
                                                            "24")),
        "DOCKLAB_SANDBOX_PREFIX": os.environ.get("DOCKLAB_SANDBOX_PREFIX", "dlsb"),
        "DOCKLAB_SANDBOX_ADDRESS_BASE": os.environ.get("DOCKLAB_SANDBOX_ADDRESS_BASE", "127.77"),
        # Reverse proxies in front of docklab whose X-Forwarded-* headers are trusted: 0 = none
        # (the headers are ignored, so nobody can fake an address to dodge a rate limit).
        "DOCKLAB_PROXY_HOPS": int(os.environ.get("DOCKLAB_PROXY_HOPS", "0")),
        # The local image registry sandboxes pull through (docklab/sandboxes/registry.py):
        # where it listens, its folder, and Docker Hub's URL to run it as a pull-through cache.
        "DOCKLAB_REGISTRY_ADDR": os.environ.get("DOCKLAB_REGISTRY_ADDR") or "127.0.0.1:5055",
        "DOCKLAB_REGISTRY_DIR": (os.environ.get("DOCKLAB_REGISTRY_DIR")
                                 or str(instance_path / "registry")),
        "DOCKLAB_REGISTRY_UPSTREAM": os.environ.get("DOCKLAB_REGISTRY_UPSTREAM", ""),
    }


DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # CSRF tokens live as long as the session: a long quiz must not expire its form.
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "ko",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Seoul",
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
}
