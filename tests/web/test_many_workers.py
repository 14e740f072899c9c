"""Several gunicorn workers on one database share everything a user relies on: a session made by
one worker is honoured by the others, and the log-in rate limit counts across all of them."""
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.support.webapp import create_user, make_app

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def gunicorn_app(database_url, tmp_path):
    if not database_url.startswith("sqlite:///"):
        pytest.skip("runs once, on the SQLite pass")
    app = make_app(database_url)
    create_user(app, "worker-user")
    create_user(app, "worker-two")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, DATABASE_URL=database_url, DOCKLAB_SECRET_KEY="shared-secret",
               DOCKLAB_INSTANCE_PATH=str(tmp_path / "instance"), DOCKLAB_LOGIN_LIMIT="5",
               DOCKLAB_LOGIN_WINDOW="300", DOCKLAB_LOCAL_ENGINE="0")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", "3", "--threads", "2",
         "--bind", f"127.0.0.1:{port}", "app:app"],
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
    process.wait(timeout=20)


def login(opener, url: str, password: str, username: str = "worker-user") -> int:
    page = opener.open(url + "/login", timeout=5).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "username": username,
                                   "password": password}).encode()
    try:
        return opener.open(url + "/login", data=data, timeout=5).status
    except urllib.error.HTTPError as error:
        return error.code


def test_sessions_and_login_limits_hold_across_workers(gunicorn_app):
    url = gunicorn_app
    # A session made on one worker works on every other (nothing kept in process memory):
    # urllib opens a new connection per request, so these land on all three workers.
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    assert login(opener, url, "correct-horse-9", username="worker-two") == 200  # after redirect
    for _ in range(9):
        page = opener.open(url + "/account", timeout=5)
        assert page.geturl().endswith("/account")  # not sent to /login
        assert "worker-two" in page.read().decode()
    # Each attempt on a new connection, so the three workers share the work.
    statuses = []
    for _ in range(7):
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        statuses.append(login(opener, url, "wrong-password"))
    assert statuses[:5] == [200] * 5  # the form again, with "wrong username or password"
    assert statuses[5:] == [429, 429]  # the sixth and seventh are refused, whichever worker
