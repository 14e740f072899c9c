"""The images the labs name, made locally from Debian's busybox-static (no registry is reachable).

Builds are cached by a label holding the hash of each build context, so a session rebuilds only
what changed."""
from __future__ import annotations

import hashlib
import io
import subprocess
import tarfile
import time
from pathlib import Path

import docker

IMAGES_DIR = Path(__file__).resolve().parent / "images"
BUSYBOX = "/bin/busybox"
HASH_LABEL = "org.docklab.test.context-hash"
BASE = "local/busybox:latest"
# tag -> build context under images/ (and build arguments, for one context serving several tags)
LAB_IMAGES = {
    "hello-world:latest": "hello-world",
    "docker/whalesay:latest": "whalesay",
    "debian:bookworm-slim": "debian",
    "mysql:5.6": "mysql",
    "mysql:8.4": ("mysql", {"MYSQL_MAJOR": "8.4", "MYSQL_VERSION": "8.4.7"}),
    "mariadb:11.4": ("mysql", {"MYSQL_MAJOR": "11.4", "MYSQL_VERSION": "11.4.9-MariaDB"}),
    "nginx:latest": "nginx",
    "busybox:latest": "busybox",
}


def _context_hash(*paths: Path) -> str:
    digest = hashlib.sha256()
    for root in paths:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file():
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _has(client: docker.DockerClient, tag: str, wanted: str) -> bool:
    try:
        image = client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return (image.labels or {}).get(HASH_LABEL) == wanted


def busybox_rootfs_tar() -> bytes:
    """A tiny root filesystem: busybox with a link per applet, /etc/passwd, /tmp."""
    applets = subprocess.run([BUSYBOX, "--list-full"], capture_output=True, text=True,
                             check=True).stdout.split()
    buffer = io.BytesIO()
    now = time.time()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        def add_dir(name: str, mode: int = 0o755) -> None:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, mode, now
            tar.addfile(info)

        def add_file(name: str, data: bytes, mode: int = 0o644) -> None:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, now
            tar.addfile(info, io.BytesIO(data))

        for directory in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "root", "var",
                          "var/www", "proc", "sys", "dev"):
            add_dir(directory)
        add_dir("tmp", 0o1777)
        add_file("bin/busybox", Path(BUSYBOX).read_bytes(), 0o755)
        for applet in applets:
            name = applet.lstrip("/")
            if name == "bin/busybox":
                continue
            info = tarfile.TarInfo(name)
            info.type, info.linkname, info.mtime = tarfile.SYMTYPE, "/bin/busybox", now
            tar.addfile(info)
        add_file("etc/passwd",
                 b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n")
        add_file("etc/group", b"root:x:0:\nnogroup:x:65534:\n")
    return buffer.getvalue()


def ensure_busybox(client: docker.DockerClient) -> None:
    wanted = _context_hash(Path(BUSYBOX))
    if _has(client, BASE, wanted):
        return
    client.api.import_image_from_data(busybox_rootfs_tar(), repository="local/busybox-raw",
                                      tag="latest")
    # Re-build on top so the base carries the cache label (an import cannot set labels).
    dockerfile = f'FROM local/busybox-raw:latest\nLABEL {HASH_LABEL}="{wanted}"\nCMD ["sh"]\n'
    client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=BASE, rm=True, forcerm=True)


def ensure_lab_images(client: docker.DockerClient) -> dict[str, str]:
    """Build (or reuse) every image the labs name; returns tag -> image id."""
    ensure_busybox(client)
    base_hash = client.images.get(BASE).labels[HASH_LABEL]
    ids = {}
    for tag, entry in LAB_IMAGES.items():
        folder, buildargs = entry if isinstance(entry, tuple) else (entry, {})
        context = IMAGES_DIR / folder
        wanted = f"{base_hash}-{_context_hash(context)}-{sorted(buildargs.items())}"
        if not _has(client, tag, wanted):
            client.images.build(path=str(context), tag=tag, rm=True, forcerm=True,
                                labels={HASH_LABEL: wanted}, buildargs=buildargs)
        ids[tag] = client.images.get(tag).id
    return ids


def copy_images(source: docker.DockerClient, target: docker.DockerClient, tags) -> None:
    """docker save | docker load, between two engines."""
    for tag in tags:
        data = b"".join(source.images.get(tag).save(named=True))
        target.images.load(data)
