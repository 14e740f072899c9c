"""Playing the pasted own-machine line for real: the app on a loopback HTTP server, and
`sh -c 'curl -fsSL URL/c/CODE | sh'` with /usr/bin/docker pointed at a test engine."""
from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass

import pytest

from docklab.extensions import db
from docklab.labs.models import LabAttempt
from tests.support.browser import LiveServer
from tests.support.webapp import bearer, create_user, make_app

# /usr/bin first: /usr/bin/docker is the real CLI (/usr/local/bin/docker is an unrelated client)
PATH = "/usr/bin:/bin:/usr/sbin:/sbin"


@dataclass
class Pasted:
    returncode: int
    stdout: str
    stderr: str
    seconds: float = 0.0


@pytest.fixture
def own_server(database_url, tmp_path):
    app = make_app(database_url, DOCKLAB_LOCAL_ENGINE=False, DOCKLAB_CHECK_LIMIT=10_000)
    app.instance_path = str(tmp_path / "instance")
    with LiveServer(app) as server:
        yield server
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def learner(own_server):
    user_id = create_user(own_server.app, "own-ana")
    return user_id, bearer(own_server.app, user_id)


def new_command(server, headers: dict, lab_id: str, lang: str = "en") -> dict:
    client = server.app.test_client()
    answer = client.post(f"/api/v1/labs/{lab_id}/own-machine?lang={lang}", headers=headers,
                         base_url=server.url)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["command"] == f"curl -fsSL {server.url}/c/{body['code']} | sh"
    return body


def paste(command: str, docker_host: str, path: str = PATH, timeout: float = 60,
          **extra_env: str) -> Pasted:
    """Run the line as a learner would paste it into a terminal."""
    import time

    env = {"PATH": path, "HOME": tempfile.gettempdir(), "DOCKER_HOST": docker_host,
           "DOCKER_CONFIG": tempfile.mkdtemp(prefix="dl-own-"), **extra_env}
    started = time.monotonic()
    done = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True,
                          timeout=timeout)
    return Pasted(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def attempts(server, user_id: int) -> list[LabAttempt]:
    with server.app.app_context():
        rows = db.session.scalars(db.select(LabAttempt).where(LabAttempt.user_id == user_id)
                                  .order_by(LabAttempt.id))
        return [row for row in rows]
