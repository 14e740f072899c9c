"""`python -m grader check LAB --submit URL --token T` against a live docklab: it goes the one
self-reported way, the own-machine plan and upload (the pasted line's script, run with sh and
/usr/bin/docker), is stored as a self-reported attempt and shown as such; a bad token exits 2; a
lab the script cannot read says so."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from docklab.extensions import db
from docklab.labs.models import LabAttempt
from docklab.labs.own_machine import SOURCE_LABEL, OwnMachineCode
from docklab.models import ApiToken, User
from tests.support.webapp import AuthActions, create_user

REPO = Path(__file__).resolve().parents[3]


def grader_cli(*args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.endswith("_proxy")}
    # /usr/bin first: /usr/bin/docker is the real CLI (/usr/local/bin/docker is unrelated)
    env["PATH"] = "/usr/bin:/bin:" + env.get("PATH", "")
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)


def test_submit_round_trip(live_server, docker_engine, make_container):
    app = live_server.app
    user_id = create_user(app, "terminal")
    with app.app_context():
        _token, plain = ApiToken.issue(db.session.get(User, user_id), "cli")
        db.session.commit()
    make_container("mysql:5.6", name="mydb", environment={"MYSQL_ROOT_PASSWORD": "Passw0rd"})

    done = grader_cli("check", "mysql-env", "--host", docker_engine.base_url, "--json",
                      "--submit", live_server.url, "--token", plain)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)  # stdout stays pure JSON; the receipt goes to stderr
    assert printed["status"] == "passed"
    assert "attempt" in done.stderr

    with app.app_context():
        attempt = db.session.scalar(select(LabAttempt).where(LabAttempt.user_id == user_id))
        assert attempt.source == "self_reported" and attempt.host_id is None
        # graded by docklab from the plan's upload, not the terminal's own verdict
        assert attempt.host_label == SOURCE_LABEL.get("ko")
        assert db.session.scalar(select(OwnMachineCode.used_at).where(
            OwnMachineCode.user_id == user_id)) is not None
        assert attempt.status == "passed" and attempt.score == printed["score"]
        assert [c["id"] for c in attempt.checks] == [c["id"] for c in printed["checks"]]
        attempt_id = attempt.id

    client = app.test_client()
    AuthActions(client).login("terminal")
    progress = client.get("/labs/progress").get_data(as_text=True)
    assert f"/labs/attempts/{attempt_id}" in progress
    assert "자가 보고" in progress  # visibly marked, so an instructor can tell it apart


def test_submit_with_a_bad_token_fails_clearly(live_server, docker_engine):
    done = grader_cli("check", "engine-ready", "--host", docker_engine.base_url,
                      "--submit", live_server.url, "--token", "dl_not-a-token")
    assert done.returncode == 2
    assert "HTTP 401" in done.stderr
    with live_server.app.app_context():
        assert db.session.scalar(select(LabAttempt.id)) is None


def test_submit_to_a_closed_port_fails_clearly(docker_engine):
    done = grader_cli("check", "engine-ready", "--host", docker_engine.base_url,
                      "--submit", "http://127.0.0.1:9", "--token", "dl_x")
    assert done.returncode == 2
    assert "docklab" in done.stderr and "refused" in done.stderr.lower()


def test_submit_of_a_lab_the_script_cannot_read_says_so(live_server, docker_engine):
    app = live_server.app
    user_id = create_user(app, "terminal-exec")
    with app.app_context():
        _token, plain = ApiToken.issue(db.session.get(User, user_id), "cli")
        db.session.commit()
    done = grader_cli("check", "bind-mount", "--host", docker_engine.base_url, "--lang", "en",
                      "--submit", live_server.url, "--token", plain)
    assert done.returncode == 2
    assert "HTTP 409" in done.stderr and "can't be checked on your own computer" in done.stderr
    assert "내 컴퓨터에서 확인할 수 없습니다" in done.stderr  # message_ko beside message_en
    assert "(exec)" in done.stderr
    with app.app_context():
        assert db.session.scalar(select(LabAttempt.id)) is None
