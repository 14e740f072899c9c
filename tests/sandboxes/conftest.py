"""Real rootless engines for the sandbox tests: a driver of their own (own Unix users, runtime and
home folders, loopback range), removed again at the end of the session."""
from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import tarfile
import threading
from pathlib import Path

import pytest

import docker
from docklab.sandboxes.driver import Limits
from docklab.sandboxes.images import BASE_PACKAGES, lab_images, prepare
from docklab.sandboxes.local import LocalRootlessDriver
from docklab.sandboxes.registry import Registry, free_address
from tests.support.app_image import CACHE, fill_base_cache
from tests.support.workers import address_block, machine_lock

BUSYBOX_APPLETS = ("sh", "cat", "echo", "sleep", "dd", "ps", "nc", "id", "head", "touch", "ls",
                   "httpd", "mkdir", "env", "timeout")


def _missing_tools() -> list[str]:
    return [tool for tool in ("rootlesskit", "slirp4netns", "newuidmap")
            if shutil.which(tool) is None]


def _install_packages() -> None:
    if not _missing_tools() or os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    with machine_lock("apt"):  # dpkg installs one at a time: the other workers wait, then see it
        if _missing_tools():
            subprocess.run(["apt-get", "install", "-y", "-qq", "rootlesskit", "slirp4netns",
                            "uidmap", "libcap2-bin"], check=True, capture_output=True)


# The fixtures whose `prepare()` makes the Debian base of the lab images when the cache is cold
# (course_registry here, `prepared` in test_registry_images.py): the tarball is made first, one
# process at a time, so two xdist workers do not both debootstrap it.
FILL_THE_BASE = {"course_registry", "prepared"}


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    if fixturedef.argname in FILL_THE_BASE:
        fill_base_cache(BASE_PACKAGES)
    yield


@pytest.fixture(scope="session")
def registry_stand_in():
    """A listener on the port the sandboxes may reach (their registry's), to prove egress: it
    answers "ok" and hangs up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def serve():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.sendall(b"ok\n")

    threading.Thread(target=serve, daemon=True).start()
    yield listener
    listener.close()


COURSE_IMAGES = ("nginx:latest", "busybox:latest", "docklab/workstation:1")


@pytest.fixture(scope="module")
def course_registry(docker_engine, tmp_path_factory):
    """A real course registry (Debian's docker-registry) holding the real terminal image and
    the images the sandbox lab tests pull: nginx and busybox."""
    registry = Registry(tmp_path_factory.mktemp("course-registry"), free_address())
    registry.ensure_running()
    prepare(docker_engine.client, registry.local_address, CACHE,
            images=[spec for spec in lab_images() if spec.ref in COURSE_IMAGES])
    yield registry
    registry.stop()


# Each test process owns a block of DRIVER_KINDS consecutive loopback /16s, 127.80.* to 127.227.*,
# one per driver (offset 0-3: containment, app, in-the-browser, labs): published ports bind on a
# sandbox's own address, so two processes must not hand out the same one.
DRIVER_KINDS = 4
ADDRESS_BLOCKS = 37


def _driver(kind: str, registry_port: int, offset: int) -> LocalRootlessDriver:
    # The pid keeps Unix users and folders apart (every xdist worker is a process of its own).
    tag = f"{os.getpid() % 10000}"
    second_octet = 80 + address_block(ADDRESS_BLOCKS) * DRIVER_KINDS + offset
    return LocalRootlessDriver(
        prefix=f"dl{kind}{tag}x", run_dir=Path(f"/run/dl{kind}-{tag}"),
        home_dir=Path(f"/var/lib/dl{kind}-{tag}"),
        address_base=f"127.{second_octet}", registry_port=registry_port,
        limits=Limits(memory_mb=256, pids=200, cpu_shares=256, disk_mb=64))


@pytest.fixture(scope="session")
def sandbox_driver(docker_engine, registry_stand_in):
    """Sandboxes driven directly (containment tests)."""
    yield from _session_driver(_driver("t", registry_stand_in.getsockname()[1], 0))


@pytest.fixture(scope="session")
def app_sandbox_driver(docker_engine, registry_stand_in):
    """Sandboxes the app starts (API and page tests): its own users, folders and addresses."""
    yield from _session_driver(_driver("a", registry_stand_in.getsockname()[1], 1))


def _session_driver(driver: LocalRootlessDriver):
    _install_packages()
    reason = driver.unavailable()
    if reason:
        pytest.fail(f"sandboxes cannot run here: {reason}")
    used: list[int] = []
    driver.used = used  # the slots a test started, removed at the end
    yield driver
    for slot in set(used) | set(range(0, 21)):  # 0: the seed's template
        if driver.running(slot) or (driver.home_dir / driver.user(slot)).exists():
            driver.remove(slot)
    shutil.rmtree(driver.run_dir, ignore_errors=True)
    shutil.rmtree(driver.home_dir, ignore_errors=True)


def busybox_tar() -> bytes:
    """A root filesystem of Debian's static busybox (echo, sh, cat... work in rootless
    containers; its wget does not)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("bin")
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(info)
        tar.add("/bin/busybox", arcname="bin/busybox")
        for applet in BUSYBOX_APPLETS:
            link = tarfile.TarInfo(f"bin/{applet}")
            link.type, link.linkname = tarfile.SYMTYPE, "busybox"
            tar.addfile(link)
        for folder in ("tmp", "root", "data"):
            info = tarfile.TarInfo(folder)
            info.type, info.mode = tarfile.DIRTYPE, 0o1777
            tar.addfile(info)
    return buffer.getvalue()


@pytest.fixture
def start_sandbox(sandbox_driver):
    """start_sandbox(slot) → (endpoint, DockerClient) with local/busybox:latest imported."""
    def start(slot: int):
        sandbox_driver.used.append(slot)
        endpoint = sandbox_driver.start(slot)
        client = docker.DockerClient(base_url=endpoint.socket_url, version="1.41", timeout=60)
        if not client.images.list(name="local/busybox"):
            client.api.import_image_from_data(busybox_tar(), repository="local/busybox",
                                              tag="latest")
        return endpoint, client
    return start


def sandbox_app_for(database_url, tmp_path, driver, registry, slots, **config):
    """An app whose sandboxes are `driver`'s, pulling from the course registry, with `slots`
    taken and wiped (new). The sandbox tests run once, on the SQLite pass."""
    from tests.support.webapp import make_app

    if not database_url.startswith("sqlite:///"):
        pytest.skip("runs once, on the SQLite pass")
    app = make_app(database_url, DOCKLAB_SANDBOXES=True, DOCKLAB_LOCAL_ENGINE=False,
                   DOCKLAB_REGISTRY_ADDR=registry.local_address, DOCKLAB_CHECK_LIMIT=100,
                   **config)
    app.instance_path = str(tmp_path / "instance")
    app.extensions["docklab_sandbox_driver"] = driver
    for slot in slots:
        driver.used.append(slot)
        driver.wipe(slot)
    return app
