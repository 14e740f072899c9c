import statistics
import time

from sqlalchemy import select

from docklab.extensions import db
from docklab.models import User
from tests.support.webapp import PASSWORD, create_user, post_form


def register(client, username="새학생", password=PASSWORD, confirm=None):
    return post_form(client, "/register", {
        "username": username, "password": password, "confirm": confirm or password,
    })


def test_register_hashes_password_and_logs_in(app, client):
    response = register(client)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "새학생"))
        assert user.role == "student"
        assert user.password_hash.startswith("scrypt:")
        assert PASSWORD not in user.password_hash
    home = client.get("/").get_data(as_text=True)
    assert "새학생" in home


def test_register_reshows_typed_username_on_error(client):
    response = register(client, username="typed-name", confirm="something-else")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="typed-name"' in page
    assert "일치하지 않습니다" in page  # Korean first


def test_duplicate_username_is_refused(app, client):
    create_user(app, "taken")
    page = register(client, username="taken").get_data(as_text=True)
    assert "이미 사용 중" in page


def test_login_and_logout(app, client, auth):
    create_user(app, "kim")
    assert auth.login("kim").status_code == 302
    assert "kim" in client.get("/").get_data(as_text=True)
    auth.logout()
    assert client.get("/account").status_code == 302


def test_wrong_password_and_unknown_user_read_the_same(app, client, auth):
    create_user(app, "lee")
    wrong = auth.login("lee", "not-the-password").get_data(as_text=True)
    unknown = auth.login("nobody", "not-the-password").get_data(as_text=True)
    assert "사용자 이름 또는 비밀번호가 틀렸습니다" in wrong
    assert "사용자 이름 또는 비밀번호가 틀렸습니다" in unknown


def test_unknown_user_takes_as_long_as_a_wrong_password(app, client, auth):
    """The time a failed log-in takes does not tell whether the account exists."""
    app.config.update(DOCKLAB_LOGIN_LIMIT=100)
    create_user(app, "yoon")

    def median_seconds(username: str) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            auth.login(username, "not-the-password")
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    auth.login("warm-up", "not-the-password")
    known, unknown = median_seconds("yoon"), median_seconds("nobody-at-all")
    # A password hash (scrypt) dominates either way; without the stand-in hash the unknown
    # name answered several times faster.
    assert unknown > 0.6 * known, (known, unknown)


def test_login_starts_a_fresh_session(app, client, auth):
    """Session fixation: the cookie a visitor had before logging in opens nothing after."""
    create_user(app, "seo")
    client.get("/login")
    before = client.get_cookie("session").value
    auth.login("seo")
    assert client.get_cookie("session").value != before
    planted = app.test_client()
    planted.set_cookie("session", before)
    assert planted.get("/account").status_code == 302


def test_login_honours_only_local_next(app, auth):
    create_user(app, "park")
    assert auth.login("park", next_url="/account").headers["Location"] == "/account"
    auth.logout()
    for hostile in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        location = auth.login("park", next_url=hostile).headers["Location"]
        assert "evil" not in location
        auth.logout()


def test_post_without_csrf_token_is_refused(app, client):
    create_user(app, "choi")
    response = client.post("/login", data={"username": "choi", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/account").status_code == 302  # not logged in


def test_login_is_rate_limited(app, client):
    app.config.update(DOCKLAB_LOGIN_LIMIT=3, DOCKLAB_LOGIN_WINDOW=60)
    create_user(app, "jung")
    for _ in range(3):
        post_form(client, "/login", {"username": "jung", "password": "wrong-password"})
    blocked = post_form(client, "/login", {"username": "jung", "password": PASSWORD})
    assert blocked.status_code == 429
    assert client.get("/account").status_code == 302


def test_registration_is_rate_limited_per_address(app, client):
    app.config.update(DOCKLAB_REGISTER_LIMIT=2, DOCKLAB_REGISTER_WINDOW=60)
    for name in ("first", "second"):
        assert register(client, username=name).status_code == 302
        client.delete_cookie("session")  # signed up and logged in: start over as a visitor
    refused = register(client, username="third")
    assert refused.status_code == 429
    assert 'value="third"' in refused.get_data(as_text=True)  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "third")) is None


def test_change_password_ends_other_sessions(app, auth, client):
    create_user(app, "han")
    other = app.test_client()
    post_form(other, "/login", {"username": "han", "password": PASSWORD})
    assert other.get("/account").status_code == 200
    auth.login("han")
    response = post_form(client, "/account", {
        "current": PASSWORD, "password": "new-password-1", "confirm": "new-password-1",
    })
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this session goes on
    assert other.get("/account").status_code == 302  # the other one is over
    auth.logout()
    assert auth.login("han", "new-password-1").status_code == 302


def test_session_cookie_flags(app, client, auth):
    create_user(app, "yoon")
    response = auth.login("yoon")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_security_headers(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_english_switch(client):
    client.get("/lang/en")
    assert "Log in" in client.get("/login").get_data(as_text=True)
    client.get("/lang/ko")
    assert "로그인" in client.get("/login").get_data(as_text=True)


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
