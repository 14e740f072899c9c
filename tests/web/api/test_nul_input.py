"""A NUL character anywhere in a request is a clear 400, never a 500. (PostgreSQL cannot store
one: before the guard, joining a class or logging in with one was a 500 there; schemathesis
found the shape, this test pins it on both databases.)"""
import pytest

from docklab.extensions import db
from docklab.labs.models import LabAttempt
from docklab.models import User
from tests.support.webapp import bearer, create_user, post_form
from tests.web.labs.forged_uploads import forged_upload, new_code, plan_of


@pytest.fixture
def token(app):
    return bearer(app, create_user(app, "nul-tester"))


@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/classes/join", {"code": "AB\u0000CD"}),
    ("/api/v1/hosts", {"kind": "unix", "url": "unix:///run/x\u0000", "name": "n"}),
    ("/api/v1/questions/client-what/answer", {"answer": "docker\u0000"}),
])
def test_api_refuses_nul_in_json(client, token, path, body):
    response = client.post(path, json=body, headers=token)
    assert response.status_code == 400
    assert "NUL" in response.get_json()["message"]


def test_an_own_machine_upload_refuses_nul(app, client, token):
    """The self-reported path (the upload of a plan's results): a NUL in any docker output is the
    same 400, nothing is stored, and the code still works for the clean upload."""
    code = new_code(client, token, "mysql-env")
    body = forged_upload(plan_of(client, code, token))
    body["results"][0]["lines"][0]["Names"] = "my\u0000db"
    url = f"/api/v1/own-machine/{code}/upload"
    response = client.post(url, json=body, headers=token)
    assert response.status_code == 400
    assert "NUL" in response.get_json()["message"]
    with app.app_context():
        assert db.session.query(LabAttempt).count() == 0
    assert client.post(url, json=forged_upload(plan_of(client, code, token)),
                       headers=token).status_code == 201


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
