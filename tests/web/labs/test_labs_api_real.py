"""The labs and hosts JSON API on a real engine: list, register (refused → 422 with the reason),
check (grader JSON + attempt_id), attempts, progress, delete; others' ids are 404."""
from __future__ import annotations

import socket

import pytest

from docklab.extensions import db
from docklab.models import ApiToken, User
from tests.support.certs import make_tls_set
from tests.support.webapp import create_user


@pytest.fixture
def api_app(app, docker_engine, lab_images):
    app.config["DOCKLAB_LOCAL_ENGINE_URL"] = docker_engine.base_url
    return app


def token_for(app, username: str) -> dict:
    create_user(app, username)
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == username))
        _token, plain = ApiToken.issue(user, "tests")
        db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_check_pass_and_fail_through_the_api(api_app, client, make_container):
    headers = token_for(api_app, "api-ana")
    listed = client.get("/api/v1/labs", headers=headers).get_json()["labs"]
    assert "mysql-env" in [item["lab"] for item in listed]

    wrong = make_container("mysql:5.6", name="mydb", environment={"MYSQL_ROOT_PASSWORD": "no"})
    failed = client.post("/api/v1/labs/mysql-env/check", headers=headers)
    assert failed.status_code == 200
    body = failed.get_json()
    assert body["status"] == "failed" and isinstance(body["attempt_id"], int)
    assert {"lab", "score", "max_score", "duration_ms", "api_calls", "checks"} <= body.keys()
    assert {item["status"] for item in body["checks"]} <= {"pass", "fail", "error", "skip"}
    assert any(item["status"] == "fail" and item["hint"] for item in body["checks"])

    wrong.remove(force=True)
    make_container("mysql:5.6", name="mydb", environment={"MYSQL_ROOT_PASSWORD": "Passw0rd"})
    passed = client.post("/api/v1/labs/mysql-env/check", headers=headers).get_json()
    assert passed["status"] == "passed" and passed["score"] == passed["max_score"]

    stored = client.get(f"/api/v1/attempts/{body['attempt_id']}", headers=headers).get_json()
    assert stored["status"] == "failed" and stored["checks"] == body["checks"]
    assert stored["source"] == "server"
    # The checks keep the API's CheckResult shape, and a Korean attempt reads in English when
    # asked in English (issue 15: messages in the reader's language).
    assert all(item.keys() == {"id", "status", "message", "hint", "points"}
               for item in stored["checks"])
    english = client.get(f"/api/v1/attempts/{body['attempt_id']}?lang=en",
                         headers=headers).get_json()
    failing = next(item for item in english["checks"] if item["status"] == "fail")
    assert failing["message"].isascii() and failing["hint"].isascii(), failing
    assert failing["message"] != next(item["message"] for item in stored["checks"]
                                      if item["id"] == failing["id"])

    progress = client.get("/api/v1/me/progress", headers=headers).get_json()
    [mysql] = [item for item in progress["labs"] if item["lab"] == "mysql-env"]
    assert mysql["attempts"] == 2
    assert mysql["best"]["status"] == "passed" and mysql["latest"]["status"] == "passed"
    assert "quizzes" in progress and progress["quizzes"] is not None


@pytest.mark.parametrize(("payload", "reason"), [
    ({"kind": "tls", "url": "tcp://127.0.0.1:2376"}, "loopback"),
    ({"kind": "tls", "url": "tcp://169.254.169.254:2376"}, "link_local"),
    ({"kind": "tls", "url": "tcp://localhost:2376"}, "loopback"),
    ({"kind": "tls", "url": "tcp://no port here"}, "bad_url"),
    ({"kind": "tcp", "url": "tcp://127.0.0.1:2375"}, "plain_tcp"),
    ({"kind": "ssh", "url": "ssh://127.0.0.1:22"}, "bad_url"),  # no user
])
def test_refused_hosts_are_422_with_the_reason(api_app, client, tmp_path, payload, reason):
    headers = token_for(api_app, "api-ben")
    pem = make_tls_set(tmp_path)["pem"]
    body = dict(payload, tls_ca=pem["ca"].decode(), tls_cert=pem["cert"].decode(),
                tls_key=pem["key"].decode())
    response = client.post("/api/v1/hosts", json=body, headers=headers)
    assert response.status_code == 422, response.get_json()
    answer = response.get_json()
    assert answer["error"] == reason
    assert answer["message_ko"] and answer["message_en"]
    assert client.get("/api/v1/hosts", headers=headers).get_json()["hosts"] == []


def test_unreachable_registered_host_gives_an_error_attempt(api_app, client, tmp_path):
    api_app.config["DOCKLAB_ALLOWED_HOSTS"] = "127.0.0.1/32"
    headers = token_for(api_app, "api-cho")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pem = make_tls_set(tmp_path)["pem"]
    created = client.post("/api/v1/hosts", headers=headers, json={
        "kind": "tls", "name": "down", "url": f"tcp://127.0.0.1:{port}",
        "tls_ca": pem["ca"].decode(), "tls_cert": pem["cert"].decode(),
        "tls_key": pem["key"].decode()})
    assert created.status_code == 201, created.get_json()
    host = created.get_json()
    assert "tls_key" not in host and pem["key"].decode() not in str(host)  # never shown again
    result = client.post("/api/v1/labs/engine-ready/check", headers=headers,
                         json={"host_id": host["id"]})
    assert result.status_code == 200
    body = result.get_json()
    assert body["status"] == "error" and body["host_id"] == host["id"]
    assert body["checks"][0]["status"] == "error"

    assert client.delete(f"/api/v1/hosts/{host['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/hosts", headers=headers).get_json()["hosts"] == []


def test_others_hosts_and_attempts_are_404(api_app, client, tmp_path):
    api_app.config["DOCKLAB_ALLOWED_HOSTS"] = "127.0.0.1/32"
    owner = token_for(api_app, "api-owner")
    other = token_for(api_app, "api-other")
    # No host registered yet: graded on the local engine.
    attempt = client.post("/api/v1/labs/engine-ready/check", headers=owner).get_json()
    assert attempt["status"] == "passed" and attempt["host_id"] is None
    pem = make_tls_set(tmp_path)["pem"]
    host = client.post("/api/v1/hosts", headers=owner, json={
        "kind": "tls", "url": "tcp://127.0.0.1:2376", "tls_ca": pem["ca"].decode(),
        "tls_cert": pem["cert"].decode(), "tls_key": pem["key"].decode()}).get_json()

    assert client.get(f"/api/v1/attempts/{attempt['attempt_id']}", headers=other) \
        .status_code == 404
    assert client.delete(f"/api/v1/hosts/{host['id']}", headers=other).status_code == 404
    assert client.post("/api/v1/labs/engine-ready/check", headers=other,
                       json={"host_id": host["id"]}).status_code == 404
    assert client.get("/api/v1/hosts", headers=other).get_json()["hosts"] == []
    assert client.get(f"/api/v1/attempts/{attempt['attempt_id']}", headers=owner) \
        .status_code == 200


def test_api_needs_a_token(api_app, client):
    assert client.get("/api/v1/labs").status_code == 401
    assert client.post("/api/v1/labs/engine-ready/check").status_code == 401
