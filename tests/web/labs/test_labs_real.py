"""Labs through the web pages on a real engine: fail and pass `mysql-env` without JavaScript (the
checklist with messages and hints), the fetch/JSON path, and a failed check bringing its note
section's quiz questions back.
(Unreachable hosts, the rate limit and others' attempts are in test_labs_web.py.)"""
from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from docklab.extensions import db
from docklab.labs.models import LabAttempt
from docklab.quiz.rendering import inline_html
from docklab.quiz.services import due_queue, section_question_ids
from tests.support.webapp import create_user, csrf_token

GOOD_ENV = {"MYSQL_ROOT_PASSWORD": "Passw0rd"}


@pytest.fixture
def labs_app(app, docker_engine, lab_images):
    app.config["DOCKLAB_LOCAL_ENGINE_URL"] = docker_engine.base_url
    return app


def check(client, lab_id: str, host: str = "", as_json: bool = False):
    data = {"csrf_token": csrf_token(client, f"/labs/{lab_id}"), "host": host}
    headers = {"Accept": "application/json"} if as_json else {}
    return client.post(f"/labs/{lab_id}/check", data=data, headers=headers,
                       follow_redirects=not as_json)


def attempts(app, user_id: int) -> list[LabAttempt]:
    with app.app_context():
        rows = db.session.scalars(select(LabAttempt).where(LabAttempt.user_id == user_id)
                                  .order_by(LabAttempt.id)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def test_lab_pages_list_and_instructions(labs_app, client):
    listing = client.get("/labs").get_data(as_text=True)
    assert "mysql-env" in listing and "nginx-port" in listing
    page = client.get("/labs/mysql-env").get_data(as_text=True)
    assert "/notes#" in page  # the note section the lab comes from
    assert "MYSQL_ROOT_PASSWORD" in page  # the instructions, rendered
    assert client.get("/labs/no-such-lab").status_code == 404


def test_fail_then_pass_without_javascript(labs_app, client, auth, make_container):
    user_id = create_user(labs_app, "mina")
    auth.login("mina")
    with labs_app.app_context():
        due_before = len(due_queue(user_id))
        section_questions = len(section_question_ids("실습"))
    wrong = make_container("mysql:5.6", name="mydb", environment={"MYSQL_ROOT_PASSWORD": "x"})
    failed = check(client, "mysql-env")
    assert failed.status_code == 200
    [attempt] = attempts(labs_app, user_id)
    assert attempt.status == "failed" and attempt.source == "server"
    assert attempt.host_id is None and attempt.api_calls > 0 and attempt.duration_ms >= 0
    assert 0 < attempt.score < attempt.max_score
    page = failed.get_data(as_text=True)
    for item in attempt.checks:  # the per-check checklist, with the failing check's hint
        assert str(inline_html(item["message"])) in page  # Markdown rendered
    failing = next(item for item in attempt.checks if item["status"] == "fail")
    # Hints may be rendered as inline Markdown: look for their longest plain-text run.
    plain_run = max(failing["hint"].split("`"), key=len).strip()
    assert html.escape(plain_run, quote=False) in page
    assert "Passw0rd" not in failing["message"]  # feedback never prints the expected secret

    # A failed lab makes its note section's questions due for review.
    with labs_app.app_context():
        assert len(due_queue(user_id)) >= min(due_before + 1, section_questions)

    wrong.remove(force=True)
    make_container("mysql:5.6", name="mydb", environment=GOOD_ENV)
    passed = check(client, "mysql-env")
    assert passed.status_code == 200
    latest = attempts(labs_app, user_id)[-1]
    assert latest.status == "passed" and latest.score == latest.max_score
    progress = client.get("/labs/progress").get_data(as_text=True)
    assert progress.count(f"/labs/attempts/{latest.id}") >= 1
    assert f"/labs/attempts/{attempt.id}" in progress  # both on the timeline


def test_fetch_path_returns_the_checklist_as_json(labs_app, client, auth, make_container):
    user_id = create_user(labs_app, "jun")
    auth.login("jun")
    make_container("mysql:5.6", name="mydb", environment=GOOD_ENV)
    response = check(client, "mysql-env", as_json=True)
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "passed"
    [attempt] = attempts(labs_app, user_id)
    assert attempt.status == "passed"
    for item in attempt.checks:
        assert str(inline_html(item["message"])) in data["html"]
