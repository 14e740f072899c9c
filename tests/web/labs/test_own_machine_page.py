"""The lab page's "check on my computer": the line (session + CSRF), the script in full, the three
ways to do a lab, a lab that cannot be checked that way, and the self-reported mark after a real
paste."""
from __future__ import annotations

import re

import pytest

from docklab.classes import services as classes
from docklab.extensions import db
from docklab.labs import own_machine as own
from docklab.models import User
from grader.checks.container import ContainerState
from tests.support.webapp import AuthActions, create_user
from tests.web.labs.own_machine_helpers import (  # noqa: F401
    attempts,
    learner,
    new_command,
    own_server,
    paste,
)


@pytest.fixture
def ana(app, client):
    user_id = create_user(app, "page-ana")
    AuthActions(client).login("page-ana")
    return user_id


def _csrf(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def test_the_lab_page_offers_the_line_and_explains_the_three_ways(client, ana):
    page = client.get("/labs/mysql-env?lang=en").get_data(
        as_text=True)
    assert 'id="own-machine"' in page and "Check on my computer" in page
    assert 'href="/own-machine/script.sh"' in page
    assert "replace <code>curl -fsSL</code> with <code>wget -qO-</code>" in page
    assert "Three ways to do a lab" in page
    assert "The only one an instructor can trust for an exam" in page
    korean = client.get("/labs/mysql-env?lang=ko").get_data(
        as_text=True)
    assert "내 컴퓨터에서 확인" in korean and "시험처럼 믿을 수 있어야 하는 채점은 이것뿐" in korean


def test_a_line_needs_the_session_and_csrf(app, client, ana):
    refused = client.post("/labs/mysql-env/own-machine", headers={"Accept": "application/json"})
    assert refused.status_code == 400  # no CSRF token
    token = _csrf(client, "/labs/mysql-env")
    answer = client.post("/labs/mysql-env/own-machine",
                         headers={"Accept": "application/json", "X-CSRFToken": token})
    assert answer.status_code == 201
    body = answer.get_json()
    assert re.fullmatch(r"curl -fsSL http://localhost/c/[0-9a-f]{32} \| sh", body["command"])
    assert body["expires_at"].endswith("+00:00")
    # without JavaScript: the form posts and a page shows the line
    page = client.post("/labs/mysql-env/own-machine", data={"csrf_token": token})
    assert page.status_code == 201 and "curl -fsSL http://localhost/c/" in page.get_data(
        as_text=True)


def test_a_line_needs_a_login(client):
    assert client.post("/labs/mysql-env/own-machine").status_code in (302, 400)
    assert client.get("/labs/mysql-env").get_data(as_text=True).count('id="own-machine"') == 0


def test_the_script_is_served_in_full_and_with_a_code(client, ana):
    full = client.get("/own-machine/script.sh")
    assert full.status_code == 200 and full.mimetype == "text/plain"
    assert full.get_data(as_text=True) == own.SCRIPT.read_text()
    with_code = client.get("/c/" + "a" * 32).get_data(as_text=True)
    assert with_code.startswith("#!/bin/sh\n")
    assert "DOCKLAB_CODE='" + "a" * 32 + "'\n" in with_code
    assert with_code.endswith(own.SCRIPT.read_text())  # the same static text, nothing else
    assert client.get("/c/not-a-code").status_code == 404


def test_a_lab_the_cli_cannot_read_says_so(app, client, ana, monkeypatch):
    """A kind that declares no reads (as an exec check does) blocks the line, with the reason."""
    monkeypatch.setattr(ContainerState, "reads", classmethod(lambda cls, params: None))
    page = client.get("/labs/mysql-env?lang=en").get_data(
        as_text=True)
    assert "This lab can&#39;t be checked on your own computer" in page
    assert "own-machine-get" not in page
    token = _csrf(client, "/labs/mysql-env")
    answer = client.post("/labs/mysql-env/own-machine?lang=en",
                         headers={"Accept": "application/json", "X-CSRFToken": token})
    assert answer.status_code == 409 and "running" in answer.get_json()["message"]


def test_a_pasted_result_is_marked_self_reported(own_server, learner, docker_engine,  # noqa: F811
                                                 lab_images, clean_containers):
    user_id, headers = learner
    paste("docker run --pull=never hello-world", docker_engine.base_url)
    done = paste(new_command(own_server, headers, "hello-world")["command"],
                 docker_engine.base_url)
    assert done.returncode == 0 and "hello-world — passed" in done.stdout, done.stderr
    assert "self-reported" in done.stdout
    [attempt] = attempts(own_server, user_id)
    client = own_server.app.test_client()
    stored = client.get(f"/api/v1/attempts/{attempt.id}", headers=headers).get_json()
    assert stored["source"] == "self_reported" and stored["self_reported"] is True
    assert stored["host"] == "own computer (pasted command)"
    progress = client.get("/api/v1/me/progress", headers=headers).get_json()
    assert progress["labs_self_reported"] == 1


def test_a_pasted_result_is_self_reported_in_the_learners_and_the_instructors_views(
        own_server, learner, docker_engine, lab_images, clean_containers):  # noqa: F811
    app = own_server.app
    user_id, headers = learner
    teacher = create_user(app, "own-teacher", "instructor")
    with app.app_context():
        classroom = classes.create_class(db.session.get(User, teacher), "내 컴퓨터 반",
                                   labs=["hello-world"])
        classes.join(classroom, db.session.get(User, user_id))
        db.session.commit()
        class_id = classroom.id
    paste("docker run --pull=never hello-world", docker_engine.base_url)
    done = paste(new_command(own_server, headers, "hello-world")["command"],
                 docker_engine.base_url)
    assert done.returncode == 0, done.stderr

    mine = app.test_client()
    AuthActions(mine).login("own-ana")
    progress = mine.get("/labs/progress").get_data(as_text=True)
    assert 'data-testid="self-report-note"' in progress and "자가 보고" in progress
    lab_page = mine.get("/labs/hello-world").get_data(as_text=True)
    assert 'class="badge self-reported"' in lab_page  # in "My attempts"
    assert "붙여 넣은 명령" in lab_page  # its title says where it came from, in Korean

    theirs = app.test_client()
    AuthActions(theirs).login("own-teacher")
    student = theirs.get(f"/instructor/classes/{class_id}/students/{user_id}").get_data(
        as_text=True)
    assert student.count("자가 보고 (터미널)") == 1 and "이 반에서는 인정 안 함" in student
    board = theirs.get(f"/instructor/classes/{class_id}").get_data(as_text=True)
    row = re.search(r'<tr data-student="own-ana">(.*?)</tr>', board, re.S).group(1)
    assert "✎" in row
