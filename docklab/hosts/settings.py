"""The hosts area's settings, typed: from the app config, which docklab/config.py fills from the
environment (tests and operators may override it)."""
from __future__ import annotations

from flask import current_app

from grader.hosts import DEFAULT_SOCKET

from .policy import split_entries


def _setting(name: str, default):
    value = current_app.config.get(name)
    return default if value is None else value


def _flag(name: str, default: bool) -> bool:
    value = _setting(name, default)
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def local_engine_enabled() -> bool:
    """DOCKLAB_LOCAL_ENGINE (default on): learners without a host are graded on this machine's
    engine. Turn it off on a classroom server."""
    return _flag("DOCKLAB_LOCAL_ENGINE", True)


def local_engine_url() -> str:
    """DOCKLAB_LOCAL_ENGINE_URL, else DOCKER_HOST, else the local socket."""
    return _setting("DOCKLAB_LOCAL_ENGINE_URL", None) or DEFAULT_SOCKET


def default_allowed_entries() -> list[str]:
    """DOCKLAB_ALLOWED_HOSTS: networks, host names, unix sockets (comma or space separated);
    empty = nothing beyond the local engine."""
    return split_entries(_setting("DOCKLAB_ALLOWED_HOSTS", ""))


def allow_plain_tcp() -> bool:
    return _flag("DOCKLAB_ALLOW_PLAIN_TCP", False)


def host_timeout() -> float:
    """Connect and read timeout per call to a learner's host, seconds (DOCKLAB_HOST_TIMEOUT)."""
    return float(_setting("DOCKLAB_HOST_TIMEOUT", 5.0))


def max_response_bytes() -> int:
    """The largest answer read from a learner's host (DOCKLAB_HOST_MAX_RESPONSE_MB, default 32)."""
    return int(float(_setting("DOCKLAB_HOST_MAX_RESPONSE_MB", 32)) * 1024 * 1024)


def check_deadline() -> float:
    """The one deadline of every call to a learner's host (DOCKLAB_CHECK_DEADLINE seconds)."""
    return float(_setting("DOCKLAB_CHECK_DEADLINE", 20.0))


def request_wait() -> float:
    """How long a web request waits for a call to a learner's host (DOCKLAB_REQUEST_WAIT)."""
    return float(_setting("DOCKLAB_REQUEST_WAIT", 3.0))


def max_hosts() -> int:
    """Hosts one learner may register (DOCKLAB_MAX_HOSTS)."""
    return int(_setting("DOCKLAB_MAX_HOSTS", 10))


def register_limit() -> tuple[int, int]:
    """Host registrations per learner per window (DOCKLAB_HOST_REGISTER_LIMIT per
    DOCKLAB_HOST_REGISTER_WINDOW seconds)."""
    return (int(_setting("DOCKLAB_HOST_REGISTER_LIMIT", 20)),
            int(_setting("DOCKLAB_HOST_REGISTER_WINDOW", 3600)))
