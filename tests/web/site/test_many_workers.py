"""Several gunicorn workers on one database share everything a user relies on: a session made by
one worker is honoured by the others, and the log-in rate limit counts across all of them."""
import re
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from tests.support.gunicorn import gunicorn
from tests.support.webapp import create_user, make_app


@pytest.fixture
def gunicorn_app(database_url, tmp_path):
    if not database_url.startswith("sqlite:///"):
        pytest.skip("runs once, on the SQLite pass")
    app = make_app(database_url)
    create_user(app, "worker-user")
    create_user(app, "worker-two")
    with gunicorn(database_url, tmp_path / "instance", workers=3, threads=2,
                  DOCKLAB_LOGIN_LIMIT="5", DOCKLAB_LOGIN_WINDOW="300") as url:
        yield url


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
