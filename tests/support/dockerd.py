"""Private Docker engines for the tests (the recipes of shared/ENGINE.md).

Each daemon gets its own socket, data root, exec root, pid file, bridge and loopback address, with
iptables off, so several can run beside each other (and beside a developer's own engine) without
touching one another. The bridge name doubles as a lock: whoever creates it owns that slot.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import docker

SLOTS = range(1, 250)


def _ip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True)


@dataclass
class PrivateDockerd:
    tls: dict | None = None  # {"ca": path, "cert": path, "key": path} makes it listen on TCP too
    tcp_port: int | None = None
    root: Path = field(init=False)
    slot: int = field(init=False, default=0)
    process: subprocess.Popen | None = field(init=False, default=None)

    @property
    def socket_url(self) -> str:
        return f"unix://{self.root}/docker.sock"

    @property
    def bridge(self) -> str:
        return f"dlt{self.slot}br"

    @property
    def host_ip(self) -> str:
        """Published ports bind here, so every engine can publish e.g. port 80 at once."""
        return f"127.29.{self.slot}.1"

    def start(self, timeout: float = 30.0) -> PrivateDockerd:
        dockerd = shutil.which("dockerd") or "/usr/sbin/dockerd"
        self.root = Path(tempfile.mkdtemp(prefix="dl-", dir="/tmp"))  # short: socket paths max 108
        self._claim_bridge()
        args = [
            dockerd, "--host", self.socket_url,
            "--data-root", str(self.root / "data"), "--exec-root", str(self.root / "exec"),
            "--pidfile", str(self.root / "docker.pid"), "--bridge", self.bridge,
            "--iptables=false", "--ip6tables=false", "--ip", self.host_ip,
            "--shutdown-timeout", "2",
        ]
        if self.tls:
            args += ["--host", f"tcp://127.0.0.1:{self.tcp_port}", "--tlsverify",
                     "--tlscacert", self.tls["ca"], "--tlscert", self.tls["cert"],
                     "--tlskey", self.tls["key"]]
        log = open(self.root / "dockerd.log", "wb")  # noqa: SIM115 - lives as long as the daemon
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"dockerd exited ({code}):\n{self.log_tail()}")
            try:
                docker.APIClient(base_url=self.socket_url, version="1.41", timeout=2).ping()
                return self
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dockerd did not answer within {timeout} s:\n{self.log_tail()}")

    def _claim_bridge(self) -> None:
        for slot in SLOTS:
            self.slot = slot
            if _ip("link", "add", "name", self.bridge, "type", "bridge").returncode == 0:
                _ip("addr", "add", f"172.29.{slot}.1/24", "dev", self.bridge)
                _ip("link", "set", self.bridge, "up")
                return
        raise RuntimeError("no free bridge slot for a private dockerd")

    def client(self, timeout: int = 30) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.socket_url, version="1.41", timeout=timeout)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join((self.root / "dockerd.log").read_text().splitlines()[-lines:])
        except OSError:
            return ""

    def kill(self) -> None:
        """Stop the engine abruptly (a fault-injection helper): SIGKILL by its PID."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.slot:
            _ip("link", "del", self.bridge)
        # Containers' mounts are gone once the daemon has exited; what is left is plain files.
        shutil.rmtree(self.root, ignore_errors=True)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
