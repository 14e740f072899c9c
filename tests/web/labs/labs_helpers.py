"""Shared steps of the labs and hosts tests (plain functions; fixtures stay in tests/support)."""
from __future__ import annotations

import socket
import threading
from contextlib import contextmanager

from tests.support.webapp import post_form


def use_local_engine(app, docker_engine, **extra) -> None:
    """Local-engine mode pointed at the test engine; checks not rate limited unless a test asks."""
    app.config.update({"DOCKLAB_LOCAL_ENGINE": True,
                       "DOCKLAB_LOCAL_ENGINE_URL": docker_engine.base_url,
                       "DOCKLAB_CHECK_LIMIT": 1000, **extra})


def web_check(client, lab_id: str, host: str = "", as_json: bool = False):
    headers = {"Accept": "application/json"} if as_json else {}
    return post_form(client, f"/labs/{lab_id}", {"host": host}, action=f"/labs/{lab_id}/check",
                     headers=headers)


@contextmanager
def silent_listener():
    """A loopback TCP port that accepts connections and never says anything."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        for connection in accepted:
            connection.close()
        server.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
