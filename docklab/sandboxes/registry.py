"""The local registry the sandboxes pull through: Debian's `docker-registry` (Distribution 2.8).

One process per machine, outside the web server's life: `ensure_running()` writes its config,
starts `docker-registry serve CONFIG` in its own session with a pid file under `root`, and
returns at once when the registry already answers, so `make run`, every web worker and the tests
may all call it. Sandboxes name it as their `registry-mirrors`, so `docker pull nginx` inside a
sandbox is served from here.

Two modes, one storage:
- offline (no upstream): a plain registry; `flask labs prepare-images` pushes the lab images.
- online (`DOCKLAB_REGISTRY_UPSTREAM=https://registry-1.docker.io`): a pull-through cache of
  Docker Hub. Distribution refuses pushes in that mode, so `push_address()` runs a short-lived
  plain registry on the same storage for them. The cache asks upstream for a tag first and falls
  back to its own storage, so images only docklab has (docklab/workstation) and every pushed
  image still pull when Docker Hub is unreachable. Distribution 2.8 will not start as a cache
  when the upstream is down, so then the registry starts without `proxy` (local images only)
  until `restart()`.
"""
from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import yaml

DEFAULT_ADDRESS = "127.0.0.1:5055"


class RegistryError(RuntimeError):
    """The registry cannot run; the message says why and what to do."""


class _UpstreamDown(RegistryError):
    """The pull-through cache could not reach its upstream at start."""


def _split(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise RegistryError(f"registry address {address!r} is not HOST:PORT "
                            f"(DOCKLAB_REGISTRY_ADDR, e.g. {DEFAULT_ADDRESS})")
    return host.strip("[]") or "0.0.0.0", int(port)  # noqa: S104 - ":5055" means all addresses


def _alive(pid: int) -> bool:
    """Running and not a zombie (a child of ours that exited is reaped here)."""
    with contextlib.suppress(ChildProcessError, OSError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


# Below Linux's ephemeral range (32768-60999): a port the kernel hands out for binding to 0 is
# also handed out as the source port of outgoing connections, so between choosing it and the
# registry starting, a connection could take it ("already in use").
PORTS = range(20000, 32000)


def free_address(host: str = "127.0.0.1") -> str:
    """HOST:PORT with a port free now, outside the range outgoing connections draw from."""
    for port in random.sample(PORTS, 200):  # noqa: S311 - not a secret
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return f"{host}:{port}"
    raise RegistryError(f"no free port for a registry on {host} in {PORTS.start}-{PORTS.stop}")


class Registry:
    """A docker-registry process whose config, pid file, log and (by default) data live in
    `root`. `address` is where it listens (HOST:PORT)."""

    def __init__(self, root: Path, address: str = DEFAULT_ADDRESS, upstream: str = "",
                 data_dir: Path | None = None, binary: str | None = None) -> None:
        self.root = Path(root).absolute()
        self.address = address
        self.host, self.port = _split(address)
        self.upstream = upstream.strip()
        self.data_dir = Path(data_dir).absolute() if data_dir else self.root / "data"
        self.binary = binary or shutil.which("docker-registry") or "/usr/bin/docker-registry"

    config_path = property(lambda self: self.root / "config.yml")
    pid_path = property(lambda self: self.root / "registry.pid")
    log_path = property(lambda self: self.root / "registry.log")

    @property
    def local_address(self) -> str:
        """HOST:PORT to reach it from this machine (a wildcard listen address means loopback)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104
        return f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.local_address}"

    # -- config and process ---------------------------------------------------------------------

    def config(self, proxy: bool = True) -> dict:
        config: dict = {
            "version": 0.1,
            "log": {"level": "info", "fields": {"service": "docklab-registry"}},
            "storage": {"filesystem": {"rootdirectory": str(self.data_dir)},
                        "delete": {"enabled": True}},
            "http": {"addr": self.address,
                     "headers": {"X-Content-Type-Options": ["nosniff"]}},
        }
        if self.upstream and proxy:
            config["proxy"] = {"remoteurl": self.upstream}
        return config

    def _config_text(self, proxy: bool = True) -> str:
        note = ""
        if self.upstream and not proxy:
            note = (f"# {self.upstream} did not answer at start: serving local images only.\n"
                    "# `flask --app app sandboxes registry restart` tries the upstream again.\n")
        return ("# Written by docklab (docklab/sandboxes/registry.py); edits are overwritten.\n"
                + note + yaml.safe_dump(self.config(proxy), sort_keys=False))

    def write_config(self, proxy: bool = True) -> bool:
        """Write config.yml (as a pull-through cache when there is an upstream and `proxy`);
        True when it changed."""
        text = self._config_text(proxy)
        self.root.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            if self.config_path.read_text() == text:
                return False
        self.config_path.write_text(text)
        return True

    def _running_config(self) -> str:
        try:
            return self.config_path.read_text()
        except OSError:
            return ""

    @property
    def mode(self) -> str:
        """"local", "pull-through" or "local (upstream unreachable)", as config.yml says."""
        if not self.upstream:
            return "local"
        if self._running_config() == self._config_text(proxy=False):
            return "local (upstream unreachable)"
        return "pull-through"

    def pid(self) -> int | None:
        """The pid of our registry process when it runs (a stale pid file reads as None)."""
        try:
            pid = int(self.pid_path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return None
        if str(self.config_path).encode() not in command or not _alive(pid):
            return None  # the pid was reused by something else, or it exited
        return pid

    def healthy(self, timeout: float = 1.0) -> bool:
        """It answers the registry API (/v2/) at its address."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(f"{self.url}/v2/", timeout=timeout) as response:
                return (response.status == 200 and response.headers.get(
                    "Docker-Distribution-Api-Version", "").startswith("registry/2"))
        except (OSError, ValueError):
            return False

    def _port_taken(self) -> bool:
        host, port = self.local_address.rsplit(":", 1)
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=0.5):
                return True
        except OSError:
            return False

    def log_tail(self, lines: int = 12, offset: int = 0) -> str:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(offset)
                text = log.read().decode(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def start(self, timeout: float = 15.0) -> int:
        """Start the registry in the background (it outlives this process); returns its pid.
        Distribution 2.8 as a pull-through cache panics at start when its upstream does not
        answer; docklab then serves the local images alone (an offline class still works)."""
        if not Path(self.binary).exists():
            raise RegistryError(f"{self.binary} is missing: install Debian's docker-registry "
                                "(apt-get install docker-registry)")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._port_taken():
            raise RegistryError(f"cannot start the registry: {self.local_address} is already in "
                                "use by something that is not a registry; choose another "
                                "DOCKLAB_REGISTRY_ADDR")
        try:
            return self._spawn(timeout, proxy=True)
        except _UpstreamDown:
            return self._spawn(timeout, proxy=False)

    def _spawn(self, timeout: float, proxy: bool) -> int:
        self.write_config(proxy)
        with open(self.log_path, "ab") as log:
            offset = log.tell()  # what this process logs starts here
            process = subprocess.Popen([self.binary, "serve", str(self.config_path)],
                                       stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.pid_path.write_text(f"{process.pid}\n")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.pid_path.unlink(missing_ok=True)
                tail = self.log_tail(40, offset)
                if proxy and self.upstream and "panic: " in tail and "/v2/" in tail:
                    raise _UpstreamDown(tail)
                tail = "\n".join(tail.splitlines()[-12:])
                hint = (" (the port is taken; choose another DOCKLAB_REGISTRY_ADDR)"
                        if "address already in use" in tail else "")
                raise RegistryError(f"docker-registry exited with code {process.returncode}"
                                    f"{hint}; {self.log_path}:\n{tail}")
            if self.healthy(timeout=0.5):
                return process.pid
            time.sleep(0.05)
        self.stop()
        raise RegistryError(f"docker-registry did not answer at {self.url} within {timeout:.0f} "
                            f"s; {self.log_path}:\n{self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop our registry process; True when one was running. Its data stays."""
        pid = self.pid()
        self.pid_path.unlink(missing_ok=True)
        if pid is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid):
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                deadline += timeout
            time.sleep(0.05)
        return True

    def ensure_running(self, timeout: float = 15.0) -> bool:
        """Make sure the registry answers; True when it had to be (re)started. Idempotent and
        cheap when it already runs: one GET /v2/. Our process is restarted when its settings
        changed; a stale pid file is replaced. A cache that fell back to local-only because
        the upstream was down stays so until `restart()`."""
        pid = self.pid()
        if self.healthy():
            accepted = {self._config_text(True), self._config_text(False)}
            if pid is None or self._running_config() in accepted:
                return False  # running (ours, or one started by someone else at this address)
            self.stop()
        elif pid is not None:
            self.stop()  # running but not answering: start it over
        self.start(timeout)
        return True

    def restart(self, timeout: float = 15.0) -> int:
        self.stop()
        return self.start(timeout)

    def status(self) -> dict:
        return {"address": self.address, "url": self.url, "pid": self.pid(),
                "healthy": self.healthy(), "mode": self.mode,
                "upstream": self.upstream or None, "data": str(self.data_dir),
                "log": str(self.log_path)}

    # -- pushing ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def push_address(self, timeout: float = 15.0) -> Iterator[str]:
        """HOST:PORT on loopback to push images into this registry's storage. A plain registry
        is pushed to directly; a pull-through cache refuses pushes, so a short-lived plain
        registry on the same storage takes them."""
        if not self.upstream:
            self.ensure_running(timeout)
            yield self.local_address
            return
        helper = Registry(self.root / "push", free_address(), data_dir=self.data_dir,
                          binary=self.binary)
        helper.start(timeout)
        try:
            yield helper.local_address
        finally:
            helper.stop()
