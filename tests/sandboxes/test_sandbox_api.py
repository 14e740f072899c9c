"""Issue 13 through the API, on real rootless engines: a learner starts their sandbox, works in it,
Check grades it (and nobody else's), reset wipes it, an idle one stops and resumes with the work
kept, a full server queues with a position, and one over its disk budget is paused."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

import docker
from docklab.extensions import db
from docklab.sandboxes import services
from docklab.sandboxes.models import Sandbox
from tests.sandboxes.conftest import busybox_tar
from tests.support.webapp import PASSWORD, bearer, create_user, csrf_token


@pytest.fixture
def sandbox_app(app, app_sandbox_driver):
    app.extensions["docklab_sandbox_driver"] = app_sandbox_driver
    app.config.update(DOCKLAB_LOCAL_ENGINE=False, DOCKLAB_CHECK_LIMIT=100, DOCKLAB_SANDBOX_MAX=2,
                      DOCKLAB_REQUEST_WAIT=10, DOCKLAB_SANDBOXES=True)
    for slot in (1, 2, 3):
        seed(app_sandbox_driver, slot)
    return app


def seed(driver, slot: int) -> None:
    """A fresh sandbox holding what prepare-images would serve it: the workstation and nginx
    (busybox stand-ins: this test is about sandboxes, not images)."""
    driver.used.append(slot)
    driver.wipe(slot)
    endpoint = driver.start(slot)
    client = docker.APIClient(base_url=endpoint.socket_url, version="1.41", timeout=60)
    client.import_image_from_data(busybox_tar(), repository="docklab/workstation", tag="1")
    client.tag("docklab/workstation:1", "nginx", "latest")
    client.close()
    driver.stop(slot)


def engine(app, user_id: int) -> docker.DockerClient:
    with app.app_context():
        sandbox = services.sandbox_of(user_id)
        url = services.driver().endpoint(sandbox.slot).socket_url
    return docker.DockerClient(base_url=url, version="1.41", timeout=60)


def until_ready(client, headers, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        body = client.get("/api/v1/me/sandbox", headers=headers).get_json()
        if body["state"] == "ready":
            return body
        assert body["state"] in ("starting", "queued"), body
        assert time.monotonic() < deadline, body["state"] + ": " + (body["message"] or "")
        time.sleep(0.1)


def run_nginx(docker_client) -> None:
    """What the learner types: docker run -d --name myweb -p 80:80 nginx."""
    docker_client.containers.run("nginx:latest", ["httpd", "-f", "-p", "80", "-h", "/"],
                                 name="myweb", ports={"80/tcp": 80}, detach=True)


def test_a_learner_works_in_their_sandbox_and_check_grades_it(sandbox_app, client):
    ana = bearer(sandbox_app, create_user(sandbox_app, "ana"))
    started = time.monotonic()
    first = client.put("/api/v1/me/sandbox", headers=ana)
    assert first.status_code in (200, 202), first.get_json()
    ready = until_ready(client, ana)
    took = time.monotonic() - started
    assert ready["address"].startswith("127.")
    ran = client.post("/api/v1/me/sandbox/exec", headers=ana,
                      json={"command": "echo 안녕 && id -u"}).get_json()
    assert ran == {"exit_code": 0, "output": "안녕\n0\n"}
    failed = client.post("/api/v1/labs/nginx-port/check", headers=ana).get_json()
    assert failed["status"] == "failed" and failed["host"] == "sandbox"
    run_nginx(engine(sandbox_app, _uid(sandbox_app, "ana")))
    passed = client.post("/api/v1/labs/nginx-port/check", headers=ana).get_json()
    assert passed["status"] == "passed", passed
    # The workstation (the terminal's container) is the learner's tool, not their work.
    assert "docklab-workstation" not in str(passed)
    # A second learner: a sandbox of their own, where nothing of ana's exists.
    ben = bearer(sandbox_app, create_user(sandbox_app, "ben"))
    client.put("/api/v1/me/sandbox", headers=ben)
    until_ready(client, ben)
    theirs = client.post("/api/v1/labs/nginx-port/check", headers=ben).get_json()
    assert theirs["status"] == "failed"
    assert took < 15, took


def test_a_folder_made_in_the_terminal_binds_into_a_container(sandbox_app, client):
    """The bind-mount lab in a sandbox: the engine resolves `-v SOURCE:...` on its own side, so
    the workstation's working folder is the same path for both (before: /root in the
    workstation, which the engine does not see)."""
    jay = bearer(sandbox_app, create_user(sandbox_app, "jay"))
    client.put("/api/v1/me/sandbox", headers=jay)
    until_ready(client, jay)
    made = client.post("/api/v1/me/sandbox/exec", headers=jay, json={
        "command": "mkdir -p site && echo 'Hello from my folder' > site/index.html && pwd"})
    folder = made.get_json()["output"].strip()
    assert made.get_json()["exit_code"] == 0 and folder.startswith("/"), made.get_json()
    shown = engine(sandbox_app, _uid(sandbox_app, "jay")).containers.run(
        "nginx:latest", ["cat", "/data/index.html"], remove=True,
        volumes={f"{folder}/site": {"bind": "/data", "mode": "ro"}})
    assert shown.decode() == "Hello from my folder\n"
    assert (Path(folder) / "site" / "index.html").is_file()  # on the server, in the sandbox
    client.delete("/api/v1/me/sandbox", headers=jay)  # reset: the learner's files go too
    assert not (Path(folder) / "site").exists()


def test_reset_wipes_and_an_idle_sandbox_stops_and_resumes_with_the_work(sandbox_app, client):
    cho = bearer(sandbox_app, create_user(sandbox_app, "cho"))
    client.put("/api/v1/me/sandbox", headers=cho)
    until_ready(client, cho)
    run_nginx(engine(sandbox_app, _uid(sandbox_app, "cho")))
    # Idle past the limit: the reaper stops it; the container stays on disk.
    sandbox_app.config["DOCKLAB_SANDBOX_IDLE_MINUTES"] = 0.001
    time.sleep(0.2)
    with sandbox_app.app_context():
        assert services.reap()["idle_stopped"] == 1
        assert not services.driver().running(services.sandbox_of(_uid(sandbox_app, "cho")).slot)
    assert client.get("/api/v1/me/sandbox", headers=cho).get_json()["state"] == "stopped"
    sandbox_app.config["DOCKLAB_SANDBOX_IDLE_MINUTES"] = 30
    resumed = time.monotonic()
    client.put("/api/v1/me/sandbox", headers=cho)
    until_ready(client, cho)
    assert time.monotonic() - resumed < 5
    again = client.post("/api/v1/labs/nginx-port/check", headers=cho).get_json()
    assert again["status"] == "passed"  # resumed where they left off
    # Reset: everything goes.
    assert client.delete("/api/v1/me/sandbox", headers=cho).status_code == 204
    assert client.get("/api/v1/me/sandbox", headers=cho).get_json()["state"] == "stopped"


def test_a_full_server_queues_with_a_position_and_lets_the_next_in(sandbox_app, client):
    sandbox_app.config["DOCKLAB_SANDBOX_MAX"] = 1
    first = bearer(sandbox_app, create_user(sandbox_app, "first"))
    second = bearer(sandbox_app, create_user(sandbox_app, "second"))
    client.put("/api/v1/me/sandbox", headers=first)
    until_ready(client, first)
    queued = client.put("/api/v1/me/sandbox", headers=second)
    assert queued.status_code == 503 and int(queued.headers["Retry-After"]) > 0
    body = queued.get_json()
    assert body["state"] == "queued" and body["position"] == 1 and body["estimate_seconds"] > 0
    # The first learner is done (reset): the second is let in on their next look.
    client.delete("/api/v1/me/sandbox", headers=first)
    until_ready(client, second)


def test_a_sandbox_over_its_disk_budget_is_paused(sandbox_app, client):
    dan = bearer(sandbox_app, create_user(sandbox_app, "dan"))
    client.put("/api/v1/me/sandbox", headers=dan)
    until_ready(client, dan)
    filler = engine(sandbox_app, _uid(sandbox_app, "dan")).containers.run(
        "nginx:latest", ["sh", "-c", "dd if=/dev/zero of=/fill bs=1M count=80; sleep 600"],
        detach=True)
    time.sleep(3)
    with sandbox_app.app_context():
        assert services.reap()["paused"] == 1
    body = client.get("/api/v1/me/sandbox", headers=dan).get_json()
    assert body["state"] == "paused" and "disk" in body["message"]
    client.put("/api/v1/me/sandbox", headers=dan)  # not started again until reset
    assert client.get("/api/v1/me/sandbox", headers=dan).get_json()["state"] == "paused"
    assert filler.id  # (the engine was stopped with it inside)


def test_exec_and_check_without_a_sandbox_say_what_to_do(sandbox_app, client):
    eve = bearer(sandbox_app, create_user(sandbox_app, "eve"))
    assert client.get("/api/v1/me/sandbox", headers=eve).status_code == 404
    assert client.post("/api/v1/me/sandbox/exec", headers=eve,
                       json={"command": "true"}).status_code == 409
    assert client.post("/api/v1/me/sandbox/exec", headers=eve, json={}).status_code == 400
    asked = client.post("/api/v1/labs/nginx-port/check", headers=eve,
                        json={"target": "sandbox"}).get_json()
    assert asked["status"] == "error" and "샌드박스" in asked["checks"][0]["message"]


def test_a_terminal_image_the_registry_lacks_stops_the_start_with_the_reason(sandbox_app, client,
                                                                              monkeypatch):
    # The Engine API reports a failed pull inside its progress stream (HTTP 200): read as
    # success, the start went on to "No such image" with no word about the registry.
    monkeypatch.setattr(services, "WORKSTATION_IMAGE", "docklab/workstation:absent")
    hana = bearer(sandbox_app, create_user(sandbox_app, "hana"))
    assert client.put("/api/v1/me/sandbox", headers=hana).status_code in (200, 202)
    deadline = time.monotonic() + 90
    while (body := client.get("/api/v1/me/sandbox", headers=hana).get_json())["state"] \
            == "starting":
        assert time.monotonic() < deadline, body["state"] + ": " + (body["message"] or "")
        time.sleep(0.2)
    assert body["state"] == "stopped", body
    assert "docklab/workstation:absent could not be pulled from the course registry" \
        in body["message"], body


def _uid(app, username: str) -> int:
    from docklab.models import User

    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.username == username))


def test_engines_a_crash_left_behind_are_stopped_and_states_repaired(sandbox_app,
                                                                    app_sandbox_driver):
    """docklab died: a sandbox it no longer knows still runs, and one it thinks ready does not."""
    fay = create_user(sandbox_app, "fay")
    app_sandbox_driver.start(3)  # slot 3 belongs to nobody in this database: an orphan
    with sandbox_app.app_context():
        db.session.add(Sandbox(user_id=fay, slot=1, state="ready"))  # but its engine is down
        db.session.commit()
        app_sandbox_driver.stop(1)
        done = services.reap()
        assert done["orphans_stopped"] == 1 and done["repaired"] == 1
        assert not app_sandbox_driver.running(3)
        assert services.sandbox_of(fay).state == "stopped"


def test_reaping_leaves_alone_an_engine_whose_start_began_meanwhile(sandbox_app,
                                                                   app_sandbox_driver,
                                                                   monkeypatch):
    """Seen on a fresh `make run`: a learner's start right after the app started failed with a
    dropped connection mid-pull. The reaper had read the sandbox as stopped, the start began,
    and the reaper then stopped the new engine as an orphan."""
    ivy = create_user(sandbox_app, "ivy")
    with sandbox_app.app_context():
        db.session.add(Sandbox(user_id=ivy, slot=2, state="stopped"))
        db.session.commit()
    real_running_slots = app_sandbox_driver.running_slots

    def start_meanwhile():  # the learner presses Start while the reaper is at work
        with sandbox_app.app_context():
            row = db.session.scalar(db.select(Sandbox).where(Sandbox.user_id == ivy))
            row.state = "starting"
            db.session.commit()
        app_sandbox_driver.start(2)
        return real_running_slots()

    monkeypatch.setattr(app_sandbox_driver, "running_slots", start_meanwhile)
    with sandbox_app.app_context():
        done = services.reap()
    assert done["orphans_stopped"] == 0
    assert app_sandbox_driver.running(2)
    app_sandbox_driver.stop(2)


def test_an_admin_sees_every_sandbox_with_its_use_and_stops_one(sandbox_app, client):
    gil = bearer(sandbox_app, create_user(sandbox_app, "gil"))
    client.put("/api/v1/me/sandbox", headers=gil)
    until_ready(client, gil)
    create_user(sandbox_app, "boss", role="admin")
    admin = sandbox_app.test_client()
    admin.post("/login", data={"username": "boss", "password": PASSWORD,
                               "csrf_token": csrf_token(admin, "/login")})
    page = admin.get("/admin/sandboxes").get_data(as_text=True)
    assert "준비됨" in page and " MB" in page  # state and memory of gil's running sandbox
    stopped = admin.post(f"/admin/sandboxes/{_uid(sandbox_app, 'gil')}/stop",
                         data={"csrf_token": csrf_token(admin, "/admin/sandboxes")})
    assert stopped.status_code == 302
    assert client.get("/api/v1/me/sandbox", headers=gil).get_json()["state"] == "stopped"
