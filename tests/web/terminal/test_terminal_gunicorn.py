"""The terminal under gunicorn's threaded workers, as the app runs in production: WebSockets
open, carry Korean both ways, resize, and leave the worker's other threads serving pages."""
from __future__ import annotations

import re
import time
import urllib.request

import pytest

from tests.support.gunicorn import gunicorn
from tests.support.images import BASE
from tests.support.webapp import create_user, make_app
from tests.web.terminal.terminal_helpers import (
    log_in,
    open_terminal,
    read_until,
    refused_status,
    send_input,
    send_size,
)


@pytest.fixture
def gunicorn_terminal(database_url, tmp_path, docker_engine, lab_images, make_container):
    if not database_url.startswith("sqlite:///"):
        pytest.skip("runs once, on the SQLite pass")
    app = make_app(database_url)
    create_user(app, "gunicorn-learner")
    container = make_container(BASE, command=["sleep", "3600"])
    with gunicorn(database_url, tmp_path / "instance", workers=1, threads=4,
                  app="tests.web.terminal.terminal_wsgi:app",
                  DOCKLAB_TEST_TERMINAL=f"{docker_engine.base_url} {container.id}") as url:
        yield url


def test_terminals_work_under_gunicorn_threads(gunicorn_terminal):
    url = gunicorn_terminal
    session = log_in(url, "gunicorn-learner")
    terminals = [open_terminal(url, session) for _ in range(2)]
    for number, ws in enumerate(terminals):
        send_size(ws, 80 + number, 24)
        send_input(ws, f"echo 안녕 gunicorn-$((10+{number})); stty size\r")
    for number, ws in enumerate(terminals):
        text = read_until(ws, re.compile(rf"24 {80 + number}"))
        assert f"\n안녕 gunicorn-{10 + number}\r\n" in text
    # Two threads hold terminals; the others still serve pages at once.
    started = time.monotonic()
    assert urllib.request.urlopen(url + "/healthz", timeout=5).status == 200  # noqa: S310
    assert time.monotonic() - started < 2
    assert session.get(f"{url}/sandbox", timeout=5).status_code == 200
    # Refused before the handshake here too.
    assert refused_status(url, session, origin="http://evil.example") == 403
    assert refused_status(url, None) == 401
    for ws in terminals:
        ws.close()
