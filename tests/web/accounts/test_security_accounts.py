"""Accounts and transport hardening from the December red-team report (findings 6-8, 10, 12-16):
log-in throttling that cannot lock out the right password, tokens on password change, logout,
deeply nested JSON, case-insensitive names, the new-token page, SQLite file modes, the quiz API's
answers in test mode, HSTS and the local-engine warning."""
from __future__ import annotations

import logging
import re
import stat
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from docklab.extensions import db
from docklab.models import ApiToken, RateLimitHit, Role, User
from tests.support.webapp import BACKEND, PASSWORD, bearer, create_user, make_app, post_form
from tests.web.quiz.quiz_answers import one_of_each_type, wrong_answer


def login_from(client, address: str, username: str, password: str) -> int:
    """A log-in posted from `address` (the client's own address, no proxy involved)."""
    response = post_form(client, "/login", {"username": username, "password": password},
                         environ_base={"REMOTE_ADDR": address})
    return response.status_code


def age_login_hits(app, seconds: int) -> None:
    """Pretend every counted log-in failure happened `seconds` earlier."""
    with app.app_context():
        hits = db.session.scalars(select(RateLimitHit)).all()
        for hit in hits:
            hit.at = hit.at - timedelta(seconds=seconds)
        db.session.commit()


# --- finding 6: log-in throttling ----------------------------------------------------------------
@pytest.fixture
def limits(app):
    app.config.update(DOCKLAB_LOGIN_LIMIT=10, DOCKLAB_LOGIN_WINDOW=300,
                      DOCKLAB_LOGIN_ADDRESS_LIMIT=200)
    return app


def test_an_attacker_elsewhere_cannot_lock_out_the_right_password(limits):
    app = limits
    create_user(app, "teach1", Role.INSTRUCTOR.value)
    attacker = app.test_client()
    tries = [login_from(attacker, "198.51.100.66", "teach1", "wrong-password") for _ in range(12)]
    assert tries[:10] == [200] * 10 and tries[10:] == [429, 429]  # the attacking pair is refused
    assert login_from(app.test_client(), "203.0.113.10", "teach1", PASSWORD) == 302
    assert login_from(app.test_client(), "203.0.113.11", "TEACH1", PASSWORD) == 302


def test_a_class_behind_one_address_all_log_in_after_a_typo_each(limits):
    app = limits
    names = [f"student{n:02d}" for n in range(30)]
    with app.app_context():  # one hash for all: the test is about the limits, not about scrypt
        template = User(username="template")
        template.set_password(PASSWORD)
        db.session.add_all(User(username=name, password_hash=template.password_hash)
                           for name in names)
        db.session.commit()
    school = "192.0.2.1"
    for name in names:
        client = app.test_client()
        assert login_from(client, school, name, "typo-password") == 200
        assert login_from(client, school, name, PASSWORD) == 302, name


def test_the_attacking_pair_waits_longer_after_each_further_failure(app):
    app.config.update(DOCKLAB_LOGIN_LIMIT=3, DOCKLAB_LOGIN_WINDOW=60)
    create_user(app, "jung")
    client = app.test_client()
    address = "198.51.100.7"
    assert [login_from(client, address, "jung", "wrong") for _ in range(3)] == [200] * 3
    # Refused before the password is looked at: even the right one waits.
    assert login_from(client, address, "jung", PASSWORD) == 429
    age_login_hits(app, 61)  # the first wait (one window) is over
    assert login_from(client, address, "jung", "wrong") == 200
    age_login_hits(app, 61)  # the fourth failure doubled the wait to two windows
    assert login_from(client, address, "jung", PASSWORD) == 429
    age_login_hits(app, 60)
    assert login_from(client, address, "jung", PASSWORD) == 302


def test_the_address_limit_still_holds_for_many_names(app):
    app.config.update(DOCKLAB_LOGIN_LIMIT=10, DOCKLAB_LOGIN_ADDRESS_LIMIT=5)
    client = app.test_client()
    statuses = [login_from(client, "198.51.100.9", f"guess{n}", "wrong") for n in range(6)]
    assert statuses == [200] * 5 + [429]
    page = post_form(client, "/login", {"username": "guess9", "password": "wrong"},
                     environ_base={"REMOTE_ADDR": "198.51.100.9"}).get_data(as_text=True)
    assert "로그인 실패가 너무 많습니다" in page


# --- finding 7: password change and API tokens ---------------------------------------------------
def change_password(client, **extra):
    data = {"current": PASSWORD, "password": "new-password-1", "confirm": "new-password-1"}
    data.update(extra)
    return post_form(client, "/account", data, follow_redirects=True)


def test_password_change_revokes_tokens_when_the_box_is_checked(app, client, auth):
    user_id = create_user(app, "bob")
    token = bearer(app, user_id)
    auth.login("bob")
    form = client.get("/account").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*name="revoke_tokens"|'
                     r'<input[^>]*name="revoke_tokens"[^>]*checked', form)  # on by default
    page = change_password(client, revoke_tokens="y").get_data(as_text=True)
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert "API 토큰도 모두 폐기했습니다" in page


def test_password_change_keeps_tokens_and_says_so_when_unchecked(app, client, auth):
    user_id = create_user(app, "bob")
    token = bearer(app, user_id)
    auth.login("bob")
    client.get("/lang/en")
    page = change_password(client).get_data(as_text=True)  # a checkbox left off is not sent
    assert client.get("/api/v1/me", headers=token).status_code == 200
    assert "Your API tokens still work" in page
    assert "were revoked" not in page


# --- finding 8: logout ----------------------------------------------------------------------------
def test_logout_ends_a_copied_session_cookie(app, client, auth):
    create_user(app, "bob")
    auth.login("bob")
    copied = client.get_cookie("session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/account").status_code == 302
    assert auth.login("bob").status_code == 302  # logging in again works


# --- finding 10: deeply nested JSON ---------------------------------------------------------------
@pytest.mark.parametrize("depth", [400, 100000])
def test_deeply_nested_json_is_a_clean_400(app, client, caplog, depth):
    token = bearer(app, create_user(app, "deep"))
    question = one_of_each_type()["single"]
    body = "[" * depth + "]" * depth
    caplog.set_level(logging.INFO)
    for path, headers in (("/api/v1/hosts", {}), ("/api/v1/hosts", token),
                          (f"/api/v1/questions/{question.id}/answer", token)):
        response = client.post(path, data=body, headers={**headers,
                                                         "Content-Type": "application/json"})
        assert response.status_code == 400, path
        data = response.get_json()
        assert data["error"] == "bad_request" and "nested" in data["message_en"]
        assert data["message"] == data["message_ko"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_ordinary_nesting_still_passes(app, client):
    token = bearer(app, create_user(app, "shallow"))
    question = one_of_each_type()["matching"]
    response = client.post(f"/api/v1/questions/{question.id}/answer", headers=token,
                           json={"answer": {"a": {"b": [[["c"]]]}}})
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_answer"


# --- finding 12: user names that differ only in case ----------------------------------------------
def register(client, username):
    return post_form(client, "/register", {"username": username, "password": PASSWORD,
                                           "confirm": PASSWORD})


def test_names_differing_only_in_case_do_not_register(app):
    create_user(app, "alice")
    for name in ("Alice", "ALICE"):
        page = register(app.test_client(), name).get_data(as_text=True)
        assert "이미 사용 중" in page, name
    with app.app_context():
        assert db.session.scalars(select(User.username)).all() == ["alice"]


def test_trailing_punctuation_is_refused(app):
    create_user(app, "alice")
    for name in ("alice.", "alice-", "_alice"):
        response = register(app.test_client(), name)
        assert response.status_code == 200, name
        assert "영문, 숫자, 한글로 시작하고 끝나야" in response.get_data(as_text=True)
    assert register(app.test_client(), "al.ice-2").status_code == 302


def test_the_database_refuses_case_duplicates(app):
    create_user(app, "carol")
    with app.app_context():
        db.session.add(User(username="CaRoL", password_hash="x"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_log_in_by_name_ignores_case(app, auth):
    create_user(app, "dave")
    assert auth.login("DAVE").status_code == 302


@pytest.fixture
def empty_database(tmp_path, migrated_template):
    """A database with no tables yet, to run the migrations on by hand."""
    if BACKEND == "postgresql":
        name = f"empty_{uuid.uuid4().hex[:12]}"
        migrated_template.execute(f"CREATE DATABASE {name}")
        yield migrated_template.url(name)
        migrated_template.execute(f"DROP DATABASE {name} WITH (FORCE)")
        return
    yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"


def test_migration_stops_on_existing_case_duplicates(empty_database):
    from alembic import command

    app = make_app(empty_database)
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        command.upgrade(config, "0004")
        db.session.execute(text(
            "INSERT INTO users (username, password_hash, role, created_at, session_epoch) "
            "VALUES ('erin', 'x', 'student', CURRENT_TIMESTAMP, 0), "
            "('Erin', 'x', 'student', CURRENT_TIMESTAMP, 0)"))
        db.session.commit()
        with pytest.raises(RuntimeError, match="differ only in case: erin"):
            command.upgrade(config, "0005")
        db.session.execute(update(User).where(User.username == "Erin").values(username="erin2"))
        db.session.commit()
        command.upgrade(config, "0005")
        with pytest.raises(IntegrityError):
            db.session.execute(text("INSERT INTO users (username, password_hash, role, "
                                    "created_at, session_epoch) VALUES ('ERIN2', 'x', "
                                    "'student', CURRENT_TIMESTAMP, 0)"))
        db.session.rollback()
        command.downgrade(config, "0004")
        db.session.remove()
        db.engine.dispose()


# --- finding 13: a new API token is never put in the session cookie -------------------------------
def test_new_token_is_shown_in_the_post_response_and_not_in_the_cookie(app, client, auth):
    create_user(app, "scripter")
    auth.login("scripter")
    response = post_form(client, "/account", {"name": "laptop"}, action="/account/tokens")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    token = re.search(r'data-testid="new-token">([^<]+)<', page).group(1)
    assert page.count(token) == 1
    serializer = app.session_interface.get_signing_serializer(app)
    for header in response.headers.getlist("Set-Cookie"):
        assert token not in header
        name, _, rest = header.partition("=")
        if name == app.config["SESSION_COOKIE_NAME"]:
            assert token not in repr(serializer.loads(rest.split(";")[0]))
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code \
        == 200
    assert token not in client.get("/account").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ApiToken.name)) == "laptop"


# --- finding 14: the SQLite files are private ----------------------------------------------------
def test_sqlite_files_and_instance_folder_are_private(tmp_path, monkeypatch):
    from flask_migrate import upgrade

    instance = tmp_path / "fresh" / "instance"
    monkeypatch.setenv("DOCKLAB_INSTANCE_PATH", str(instance))
    database = tmp_path / "fresh" / "db" / "docklab.sqlite3"
    database.parent.mkdir(parents=True)
    app = make_app(database)
    with app.app_context():
        upgrade()
        create_user(app, "frank")
        files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
        for path in files:
            assert path.exists(), path
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        db.engine.dispose()
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700


# --- finding 16: quiz answers in test mode, HSTS --------------------------------------------------
def test_quiz_api_practice_mode_shows_the_answer(app, client):
    token = bearer(app, create_user(app, "practiser"))
    question = one_of_each_type()["single"]
    body = client.post(f"/api/v1/questions/{question.id}/answer", headers=token,
                       json={"answer": wrong_answer(question)}).get_json()
    assert body["correct"] is False and body["mode"] == "practice"
    assert body["correct_answer"] and body["expected"] == question.parts.answer


def test_quiz_api_test_mode_hides_the_answer(app, client):
    from docklab.quiz.models import QuizAnswer

    token = bearer(app, create_user(app, "examinee"))
    question = one_of_each_type()["single"]
    response = client.post(f"/api/v1/questions/{question.id}/answer", headers=token,
                           json={"answer": wrong_answer(question), "mode": "test"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["mode"] == "test" and body["recorded"] is True
    for secret in ("correct", "correct_answer", "expected", "explanation", "next_review"):
        assert secret not in body
    assert question.parts.answer not in repr(body)
    with app.app_context():
        stored = db.session.scalars(select(QuizAnswer)).one()
        assert (stored.mode, stored.correct) == ("test", False)
    bad = client.post(f"/api/v1/questions/{question.id}/answer", headers=token,
                      json={"answer": question.parts.answer, "mode": "exam"})
    # an unknown mode does not fit the request's model: 400 naming the field
    assert bad.status_code == 400 and bad.get_json()["error"] == "bad_request"
    assert bad.get_json()["details"]["field"] == "mode"


def test_hsts_only_with_secure_cookies(database_url, monkeypatch):
    monkeypatch.setenv("DOCKLAB_SECURE_COOKIES", "1")
    secure = make_app(database_url)
    header = secure.test_client().get("/").headers.get("Strict-Transport-Security")
    assert header == "max-age=31536000"
    monkeypatch.setenv("DOCKLAB_SECURE_COOKIES", "0")
    plain = make_app(database_url)
    assert "Strict-Transport-Security" not in plain.test_client().get("/").headers
    for built in (secure, plain):
        with built.app_context():
            db.engine.dispose()


# --- finding 15: the local engine with open registration ------------------------------------------
def test_local_engine_with_open_registration_is_warned_about(database_url, monkeypatch, caplog):
    monkeypatch.setenv("DOCKLAB_LOCAL_ENGINE", "1")
    monkeypatch.setenv("DOCKLAB_OPEN_REGISTRATION", "1")
    with caplog.at_level(logging.WARNING):
        warned = make_app(database_url, TESTING=False)
    assert any("DOCKLAB_LOCAL_ENGINE" in r.getMessage() and r.levelno == logging.WARNING
               for r in caplog.records)
    caplog.clear()
    monkeypatch.setenv("DOCKLAB_OPEN_REGISTRATION", "0")
    with caplog.at_level(logging.WARNING):
        quiet = make_app(database_url, TESTING=False)
    assert not any("DOCKLAB_LOCAL_ENGINE" in r.getMessage() for r in caplog.records)
    for built in (warned, quiet):
        with built.app_context():
            db.engine.dispose()
