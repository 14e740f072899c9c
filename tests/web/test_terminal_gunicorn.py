"""The terminal under gunicorn's threaded workers, as the app runs in production: WebSockets
open, carry Korean both ways, resize, and leave the worker's other threads serving pages."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.images import BASE
from tests.support.webapp import create_user, make_app
from tests.web.terminal_helpers import (
    log_in,
    open_terminal,
    read_until,
    refused_status,
    send_input,
    send_size,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def gunicorn_terminal(database_url, tmp_path, docker_engine, lab_images, make_container):
    if not database_url.startswith("sqlite:///"):
        pytest.skip("runs once, on the SQLite pass")
    app = make_app(database_url)
    create_user(app, "gunicorn-learner")
    container = make_container(BASE, command=["sleep", "3600"])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, DATABASE_URL=database_url, DOCKLAB_SECRET_KEY="shared-secret",
               DOCKLAB_INSTANCE_PATH=str(tmp_path / "instance"), DOCKLAB_LOCAL_ENGINE="0",
               DOCKLAB_TEST_TERMINAL=f"{docker_engine.base_url} {container.id}")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", "1", "--threads", "4",
         "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}",
         "tests.web.terminal_wsgi:app"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)  # noqa: S310 - loopback
            break
        except OSError:
            time.sleep(0.2)
    yield url
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=40)


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
