"""The one self-reported path is the own-machine plan and upload (what the pasted line and
`grader check --submit` send): every field of an upload is checked against the code's plan,
status and score come from docklab's own grading, and the attempt is marked. The older
`POST /api/v1/labs/<id>/self-report`, where a client sent its own verdict, answers 410 Gone.
(A forged upload's marking and counting in a class: test_selfreport_marking.py.)"""
from __future__ import annotations

import pytest

from docklab.extensions import db
from docklab.labs.models import LabAttempt
from tests.support.webapp import bearer, create_user
from tests.web.labs.forged_uploads import PASSING, Made, new_code, upload

LAB = "nginx-port"


@pytest.fixture
def headers(app):
    return bearer(app, create_user(app, "terminal"))


def stored(app) -> int:
    with app.app_context():
        return db.session.query(LabAttempt).count()


@pytest.mark.parametrize(("mutate", "named"), [
    (lambda u: u.update(results="all good"), "`results` must be list"),
    (lambda u: u["results"].pop(), "`results` has 1 entries; the plan has 2 reads"),
    (lambda u: u["results"].append(dict(u["results"][0])), "`results` has 3 entries"),
    (lambda u: u["results"][0].update(exit="0"), "`results[0].exit`"),
    (lambda u: u["results"][1].update(lines={"Id": "x"}), "`results[1].lines`"),
    (lambda u: u["results"][1]["lines"].__setitem__(0, ["x"]), "`results[1].lines[0]`"),
    (lambda u: u["results"][1]["lines"][0].pop("Name"), "`results[1].lines[0]` is not a container"),
    (lambda u: u.update(lab="mysql-env"), "this code is for 'nginx-port'"),
    (lambda u: u.update(version=2), "`version` must be 1"),
    (lambda u: u.pop("version"), "`version` must be 1"),
    # a verdict is not part of an upload: docklab grades the results itself
    (lambda u: u.update(checks=[{"id": "exists", "status": "pass"}]), "`checks` is not a field"),
    (lambda u: u.update(status="passed"), "`status` is not a field"),
])
def test_bad_uploads_are_400_naming_the_field(app, client, headers, mutate, named):
    response = upload(client, headers, LAB, mutate=mutate)
    assert response.status_code == 400
    data = response.get_json()
    assert data["error"] == "bad_upload" and named in data["message"], data["message"]
    assert named in data["message_en"] and named in data["message_ko"]
    assert stored(app) == 0


def test_status_and_score_come_from_the_lab_not_the_client(app, client, headers, auth):
    # myweb runs nginx but on host port 8080: the upload says so, docklab grades it
    made = [Made("myweb", "nginx", ports={"80/tcp": 8080})]
    answer = upload(client, headers, LAB, made)
    assert answer.status_code == 201, answer.get_json()
    data = answer.get_json()
    assert data["status"] == "failed" and data["source"] == "self_reported"
    assert 0 < data["score"] < data["max_score"] and data["self_reported"] is True
    assert data["host"] == "내 컴퓨터 (붙여 넣은 명령)" and data["host_id"] is None
    failing = {check["id"]: check for check in data["checks"]}["port-80"]
    assert failing["status"] == "fail" and "8080" in failing["message"]
    again = client.get(f"/api/v1/attempts/{data['attempt_id']}", headers=headers).get_json()
    assert again == data
    auth.login("terminal")
    page = client.get(f"/labs/attempts/{data['attempt_id']}").get_data(as_text=True)
    assert "자가 보고" in page and "8080" in page
    assert client.post("/api/v1/labs/no-such-lab/own-machine",
                       headers=headers).status_code == 404


def test_the_old_self_report_path_is_gone(app, client, headers):
    """What a client of the retired path sent: its own verdict, every check "pass". It is
    answered 410 with the way to the plan and upload, with or without a token, and nothing is
    stored."""
    verdict = {"lab": LAB, "checks": [{"id": check, "status": "pass", "message": "ok"}
                                      for check in ("exists", "running", "image", "port-80")]}
    for sent in ({"headers": headers}, {}, {"headers": {**headers, "Accept-Language": "en"}}):
        answer = client.post(f"/api/v1/labs/{LAB}/self-report", json=verdict, **sent)
        assert answer.status_code == 410 and answer.mimetype == "application/json"
        data = answer.get_json()
        assert data["error"] == "gone"
        assert data["details"]["own_machine"] == f"/api/v1/labs/{LAB}/own-machine"
        assert f"POST /api/v1/labs/{LAB}/own-machine" in data["message_ko"]
        assert "/api/v1/own-machine/<code>/upload" in data["message_ko"]
        assert "더 이상 쓰지 않습니다" in data["message_ko"]
        assert f"POST /api/v1/labs/{LAB}/own-machine" in data["message_en"]
        assert "/api/v1/own-machine/<code>/upload" in data["message_en"]
        assert "retired" in data["message_en"]
    assert data["message"] == data["message_en"]  # Accept-Language: en
    korean = client.post(f"/api/v1/labs/{LAB}/self-report?lang=ko", json=verdict).get_json()
    assert korean["message"] == korean["message_ko"]
    assert stored(app) == 0
    # the path it points to works: a code, then an upload that is graded and stored
    assert new_code(client, headers, LAB)
    assert upload(client, headers, LAB, PASSING[LAB]).get_json()["status"] == "passed"
    assert stored(app) == 1
