"""Private Docker engines for the tests (the recipes of shared/ENGINE.md).

Each daemon gets its own socket, data root, exec root, pid file, bridge and loopback address, with
iptables off, so several can run beside each other (and beside a developer's own engine) without
touching one another. The bridge name doubles as a lock: whoever creates it owns that slot.

Where the slots live can be moved, so several people on one machine keep to their own ranges:
  DOCKLAB_TEST_SLOTS        slot numbers to try, "A-B" (default 1-249)
  DOCKLAB_TEST_BRIDGE       bridge name, {slot} filled in (default dlt{slot}br; at most 15 chars)
  DOCKLAB_TEST_SUBNET       the bridge's address (default 172.29.{slot}.1/24)
  DOCKLAB_TEST_HOST_IP      where published ports bind (default 127.29.{slot}.1, loopback)
"""
from __future__ import annotations

import ctypes
import ipaddress
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import docker


def _setting(name: str, default: str) -> str:
    return os.environ.get(name) or default


def slots() -> range:
    first, _, last = _setting("DOCKLAB_TEST_SLOTS", "1-249").partition("-")
    return range(int(first), int(last or first) + 1)


def _ip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True)


def allow_bridged_traffic() -> None:
    """Let containers on one bridge reach each other, as Docker's default (inter-container
    communication) promises. The private engines run with --iptables=false, so they add no
    rule of their own; where a system Docker has set the FORWARD policy to DROP and bridged
    frames pass through iptables (br_netfilter), two containers on one of their networks could
    not talk (the user-network lab). The rule accepts only frames that stay on their bridge."""
    rule = ["FORWARD", "-m", "physdev", "--physdev-is-bridged", "-j", "ACCEPT"]
    if shutil.which("iptables") is None:
        return
    if subprocess.run(["iptables", "-C", *rule], capture_output=True).returncode != 0:
        subprocess.run(["iptables", "-I", *rule], capture_output=True)


OWNER_TAG = "docklab-test"
PR_SET_PDEATHSIG = 1


def _subnets_in_use() -> set[ipaddress.IPv4Network]:
    """IPv4 networks on any interface (another engine's bridge, a VPN, ...)."""
    found = set()
    for line in _ip("-o", "-4", "addr", "show").stdout.splitlines():
        fields = line.split()
        if "inet" in fields:
            found.add(ipaddress.ip_interface(fields[fields.index("inet") + 1]).network)
    return found


def _stale(bridge: str) -> bool:
    """A bridge one of our sessions made, whose session and daemon have both exited."""
    return _owners_gone(_ip("-o", "link", "show", "dev", bridge).stdout)


def _owners_gone(link_line: str) -> bool:
    marker = f"alias {OWNER_TAG} pids="
    if marker not in link_line:
        return False  # not ours, or still being set up: leave it alone
    pids = link_line.split(marker, 1)[1].split()[0].split(",")
    return not any(Path(f"/proc/{pid}").exists() for pid in pids if pid.isdigit())


def remove_stale_bridges() -> None:
    """Delete the bridges of test sessions that were killed (their daemons died with them)."""
    for line in _ip("-o", "link", "show", "type", "bridge").stdout.splitlines():
        if _owners_gone(line):
            _ip("link", "del", line.split(":")[1].strip().split("@")[0])
            root = line.split(" root=", 1)[1].split()[0] if " root=" in line else ""
            if root.startswith("/tmp/dl-"):
                shutil.rmtree(root, ignore_errors=True)


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM when the test session dies, even by SIGKILL, so no
    orphaned daemon keeps its bridge and roots."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class PrivateDockerd:
    tls: dict | None = None  # {"ca": path, "cert": path, "key": path} makes it listen on TCP too
    tcp_port: int | None = None
    extra_args: tuple[str, ...] = ()  # more dockerd flags, e.g. ("--registry-mirror", URL)
    root: Path = field(init=False)
    slot: int = field(init=False, default=0)
    process: subprocess.Popen | None = field(init=False, default=None)

    @property
    def socket_url(self) -> str:
        return f"unix://{self.root}/docker.sock"

    @property
    def bridge(self) -> str:
        return _setting("DOCKLAB_TEST_BRIDGE", "dlt{slot}br").format(slot=self.slot)

    @property
    def subnet(self) -> str:
        return _setting("DOCKLAB_TEST_SUBNET", "172.29.{slot}.1/24").format(slot=self.slot)

    @property
    def host_ip(self) -> str:
        """Published ports bind here, so every engine can publish e.g. port 80 at once."""
        return _setting("DOCKLAB_TEST_HOST_IP", "127.29.{slot}.1").format(slot=self.slot)

    def start(self, timeout: float = 30.0) -> PrivateDockerd:
        self.root = Path(tempfile.mkdtemp(prefix="dl-", dir="/tmp"))  # short: socket paths max 108
        self._claim_bridge()
        return self._launch(timeout)

    def restart(self, timeout: float = 30.0) -> PrivateDockerd:
        """Start the engine again on the same data root and socket (after `kill()`: a crash and
        its recovery; containers that were running come back as exited, as with Docker)."""
        self.kill()
        # What the dead daemon left (its containerd and shims, named by our root) would block the
        # new one: a crash of the engine takes them along.
        subprocess.run(["pkill", "-KILL", "-f", str(self.root)], check=False)
        time.sleep(0.5)
        # Its containerd's pid file and sockets too: the new daemon starts a fresh containerd.
        shutil.rmtree(self.root / "exec" / "containerd", ignore_errors=True)
        return self._launch(timeout)

    def _launch(self, timeout: float) -> PrivateDockerd:
        dockerd = shutil.which("dockerd") or "/usr/sbin/dockerd"
        allow_bridged_traffic()
        args = [
            dockerd, "--host", self.socket_url,
            "--data-root", str(self.root / "data"), "--exec-root", str(self.root / "exec"),
            "--pidfile", str(self.root / "docker.pid"), "--bridge", self.bridge,
            "--iptables=false", "--ip6tables=false", "--ip", self.host_ip,
            "--shutdown-timeout", "2", *self.extra_args,
        ]
        if self.tls:
            args += ["--host", f"tcp://127.0.0.1:{self.tcp_port}", "--tlsverify",
                     "--tlscacert", self.tls["ca"], "--tlscert", self.tls["cert"],
                     "--tlskey", self.tls["key"]]
        with open(self.root / "dockerd.log", "ab") as log:  # the daemon keeps its own copy
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True, preexec_fn=_die_with_parent)
        _ip("link", "set", "dev", self.bridge, "alias",
            f"{OWNER_TAG} pids={os.getpid()},{self.process.pid} root={self.root}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                message = f"dockerd exited ({self.process.returncode}):\n{self.log_tail()}"
                self.stop()
                raise RuntimeError(message)
            try:
                with docker.APIClient(base_url=self.socket_url, version="1.41",
                                      timeout=2) as api:
                    api.ping()
                return self
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.1)
        message = f"dockerd did not answer within {timeout} s:\n{self.log_tail()}"
        self.stop()
        raise RuntimeError(message)

    def _claim_bridge(self) -> None:
        """Take a free slot, starting from one derived from our pid so concurrent sessions rarely
        race for the same one. `ip link add` is atomic: whoever creates the bridge owns the slot.
        Its alias names the owners (session, daemon), so a bridge a killed session left behind
        is reclaimed instead of leaking its slot."""
        remove_stale_bridges()
        candidates = slots()
        start = os.getpid() % len(candidates)
        for offset in range(len(candidates)):
            self.slot = candidates[(start + offset) % len(candidates)]
            if not self._try_add_bridge() and not (_stale(self.bridge) and self._reclaim()):
                continue
            if ipaddress.ip_interface(self.subnet).network in _subnets_in_use():
                _ip("link", "del", self.bridge)  # someone else's network: not this slot
                continue
            _ip("link", "set", "dev", self.bridge, "alias", f"{OWNER_TAG} pids={os.getpid()}")
            _ip("addr", "add", self.subnet, "dev", self.bridge)
            _ip("link", "set", self.bridge, "up")
            return
        self.slot = 0
        raise RuntimeError(f"no free bridge slot for a private dockerd (tried {candidates})")

    def _try_add_bridge(self) -> bool:
        return _ip("link", "add", "name", self.bridge, "type", "bridge").returncode == 0

    def _reclaim(self) -> bool:
        _ip("link", "del", self.bridge)
        return self._try_add_bridge()

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
