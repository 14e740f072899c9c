"""Real Docker engines for the tests (pytest plugin).

Which engine: `DOCKER_HOST` when it is set and answers (the user chose it); otherwise a private
dockerd this session starts as root (installing Debian's docker.io and busybox-static if missing),
so the tests never retag or delete a developer's own images and containers; failing that, the
local socket if it answers. With none of these the Docker tests fail with one clear message.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import docker

from .dockerd import PrivateDockerd, free_port
from .images import LAB_IMAGES, copy_images, ensure_lab_images
from .proxy import RecordingProxy
from .workers import machine_lock

TEST_LABEL = "org.docklab.test"
HOW_TO_GET_ONE = (
    "No Docker engine for the tests. Either run them as root on Debian/Ubuntu (they install "
    "docker.io and start a private dockerd themselves: `make test` does this), or start Docker and "
    "set DOCKER_HOST to an engine the tests may fill with containers and images."
)


@dataclass
class Engine:
    base_url: str
    client: docker.DockerClient
    private: bool
    host_ip: str = "0.0.0.0"  # noqa: S104 - where published ports bind on that engine
    daemon: PrivateDockerd | None = None


def _answers(base_url: str) -> bool:
    try:
        if base_url == os.environ.get("DOCKER_HOST"):
            with docker.from_env(timeout=3).api as api:
                return api.ping()
        with docker.APIClient(base_url=base_url, version="1.41", timeout=3) as api:
            api.ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means "no"
        return False


def _static_busybox() -> bool:
    """The images copy /bin/busybox into a bare root: a dynamic one (Debian's `busybox`
    package) would find no libc there."""
    try:
        return b"ld-linux" not in Path("/bin/busybox").read_bytes()[:65536]
    except OSError:
        return False


def _engine_packages_present() -> bool:
    return bool(shutil.which("dockerd")) and _static_busybox()


def _install_engine_packages() -> None:
    if _engine_packages_present():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    with machine_lock("apt"):  # dpkg installs one at a time: the other workers wait, then see it
        if _engine_packages_present():
            return
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "docker.io", "busybox-static"],
                       check=True, env=env)


def start_private_engine(**kwargs) -> PrivateDockerd:
    _install_engine_packages()
    return PrivateDockerd(**kwargs).start()


@pytest.fixture(scope="session")
def docker_engine():
    chosen = os.environ.get("DOCKER_HOST")
    if chosen and _answers(chosen):
        # from_env also honours DOCKER_TLS_VERIFY / DOCKER_CERT_PATH for a tcp:// engine.
        client = docker.from_env(timeout=60)
        yield Engine(chosen, client, private=False)
        client.close()
        return
    daemon, why = None, []
    if chosen:
        why.append(f"DOCKER_HOST={chosen} does not answer")
    if os.geteuid() == 0:
        try:
            daemon = start_private_engine()
        except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
            why.append(f"a private dockerd could not start: {exc}")
    else:
        why.append("not root, so no private dockerd")
    if daemon is not None:
        client = daemon.client(timeout=60)
        try:
            yield Engine(daemon.socket_url, client, private=True, host_ip=daemon.host_ip,
                         daemon=daemon)
        finally:
            client.close()
            daemon.stop()
        return
    local = "unix:///var/run/docker.sock"
    if _answers(local):
        yield Engine(local, docker.DockerClient(base_url=local, timeout=60), private=False)
        return
    why.append(f"{local} does not answer")
    pytest.fail(f"{HOW_TO_GET_ONE}\n(" + "; ".join(why) + ")", pytrace=False)


@pytest.fixture(scope="session")
def lab_images(docker_engine) -> dict[str, str]:
    """tag -> image id of every image the labs name, built locally from busybox."""
    return ensure_lab_images(docker_engine.client)


def _remove_all_containers(engine: Engine) -> None:
    for container in engine.client.containers.list(all=True):
        container.remove(force=True)


@pytest.fixture
def clean_containers(docker_engine):
    """An engine with no containers at all (labs such as `cleanup` look at the whole host)."""
    if not docker_engine.private:
        pytest.fail("This test needs an engine it may empty; unset DOCKER_HOST so the tests start "
                    "their own private dockerd (as root).", pytrace=False)
    _remove_all_containers(docker_engine)
    yield docker_engine
    _remove_all_containers(docker_engine)


def wait_for_state(container, wanted: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        container.reload()
        if container.status == wanted:
            return
        time.sleep(0.05)
    raise AssertionError(f"container {container.name} is {container.status}, not {wanted}")


@pytest.fixture
def make_container(docker_engine, lab_images):
    """Create containers in an exact state; everything made here is removed after the test."""
    made = []

    def make(image: str, name: str | None = None, state: str = "running", command=None,
             environment=None, ports=None, publish_all_ports: bool = False, labels=None,
             exit_code: int = 0, **kwargs):
        labels = {TEST_LABEL: "1", **(labels or {})}
        if state == "exited" and command is None:
            command = ["sh", "-c", f"exit {exit_code}"]
        container = docker_engine.client.containers.create(
            image, command=command, name=name, environment=environment, labels=labels,
            ports=ports, publish_all_ports=publish_all_ports, detach=True, **kwargs)
        made.append(container)
        if state == "created":
            return container
        container.start()
        if state == "exited":
            container.wait(timeout=15)
            wait_for_state(container, "exited")
        elif state == "paused":
            wait_for_state(container, "running")
            container.pause()
            wait_for_state(container, "paused")
        else:
            wait_for_state(container, "running")
        container.reload()
        return container

    yield make
    for container in made:
        try:
            container.remove(force=True)
        except docker.errors.NotFound:
            pass


@pytest.fixture
def recording_proxy(docker_engine):
    """A unix-socket proxy in front of the test engine that records (method, path)."""
    if not docker_engine.base_url.startswith("unix://"):
        pytest.fail("the recording proxy needs the engine on a unix socket", pytrace=False)
    proxy = RecordingProxy(docker_engine.base_url)
    yield proxy
    proxy.close()


@pytest.fixture(scope="session")
def extra_engine(docker_engine, lab_images, tmp_path_factory):
    """Start more private engines (learners' hosts): `extra_engine(tls=True)` also listens on
    tcp://127.0.0.1:PORT with --tlsverify and returns the client's certificates."""
    from .certs import make_tls_set

    started: list[PrivateDockerd] = []

    def start(tls: bool = False, images: tuple = tuple(LAB_IMAGES)) -> dict:
        kwargs = {}
        certs = None
        if tls:
            certs = make_tls_set(tmp_path_factory.mktemp("tls"))
            paths = certs["paths"]
            kwargs = {"tls": {"ca": paths["ca"], "cert": paths["server_cert"],
                              "key": paths["server_key"]}, "tcp_port": free_port()}
        daemon = start_private_engine(**kwargs)
        started.append(daemon)
        client = daemon.client(timeout=60)
        copy_images(docker_engine.client, client, images)
        return {"daemon": daemon, "client": client, "socket_url": daemon.socket_url,
                "tcp_url": f"tcp://127.0.0.1:{daemon.tcp_port}" if tls else None,
                "certs": certs}

    yield start
    for daemon in started:
        daemon.stop()


def _sshd_present() -> bool:
    return bool(shutil.which("sshd")) or os.path.exists("/usr/sbin/sshd")


@pytest.fixture(scope="session")
def ssh_host(docker_engine):
    """sshd on a loopback port in front of the test engine, with a key-only learner account."""
    if not docker_engine.private or os.geteuid() != 0:
        pytest.fail("SSH host tests need root and the private test engine", pytrace=False)
    if not _sshd_present():
        with machine_lock("apt"):
            if not _sshd_present():
                subprocess.run(["apt-get", "install", "-y", "-qq", "openssh-server"], check=True,
                               env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    from .sshd import start_sshd

    host = start_sshd(docker_engine.base_url)
    yield host
    host.stop()
