"""A NUL character anywhere in a request is a clear 400, never a 500. (PostgreSQL cannot store
one: before the guard, joining a class or logging in with one was a 500 there; schemathesis
found the shape, this test pins it on both databases.)"""
import pytest

from docklab.extensions import db
from docklab.models import User
from tests.support.webapp import bearer, create_user, post_form


@pytest.fixture
def token(app):
    return bearer(app, create_user(app, "nul-tester"))


@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/classes/join", {"code": "AB\u0000CD"}),
    ("/api/v1/hosts", {"kind": "unix", "url": "unix:///run/x\u0000", "name": "n"}),
    ("/api/v1/questions/client-what/answer", {"answer": "docker\u0000"}),
    ("/api/v1/labs/mysql-env/self-report", {"status": "passed", "checks": [{"id": "\u0000"}]}),
])
def test_api_refuses_nul_in_json(client, token, path, body):
    response = client.post(path, json=body, headers=token)
    assert response.status_code == 400
    assert "NUL" in response.get_json()["message"]


def test_api_refuses_nul_in_path_and_query(client, token):
    assert client.get("/api/v1/questions/a%00b", headers=token).status_code == 400
    assert client.get("/api/v1/quizzes?lang=k%00o", headers=token).status_code == 400


@pytest.mark.parametrize(("form", "fields"), [
    ("/login", {"username": "kim\x00", "password": "whatever-1"}),
    ("/register", {"username": "n\x00ul", "password": "correct-horse-9",
                   "confirm": "correct-horse-9"}),
])
def test_forms_refuse_nul(client, form, fields):
    response = post_form(client, form, fields)
    assert response.status_code == 400
    with client.application.app_context():
        assert db.session.scalar(db.select(User).where(User.username.like("%ul"))) is None


def test_ordinary_text_still_passes(client, token):
    response = client.post("/api/v1/questions/client-what/answer", json={"answer": "docker"},
                           headers=token)
    assert response.status_code in (200, 400)
    assert "NUL" not in response.get_json().get("message", "")
