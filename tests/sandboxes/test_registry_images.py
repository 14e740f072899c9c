"""The local registry and the lab images, for real: Debian's docker-registry process, the images
built on the test engine from the debootstrap base and pushed, and a second private dockerd with
no images of its own that pulls them through the registry as its Docker Hub mirror, the way a
sandbox does (`docker pull nginx`, then serving HTTP on a published port)."""
from __future__ import annotations

import io
import os
import socket
import time
from pathlib import Path

import pytest
import requests

from docklab.sandboxes.images import (
    CONTENT_LABEL,
    ImageError,
    base_key,
    lab_images,
    prepare,
    registry_label,
)
from docklab.sandboxes.registry import Registry, RegistryError, free_address
from grader import load_labs
from tests.support.docker_engine import start_private_engine
from tests.support.webapp import make_app

CACHE = Path(os.environ.get("DOCKLAB_TEST_CACHE", Path.home() / ".cache" / "docklab-tests"))
PUSHED = {"nginx:latest", "hello-world:latest", "mysql:5.6", "mysql:5.7", "mysql:8.4",
          "mariadb:11.4", "debian:bookworm-slim",
          "docker/whalesay:latest", "docklab/workstation:1", "busybox:latest"}


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    registry = Registry(tmp_path_factory.mktemp("registry"), free_address())
    assert registry.ensure_running() is True
    yield registry
    registry.stop()


@pytest.fixture(scope="module")
def prepared(docker_engine, registry):
    started = time.monotonic()
    results = prepare(docker_engine.client, registry.local_address, CACHE)
    seconds = time.monotonic() - started
    sizes = ", ".join(f"{r.ref} {r.size / 1e6:.0f} MB" for r in results if r.size)
    print(f"\nprepare-images (cold registry): {seconds:.1f} s; {sizes}")
    return {result.ref: result for result in results}


@pytest.fixture(scope="module")
def sandbox_like(registry, prepared):
    """A second engine with no images, whose Docker Hub mirror is the registry."""
    daemon = start_private_engine(extra_args=(
        "--registry-mirror", registry.url, "--insecure-registry", registry.local_address))
    client = daemon.client(timeout=120)
    assert client.images.list() == []
    yield daemon, client
    for container in client.containers.list(all=True):
        container.remove(force=True)
    client.close()
    daemon.stop()


def _pull(client, ref: str) -> float:
    started = time.monotonic()
    repository, _, tag = ref.rpartition(":")
    client.images.pull(repository, tag=tag)
    return time.monotonic() - started


def test_prepare_pushes_every_lab_image_and_skips_them_the_second_time(
        docker_engine, registry, prepared):
    assert set(prepared) == PUSHED
    assert {result.status for result in prepared.values()} == {"pushed"}
    catalog = requests.get(f"{registry.url}/v2/_catalog", timeout=5).json()["repositories"]
    assert {"library/nginx", "library/hello-world", "library/mysql", "docker/whalesay",
            "docklab/workstation"} <= set(catalog)
    label = registry_label(registry.url, "library/nginx", "latest")
    nginx = next(spec for spec in lab_images() if spec.ref == "nginx:latest")
    assert label == nginx.content_key(base_key())

    started = time.monotonic()
    again = prepare(docker_engine.client, registry.local_address, CACHE)
    warm = time.monotonic() - started
    print(f"\nprepare-images (warm): {warm:.2f} s")
    assert {result.status for result in again} == {"up to date"}
    assert warm < 10


def test_docker_pull_nginx_through_the_mirror_serves_http(sandbox_like):
    daemon, client = sandbox_like
    seconds = _pull(client, "nginx:latest")
    print(f"\ndocker pull nginx through the mirror: {seconds:.2f} s")
    image = client.images.get("nginx:latest")
    assert "80/tcp" in image.attrs["Config"]["ExposedPorts"]
    assert image.labels.get(CONTENT_LABEL)
    web = client.containers.run("nginx", name="myweb", detach=True,
                                ports={"80/tcp": (daemon.host_ip, None)})
    web.reload()
    port = web.attrs["NetworkSettings"]["Ports"]["80/tcp"][0]["HostPort"]
    deadline = time.monotonic() + 15
    while True:
        try:
            answer = requests.get(f"http://{daemon.host_ip}:{port}/", timeout=2)
            break
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise AssertionError(web.logs().decode()) from None
            time.sleep(0.1)
    assert answer.status_code == 200
    assert "Welcome to nginx!" in answer.text
    assert answer.headers["Server"].startswith("nginx")
    assert b"GET / HTTP/1.1" in web.logs()  # the access log goes to stdout, as in the official


def test_workstation_has_docker_tmux_curl_and_drives_its_engine(sandbox_like):
    daemon, client = sandbox_like
    _pull(client, "docklab/workstation:1")
    output = client.containers.run(
        "docklab/workstation:1", ["sh", "-c", "docker --version && tmux -V && curl --version"],
        remove=True)
    assert b"Docker version" in output and b"tmux" in output and b"curl" in output
    socket_path = daemon.socket_url.removeprefix("unix://")
    output = client.containers.run(
        "docklab/workstation:1", ["docker", "version", "--format", "{{.Server.Version}}"],
        volumes={socket_path: {"bind": "/var/run/docker.sock", "mode": "rw"}}, remove=True)
    assert output.decode().strip() == client.version()["Version"]


def test_hello_world_mysql_and_the_fortune_lab_work_offline(sandbox_like):
    _daemon, client = sandbox_like
    for ref in ("hello-world:latest", "mysql:5.6", "docker/whalesay:latest"):
        _pull(client, ref)
    hello = client.containers.run("hello-world", detach=True)
    assert hello.wait(timeout=20)["StatusCode"] == 0
    assert b"Hello from Docker!" in hello.logs()

    no_password = client.containers.run("mysql:5.6", detach=True)
    assert no_password.wait(timeout=20)["StatusCode"] == 1
    assert b"password option is not specified" in no_password.logs()
    mydb = client.containers.run("mysql:5.6", name="mydb", detach=True,
                                 environment={"MYSQL_ROOT_PASSWORD": "Passw0rd"})
    time.sleep(1)
    mydb.reload()
    assert mydb.status == "running", mydb.logs()
    mydb.stop(timeout=5)
    mydb.reload()
    assert mydb.attrs["State"]["ExitCode"] == 0  # it stops on SIGTERM, it is not killed

    dockerfile = ("FROM docker/whalesay:latest\n"
                  "RUN apt-get -y update && apt-get install -y fortunes\n"
                  "CMD /usr/games/fortune -a | cowsay\n")
    client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag="docker-whale", rm=True,
                        forcerm=True)
    said = client.containers.run("docker-whale", remove=True).decode()
    assert "##" in said and "<" in said, said


def test_the_2026_substitutes_work_offline(sandbox_like):
    """What the labs tell a 2026 learner to run: mysql:8.4 or MariaDB LTS, and the fortune lab
    on debian:bookworm-slim (the solution's Dockerfile, word for word)."""
    _daemon, client = sandbox_like
    for ref in ("mysql:8.4", "mariadb:11.4", "debian:bookworm-slim"):
        _pull(client, ref)
    for image, variable in (("mysql:8.4", "MYSQL_ROOT_PASSWORD"),
                            ("mariadb:11.4", "MARIADB_ROOT_PASSWORD")):
        without = client.containers.run(image, detach=True)
        assert without.wait(timeout=20)["StatusCode"] == 1, image
        database = client.containers.run(image, detach=True, environment={variable: "Passw0rd"})
        time.sleep(1)
        database.reload()
        assert database.status == "running", database.logs()
        database.remove(force=True)
        without.remove(force=True)
    fortune = load_labs()["fortune-image"].solution
    client.images.build(fileobj=io.BytesIO(fortune.dockerfile.encode()),
                        tag=fortune.build_tag, rm=True, forcerm=True)
    said = client.containers.run(fortune.build_tag, remove=True).decode()
    assert "<" in said and "(oo)" in said, said  # a cow this time, not a whale


def test_busybox_serves_the_labs_past_the_notes_offline(sandbox_like):
    """Labs 100-160 run busybox containers and build FROM busybox; multi-stage-small asks for a
    final image of at most 10 MB, so the registry's busybox is FROM scratch like Docker Hub's."""
    _daemon, client = sandbox_like
    _pull(client, "busybox:latest")
    said = client.containers.run("busybox", ["sh", "-c", "echo kept > /tmp/note && cat /tmp/note"
                                             " && id -un && which nc wget httpd"],
                                 remove=True).decode()
    assert said.split() == ["kept", "root", "/usr/bin/nc", "/usr/bin/wget", "/usr/sbin/httpd"]
    lab = load_labs()["multi-stage-small"].solution
    client.images.build(fileobj=io.BytesIO(lab.dockerfile.encode()), tag=lab.build_tag,
                        rm=True, forcerm=True)
    assert client.images.get(lab.build_tag).attrs["Size"] <= 10 * 1024 * 1024


def test_registry_keeps_its_data_across_a_restart_and_ensure_running_is_idempotent(
        registry, prepared):
    pid = registry.pid()
    assert pid and registry.healthy()
    assert registry.ensure_running() is False
    assert registry.pid() == pid
    assert registry.stop() is True
    assert not registry.healthy() and registry.pid() is None
    assert registry.stop() is False
    assert registry.ensure_running() is True
    assert registry.pid() != pid
    workstation = next(spec for spec in lab_images() if spec.ref == "docklab/workstation:1")
    assert registry_label(registry.url, "docklab/workstation", "1") == \
        workstation.content_key(base_key())


def test_a_stale_pid_file_is_replaced(registry, prepared):
    registry.stop()
    registry.pid_path.write_text(f"{os.getpid()}\n")  # a live pid that is not the registry
    assert registry.pid() is None
    assert registry.ensure_running() is True
    assert registry.pid() not in (None, os.getpid())
    assert registry_label(registry.url, "library/nginx", "latest")


def test_bad_addresses_give_a_clear_error(tmp_path):
    with pytest.raises(RegistryError, match="not HOST:PORT"):
        Registry(tmp_path / "a", "localhost")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        with pytest.raises(RegistryError, match="already in use"):
            Registry(tmp_path / "b", address).ensure_running()
    # An address this machine does not have: docker-registry itself fails to listen.
    broken = Registry(tmp_path / "c", "192.0.2.1:5000")
    with pytest.raises(RegistryError, match="exited with code") as failure:
        broken.ensure_running(timeout=10)
    assert "cannot assign requested address" in str(failure.value)
    assert broken.pid() is None


def _specs(*refs: str):
    return [spec for spec in lab_images() if spec.ref in refs]


def test_pull_through_cache_serves_upstream_and_pushed_images_and_works_offline(
        docker_engine, tmp_path):
    """Online, the registry proxies an upstream (here a second local registry standing in for
    Docker Hub, holding hello-world) and refuses pushes; prepare goes through a short-lived
    plain registry on the same storage, and the cache falls back to its storage for tags the
    upstream lacks. With the upstream down, Distribution 2.8 will not start as a cache: the
    registry then serves its local images alone."""
    hub = Registry(tmp_path / "hub", free_address())
    hub.ensure_running()
    cache = Registry(tmp_path / "cache", free_address(), upstream=hub.url)
    try:
        prepare(docker_engine.client, hub.local_address, CACHE, _specs("hello-world:latest"))
        assert cache.ensure_running() is True
        assert cache.mode == "pull-through" and "remoteurl" in cache.config_path.read_text()
        with cache.push_address() as address:
            assert address != cache.local_address
            result, = prepare(docker_engine.client, address, CACHE, _specs("mysql:5.6"))
        assert result.status == "pushed"
        assert not (cache.root / "push" / "registry.pid").exists()  # the helper is gone
        key = base_key()
        hello, mysql = _specs("hello-world:latest", "mysql:5.6")
        assert registry_label(cache.url, "library/hello-world", "latest") == \
            hello.content_key(key)  # fetched from upstream through the cache
        assert registry_label(cache.url, "library/mysql", "5.6") == mysql.content_key(key)
        assert registry_label(hub.url, "library/mysql", "5.6") is None  # never went upstream
        assert cache.ensure_running() is False

        hub.stop()  # offline: the cache still serves what it holds
        cache.restart()
        assert cache.mode == "local (upstream unreachable)"
        assert cache.ensure_running() is False  # no restart loop while the upstream is down
        assert registry_label(cache.url, "library/mysql", "5.6") == mysql.content_key(key)
        assert registry_label(cache.url, "library/hello-world", "latest") == \
            hello.content_key(key)
    finally:
        cache.stop()
        hub.stop()


def test_cli_prepare_images_and_registry_status(docker_engine, registry, prepared, tmp_path):
    app = make_app(tmp_path / "db.sqlite3", DOCKLAB_REGISTRY_DIR=str(registry.root),
                   DOCKLAB_REGISTRY_ADDR=registry.address)
    runner = app.test_cli_runner()
    status = runner.invoke(args=["sandboxes", "registry", "status"])
    assert status.exit_code == 0, status.output
    assert "healthy: True" in status.output
    done = runner.invoke(args=["labs", "prepare-images", "--engine", docker_engine.base_url,
                               "--only", "nginx:latest", "--cache", str(CACHE)])
    assert done.exit_code == 0, done.output
    assert "nginx:latest: up to date" in done.output
    assert "0 pushed, 1 up to date" in done.output
    unknown = runner.invoke(args=["labs", "prepare-images", "--only", "nginx:1.0"])
    assert unknown.exit_code != 0 and "no such lab image: nginx:1.0" in unknown.output


def test_prepare_says_when_the_registry_does_not_answer(docker_engine):
    with pytest.raises(ImageError, match="does not answer"):
        prepare(docker_engine.client, free_address(), CACHE, lab_images()[:1])
