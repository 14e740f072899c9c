"""The pasted own-machine line, run for real, when something is wrong: each problem is said in the
learner's terminal and no attempt is stored. Plus the code's rules (single use, one learner, one
lab, a size cap) and privacy (an unrelated container's `-e TOKEN=...` never reaches the server)."""
from __future__ import annotations

import json
import os
import socket
import tempfile
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from docklab.extensions import db
from docklab.labs import own_machine as own
from docklab.models import utcnow
from tests.support.webapp import bearer, create_user
from tests.web.labs.own_machine_helpers import (  # noqa: F401
    attempts,
    learner,
    new_command,
    own_server,
    paste,
)

SOLUTION = "docker run -e MYSQL_ROOT_PASSWORD='Passw0rd' --name mydb -d --pull=never mysql:5.6"


@pytest.fixture
def engine(docker_engine, lab_images, clean_containers):
    return docker_engine


def _play(engine, command: str) -> None:
    done = paste(command, engine.base_url)
    assert done.returncode == 0, done.stderr


def test_docker_missing(own_server, learner, tmp_path):  # noqa: F811
    user_id, headers = learner
    no_docker = tmp_path / "bin"
    no_docker.mkdir()
    for tool in Path("/usr/bin").iterdir():
        if tool.name != "docker":
            (no_docker / tool.name).symlink_to(tool)
    done = paste(new_command(own_server, headers, "mysql-env")["command"], "unix:///nowhere",
                 path=str(no_docker))
    assert done.returncode == 1
    assert "the `docker` command was not found" in done.stderr and "Docker 를 설치" in done.stderr
    assert attempts(own_server, user_id) == []


def test_daemon_not_running(own_server, learner, tmp_path):  # noqa: F811
    user_id, headers = learner
    done = paste(new_command(own_server, headers, "mysql-env")["command"],
                 f"unix://{tmp_path}/docker.sock")
    assert done.returncode == 1
    assert "cannot connect to the Docker daemon: it is not running" in done.stderr
    assert "Docker Desktop" in done.stderr
    assert attempts(own_server, user_id) == []


def test_permission_denied_on_the_socket(own_server, learner, tmp_path):  # noqa: F811
    """A socket only root may open, and the learner is `nobody`."""
    user_id, headers = learner
    path = Path(tempfile.mkdtemp(prefix="dl-sock-")) / "docker.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.listen()
    os.chmod(path, 0o600)
    os.chmod(path.parent, 0o755)  # noqa: S103 - nobody must reach the socket to be refused
    home = Path(tempfile.mkdtemp(prefix="dl-home-"))
    os.chmod(home, 0o777)  # noqa: S103 - a home the user nobody can write
    command = new_command(own_server, headers, "mysql-env")["command"]
    try:
        done = paste(f"runuser -u nobody -- sh -c '{command}'", f"unix://{path}",
                     HOME=str(home), DOCKER_CONFIG=str(home))
    finally:
        listener.close()
    assert done.returncode == 1, done.stderr
    assert "permission denied on the Docker socket" in done.stderr
    assert "`docker` group (that is root-equivalent) or use rootless Docker" in done.stderr
    assert attempts(own_server, user_id) == []


def test_a_used_code_cannot_be_replayed(own_server, learner, engine):  # noqa: F811
    user_id, headers = learner
    _play(engine, SOLUTION)
    command = new_command(own_server, headers, "mysql-env")["command"]
    first = paste(command, engine.base_url)
    assert first.returncode == 0 and "mysql-env — passed" in first.stdout, first.stderr
    again = paste(command, engine.base_url)
    assert again.returncode == 1
    assert "This code was already used" in again.stderr
    assert len(attempts(own_server, user_id)) == 1


def test_an_expired_code(own_server, learner, engine):  # noqa: F811
    user_id, headers = learner
    issued = new_command(own_server, headers, "mysql-env")
    with own_server.app.app_context():
        db.session.execute(db.update(own.OwnMachineCode).values(
            expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    done = paste(issued["command"], engine.base_url)
    assert done.returncode == 1 and "This code has expired" in done.stderr
    assert "만료" in done.stderr
    assert attempts(own_server, user_id) == []


def test_the_code_lives_as_long_as_the_setting_says(own_server, learner):  # noqa: F811
    _user_id, headers = learner
    own_server.app.config["DOCKLAB_OWN_MACHINE_CODE_TTL"] = 30
    issued = new_command(own_server, headers, "mysql-env")
    from datetime import datetime
    left = (datetime.fromisoformat(issued["expires_at"]) - utcnow()).total_seconds()
    assert 25 < left <= 30


def test_server_unreachable(own_server, learner, engine, tmp_path):  # noqa: F811
    """The script as /c/CODE serves it, but the server is gone by the time it asks for the plan."""
    user_id, headers = learner
    issued = new_command(own_server, headers, "mysql-env")
    script = own_server.app.test_client().get(f"/c/{issued['code']}",
                                              base_url=own_server.url).get_data(as_text=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    (tmp_path / "s.sh").write_text(script.replace(own_server.url, f"http://127.0.0.1:{closed}"))
    done = paste(f"sh {tmp_path}/s.sh", engine.base_url)
    assert done.returncode == 1
    assert f"cannot reach the server http://127.0.0.1:{closed}" in done.stderr
    assert attempts(own_server, user_id) == []


class _FuturePlan(BaseHTTPRequestHandler):
    """A server from the future: its plan has a version this script does not know."""

    uploads: list = []

    def do_GET(self):  # noqa: N802 - the stdlib's name
        body = b'{"version": 2,\n "lab": "mysql-env",\n "salt": "ab",\n "steps": [\n ]}\n'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):  # noqa: N802
        self.uploads.append(self.path)
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_plan_version_the_client_does_not_understand(own_server, learner, engine,  # noqa: F811
                                                       tmp_path):
    _user_id, headers = learner
    issued = new_command(own_server, headers, "mysql-env")
    script = own_server.app.test_client().get(f"/c/{issued['code']}",
                                              base_url=own_server.url).get_data(as_text=True)
    future = ThreadingHTTPServer(("127.0.0.1", 0), _FuturePlan)
    threading.Thread(target=future.serve_forever, daemon=True).start()
    try:
        (tmp_path / "s.sh").write_text(script.replace(
            own_server.url, f"http://127.0.0.1:{future.server_port}"))
        done = paste(f"sh {tmp_path}/s.sh", engine.base_url)
    finally:
        future.shutdown()
    assert done.returncode == 1
    assert "does not understand plan version 2 (it knows version 1)" in done.stderr
    assert _FuturePlan.uploads == []


def test_another_learners_code(own_server, learner, engine):  # noqa: F811
    """Bea holds Ana's code: with her own token she is refused; the code is Ana's and any attempt
    made with it is Ana's, never Bea's."""
    ana_id, ana = learner
    bea_id = create_user(own_server.app, "own-bea")
    bea = bearer(own_server.app, bea_id)
    issued = new_command(own_server, ana, "mysql-env")
    client = own_server.app.test_client()
    plan = client.get(f"/api/v1/own-machine/{issued['code']}/plan", headers=bea)
    assert plan.status_code == 403 and plan.get_json()["error"] == "not_your_code"
    upload = client.post(f"/api/v1/own-machine/{issued['code']}/upload", headers=bea,
                         data=b'{"version": 1, "results": []}')
    assert upload.status_code == 403
    assert attempts(own_server, bea_id) == [] and attempts(own_server, ana_id) == []
    # Ana's own token is accepted with her code (the path `python -m grader` would take).
    assert client.get(f"/api/v1/own-machine/{issued['code']}/plan", headers=ana).status_code \
        == 200


def test_a_forged_upload_for_a_lab_the_code_is_not_for(own_server, learner, engine):  # noqa: F811
    user_id, headers = learner
    _play(engine, "docker run --pull=never hello-world")
    client = own_server.app.test_client()
    code = new_command(own_server, headers, "mysql-env")["code"]
    # an upload that claims another lab
    claimed = client.post(f"/api/v1/own-machine/{code}/upload",
                          data=json.dumps({"version": 1, "lab": "hello-world", "results": []}))
    assert claimed.status_code == 400
    assert "this code is for 'mysql-env'" in claimed.get_json()["message_en"]
    # hello-world's real results (from its own code), replayed with the mysql-env code
    hello = new_command(own_server, headers, "hello-world")["code"]
    plan = json.loads(client.get(f"/api/v1/own-machine/{hello}/plan").get_data())
    forged = {"version": 1, "results": [{"exit": 0, "lines": []} for _ in plan["reads"]]}
    answer = client.post(f"/api/v1/own-machine/{code}/upload", data=json.dumps(forged))
    assert answer.status_code == 400 and answer.get_json()["error"] == "bad_upload"
    assert attempts(own_server, user_id) == []
    # the refused code is not spent: the real line still works
    done = paste(f"curl -fsSL {own_server.url}/c/{code} | sh", engine.base_url)
    assert done.returncode == 0 and "mysql-env — failed" in done.stdout, done.stderr


def test_an_oversized_upload(own_server, learner, engine):  # noqa: F811
    user_id, headers = learner
    _play(engine, SOLUTION)
    own_server.app.config["DOCKLAB_OWN_MACHINE_MAX_UPLOAD_KB"] = 1
    command = new_command(own_server, headers, "mysql-env")["command"]
    done = paste(command, engine.base_url)
    assert done.returncode == 1
    assert "The upload is too large" in done.stdout + done.stderr
    assert attempts(own_server, user_id) == []
    own_server.app.config["DOCKLAB_OWN_MACHINE_MAX_UPLOAD_KB"] = 1024
    assert paste(command, engine.base_url).returncode == 0  # not spent by the refusal


@pytest.mark.parametrize("lab_id", ["mysql-env", "hello-world", "cleanup"])
def test_an_unrelated_containers_token_never_reaches_the_server(own_server, learner, engine,  # noqa: F811
                                                                lab_id):
    """Every byte sent to the own-machine endpoints is recorded: the unrelated container's TOKEN
    value is never among them, nor the lab container's password (only its salted hash)."""
    user_id, headers = learner
    _play(engine, "docker run -d --name unrelated --pull=never -e TOKEN=tok-3141-secret "
                  "-e OTHER=other-2718-value local/busybox:latest sleep 600")
    _play(engine, SOLUTION)
    _play(engine, "docker run --pull=never -e TOKEN=tok-3141-secret hello-world")
    seen: list[bytes] = []
    inner = own_server.app.wsgi_app

    def recording(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        seen.append(environ.get("PATH_INFO", "").encode() + environ.get(
            "QUERY_STRING", "").encode() + body)
        import io
        environ["wsgi.input"] = io.BytesIO(body)
        return inner(environ, start_response)

    own_server.app.wsgi_app = recording
    try:
        done = paste(new_command(own_server, headers, lab_id)["command"], engine.base_url)
    finally:
        own_server.app.wsgi_app = inner
    assert done.returncode == 0, done.stderr
    sent = b"\n".join(seen)
    assert b"/upload" in sent and len(sent) > 200  # the upload itself was recorded
    for value in (b"tok-3141-secret", b"other-2718-value", b"Passw0rd", b"TOKEN", b"OTHER"):
        assert value not in sent, value
    [attempt] = attempts(own_server, user_id)
    assert attempt.self_reported
    if lab_id == "mysql-env":
        assert attempt.status == "passed"  # the password was checked, by its hash
        assert b"sha256:" in sent


def test_with_wget_instead_of_curl(own_server, learner, engine, tmp_path):  # noqa: F811
    """No curl on the machine: `wget -qO- URL | sh` works the same, wget doing both requests;
    and a failing check still reaches the server (a 201 with the verdict, not a wget error)."""
    user_id, headers = learner
    no_curl = tmp_path / "bin"
    no_curl.mkdir()
    for tool in Path("/usr/bin").iterdir():
        if tool.name != "curl":
            (no_curl / tool.name).symlink_to(tool)
    _play(engine, "docker run -e MYSQL_ROOT_PASSWORD=wrong --name mydb -d --pull=never mysql:5.6")
    command = new_command(own_server, headers, "mysql-env")["command"]
    wget_line = command.replace("curl -fsSL ", "wget -qO- ")
    done = paste(wget_line, engine.base_url, path=str(no_curl))
    assert done.returncode == 0, done.stderr
    assert "mysql-env — failed" in done.stdout and "self-reported" in done.stdout
    [attempt] = attempts(own_server, user_id)
    assert attempt.status == "failed" and attempt.source == "self_reported"
