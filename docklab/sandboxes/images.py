"""The images every lab needs, made on this machine and pushed to the local registry.

Sandboxes pull through the registry as their Docker Hub mirror, so what is pushed under
`library/NAME:TAG` answers `docker pull NAME:TAG` inside a sandbox, offline and with no pull limit.

All images share one base layer: Debian's `debootstrap --variant=minbase` of the running release
with the few packages the images need (nginx-light, tmux, curl, ...), made with the mirror this
machine's apt uses and cached as a tarball (debootstrap takes about a minute, once). The base is
Debian rather than busybox: busybox-static applets were seen to segfault inside rootless
containers on another machine (on this one, kernel 6.18, they work), and the workstation needs
bash, tmux and curl anyway. `busybox:latest` itself is offered too, FROM scratch, for the labs
that run it (100-160; multi-stage-small wants a final image under 10 MB). Each
image is a thin layer on top (its CMD, EXPOSE, ENV, a script or two), labelled with a hash of
everything it is made of, so `prepare()` skips an image the registry already holds with the same
label and a second run takes a second or two.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import docker

CONTENT_LABEL = "org.docklab.image.content"
BASE_REPOSITORY = "docklab/base"
# Bump when the way the base is made changes (not its package list: that is hashed already).
BASE_RECIPE = "1"
BASE_PACKAGES = ("bash", "ca-certificates", "curl", "iproute2", "iputils-ping", "less",
                 "nginx-light", "procps", "tmux")
HOST_DOCKER_CLI = Path("/usr/bin/docker")  # Debian's docker.io client: links only libc
HOST_BUSYBOX = Path("/bin/busybox")  # Debian's busybox-static: no library at all
HOST_PACKAGES = {HOST_DOCKER_CLI: "docker.io", HOST_BUSYBOX: "busybox-static"}
MANIFEST_TYPES = ("application/vnd.docker.distribution.manifest.v2+json, "
                  "application/vnd.oci.image.manifest.v1+json")


class ImageError(RuntimeError):
    """An image could not be made or pushed; the message says which and why."""


# -- the Debian base --------------------------------------------------------------------------

def _os_release() -> dict[str, str]:
    try:
        text = Path("/etc/os-release").read_text()
    except OSError:
        return {}
    return dict(re.findall(r'^(\w+)="?([^"\n]*)"?$', text, re.M))


def codename() -> str:
    """The running release, fetched from the host's own mirror (the base must match the host's
    libc: the workstation gets the host's docker client)."""
    return _os_release().get("VERSION_CODENAME") or "bookworm"


def debian_mirror() -> str:
    """The mirror this machine's apt already uses (deb822 or one-line sources)."""
    for path in sorted(Path("/etc/apt/sources.list.d").glob("*.sources")):
        for uri in re.findall(r"^URIs:\s*(\S+)", path.read_text(), re.M):
            if "security" not in uri:
                return uri
    sources = Path("/etc/apt/sources.list")
    if sources.exists():
        for line in sources.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "deb" and "security" not in parts[1]:
                return parts[1]
    return "http://deb.debian.org/debian"


def _debootstrap() -> str:
    found = shutil.which("debootstrap") or ("/usr/sbin/debootstrap"
                                            if Path("/usr/sbin/debootstrap").exists() else None)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "debootstrap"], check=True,
                       stdout=subprocess.DEVNULL,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        return shutil.which("debootstrap") or "/usr/sbin/debootstrap"
    raise ImageError("debootstrap is missing: install it (Debian/Ubuntu: apt-get install "
                     "debootstrap) and run again as root")


def debootstrap_tar(tarball: Path, packages: Sequence[str], release: str | None = None,
                    mirror: str | None = None) -> Path:
    """A tarball of `debootstrap --variant=minbase --include=PACKAGES RELEASE`, made once: an
    existing `tarball` is returned as it is (name it after what it holds). Needs root."""
    if tarball.exists():
        return tarball
    if os.geteuid() != 0:
        raise ImageError(f"making the Debian base ({tarball.name}) needs root (debootstrap)")
    command = _debootstrap()
    tarball.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dl-rootfs-") as rootfs:
        done = subprocess.run(
            [command, "--variant=minbase", "--include=" + ",".join(packages),
             release or codename(), rootfs, mirror or debian_mirror()],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if done.returncode != 0:
            tail = "\n".join(done.stdout.splitlines()[-15:])
            raise ImageError(f"debootstrap failed ({done.returncode}):\n{tail}")
        # apt's package lists and the downloaded .debs are not part of an image.
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for path in (Path(rootfs) / junk).glob("*"):
                if path.is_file():
                    path.unlink()
        partial = tarball.with_name(tarball.name + f".{os.getpid()}.partial")
        subprocess.run(["tar", "--numeric-owner", "-C", rootfs, "-cf", str(partial), "."],
                       check=True)
        partial.rename(tarball)
    return tarball


def _short_hash(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def base_key(release: str | None = None, packages: Sequence[str] = BASE_PACKAGES) -> str:
    return _short_hash(BASE_RECIPE, release or codename(), *sorted(packages))


def ensure_base(client: docker.DockerClient, cache_dir: Path, release: str | None = None,
                packages: Sequence[str] = BASE_PACKAGES) -> str:
    """The shared base imported into the engine as docklab/base:<key>; returns that tag."""
    release = release or codename()
    key = base_key(release, packages)
    tag = f"{BASE_REPOSITORY}:{key}"
    try:
        client.images.get(tag)
        return tag
    except docker.errors.ImageNotFound:
        pass
    tarball = debootstrap_tar(cache_dir / f"docklab-base-{release}-{key}.tar", packages, release)
    client.api.import_image_from_file(str(tarball), repository=BASE_REPOSITORY, tag=key)
    client.images.get(tag)
    return tag


# -- the images -------------------------------------------------------------------------------

APT_GET_STANDIN = r"""#!/bin/sh
# docklab: an offline apt-get for Dockerfile labs (`RUN apt-get -y update && apt-get install -y
# fortunes`): sandboxes reach no package mirror. The real one is /usr/bin/apt-get.
lists=/var/lib/apt/lists
action=""
packages=""
for arg in "$@"; do
  case "$arg" in
    -*) ;;
    update|install|clean|remove|purge|autoremove|upgrade)
      if [ -z "$action" ]; then action=$arg; else packages="$packages $arg"; fi ;;
    *) packages="$packages $arg" ;;
  esac
done
case "$action" in
  update) mkdir -p "$lists" && date > "$lists/docklab-index"
          echo "Reading package lists... Done" ;;
  install)
    if [ ! -f "$lists/docklab-index" ]; then
      echo "E: Unable to locate package${packages} (run apt-get update first)" >&2; exit 100
    fi
    for pkg in $packages; do
      case "$pkg" in
        fortune|fortunes|fortune-mod|fortunes-min)
          mkdir -p /usr/games && cp /usr/lib/docklab/fortune /usr/games/fortune
          echo "Setting up $pkg ..." ;;
        cowsay)
          mkdir -p /usr/games
          [ -x /usr/games/cowsay ] || cp /usr/lib/docklab/cowsay /usr/games/cowsay
          echo "Setting up $pkg ..." ;;
        *) echo "E: Unable to locate package $pkg" >&2; exit 100 ;;
      esac
    done ;;
  clean|autoremove) ;;
  *) echo "apt-get (docklab offline stand-in): $action is not supported" >&2; exit 100 ;;
esac
"""

FORTUNE = r"""#!/bin/sh
set -- "The best way to predict the future is to invent it. -- Alan Kay" \
  "Simplicity is prerequisite for reliability. -- Edsger W. Dijkstra" \
  "It works on my machine. -- every developer, before containers" \
  "Talk is cheap. Show me the code. -- Linus Torvalds"
shift $(( $(od -An -N1 -tu1 /dev/urandom) % 4 ))
echo "$1"
"""

COWSAY = r'''#!/bin/sh
msg="${*:-$(cat)}"
line=$(printf '%s' "$msg" | sed 's/./-/g')
echo " -$line-"
echo "< $msg >"
echo " -$line-"
echo '    \'
echo '     \    ##        .'
echo '       ## ## ##       =='
echo '    ## ## ## ##      ==='
echo ' /""""""""""""""""___/ ==='
echo '{                       /  ===-'
echo ' \______ o          __/'
echo '   \    \        __/'
echo '    \____\______/'
'''

# Debian's cowsay draws a cow (the whale was docker/whalesay's own).
COWSAY_COW = r'''#!/bin/sh
msg="${*:-$(cat)}"
line=$(printf '%s' "$msg" | sed 's/./-/g')
echo " -$line-"
echo "< $msg >"
echo " -$line-"
echo '        \   ^__^'
echo '         \  (oo)\_______'
echo '            (__)\       )\/\'
echo '                ||----w |'
echo '                ||     ||'
'''

MYSQL_ENTRYPOINT = r"""#!/bin/sh
# docklab: stands in for the official mysql image's start-up: without a root password option it
# exits 1 with the same message, otherwise it keeps running until stopped.
if [ -z "$MYSQL_ROOT_PASSWORD$MYSQL_ALLOW_EMPTY_PASSWORD$MYSQL_RANDOM_ROOT_PASSWORD\
$MARIADB_ROOT_PASSWORD$MARIADB_ALLOW_EMPTY_ROOT_PASSWORD$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
  echo 'error: database is uninitialized and password option is not specified' >&2
  echo '  You need to specify one of MYSQL_ROOT_PASSWORD, MYSQL_ALLOW_EMPTY_PASSWORD and' \
       'MYSQL_RANDOM_ROOT_PASSWORD' >&2
  exit 1
fi
echo "[Note] mysqld (mysqld ${MYSQL_VERSION}) starting as process $$ ..."
echo "[Note] mysqld: ready for connections. Version: '${MYSQL_VERSION}'  port: 3306" \
     "(docklab stand-in)"
trap 'echo "[Note] mysqld: Shutdown complete"; exit 0' TERM INT
sleep infinity &
wait
"""

NGINX_SITE = """server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;
    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
"""

NGINX_INDEX = """<!DOCTYPE html>
<html>
<head><title>Welcome to nginx!</title></head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and working.</p>
<p><em>Thank you for using nginx.</em> (served from docklab's local registry)</p>
</body>
</html>
"""

HELLO = """
Hello from Docker!
This message shows that your installation appears to be working correctly.

To generate this message, Docker took the following steps:
 1. The Docker client contacted the Docker daemon.
 2. The Docker daemon pulled the "hello-world" image (here: from docklab's local registry).
 3. The Docker daemon created a new container from that image which runs the
    executable that produces the output you are currently reading.
 4. The Docker daemon streamed that output to the Docker client, which sent it
    to your terminal.
"""


@dataclass(frozen=True)
class ImageSpec:
    """One image: `name` is its repository in the registry (`library/nginx` for what Docker Hub
    calls `nginx`), `dockerfile` starts FROM the base, `files` go into the build context."""
    name: str
    tag: str
    dockerfile: str
    files: dict[str, bytes | Path] = field(default_factory=dict)
    about: str = ""
    from_scratch: bool = False  # FROM scratch instead of the shared base (busybox: 2 MB)

    @property
    def ref(self) -> str:
        """As a learner types it: `nginx:latest`, `docker/whalesay:latest`."""
        return f"{self.name.removeprefix('library/')}:{self.tag}"

    def content_key(self, base: str) -> str:
        parts: list[str | bytes] = [base, self.name, self.tag, self.dockerfile]
        for path, data in sorted(self.files.items()):
            if isinstance(data, Path) and not data.is_file():
                raise ImageError(f"{self.ref} needs {data}, which is missing (Debian: "
                                 f"apt-get install {HOST_PACKAGES.get(data, 'docker.io')})")
            parts += [path, data.read_bytes() if isinstance(data, Path) else data]
        return _short_hash(*parts)

    def context(self, base_tag: str, label: str) -> io.BytesIO:
        buffer = io.BytesIO()
        dockerfile = (f"FROM {'scratch' if self.from_scratch else base_tag}\n"
                      f"{self.dockerfile.strip()}\n"
                      f'LABEL {CONTENT_LABEL}="{label}"\n')
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            def add(name: str, data: bytes, mode: int = 0o755) -> None:
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.mtime = len(data), mode, 0
                tar.addfile(info, io.BytesIO(data))
            add("Dockerfile", dockerfile.encode(), 0o644)
            for path, data in self.files.items():
                if isinstance(data, Path):
                    tar.add(data, arcname=path)
                else:
                    add(path, data)
        buffer.seek(0)
        return buffer


def _mysql(version: str, patch: str, repository: str = "library/mysql") -> ImageSpec:
    return ImageSpec(
        repository, version,
        f"ENV MYSQL_MAJOR={version} MYSQL_VERSION={version}.{patch}\n"
        "COPY docker-entrypoint.sh /usr/local/bin/\n"
        "EXPOSE 3306\n"
        'ENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["mysqld"]\n',
        {"docker-entrypoint.sh": MYSQL_ENTRYPOINT.encode()},
        "runs while MYSQL_ROOT_PASSWORD (or ALLOW_EMPTY/RANDOM) is set, exits 1 without")


# busybox as Docker Hub's image is: one static binary, a link per applet, /etc/passwd, /tmp.
BUSYBOX_SETUP = (
    "/bin/busybox mkdir -p /tmp /etc /root /usr/bin /sbin /usr/sbin /var/www"
    " && /bin/busybox --install -s && chmod 1777 /tmp"
    " && printf 'root:x:0:0:root:/root:/bin/sh\\nnobody:x:65534:65534::/:/bin/false\\n'"
    " > /etc/passwd && printf 'root:x:0:\\nnogroup:x:65534:\\n' > /etc/group")


def _busybox() -> ImageSpec:
    return ImageSpec(
        "library/busybox", "latest",
        "COPY busybox /bin/busybox\n"
        f"RUN {json.dumps(['/bin/busybox', 'sh', '-c', BUSYBOX_SETUP])}\n"
        'CMD ["sh"]\n',
        {"busybox": HOST_BUSYBOX},
        "Debian's busybox-static, FROM scratch (about 2 MB, like Docker Hub's)",
        from_scratch=True)


def lab_images() -> list[ImageSpec]:
    """Every image the labs (labs/*.yaml) and the sandboxes need."""
    workstation_files: dict[str, bytes | Path] = {"docker": HOST_DOCKER_CLI}
    return [
        ImageSpec(
            "library/nginx", "latest",
            "RUN rm -f /etc/nginx/sites-enabled/default && mkdir -p /usr/share/nginx/html \\\n"
            " && ln -sf /dev/stdout /var/log/nginx/access.log \\\n"
            " && ln -sf /dev/stderr /var/log/nginx/error.log\n"
            "COPY default.conf /etc/nginx/conf.d/default.conf\n"
            "COPY index.html /usr/share/nginx/html/index.html\n"
            "EXPOSE 80\nSTOPSIGNAL SIGQUIT\n"
            'CMD ["nginx", "-g", "daemon off;"]\n',
            {"default.conf": NGINX_SITE.encode(), "index.html": NGINX_INDEX.encode()},
            "Debian's nginx serving /usr/share/nginx/html on port 80, like the official image"),
        ImageSpec(
            "library/hello-world", "latest",
            "COPY hello /hello\n" 'CMD ["/hello"]\n',
            {"hello": ("#!/bin/sh\ncat <<'EOF'\n" + HELLO + "EOF\n").encode()},
            "prints the greeting and exits 0"),
        # The notes' mysql:5.6 (amd64 only, end of life), and what the mysql-env lab tells a
        # 2026 learner to use: mysql:8.4 or MariaDB LTS (multi-arch).
        _mysql("5.6", "51"),
        _mysql("5.7", "44"),
        _mysql("8.4", "7"),
        _mysql("11.4", "9", repository="library/mariadb"),
        # What a current engine pulls instead of docker/whalesay (schema 1, refused since Engine
        # 26): the whalesay-pull and fortune-image labs build on it with cowsay and fortunes.
        ImageSpec(
            "library/debian", "bookworm-slim",
            "COPY apt-get /usr/local/bin/apt-get\n"
            "COPY cowsay fortune /usr/lib/docklab/\n"
            "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
            'CMD ["bash"]\n',
            {"apt-get": APT_GET_STANDIN.encode(), "cowsay": COWSAY_COW.encode(),
             "fortune": FORTUNE.encode()},
            "Debian, with an offline apt-get that installs `cowsay` and `fortunes`"),
        ImageSpec(
            "docker/whalesay", "latest",
            "COPY apt-get /usr/local/bin/apt-get\n"
            "COPY cowsay /usr/games/cowsay\n"
            "COPY fortune /usr/lib/docklab/fortune\n"
            "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games\n"
            'CMD ["/bin/bash"]\n',
            {"apt-get": APT_GET_STANDIN.encode(), "cowsay": COWSAY.encode(),
             "fortune": FORTUNE.encode()},
            "cowsay, and an offline apt-get that installs `fortunes` for the Dockerfile lab"),
        ImageSpec(
            "docklab/workstation", "1",
            "COPY docker /usr/local/bin/docker\n"
            "ENV LANG=C.UTF-8 TERM=xterm-256color\n"
            "WORKDIR /root\n"
            'CMD ["bash", "-l"]\n',
            workstation_files,
            "the learner's terminal: bash, tmux, curl and the docker CLI"),
        _busybox(),
    ]


# -- the registry side ------------------------------------------------------------------------

def _get_json(url: str, accept: str | None = None, timeout: float = 5.0) -> dict | None:
    """GET a JSON document from the registry, or None when it is not there (404)."""
    # Only ever http://HOST:PORT/v2/... of the registry (no file: or other schemes).
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})  # noqa: S310
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        with opener.open(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def registry_label(registry_url: str, name: str, tag: str) -> str | None:
    """The content label of NAME:TAG in the registry, or None when it has no such image."""
    manifest = _get_json(f"{registry_url}/v2/{name}/manifests/{tag}", MANIFEST_TYPES)
    if not manifest or "config" not in manifest:
        return None
    config = _get_json(f"{registry_url}/v2/{name}/blobs/{manifest['config']['digest']}")
    return ((config or {}).get("config") or {}).get("Labels", {}).get(CONTENT_LABEL)


def registry_digest(registry_url: str, name: str, tag: str, timeout: float = 2.0) -> str | None:
    """The manifest digest of NAME:TAG in the registry (what a pull of it gets), or None when the
    registry has no such image."""
    # Only ever http://HOST:PORT/v2/... of the registry (no file: or other schemes).
    request = urllib.request.Request(  # noqa: S310
        f"{registry_url}/v2/{name}/manifests/{tag}", method="HEAD",
        headers={"Accept": MANIFEST_TYPES})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.headers.get("Docker-Content-Digest") or None
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


@dataclass
class Prepared:
    ref: str  # as a learner pulls it: nginx:latest
    pushed_as: str  # ADDR/library/nginx:latest
    status: str  # "pushed" or "up to date"
    seconds: float
    size: int | None = None  # bytes, uncompressed, when built here
    digest: str | None = None


def _build(client: docker.DockerClient, spec: ImageSpec, base_tag: str, label: str,
           tag: str) -> None:
    log: list[str] = []
    for chunk in client.api.build(fileobj=spec.context(base_tag, label), custom_context=True,
                                  tag=tag, rm=True, forcerm=True, decode=True):
        if "stream" in chunk:
            log.append(chunk["stream"])
        if "error" in chunk:
            raise ImageError(f"building {spec.ref} failed: {chunk['error'].strip()}\n"
                             + "".join(log[-20:]))


def _push(client: docker.DockerClient, repository: str, tag: str) -> str | None:
    digest = None
    for chunk in client.api.push(repository, tag=tag, stream=True, decode=True):
        if "error" in chunk:
            raise ImageError(f"pushing {repository}:{tag} failed: {chunk['error']}")
        aux = chunk.get("aux") or {}
        digest = aux.get("Digest", digest)
    return digest


def prepare(client: docker.DockerClient, registry_address: str, cache_dir: Path,
            images: Iterable[ImageSpec] | None = None, force: bool = False,
            log: Callable[[str], None] = lambda _line: None) -> list[Prepared]:
    """Build every image and push it to the registry at `registry_address` (host:port, pushable
    from `client`'s engine; 127.0.0.0/8 needs no TLS). Images the registry already holds with
    the same content label are skipped unless `force`."""
    url = f"http://{registry_address}"
    specs = list(images if images is not None else lab_images())
    key = base_key()
    base_tag = None
    done: list[Prepared] = []
    for spec in specs:
        started = time.monotonic()
        label = spec.content_key(key)
        pushed_as = f"{registry_address}/{spec.name}:{spec.tag}"
        try:
            present = registry_label(url, spec.name, spec.tag)
        except (OSError, ValueError) as exc:
            raise ImageError(f"the registry at {url} does not answer: {exc}") from exc
        if present == label and not force:
            done.append(Prepared(spec.ref, pushed_as, "up to date",
                                 time.monotonic() - started))
            log(f"{spec.ref}: up to date")
            continue
        if base_tag is None:
            log(f"base: {BASE_REPOSITORY}:{key} (debootstrap {codename()}, cached in "
                f"{cache_dir})")
            base_tag = ensure_base(client, cache_dir)
        repository = f"{registry_address}/{spec.name}"
        _build(client, spec, base_tag, label, f"{repository}:{spec.tag}")
        digest = _push(client, repository, spec.tag)
        size = client.images.get(f"{repository}:{spec.tag}").attrs.get("Size")
        done.append(Prepared(spec.ref, pushed_as, "pushed", time.monotonic() - started,
                             size, digest))
        log(f"{spec.ref}: pushed as {pushed_as} ({(size or 0) / 1e6:.0f} MB)")
    return done
