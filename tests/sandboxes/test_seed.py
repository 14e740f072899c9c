"""Issue 13, cold start: a new (or reset) sandbox starts from the seed, a data root that already
holds the workstation image, so its terminal is ready without pulling 190 MB from the course
registry. Real rootless engines and a real registry; the seed is made in the template sandbox
exactly as `flask labs prepare-images` and a start make it.

What is proved: no request for the workstation's layers reaches the registry on a seeded start
(and the engine reports no pull), the terminal works, lab images still come through the registry,
reset re-seeds, every file of the copy belongs to the sandbox's own ids (none to the template's)
with the same owners and modes inside, a sandbox can reach neither the seed nor the template, and a
broken, missing or outdated seed falls back to the pull or is made again."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import docker
from docklab.sandboxes import services
from docklab.sandboxes.local import TEMPLATE_SLOT, Ids
from tests.sandboxes.conftest import _driver, _session_driver, busybox_tar, sandbox_app_for
from tests.support.webapp import bearer, create_user

LAYERS = "/v2/docklab/workstation/blobs/"  # what a pull of the workstation fetches


@pytest.fixture(scope="module")
def seed_driver(course_registry):
    yield from _session_driver(_driver("s", course_registry.port, 5))


@pytest.fixture(scope="module")
def seed_key(seed_driver):
    started = time.monotonic()
    key = services.ensure_seed(seed_driver)
    print(f"\nseed made in {time.monotonic() - started:.1f} s: {key}")
    assert key and key.startswith(f"{services.WORKSTATION_IMAGE}@sha256:")
    assert seed_driver.seed_key() == key
    return key


def log_size(registry) -> int:
    return registry.log_path.stat().st_size


def requests_since(registry, offset: int, part: str) -> list[str]:
    with open(registry.log_path, "rb") as log:
        log.seek(offset)
        return [line for line in log.read().decode(errors="replace").splitlines()
                if part in line]


def pulls_since(socket_url: str, since: float) -> list[dict]:
    client = docker.APIClient(base_url=socket_url, version="1.41", timeout=30)
    try:
        return list(client.events(since=int(since), until=int(time.time()) + 1, decode=True,
                                  filters={"type": "image", "event": "pull"}))
    finally:
        client.close()


def workstation_exec(socket_url: str, command: str) -> tuple[int, str]:
    """One command in the workstation's shell, as the exec API and the terminal run it."""
    client = docker.APIClient(base_url=socket_url, version="1.41", timeout=120)
    try:
        created = client.exec_create(services.WORKSTATION, ["sh", "-c", command],
                                     environment={"LANG": "C.UTF-8"})
        output = client.exec_start(created["Id"]).decode("utf-8", errors="replace")
        return client.exec_inspect(created["Id"])["ExitCode"], output
    finally:
        client.close()


def engine_log(driver, slot: int) -> str:
    """The sandbox's engine log, where the driver notes whether the start was seeded."""
    return (driver.run_dir / driver.user(slot) / "engine.log").read_text(errors="replace")


def fresh_start(driver, slot: int, seed: str | None):
    driver.used.append(slot)
    driver.wipe(slot)
    return driver.start(slot, seed=seed)


def test_a_first_start_from_the_seed_pulls_nothing_and_its_terminal_works(
        seed_driver, seed_key, course_registry):
    seed_driver.used.append(1)
    seed_driver.wipe(1)
    offset, since = log_size(course_registry), time.time() - 1
    started = time.monotonic()
    assert seed_driver.fresh(1)
    key = services.ensure_seed(seed_driver)  # as every fresh start asks: the seed is current
    endpoint = seed_driver.start(1, seed=key)
    services._ensure_workstation(endpoint.socket_url, endpoint.work_dir)
    took = time.monotonic() - started
    print(f"\nterminal ready {took:.2f} s after a first start from the seed; "
          + engine_log(seed_driver, 1).split("docklab: ")[-1].split("\n")[0])
    assert key == seed_key
    assert requests_since(course_registry, offset, LAYERS) == []
    assert pulls_since(endpoint.socket_url, since) == []
    assert f"seeded from {key}" in engine_log(seed_driver, 1)
    # The copy (190 MB) takes ~1-3 s on a quiet machine and ~10 s with the disk shared by other
    # test runs: so the server copies ahead (`prepare`, next test). Only a gross bound here.
    assert took < 40, took
    code, output = workstation_exec(
        endpoint.socket_url, "echo 안녕 && docker info --format '{{.Driver}}' && "
                             "docker run --rm busybox:latest echo ran 2>/dev/null")
    assert (code, output) == (0, "안녕\noverlay2\nran\n"), output
    # A lab image is not in the seed: it still comes through the course registry.
    assert requests_since(course_registry, offset, "/v2/library/busybox/blobs/")
    pulled = [event["id"] for event in pulls_since(endpoint.socket_url, since)]
    assert len(pulled) == 1 and "busybox" in pulled[0], pulled


def test_a_slot_prepared_ahead_starts_at_once_without_a_pull(
        seed_driver, seed_key, course_registry):
    seed_driver.used.append(6)
    seed_driver.wipe(6)
    note = seed_driver.prepare(6, seed_key)  # what the server's warmer does ahead of a learner
    assert note.startswith(f"seeded from {seed_key}"), note
    assert not seed_driver.fresh(6) and not seed_driver.running(6)
    offset, since = log_size(course_registry), time.time() - 1
    started = time.monotonic()
    seed = services.ensure_seed(seed_driver) if seed_driver.fresh(6) else None
    endpoint = seed_driver.start(6, seed=seed)
    services._ensure_workstation(endpoint.socket_url, endpoint.work_dir)
    took = time.monotonic() - started
    print(f"\nterminal ready {took:.2f} s after a first start of a prepared slot")
    assert seed is None and "seeded from" not in engine_log(seed_driver, 6)  # no copy now
    assert requests_since(course_registry, offset, LAYERS) == []
    assert pulls_since(endpoint.socket_url, since) == []
    assert workstation_exec(endpoint.socket_url, "echo 안녕") == (0, "안녕\n")
    assert took < 15, took  # ~1 s on a quiet machine
    assert seed_driver.prepare(6, seed_key).startswith("running")  # never under an engine


def walk(root: Path) -> dict[str, os.stat_result]:
    found = {".": os.lstat(root)}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            found[str(path.relative_to(root))] = os.lstat(path)
    return found


def inside(ids: Ids, st: os.stat_result) -> tuple[int, int]:
    """The owner as the engine sees it (the id inside the user namespace)."""
    def one(n: int, own: int, sub: int) -> int:
        if n == own:
            return 0
        assert 0 <= n - sub < ids.count, f"{n} is none of {ids}"
        return n - sub + 1
    return one(st.st_uid, ids.uid, ids.subuid), one(st.st_gid, ids.gid, ids.subgid)


def test_the_copy_belongs_to_the_sandbox_with_the_same_owners_and_modes_inside(
        seed_driver, seed_key):
    fresh_start(seed_driver, 2, seed_key)
    seed_driver.stop(2)  # nothing changes under the walk
    seed_folder, meta = seed_driver._current_seed()
    template, mine = Ids(**meta["ids"]), seed_driver._ids(2)
    assert template.uid != mine.uid and template.subuid != mine.subuid
    seed_files = walk(seed_folder / "docker")
    data_root = seed_driver._data_root(2)
    copied = walk(data_root)
    # Nothing in the sandbox's data root belongs to the template's ids; all of it to its own.
    template_uids = {template.uid, *range(template.subuid, template.subuid + template.count)}
    template_gids = {template.gid, *range(template.subgid, template.subgid + template.count)}
    for path, st in copied.items():
        assert st.st_uid not in template_uids and st.st_gid not in template_gids, path
        inside(mine, st)  # raises for an id that is not the sandbox's
    # Layer contents: the same owners inside, the same modes (set-user-ID bits too), the same
    # kind of file (symlinks stay symlinks, whiteouts stay character devices).
    layers = [path for path in seed_files if path.startswith("overlay2/")]
    assert len(layers) > 1000
    setuid = other_owners = 0
    for path in layers:
        before, after = seed_files[path], copied[path]
        assert inside(template, before) == inside(mine, after), path
        assert before.st_mode == after.st_mode, path
        assert before.st_size == after.st_size or stat.S_ISDIR(before.st_mode), path
        setuid += bool(before.st_mode & stat.S_ISUID) and stat.S_ISREG(before.st_mode)
        other_owners += inside(template, before) != (0, 0)
    assert setuid > 0  # e.g. /usr/bin/su in the Debian base: kept across the change of owner
    assert other_owners > 0  # e.g. group shadow: the subordinate ids were shifted too
    # The seed itself is untouched by the copy and by the sandbox's engine.
    assert all(inside(template, st) is not None for st in walk(seed_folder / "docker").values())


def as_user(driver, slot: int, code: str) -> subprocess.CompletedProcess:
    account = driver._ids(slot)
    return subprocess.run(
        ["setpriv", f"--reuid={account.uid}", f"--regid={account.gid}", "--clear-groups",
         sys.executable, "-c", code], capture_output=True, text=True, timeout=30)


def test_a_sandbox_reaches_neither_the_seed_nor_the_template(seed_driver, seed_key):
    endpoint = fresh_start(seed_driver, 3, seed_key)
    seeds = seed_driver.seeds_dir
    seed_folder, _meta = seed_driver._current_seed()
    template_home = seed_driver.home_dir / seed_driver.user(TEMPLATE_SLOT)
    for folder in (seeds, seed_folder):
        st = folder.stat()
        assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (0, 0, 0o700), folder
    st = template_home.stat()
    assert st.st_uid == seed_driver._ids(TEMPLATE_SLOT).uid and stat.S_IMODE(st.st_mode) == 0o700
    assert not seed_driver.running(TEMPLATE_SLOT)  # it runs only while a seed is made
    assert not seed_driver._data_root(TEMPLATE_SLOT).exists()  # and keeps nothing after
    # The sandbox's user on the server: every attempt refused.
    probe = as_user(seed_driver, 3, f"""
import os
tries = [lambda: os.listdir({str(seeds)!r}), lambda: open({str(seed_folder / 'seed.json')!r}),
         lambda: os.listdir({str(seed_folder / 'docker' / 'overlay2')!r}),
         lambda: open({str(seeds / 'mine')!r}, 'w'), lambda: os.listdir({str(template_home)!r}),
         lambda: open({str(template_home / 'x')!r}, 'w')]
for attempt in tries:
    try:
        attempt()
        print('OPENED')
    except PermissionError:
        print('denied')
""")
    assert probe.stdout.split() == ["denied"] * 6, probe.stdout + probe.stderr
    # Root in the sandbox's engine, bind-mounting them: its engine is that same user outside.
    client = docker.DockerClient(base_url=endpoint.socket_url, version="1.41", timeout=60)
    client.api.import_image_from_data(busybox_tar(), repository="local/busybox", tag="latest")
    for source in (seeds, template_home):
        try:
            output = client.containers.run(
                "local/busybox:latest", ["sh", "-c", "ls /x; echo pwned > /x/y"], remove=True,
                privileged=True, volumes={str(source): {"bind": "/x", "mode": "rw"}},
                stderr=True)
            raise AssertionError(f"{source} was reachable: {output!r}")
        except docker.errors.ContainerError as refused:
            assert "ermission denied" in str(refused.stderr or refused), refused
        except docker.errors.APIError as refused:
            assert "permission denied" in str(refused).lower(), refused
    assert not (seeds / "y").exists() and not (template_home / "y").exists()
    client.close()


def test_a_broken_or_other_seed_falls_back_to_the_pull_and_is_made_again(
        seed_driver, seed_key, course_registry):
    seed_folder, _meta = seed_driver._current_seed()
    # A seed of another version: the engine starts empty (what a pull then fills).
    other = fresh_start(seed_driver, 4, f"{services.WORKSTATION_IMAGE}@sha256:{'0' * 64}")
    with pytest.raises(docker.errors.ImageNotFound):
        docker.DockerClient(base_url=other.socket_url, version="1.41").images.get(
            services.WORKSTATION_IMAGE)
    assert f"not {services.WORKSTATION_IMAGE}@sha256:000" in engine_log(seed_driver, 4)
    # A broken seed (its image state gone): not used; the start pulls and the terminal works.
    (seed_folder / "docker" / "image").rename(seed_folder / "docker" / "image.broken")
    assert seed_driver.seed_key() is None
    offset = log_size(course_registry)
    endpoint = fresh_start(seed_driver, 5, seed_key)
    services._ensure_workstation(endpoint.socket_url, endpoint.work_dir)
    assert "no seed (missing or broken)" in engine_log(seed_driver, 5)
    assert requests_since(course_registry, offset, LAYERS)  # pulled, as before seeds
    assert workstation_exec(endpoint.socket_url, "echo 안녕") == (0, "안녕\n")
    # The next start (or prepare-images) makes it again.
    assert services.ensure_seed(seed_driver) == seed_key
    assert seed_driver.seed_key() == seed_key
    assert not (seed_driver._current_seed()[0] / "docker" / "image.broken").exists()


def test_a_seed_of_an_older_workstation_is_made_again(seed_driver, seed_key):
    seed_folder, meta = seed_driver._current_seed()
    (seed_folder / "seed.json").write_text(json.dumps(
        {**meta, "key": f"{services.WORKSTATION_IMAGE}@sha256:{'1' * 64}"}))
    made_at = meta["made_at"]
    assert services.ensure_seed(seed_driver) == seed_key
    folder, meta = seed_driver._current_seed()
    assert meta["key"] == seed_key and meta["made_at"] > made_at
    assert [path.name for path in seed_driver.seeds_dir.iterdir() if path.is_dir()] == \
        [folder.name]  # the old one is gone


@pytest.fixture
def seeded_app(database_url, tmp_path, seed_driver, seed_key, course_registry):
    # the learner's slot and the spares: new
    app = sandbox_app_for(database_url, tmp_path, seed_driver, course_registry, (1, 2, 3),
                          DOCKLAB_SANDBOX_EXEC_TIMEOUT=120, DOCKLAB_REQUEST_WAIT=130)
    yield app
    services._warming.submit(lambda: None).result(timeout=120)
    seed_driver.wipe(1)


def until_ready(client, headers, seconds: float = 60) -> float:
    started = time.monotonic()
    while (body := client.get("/api/v1/me/sandbox", headers=headers).get_json())["state"] \
            != "ready":
        assert body["state"] in ("starting", "queued") and \
            time.monotonic() - started < seconds, body
        time.sleep(0.05)
    return time.monotonic() - started


def test_a_learners_first_start_and_reset_come_from_the_seed(seeded_app, seed_driver, seed_key,
                                                             course_registry):
    runner = seeded_app.test_cli_runner()
    said = runner.invoke(args=["sandboxes", "seed"])
    assert said.exit_code == 0 and f"seed: up to date ({services.WORKSTATION_IMAGE}@" \
        in said.output, said.output
    client = seeded_app.test_client()
    kim = bearer(seeded_app, create_user(seeded_app, "kim"))
    offset = log_size(course_registry)
    assert client.put("/api/v1/me/sandbox", headers=kim).status_code in (200, 202)
    first = until_ready(client, kim)

    def run(command: str) -> dict:
        return client.post("/api/v1/me/sandbox/exec", headers=kim,
                           json={"command": command}).get_json()

    assert run("docker run -d --name keep busybox:latest sleep 600")["exit_code"] == 0
    # Reset: a fresh sandbox again, seeded again (the learner's container is gone); the copy is
    # made right after the reset, in the background, so the next start does not wait for it.
    assert client.delete("/api/v1/me/sandbox", headers=kim).status_code == 204
    services._warming.submit(lambda: None).result(timeout=120)  # the warmer is done
    assert not seed_driver.fresh(1) and not seed_driver.running(1)
    assert seed_driver.prepare(2, seed_key) == "has its data already"  # a spare, prepared too
    assert client.put("/api/v1/me/sandbox", headers=kim).status_code in (200, 202)
    again = until_ready(client, kim)
    print(f"\nterminal ready {first:.2f} s after the first start, {again:.2f} s after reset")
    listed = run("echo 한국어 && docker ps -a --format '{{.Names}}'")
    assert listed["exit_code"] == 0 and listed["output"].split() == \
        ["한국어", services.WORKSTATION], listed
    assert requests_since(course_registry, offset, LAYERS) == []  # never pulled
    assert first < 40 and again < 15, (first, again)


def test_removing_the_template_removes_the_seed(course_registry):
    """Decommissioning (and the tests' clean-up): no seed owned by a deleted user's ids stays."""
    driver = _driver("r", course_registry.port, 6)
    try:
        driver.used = []
        assert services.ensure_seed(driver)
        assert driver.seeds_dir.is_dir()
    finally:
        driver.remove(TEMPLATE_SLOT)
        assert not driver.seeds_dir.exists()
        shutil.rmtree(driver.run_dir, ignore_errors=True)
        shutil.rmtree(driver.home_dir, ignore_errors=True)
