"""docklab's own image: built for real from the Dockerfile on a locally made Debian base, started
like production (gunicorn, migrations at start, data on a volume), then smoke-tested from outside:
its HEALTHCHECK turns healthy, the first instructor logs in, and a lab is graded against a second
engine handed to it by DOCKER_HOST: first "not yet", then, after the learner's work, passed."""
from __future__ import annotations

import os
import re
import time

import pytest
import requests

from tests.support.app_image import build_app_image
from tests.support.dockerd import free_port

SECRET = "image-smoke-test-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def app_image(docker_engine):
    image_id, seconds = build_app_image(docker_engine.client)
    image = docker_engine.client.images.get(image_id)
    print(f"\napp image built in {seconds:.1f} s, {image.attrs['Size'] / 1e6:.0f} MB")
    return image


@pytest.fixture(scope="module")
def learner(extra_engine):
    engine = extra_engine(images=("mysql:5.6",))
    yield engine
    for container in engine["client"].containers.list(all=True):
        container.remove(force=True)


def _run_app(docker_engine, image, learner_socket: str, name: str):
    healthcheck = image.attrs["Config"]["Healthcheck"]
    return docker_engine.client.containers.run(
        image.id, name=name, detach=True,
        environment={"DOCKLAB_SECRET_KEY": SECRET, "DOCKER_HOST": "unix:///run/learner.sock",
                     "WEB_CONCURRENCY": "2"},
        volumes={learner_socket: {"bind": "/run/learner.sock", "mode": "rw"}},
        # The socket is root's; the app runs as `docklab` and is let in by the socket's group,
        # as `group_add` does for /var/run/docker.sock in production.
        group_add=[os.stat(learner_socket).st_gid],
        ports={"8000/tcp": (docker_engine.host_ip, None)},
        # The image's own health command, polled faster than its 30 s interval.
        healthcheck={"test": healthcheck["Test"], "interval": 500_000_000,
                     "timeout": 5_000_000_000, "retries": 3, "start_period": 0})


def _wait_healthy(container, timeout: float = 90.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        container.reload()
        health = container.attrs["State"].get("Health", {}).get("Status")
        if health == "healthy":
            return time.monotonic() - started
        if container.status == "exited":
            break
        time.sleep(0.5)
    pytest.fail(f"app container not healthy ({container.status}, "
                f"{container.attrs['State'].get('Health')}):\n"
                + container.logs(tail=40).decode(errors="replace"))


def _base_url(container, host_ip: str) -> str:
    port = container.ports["8000/tcp"][0]["HostPort"]
    address = "127.0.0.1" if host_ip in ("0.0.0.0", "") else host_ip  # noqa: S104
    return f"http://{address}:{port}"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _log_in(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{base}/login", timeout=10)
    response = session.post(f"{base}/login", timeout=10, allow_redirects=False, data={
        "csrf_token": _csrf(form.text), "username": username, "password": password})
    assert response.status_code in (302, 303), response.text[:500]
    return session


def _check(session: requests.Session, base: str, lab_id: str) -> dict:
    page = session.get(f"{base}/labs/{lab_id}", timeout=10)
    assert page.status_code == 200
    response = session.post(f"{base}/labs/{lab_id}/check", timeout=60,
                            headers={"Accept": "application/json"},
                            data={"csrf_token": _csrf(page.text), "host": ""})
    assert response.status_code == 200, response.text[:500]
    return response.json()


def test_image_is_lean_non_root_and_carries_no_build_secrets(docker_engine, app_image):
    config = app_image.attrs["Config"]
    assert config["User"] == "docklab"
    assert "/data" in config["Volumes"]
    assert "8000/tcp" in config["ExposedPorts"]
    assert "/healthz" in " ".join(config["Healthcheck"]["Test"])
    # Multi-stage: only the venv and the source are added to the base (no compiler, no caches).
    base = docker_engine.client.images.get(app_image.attrs["Config"]["Labels"]
                                           ["org.docklab.base-image"])
    added_mb = (app_image.attrs["Size"] - base.attrs["Size"]) / 1e6
    print(f"\nadded to the base: {added_mb:.0f} MB")
    assert added_mb < 200
    # What the build stage had and the final image must not: the extra CA, tests, pip caches.
    output = docker_engine.client.containers.run(
        app_image.id, remove=True, entrypoint=["/bin/sh", "-c",
                                               "ls /tmp/extra-ca /app/tests /src /root/.cache/pip "
                                               "2>/dev/null | wc -l; id -u; "
                                               "python3 -c 'import docklab, grader, gunicorn'"])
    missing, uid = output.decode().split()[:2]
    assert missing == "0"
    assert uid != "0"


def test_image_serves_logs_in_and_grades_a_lab_on_a_second_engine(
        docker_engine, app_image, learner):
    socket_path = learner["socket_url"].removeprefix("unix://")
    container = _run_app(docker_engine, app_image, socket_path, "docklab-smoke")
    try:
        became_healthy = _wait_healthy(container)
        print(f"healthy after {became_healthy:.1f} s")
        base = _base_url(container, docker_engine.host_ip)
        assert requests.get(f"{base}/healthz", timeout=5).status_code == 200

        logs = container.logs().decode(errors="replace")
        password = re.search(r"password: (\S+)", logs).group(1)
        session = _log_in(base, "instructor", password)
        # A wrong password is refused: the log-in above was not a door left open.
        with pytest.raises(AssertionError):
            _log_in(base, "instructor", password + "x")

        before = _check(session, base, "mysql-env")
        assert before["status"] == "failed", before
        learner["client"].containers.run("mysql:5.6", name="mydb", detach=True,
                                         environment={"MYSQL_ROOT_PASSWORD": "Passw0rd"})
        after = _check(session, base, "mysql-env")
        assert after["status"] == "passed", after
        assert after["attempt"]["attempt_id"] > before["attempt"]["attempt_id"]
        failed = {check["id"] for check in before["attempt"]["checks"]
                  if check["status"] != "passed"}
        assert "exists" in failed

        # Data lives on the volume: a restart keeps the account and the attempts, and runs the
        # migrations again without making a second first instructor.
        container.restart(timeout=10)
        _wait_healthy(container)
        base = _base_url(container, docker_engine.host_ip)
        session = _log_in(base, "instructor", password)
        attempt = session.get(f"{base}/labs/attempts/{after['attempt']['attempt_id']}",
                              timeout=10, headers={"Accept": "application/json"})
        assert attempt.status_code == 200
        assert container.logs().decode(errors="replace").count("password: ") == 1
    finally:
        container.remove(force=True, v=True)


def test_two_replicas_on_postgresql_share_accounts_and_sessions(
        docker_engine, app_image, postgres_server, request):
    """What docker-compose.yml and docs/deploy.md describe: the image on PostgreSQL, two replicas
    started together on one database and one secret key. Setup runs once (one first instructor)
    and a session made by one replica is honoured by the other."""
    database = f"replicas_{int(time.time())}"
    postgres_server.execute(f"CREATE DATABASE {database}")
    request.addfinalizer(lambda: postgres_server.execute(
        f"DROP DATABASE {database} WITH (FORCE)"))
    url = postgres_server.url(database)
    ports = [free_port(), free_port()]
    replicas = [docker_engine.client.containers.run(
        app_image.id, name=f"docklab-replica-{n}", detach=True, network_mode="host",
        environment={"DOCKLAB_SECRET_KEY": SECRET, "DATABASE_URL": url, "PORT": str(port),
                     "DOCKLAB_LOCAL_ENGINE": "0", "WEB_CONCURRENCY": "2"},
        healthcheck={"test": app_image.attrs["Config"]["Healthcheck"]["Test"],
                     "interval": 500_000_000, "timeout": 5_000_000_000, "retries": 3,
                     "start_period": 0})
        for n, port in enumerate(ports)]
    try:
        for replica in replicas:
            _wait_healthy(replica)
        logs = "".join(replica.logs().decode(errors="replace") for replica in replicas)
        assert logs.count("password: ") == 1, logs[-3000:]
        password = re.search(r"password: (\S+)", logs).group(1)
        first, second = (f"http://127.0.0.1:{port}" for port in ports)
        session = _log_in(first, "instructor", password)
        # The cookie made by the first replica opens the second one's pages.
        account = session.get(f"{second}/account", timeout=10, allow_redirects=False)
        assert account.status_code == 200
        assert "instructor" in account.text
    finally:
        for replica in replicas:
            replica.remove(force=True, v=True)
