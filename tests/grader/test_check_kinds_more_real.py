"""The check kinds and options of issue 17 on a real engine: absence and negation, volume and
network objects, argument lists, images gone, container logs; and the two grader bugs
(a base image whose tag moved, a bind mount through a symlink)."""
from __future__ import annotations

import io
import os
import time

import pytest

import docker
from docklab.sandboxes.registry import Registry, free_address
from grader import HostSpec, grade
from grader.snapshot import LOG_BYTES_LIMIT

from .helpers import check, lab

WEB = {"name": "web"}
SLEEP = ["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"]


def _grade(engine, *checks, lang="en"):
    return grade(lab(*checks), HostSpec(engine.base_url), lang=lang)


def _by_id(result) -> dict[str, tuple[str, str]]:
    return {c.id: (c.status, c.message) for c in result.checks}


def _build(client, dockerfile: str, tag: str):
    image, _ = client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=tag, rm=True,
                                   forcerm=True)
    return image


def test_absent_selection_and_negated_values(docker_engine, clean_containers, make_container):
    make_container("nginx:latest", name="web", environment={"MODE": "dev", "EMPTY": ""})
    result = _grade(
        docker_engine,
        check("gone", "container_exists", container={"name": "old", "absent": True}),
        check("still-there", "container_exists", container={"name": "web", "absent": True}),
        check("no-exited-nginx", "container_state",
              container={"image": "nginx", "absent": True}, state="exited"),
        check("no-running-nginx", "container_state",
              container={"image": "nginx", "absent": True}, state="running"),
        check("off-bridge", "container_networks", container=WEB, network="bridge", **{"not": True}),
        check("off-backend", "container_networks", container=WEB, network="backend",
              **{"not": True}),
        check("empty", "container_env", container=WEB, var="EMPTY", empty=True),
        check("mode-empty", "container_env", container=WEB, var="MODE", empty=True),
        check("mode-not-prod", "container_env", container=WEB, var="MODE", value="prod",
              **{"not": True}),
        check("mode-not-dev", "container_env", container=WEB, var="MODE", value="dev",
              **{"not": True}),
        check("no-debug", "container_env", container=WEB, var="DEBUG", **{"not": True}),
        check("no-mode", "container_env", container=WEB, var="MODE", **{"not": True}),
    )
    seen = _by_id(result)
    assert {k: v[0] for k, v in seen.items()} == {
        "gone": "pass", "still-there": "fail", "no-exited-nginx": "pass",
        "no-running-nginx": "fail", "off-bridge": "fail", "off-backend": "pass", "empty": "pass",
        "mode-empty": "fail", "mode-not-prod": "pass", "mode-not-dev": "fail", "no-debug": "pass",
        "no-mode": "fail"}, result.to_dict()
    assert seen["gone"][1] == "there is no container `old`."
    assert seen["still-there"][1] == ("expected no container `old`, but found: `web` — "
                                      "container `web` exists (`running`).".replace("`old`",
                                                                                    "`web`"))
    assert seen["no-running-nginx"][1].startswith(
        "expected no container with image `nginx:latest`, but found: `web` — container `web` "
        "is `running`.")
    assert seen["off-bridge"][1] == ("container `web` is on network `bridge`, and must not be "
                                     "(on: `bridge`).")
    assert seen["mode-empty"][1] == "`MODE` is `dev`, expected it empty."
    assert seen["mode-not-dev"][1] == "`MODE` is `dev`; it must not be `dev`."
    assert seen["no-mode"][1] == "container `web` has `MODE` (value `dev`); it must not."
    korean = _by_id(_grade(docker_engine, check("x", "container_networks", container=WEB,
                                                network="bridge", **{"not": True}), lang="ko"))
    assert "연결되지 않아야 함" in korean["x"][1]


@pytest.fixture
def volume_and_network(docker_engine):
    client = docker_engine.client
    volume = client.volumes.create("i17-data")
    network = client.networks.create("i17-net", driver="bridge")
    yield volume, network
    for container in client.containers.list(all=True, filters={"label": "org.docklab.test"}):
        container.remove(force=True)
    network.remove()
    volume.remove(force=True)


def test_volume_and_network_objects(docker_engine, clean_containers, make_container,
                                    volume_and_network):
    make_container("nginx:latest", name="db", command=SLEEP, network="i17-net",
                   volumes={"i17-data": {"bind": "/var/lib/data", "mode": "rw"}})
    docker_engine.client.networks.get("i17-net").disconnect("db")
    docker_engine.client.networks.get("i17-net").connect("db", aliases=["database"])
    make_container("nginx:latest", name="web")
    result = _grade(
        docker_engine,
        check("vol", "volume_exists", name="i17-data", driver="local", used_by=["db"]),
        check("vol-web", "volume_exists", name="i17-data", used_by=["db", "web"]),
        check("vol-driver", "volume_exists", name="i17-data", driver="nfs"),
        check("vol-missing", "volume_exists", name="i17-dta"),
        check("vol-gone", "volume_exists", name="i17-old", absent=True),
        check("vol-not-gone", "volume_exists", name="i17-data", absent=True),
        check("net", "network_exists", name="i17-net", driver="bridge", containers=["db"]),
        check("net-web", "network_exists", name="i17-net", containers=["db", "web"]),
        check("net-missing", "network_exists", name="i17-nett"),
        check("net-not-gone", "network_exists", name="i17-net", absent=True),
        check("alias", "container_networks", container={"name": "db"}, network="i17-net",
              aliases=["database"]),
        check("alias-other", "container_networks", container={"name": "db"}, network="i17-net",
              aliases=["mysql"]),
    )
    seen = _by_id(result)
    assert {k: v[0] for k, v in seen.items()} == {
        "vol": "pass", "vol-web": "fail", "vol-driver": "fail", "vol-missing": "fail",
        "vol-gone": "pass", "vol-not-gone": "fail", "net": "pass", "net-web": "fail",
        "net-missing": "fail", "net-not-gone": "fail", "alias": "pass",
        "alias-other": "fail"}, result.to_dict()
    assert seen["vol"][1] == ("volume `i17-data` exists (driver `local`, mounted by: "
                              "`db:/var/lib/data`).")
    assert seen["vol-web"][1] == ("volume `i17-data` is not mounted by `web` (mounted by: "
                                  "`db:/var/lib/data`; `-v i17-data:/path`).")
    assert seen["vol-driver"][1] == "volume `i17-data` has driver `local`, not `nfs`."
    assert seen["vol-missing"][1] == "there is no volume `i17-dta` (see `docker volume ls`)."
    assert seen["vol-not-gone"][1] == "volume `i17-data` still exists (driver `local`)."
    assert seen["net-web"][1] == ("`web` not attached to network `i17-net` (running containers "
                                  "on it: `db`; `--network i17-net`).")
    assert seen["net-missing"][1] == "there is no network `i17-nett` (see `docker network ls`)."
    assert seen["alias-other"][1].startswith(
        "container `db` has no alias `mysql` on `i17-net` (aliases: `database`")


def test_each_volume_and_network_is_read_once(docker_engine, clean_containers, make_container,
                                              volume_and_network):
    one = _grade(docker_engine, check("a", "volume_exists", name="i17-data"),
                 check("b", "network_exists", name="i17-net"))
    many = _grade(docker_engine, *[check(f"v{i}", "volume_exists", name="i17-data")
                                   for i in range(4)],
                  *[check(f"n{i}", "network_exists", name="i17-net") for i in range(4)])
    assert many.api_calls == one.api_calls  # _ping + one inspect each


PROBE = "i17-args:latest"


def test_image_config_argument_lists_empty_and_negation(docker_engine, lab_images):
    client = docker_engine.client
    _build(client, 'FROM local/busybox:latest\nENTRYPOINT ["sh", "-c"]\nCMD ["echo a b"]\n',
           PROBE)
    try:
        ref = {"ref": PROBE}
        result = _grade(
            docker_engine,
            check("ep-list", "image_config", field="entrypoint", equals=["sh", "-c"], **ref),
            check("ep-joined", "image_config", field="entrypoint", equals=["sh -c"], **ref),
            check("ep-text", "image_config", field="entrypoint", equals="sh -c", **ref),
            check("cmd-split", "image_config", field="cmd", equals=["echo", "a", "b"], **ref),
            check("cmd-one", "image_config", field="cmd", equals=["echo a b"], **ref),
            check("ep-empty", "image_config", field="entrypoint", empty=True, **ref),
            check("nginx-ep-empty", "image_config", field="entrypoint", empty=True,
                  ref="nginx:latest"),
            check("not-httpd", "image_config", field="cmd", contains="echo", **{"not": True},
                  **ref),
            check("not-user", "image_config", field="user", empty=True, **{"not": True}, **ref),
        )
    finally:
        client.images.remove(PROBE, force=True)
    seen = _by_id(result)
    assert {k: v[0] for k, v in seen.items()} == {
        "ep-list": "pass", "ep-joined": "fail", "ep-text": "pass", "cmd-split": "fail",
        "cmd-one": "pass", "ep-empty": "fail", "nginx-ep-empty": "pass", "not-httpd": "fail",
        "not-user": "fail"}, result.to_dict()
    assert seen["ep-joined"][1] == (f'`{PROBE}` ENTRYPOINT is ["sh", "-c"], '
                                    'expected ["sh -c"].')
    assert seen["cmd-split"][1] == (f'`{PROBE}` CMD is ["echo a b"], '
                                    'expected ["echo", "a", "b"].')
    assert seen["ep-empty"][1] == f'`{PROBE}` ENTRYPOINT is ["sh", "-c"], expected empty.'
    assert seen["not-httpd"][1] == f"`{PROBE}` CMD is `echo a b`; expected not `echo`."
    assert seen["not-user"][1] == f"`{PROBE}` USER is -; expected not empty."


def test_images_gone_and_dangling(docker_engine, lab_images):
    client = docker_engine.client
    tag = "i17-dangle:latest"
    first = _build(client, "FROM local/busybox:latest\nRUN echo one > /f\n", tag)
    _build(client, "FROM local/busybox:latest\nRUN echo two > /f\n", tag)  # `first` dangles
    try:
        result = _grade(
            docker_engine,
            check("gone", "image_present", ref="i17-never:latest", absent=True),
            check("not-gone", "image_present", ref="nginx", absent=True),
            check("some", "images_dangling", min=1),
            check("none", "images_dangling", max=0),
        )
    finally:
        client.images.remove(tag, force=True)
        client.images.remove(first.id, force=True)
    seen = _by_id(result)
    assert [v[0] for v in seen.values()] == ["pass", "fail", "pass", "fail"], result.to_dict()
    assert seen["gone"][1] == "image `i17-never:latest` is not present."
    assert seen["not-gone"][1].startswith("image `nginx:latest` is still present (")
    assert seen["not-gone"][1].endswith("; `docker rmi nginx:latest`).")
    assert first.id.removeprefix("sha256:")[:12] in seen["none"][1]
    assert "dangling image(s), at most 0 expected (`docker image prune`)" in seen["none"][1]


def _wait_for_log(engine, name: str, text: bytes, seconds: float = 20) -> None:
    """The test's containers print at start; wait until they have (a loaded machine is slow)."""
    ends = time.monotonic() + seconds
    while text not in engine.client.containers.get(name).logs(tail=5):
        assert time.monotonic() < ends, f"{name} never printed {text!r}"
        time.sleep(0.2)


def test_container_logs(docker_engine, clean_containers, make_container):
    make_container("nginx:latest", name="talker", command=[
        "sh", "-c", "echo hello; echo 'ERROR disk full' >&2; sleep 0.3; echo ready; sleep 600"])
    make_container("nginx:latest", name="tty", tty=True,
                   command=["sh", "-c", "echo on a tty; sleep 600"])
    # 3,000 lines of 100 bytes: the tail and the byte cap bound what is read.
    make_container("nginx:latest", name="loud", command=[
        "sh", "-c", "i=0; while [ $i -lt 3000 ]; do printf '%099d\\n' $i; i=$((i+1)); done; "
                    "echo done; sleep 600"])
    talker = {"name": "talker"}
    _wait_for_log(docker_engine, "talker", b"ready")
    _wait_for_log(docker_engine, "tty", b"tty")
    _wait_for_log(docker_engine, "loud", b"done")
    result = _grade(
        docker_engine,
        check("hello", "container_logs", container=talker, contains="hello"),
        check("stderr", "container_logs", container=talker, regex=r"^ERROR \w+"),
        check("no-error", "container_logs", container=talker, contains="ERROR", **{"not": True}),
        check("no-panic", "container_logs", container=talker, contains="panic",
              **{"not": True}),
        check("bye", "container_logs", container=talker, contains="bye"),
        check("tty", "container_logs", container={"name": "tty"}, contains="on a tty"),
        check("early", "container_logs", container={"name": "loud"}, contains="hello",
              tail=1000),
        check("late", "container_logs", container={"name": "loud"}, contains="done", tail=5),
    )
    seen = _by_id(result)
    assert {k: v[0] for k, v in seen.items()} == {
        "hello": "pass", "stderr": "pass", "no-error": "fail", "no-panic": "pass",
        "bye": "fail", "tty": "pass", "early": "fail", "late": "pass"}, result.to_dict()
    assert seen["no-error"][1] == "the log of container `talker` has `ERROR`: `ERROR disk full`."
    assert seen["bye"][1] == ("the log of container `talker` lacks `bye` (last 3 lines, the "
                              "last: `ready`).")
    assert seen["early"][1].startswith("the log of container `loud` lacks `hello` (last ")
    # 1,000 lines of 100 bytes would be 100,000: the cap stops at 64 KiB.
    lines = int(seen["early"][1].split("(last ")[1].split(" ")[0])
    assert lines <= LOG_BYTES_LIMIT // 100 + 1


def test_logs_read_is_one_call_per_container(docker_engine, clean_containers, make_container):
    make_container("nginx:latest", name="talker", command=["sh", "-c", "echo hi; sleep 600"])
    _wait_for_log(docker_engine, "talker", b"hi")
    one = _grade(docker_engine, check("a", "container_logs", container={"name": "talker"},
                                      contains="hi"))
    three = _grade(docker_engine, *[check(f"a{i}", "container_logs", container={"name": "talker"},
                                          contains=word) for i, word in enumerate("hi!")])
    assert one.api_calls == three.api_calls == 3  # _ping, inspect, logs


def test_bind_mount_through_a_symlink_says_paths_are_literal(docker_engine, clean_containers,
                                                             make_container, tmp_path):
    """Before: `source is `/x/link`, not `/x/real`` with no word on why. The engine reports the
    path as written; the grader cannot follow a symlink on the learner's host, and says so."""
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    os.symlink(real, link)
    make_container("nginx:latest", name="web", command=SLEEP,
                   volumes={str(link): {"bind": "/data", "mode": "ro"}})
    result = _grade(
        docker_engine,
        check("real", "container_mounts", container=WEB, destination="/data", source=str(real)),
        check("link", "container_mounts", container=WEB, destination="/data", source=str(link)),
        check("regex", "container_mounts", container=WEB, destination="/data",
              source_regex=r"/(real|link)/?$", type="bind", read_only=True),
        check("regex-no", "container_mounts", container=WEB, destination="/data",
              source_regex=r"/site/?$"),
    )
    seen = _by_id(result)
    assert [v[0] for v in seen.values()] == ["fail", "pass", "pass", "fail"], result.to_dict()
    assert seen["real"][1] == (f"mount at `/data`: source is `{link}`, not `{real}` (paths are "
                               "compared as written in `-v`; symlinks are not followed)")
    assert seen["regex-no"][1] == (f"mount at `/data`: source `{link}` does not match "
                                   "`/site/?$`")


@pytest.fixture
def registry(tmp_path):
    registry = Registry(tmp_path / "registry", free_address())
    try:
        registry.start()
    except Exception as exc:  # noqa: BLE001 - say why the test cannot run
        pytest.fail(f"docker-registry did not start: {exc}")
    yield registry
    registry.stop()


def test_based_on_still_passes_after_the_base_tag_moves(docker_engine, lab_images, registry):
    """A correct `FROM base` build, then `docker pull base` brings a newer base: the learner's
    image is still built on (an earlier version of) that base. Before the fix: `check FROM`."""
    client = docker_engine.client
    base = f"{registry.local_address}/i17/base"
    _build(client, "FROM local/busybox:latest\nRUN echo v1 > /version\n", f"{base}:latest")
    client.images.push(base, "latest")
    _build(client, f"FROM {base}:latest\nRUN echo app > /app\n", "i17-app:latest")
    _build(client, "FROM local/busybox:latest\nRUN echo other > /other\n", "i17-other:latest")
    # A newer base is published; the learner's routine `docker pull` moves the tag to it.
    _build(client, "FROM local/busybox:latest\nRUN echo v2 > /version\n", f"{base}:latest")
    client.images.push(base, "latest")
    client.images.remove(f"{base}:latest")
    client.images.pull(base, "latest")
    try:
        result = _grade(
            docker_engine,
            check("app", "image_based_on", ref="i17-app", base=f"{base}:latest"),
            check("other", "image_based_on", ref="i17-other", base=f"{base}:latest"),
        )
    finally:
        for tag in ("i17-app:latest", "i17-other:latest", f"{base}:latest"):
            try:
                client.images.remove(tag, force=True)
            except docker.errors.APIError:
                pass
    seen = _by_id(result)
    assert seen["app"][0] == "pass", result.to_dict()
    assert seen["app"][1].startswith(f"`i17-app:latest` is built on an earlier `{base}:latest` (")
    assert seen["app"][1].endswith("); the tag has moved since (`docker pull`).")
    assert seen["other"][0] == "fail"
    assert seen["other"][1].startswith(f"`i17-other:latest` is not built on `{base}:latest`: of "
                                       "its ")
    assert "its oldest step: " in seen["other"][1]
