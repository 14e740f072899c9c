"""docklab's own image, built for real on the test engine.

No registry is reachable, so the base is made here: Debian's `debootstrap` (minbase of the running
release, with python3 and python3-venv; `docklab.sandboxes.images.ensure_base`) into a folder,
`docker import`ed as docklab/base:<key>. The rootfs tarball is cached between sessions
(debootstrap takes ~45 s). The build context is the repository's own tracked files plus this
machine's CA bundle in `docker/extra-ca/` (the Dockerfile's extra-CA input: pip in the build must
trust the same TLS interceptor as the host). RUN steps use the host's network: the test engines
run without iptables, so their bridges have no NAT to the outside.
"""
from __future__ import annotations

import io
import os
import subprocess
import tarfile
import time
from pathlib import Path

import docker
from docklab.sandboxes.images import base_key, codename, debootstrap_tar, ensure_base

from .workers import machine_lock

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("DOCKLAB_TEST_CACHE", Path.home() / ".cache" / "docklab-tests"))
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")


PYTHON_BASE_PACKAGES = ("python3", "python3-venv")


def fill_base_cache(packages: tuple[str, ...]) -> None:
    """Make the debootstrap tarball that `ensure_base(client, CACHE, packages=packages)` imports,
    one process at a time: with a cold cache, two xdist workers (or two sessions) would otherwise
    each spend a minute of the machine on the same debootstrap. The name is ensure_base's own
    (docklab/sandboxes/images.py); should it change, this only makes a tarball nobody reads."""
    release = codename()
    tarball = CACHE / f"docklab-base-{release}-{base_key(release, packages)}.tar"
    if tarball.exists():
        return
    with machine_lock("base-image-cache"):
        debootstrap_tar(tarball, packages, release)  # at once when another process just made it


def ensure_python_base(client: docker.DockerClient) -> str:
    """The debootstrap base with python3 and python3-venv, imported once; returns the tag."""
    fill_base_cache(PYTHON_BASE_PACKAGES)
    return ensure_base(client, CACHE, packages=PYTHON_BASE_PACKAGES)


def _tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=REPO, check=True,
                            capture_output=True).stdout
    return [name for name in listed.decode().split("\0")
            if name and (REPO / name).is_file()]


def build_context() -> io.BytesIO:
    """The repository as `docker build .` would send it, plus the host CA as an extra CA."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name in _tracked_files():
            tar.add(REPO / name, arcname=name, recursive=False)
        if HOST_CA.exists():
            tar.add(HOST_CA, arcname="docker/extra-ca/host.crt")
    buffer.seek(0)
    return buffer


def build_app_image(client: docker.DockerClient, tag: str = "docklab:test") -> tuple[str, float]:
    """Build the Dockerfile on a locally made base; returns (image id, seconds)."""
    base = ensure_python_base(client)
    started = time.monotonic()
    log: list[str] = []
    for chunk in client.api.build(fileobj=build_context(), custom_context=True, tag=tag,
                                  buildargs={"BASE_IMAGE": base}, network_mode="host",
                                  rm=True, forcerm=True, decode=True):
        if "stream" in chunk:
            log.append(chunk["stream"])
        if "error" in chunk:
            raise RuntimeError("docker build failed: " + chunk["error"] + "\n"
                               + "".join(log[-30:]))
    return client.images.get(tag).id, time.monotonic() - started
