"""Sandbox benchmark: docklab's rootless sandboxes against Play-with-Docker's design, in one run.

(a) docklab: `LocalRootlessDriver` (one Unix user and one rootless dockerd per sandbox, its own
    prefix, folders and loopback range), the real course registry (Debian's docker-registry) and
    the real lab images (`docklab.sandboxes.images.prepare`), and docklab's workstation container
    (`services._ensure_workstation`) where the learner's terminal and `exec` run.
(b) DinD: a *privileged* docker-in-docker container per learner (Play-with-Docker's design), built
    here from the same debootstrap base with Debian's dockerd, containerd, runc, docker-proxy and
    docker CLI copied from the host's docker.io package, run with `--privileged` on a private
    dockerd (tests/support/dockerd.py). Its inner engine keeps /var/lib/docker on a volume, pulls
    through the same registry storage (a second docker-registry process on the private engine's
    bridge address) and runs with `--iptables=false` like docklab's. The learner's shell is the
    DinD container itself.

Measured for both, interleaved where it matters so machine noise hits both alike:
  cold start      p50/p95 from "start" until the engine answers /_ping (docklab: also until the
                  workstation is up; a fresh sandbox starts from the seed, made once in setup
                  and timed there, so its first start pulls nothing; as on the server, the next
                  slot is prepared from the seed in the background after each start, and the
                  same start with the copy inside it is measured too)
  resume          stop, then start again with the data kept, until /_ping (DinD: docker stop/start
                  of the container); whether `nginx-port` still passes afterwards
  idle memory     per ready sandbox: cgroup memory.usage_in_bytes (target), cgroup rss, and the
                  PSS sum of every process in the sandbox's cgroups (shared pages split fairly)
  capacity ramp   N running sandboxes (10, 30, 45, 60, ...); in 30 of them the learner runs
                  `docker run -d --name myweb -p 80:80 nginx` through exec in the workstation,
                  then Check: grader.grade(nginx-port, HostSpec(socket)), several rounds, a few at
                  a time (like a web server's worker threads). The ramp stops when check p95
                  reaches 1 s, a start fails, the machine's free memory falls under a floor, or
                  the time cap is hit.
  CPU share       a fixed piece of shell work in one sandbox's terminal: alone, while another
                  sandbox runs busy loops, and while the same loops run in its own (the case a
                  cpu group per sandbox prevents); slowdowns as ratios to alone
  echo            keystroke-echo latency over docklab's WebSocket terminal (werkzeug threaded
                  server, logged-in session, /sandbox/terminal), single characters; the same
                  bridge into the DinD container for comparison.

Targets: cold start p95 <= 2 s, resume p95 <= 2 s, idle memory <= 150 MB, >= 60 sandboxes with
check p95 < 1 s, echo p95 <= 50 ms. Everything it starts is removed at the end, also on Ctrl-C.

    sudo .venv/bin/python benchmarks/sandbox_bench.py            # full (about 10-15 minutes)
    sudo .venv/bin/python benchmarks/sandbox_bench.py --quick    # about 3-4 minutes
    sudo .venv/bin/python benchmarks/sandbox_bench.py --max-sandboxes 45 --ramp-minutes 3
"""
from __future__ import annotations

import argparse
import io
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import docker  # noqa: E402
from docklab.sandboxes import services  # noqa: E402
from docklab.sandboxes.driver import Limits  # noqa: E402
from docklab.sandboxes.images import ensure_base, lab_images, prepare  # noqa: E402
from docklab.sandboxes.local import TEMPLATE_SLOT, LocalRootlessDriver  # noqa: E402
from docklab.sandboxes.registry import Registry, free_address  # noqa: E402
from docklab.sandboxes.terminal import TerminalTarget  # noqa: E402
from grader import HostSpec, grade, load_labs  # noqa: E402
from tests.support.docker_engine import start_private_engine  # noqa: E402

CACHE = Path(os.environ.get("DOCKLAB_TEST_CACHE", Path.home() / ".cache" / "docklab-tests"))
LAB_COMMAND = "docker run -d --name myweb -p 80:80 nginx"
# The CPU-share reading: a fixed piece of shell arithmetic, and busy loops that end by themselves
# (timeout) should the bench die before HOG_STOP.
CPU_WORK = "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done"
HOGS = 4
HOG_START = (f"for n in $(seq {HOGS}); do timeout 300 sh -c 'while :; do :; done' "
             ">/dev/null 2>&1 & echo $! >> /tmp/bench-hogs; done")
HOG_STOP = "kill $(cat /tmp/bench-hogs) 2>/dev/null; rm -f /tmp/bench-hogs; true"
DIND_IMAGE = "docklab-bench/dind:1"
DIND_BINARIES = {  # host path -> where it goes in the image
    "/usr/sbin/dockerd": "/usr/local/bin/dockerd",
    "/usr/bin/containerd": "/usr/local/bin/containerd",
    "/usr/bin/containerd-shim-runc-v2": "/usr/local/bin/containerd-shim-runc-v2",
    "/usr/sbin/runc": "/usr/local/bin/runc",
    "/usr/sbin/docker-proxy": "/usr/local/bin/docker-proxy",
    "/usr/bin/docker-init": "/usr/local/bin/docker-init",
    "/usr/bin/docker": "/usr/local/bin/docker",
}
DIND_START = """#!/bin/sh
# A fresh boot: no stale socket or pid file from before a `docker stop`.
rm -f /dind/docker.sock /run/docker.pid
exec dockerd --host=unix:///dind/docker.sock "$@"
"""
# This machine's root lacks CAP_SYS_RESOURCE in its bounding set, and dockerd 20.10 gives a
# --privileged container every capability the kernel knows (ignoring --cap-drop), so runc fails
# with "unable to apply caps". The DinD containers therefore run through this wrapper around runc,
# which drops from the spec only the capabilities this process itself does not hold; everything
# else --privileged means (all devices, no seccomp/AppArmor, rw /sys and cgroups) stays.
RUNC_WRAPPER = """#!/usr/bin/python3 -S
import json, os, sys
def held():
    for line in open("/proc/self/status"):
        if line.startswith("CapBnd:"):
            return int(line.split()[1], 16)
    return -1
NAMES = {24: "CAP_SYS_RESOURCE"}
def fix(caps, bounding):
    for key, values in list(caps.items()):
        if isinstance(values, list):
            caps[key] = [c for c in values if not any(
                c == name and not bounding >> bit & 1 for bit, name in NAMES.items())]
def edit(path, where):
    try:
        with open(path) as f:
            spec = json.load(f)
    except (OSError, ValueError):
        return
    caps = spec.get("process", {}).get("capabilities") if where == "bundle" \
        else spec.get("capabilities")
    if caps:
        fix(caps, held())
        with open(path, "w") as f:
            json.dump(spec, f)
args = sys.argv[1:]
for n, arg in enumerate(args[:-1]):
    if arg in ("--bundle", "-b"):
        edit(os.path.join(args[n + 1], "config.json"), "bundle")
    elif arg in ("--process", "-p"):
        edit(args[n + 1], "process")
os.execv("/usr/sbin/runc", ["runc", *args])
"""
TARGETS = {"cold_p95": 2.0, "resume_p95": 2.0, "idle_mb": 150.0, "sandboxes": 60,
           "check_p95": 1.0, "echo_p95_ms": 50.0}
LABEL = "org.docklab.bench"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def pct(values, q: float) -> float | None:
    """Nearest-rank percentile (p95 of 5 samples is the largest)."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def mem_available() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def wait_ping(socket_url: str, timeout: float = 60.0) -> bool:
    path = socket_url.removeprefix("unix://")
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if os.path.exists(path):
            try:
                with docker.APIClient(base_url=socket_url, version="1.41", timeout=2) as api:
                    if api.ping():
                        return True
            except Exception:  # noqa: BLE001,S110 - not up yet
                pass
        time.sleep(0.03)
    return False


# --- memory of a cgroup tree ----------------------------------------------------------------
def cgroup_memory(group: Path) -> dict[str, float]:
    """usage_in_bytes and rss of the (hierarchical) memory cgroup, and the PSS of its processes."""
    def read(name: str) -> str:
        try:
            return (group / name).read_text()
        except OSError:
            return ""
    usage = int(read("memory.usage_in_bytes").strip() or 0)
    stat = dict(line.split() for line in read("memory.stat").splitlines() if " " in line)
    pids: set[int] = set()
    for folder, _dirs, files in os.walk(group):
        if "cgroup.procs" in files:
            try:
                pids.update(int(p) for p in Path(folder, "cgroup.procs").read_text().split())
            except OSError:
                continue
    pss = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        found = re.search(r"^Pss:\s+(\d+) kB", text, re.M)
        pss += int(found.group(1)) * 1024 if found else 0
    working = usage - int(stat.get("total_inactive_file", 0))
    return {"usage": usage / 2**20, "working": working / 2**20,
            "rss": int(stat.get("total_rss", 0)) / 2**20,
            "pss": pss / 2**20, "procs": len(pids)}


def memory_cgroup_of(pid: int) -> Path | None:
    try:
        for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
            _n, controllers, path = line.split(":", 2)
            if "memory" in controllers.split(","):
                return Path("/sys/fs/cgroup/memory") / path.lstrip("/")
    except OSError:
        return None
    return None


# --- the two kinds of sandbox -----------------------------------------------------------------
class Docklab:
    name = "docklab"

    def __init__(self, registry_port: int, work: Path):
        tag = f"{os.getpid() % 10000}"
        self.driver = LocalRootlessDriver(
            prefix=f"dlbn{tag}x", run_dir=Path(f"/run/dlbn-{tag}"),
            home_dir=Path(f"/var/lib/dlbn-{tag}"), address_base="127.241",
            registry_port=registry_port, limits=Limits())
        self.touched: set[int] = set()
        self.lock = threading.Lock()
        self.seed: str | None = None
        # As services' warmer: one thread copies the seed into the next slot after each start.
        self.warmer = ThreadPoolExecutor(1, thread_name_prefix="bench-warm")
        self.warming = None  # the last preparation handed to the warmer

    def socket(self, i: int) -> str:
        return self.driver.endpoint(i).socket_url

    def make_seed(self) -> str | None:
        """Once per workstation image version, as `flask labs prepare-images` does; then the
        first slot is prepared, as the server's warmer does for the next free slot."""
        self.seed = services.ensure_seed(self.driver)
        self._warm(1)
        return self.seed

    def _warm(self, i: int) -> None:
        if self.seed:
            with self.lock:
                self.touched.add(i)
            self.warming = self.warmer.submit(self.driver.prepare, i, self.seed)

    def settle_warmer(self) -> float:
        """Wait until the warmer has prepared the next slot, as it has when learners arrive a
        few seconds apart; returns how long that took (0 when it was done already)."""
        started = time.perf_counter()
        if self.warming is not None:
            self.warming.result(timeout=300)
        return time.perf_counter() - started

    def start(self, i: int, warm_next: bool = True) -> tuple[float, float]:
        """(seconds until /_ping, seconds until the workstation runs). A fresh sandbox starts
        from the seed, as services' start does (the registry is asked which version is current,
        so that is timed too): prepared ahead when the warmer got to it, else copied in here."""
        with self.lock:
            self.touched.add(i)
        started = time.perf_counter()
        seed = services.ensure_seed(self.driver) if self.driver.fresh(i) else None
        endpoint = self.driver.start(i, seed=seed)
        ping = time.perf_counter() - started
        services._ensure_workstation(endpoint.socket_url)
        ready = time.perf_counter() - started
        if warm_next:
            self._warm(i + 1)  # as services._warm_soon does after a start
        return ping, ready

    def stop(self, i: int) -> None:
        self.driver.stop(i)

    def resume(self, i: int) -> float:
        started = time.perf_counter()
        self.driver.start(i)  # also restarts what ran when it stopped (the workstation, myweb)
        return time.perf_counter() - started

    def exec(self, i: int, command: str) -> tuple[int | None, str]:
        """As services.exec_command does: an exec in the workstation over the Engine API."""
        with docker.APIClient(base_url=self.socket(i), version="1.41", timeout=120) as api:
            created = api.exec_create(services.WORKSTATION, ["sh", "-c", command],
                                      environment={"LANG": "C.UTF-8"})
            output = api.exec_start(created["Id"])
            return api.exec_inspect(created["Id"]).get("ExitCode"), output.decode(errors="replace")

    def memory(self, i: int) -> dict[str, float]:
        return cgroup_memory(self.driver._cgroups(i)[0])

    def terminal_target(self, i: int) -> TerminalTarget:
        return TerminalTarget(self.socket(i), services.WORKSTATION)

    def cleanup(self) -> None:
        self.warmer.shutdown(wait=True)
        slots = sorted(self.touched | set(self.driver.running_slots()))
        if slots:
            log(f"docklab: removing {len(slots)} sandboxes (users, cgroups, iptables rules, data)")
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(self._remove, slots))
        self._remove(TEMPLATE_SLOT)  # the seed's template user, and the seed
        self.touched.clear()
        shutil.rmtree(self.driver.run_dir, ignore_errors=True)
        shutil.rmtree(self.driver.home_dir, ignore_errors=True)

    def _remove(self, slot: int) -> None:
        try:
            self.driver.remove(slot)
        except Exception as exc:  # noqa: BLE001 - clean up the rest anyway
            log(f"docklab: removing slot {slot} failed: {exc}")


class DinD:
    name = "DinD"

    def __init__(self, engine, mirror: str, work: Path):
        self.engine, self.mirror = engine, mirror
        self.client = engine.client(timeout=120)
        self.dirs = work / "dind"
        self.touched: set[int] = set()
        self.lock = threading.Lock()
        self.prefix = f"dlbench{os.getpid() % 10000}-dind"

    def container(self, i: int) -> str:
        return f"{self.prefix}{i}"

    def socket(self, i: int) -> str:
        return f"unix://{self.dirs / str(i)}/docker.sock"

    def start(self, i: int) -> tuple[float, float]:
        with self.lock:
            self.touched.add(i)
        folder = self.dirs / str(i)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        self.client.containers.run(
            DIND_IMAGE, name=self.container(i), hostname=f"node{i}", detach=True,
            privileged=True, runtime="privileged-runc", labels={LABEL: "1"}, tmpfs={"/run": ""},
            volumes={str(folder): {"bind": "/dind", "mode": "rw"}},
            command=["--iptables=false", "--ip6tables=false", "--shutdown-timeout=2",
                     f"--registry-mirror=http://{self.mirror}",
                     f"--insecure-registry={self.mirror}", "--log-driver=json-file",
                     "--log-opt=max-size=1m"])
        if not wait_ping(self.socket(i)):
            raise RuntimeError(f"DinD {i} did not answer: "
                               + self.client.containers.get(self.container(i)).logs(tail=5)
                               .decode(errors="replace"))
        took = time.perf_counter() - started
        return took, took  # the learner's shell is the DinD container itself

    def stop(self, i: int) -> None:
        self.client.containers.get(self.container(i)).stop(timeout=10)

    def resume(self, i: int) -> float:
        started = time.perf_counter()
        self.client.containers.get(self.container(i)).start()
        if not wait_ping(self.socket(i)):
            raise RuntimeError(f"DinD {i} did not answer after docker start")
        return time.perf_counter() - started

    def exec(self, i: int, command: str) -> tuple[int | None, str]:
        api = self.client.api
        created = api.exec_create(self.container(i), ["sh", "-c", command],
                                  environment={"LANG": "C.UTF-8"})
        output = api.exec_start(created["Id"])
        return api.exec_inspect(created["Id"]).get("ExitCode"), output.decode(errors="replace")

    def memory(self, i: int) -> dict[str, float]:
        pid = self.client.api.inspect_container(self.container(i))["State"]["Pid"]
        group = memory_cgroup_of(pid)
        return cgroup_memory(group) if group else {}

    def terminal_target(self, i: int) -> TerminalTarget:
        return TerminalTarget(self.engine.socket_url, self.container(i))

    def cleanup(self) -> None:
        try:
            found = self.client.containers.list(all=True, filters={"label": LABEL})
        except Exception:  # noqa: BLE001
            found = []
        if found:
            log(f"DinD: removing {len(found)} privileged containers and their volumes")

        def remove(container):
            try:
                container.remove(force=True, v=True)
            except Exception as exc:  # noqa: BLE001
                log(f"DinD: removing {container.name} failed: {exc}")
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(remove, found))
        self.client.close()


# --- building the DinD image --------------------------------------------------------------------
def _libraries(binary: str) -> list[str]:
    listed = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    found = []
    for line in listed.splitlines():
        match = re.search(r"=> (/\S+) \(0x", line)
        if match and not re.search(r"/(libc|libm|libpthread|libdl|ld-linux[^/]*)\.so", line):
            found.append(match.group(1))
    return found


def build_dind_image(client: docker.DockerClient) -> None:
    """FROM docklab's debootstrap base: Debian's dockerd & co. copied from the host's docker.io
    (their non-libc libraries under /opt/dind/lib), /var/lib/docker a volume."""
    base = ensure_base(client, CACHE)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        def add_bytes(name: str, data: bytes, mode: int = 0o755) -> None:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            tar.addfile(info, io.BytesIO(data))
        libraries: set[str] = set()
        for source, target in DIND_BINARIES.items():
            tar.add(os.path.realpath(source), arcname="root" + target)
            libraries.update(_libraries(source))
        for library in sorted(libraries):
            tar.add(os.path.realpath(library), arcname=f"root/opt/dind/lib/{Path(library).name}")
        add_bytes("root/usr/local/bin/dind-start", DIND_START.encode())
        add_bytes("Dockerfile", (
            f"FROM {base}\nCOPY root/ /\n"
            "ENV LD_LIBRARY_PATH=/opt/dind/lib DOCKER_HOST=unix:///dind/docker.sock\n"
            "VOLUME /var/lib/docker\n"
            'ENTRYPOINT ["/usr/local/bin/dind-start"]\n').encode(), 0o644)
    buffer.seek(0)
    client.images.build(fileobj=buffer, custom_context=True, tag=DIND_IMAGE, rm=True,
                        forcerm=True)


# --- phases -------------------------------------------------------------------------------------
def lab_check(socket_url: str, lab) -> tuple[float, str]:
    started = time.perf_counter()
    result = grade(lab, HostSpec(url=socket_url))
    return time.perf_counter() - started, result.status


def run_lab(kind, i: int) -> tuple[float, bool, str]:
    started = time.perf_counter()
    code, output = kind.exec(i, LAB_COMMAND)
    return time.perf_counter() - started, code == 0, output.strip()[-200:]


def measure_echo(server_url: str, username: str, keystrokes: int) -> list[float]:
    import simple_websocket

    from tests.web.terminal.terminal_helpers import (
        log_in,
        open_terminal,
        read_until,
        send_input,
        send_size,
    )
    session = log_in(server_url, username)
    ws = open_terminal(server_url, session)
    try:
        send_size(ws, 120, 40)
        read_until(ws, re.compile(r"[#$] "), timeout=30)

        def drain(seconds: float) -> None:
            until = time.monotonic() + seconds
            while time.monotonic() < until:
                try:
                    ws.receive(timeout=0.05)
                except simple_websocket.ConnectionClosed:
                    return
        drain(0.5)
        letters = "abcdefgijknopqrstuvwxyz"  # no h/l/m: final bytes of common escape sequences
        times: list[float] = []
        for n in range(keystrokes):
            if n and n % 40 == 0:
                send_input(ws, "\x15")  # Ctrl-U: keep the line short (not timed)
                drain(0.3)
            char = letters[n % len(letters)]
            started = time.perf_counter()
            send_input(ws, char)
            received = b""
            while char.encode() not in received:
                data = ws.receive(timeout=5)
                if data is None:
                    raise RuntimeError(f"no echo of {char!r} within 5 s")
                received += data.encode() if isinstance(data, str) else data
            times.append(time.perf_counter() - started)
        send_input(ws, "\x15")
        return times
    finally:
        ws.close()


class Bench:
    def __init__(self, args):
        self.args = args
        self.results: dict[str, dict] = {"docklab": {}, "DinD": {}}
        self.notes: list[str] = []
        self.cleanups: list[tuple[str, callable]] = []
        self.work = Path(tempfile.mkdtemp(prefix="dlbench-", dir="/tmp"))
        self.cleanups.append(("work folder",
                              lambda: shutil.rmtree(self.work, ignore_errors=True)))
        self.lab = load_labs()["nginx-port"]
        self.deadline = time.monotonic() + args.total_minutes * 60

    # -- setup ---------------------------------------------------------------------------------
    def setup(self) -> None:
        log(f"machine: {os.cpu_count()} cores, {mem_available() / 2**30:.1f} GiB available, "
            f"load {loadavg()}")
        from docklab.sandboxes.local import LocalRootlessDriver as _D
        reason = _D().unavailable()
        if reason:
            raise SystemExit(f"docklab sandboxes cannot run here: {reason}")
        log("private dockerd (for building images and for the DinD containers)")
        wrapper = self.work / "runc-privileged"
        wrapper.write_text(RUNC_WRAPPER)
        wrapper.chmod(0o755)
        self.engine = start_private_engine(extra_args=("--add-runtime",
                                                       f"privileged-runc={wrapper}"))
        self.cleanups.append(("private dockerd", self.engine.stop))
        client = self.engine.client(timeout=300)
        self.cleanups.append(("engine client", client.close))
        log("course registry (docker-registry) and the lab images (nginx, workstation)")
        self.registry = Registry(self.work / "registry", free_address())
        self.registry.ensure_running()
        self.cleanups.append(("course registry", self.registry.stop))
        started = time.monotonic()
        prepare(client, self.registry.local_address, CACHE,
                images=[spec for spec in lab_images()
                        if spec.ref in ("nginx:latest", "docklab/workstation:1")],
                log=lambda line: log(f"  {line}"))
        log(f"  images ready in {time.monotonic() - started:.1f} s")
        # The DinD containers sit on the private engine's bridge: the same registry storage,
        # served on the bridge's address (a second process, read-only use).
        gateway = self.engine.subnet.split("/")[0]
        self.dind_registry = Registry(self.work / "registry-bridge", free_address(gateway),
                                      data_dir=self.registry.data_dir)
        self.dind_registry.ensure_running()
        self.cleanups.append(("bridge registry", self.dind_registry.stop))
        log("DinD image (debootstrap base + the host's dockerd, containerd, runc, docker CLI)")
        started = time.monotonic()
        build_dind_image(client)
        log(f"  built in {time.monotonic() - started:.1f} s")
        self.docklab = Docklab(self.registry.port, self.work)
        self.cleanups.append(("docklab sandboxes", self.docklab.cleanup))
        log("docklab seed (the workstation image pulled once in a template sandbox)")
        started = time.monotonic()
        key = self.docklab.make_seed()
        log(f"  {key or 'NOT MADE: first starts pull'} in {time.monotonic() - started:.1f} s")
        self.results["docklab"]["seed_s"] = time.monotonic() - started
        self.dind = DinD(self.engine, self.dind_registry.local_address, self.work)
        self.cleanups.append(("DinD containers", self.dind.cleanup))
        self.kinds = (self.docklab, self.dind)

    # -- cold start, idle memory, resume ---------------------------------------------------------
    def cold_starts(self) -> None:
        count = self.args.cold
        log(f"cold starts: {count} new sandboxes of each kind, one at a time, interleaved "
            f"(docklab's next slot prepared by its warmer in between, as for learners who "
            f"arrive seconds apart; a burst is measured after)")
        samples = {kind.name: [] for kind in self.kinds}
        self.running = {kind.name: [] for kind in self.kinds}
        for i in range(1, count + 1):
            for kind in self.kinds:
                try:
                    if kind is self.docklab:  # a learner arriving after the spare is ready
                        kind.settle_warmer()
                    samples[kind.name].append(kind.start(i))
                    self.running[kind.name].append(i)
                except Exception as exc:  # noqa: BLE001
                    self.notes.append(f"{kind.name} cold start {i} failed: {exc}"[:400])
                    log(f"  {kind.name} {i}: FAILED {exc}"[:400])
        # The same without a prepared slot (a burst of new learners outruns the warmer): the
        # seed is copied in during the start. Stopped again, so idle memory counts as before.
        inline = []
        for k in range(max(1, count // 2)):
            slot = 200 + k
            try:
                inline.append(self.docklab.start(slot, warm_next=False)[1])
                self.docklab.stop(slot)
            except Exception as exc:  # noqa: BLE001
                self.notes.append(f"docklab inline-seed start {slot} failed: {exc}"[:400])
        self.results["docklab"].update(inline_p50=median(inline), inline_max=max(inline or [0]))
        log(f"  docklab, no slot prepared ahead (seed copied during the start): terminal ready "
            f"p50 {fmt_s(median(inline))} max {fmt_s(max(inline or [0]))}")
        for kind in self.kinds:
            pings = [p for p, _ in samples[kind.name]]
            ready = [r for _, r in samples[kind.name]]
            self.results[kind.name].update(
                cold_n=len(pings), cold_p50=median(pings), cold_p95=pct(pings, 95),
                ready_p50=median(ready), ready_p95=pct(ready, 95))
            log(f"  {kind.name}: /_ping p50 {fmt_s(median(pings))} p95 {fmt_s(pct(pings, 95))}"
                f"; ready for the terminal p50 {fmt_s(median(ready))} p95 "
                f"{fmt_s(pct(ready, 95))}")
        self.lab_done = {kind.name: set() for kind in self.kinds}

    def idle_memory(self) -> None:
        time.sleep(self.args.settle)
        log(f"idle memory: {self.args.cold} ready sandboxes of each kind, after "
            f"{self.args.settle:g} s")
        for kind in self.kinds:
            found = [kind.memory(i) for i in self.running[kind.name]]
            found = [m for m in found if m]
            if not found:
                continue
            result = {f"mem_{key}": median([m[key] for m in found])
                      for key in ("usage", "working", "rss", "pss", "procs")}
            result["mem_working_max"] = max(m["working"] for m in found)
            self.results[kind.name].update(result)
            log(f"  {kind.name}: working set median {result['mem_working']:.0f} MB (max "
                f"{result['mem_working_max']:.0f}), usage incl. cache {result['mem_usage']:.0f}"
                f" MB, rss {result['mem_rss']:.0f} MB, process-tree PSS "
                f"{result['mem_pss']:.0f} MB, {result['mem_procs']:.0f} processes")

    def resumes(self) -> None:
        count = min(self.args.resume, *(len(self.running[k.name]) for k in self.kinds))
        log(f"resume: {count} sandboxes of each kind run nginx-port, stop, start again")
        for kind in self.kinds:
            for i in range(1, count + 1):
                self._lab_in(kind, i)
        samples = {kind.name: [] for kind in self.kinds}
        passes = {kind.name: 0 for kind in self.kinds}
        for i in range(1, count + 1):
            for kind in self.kinds:
                try:
                    kind.stop(i)
                    samples[kind.name].append(kind.resume(i))
                    if kind.name == "docklab":
                        services._ensure_workstation(kind.socket(i))  # as services would
                    time.sleep(0.5)  # let a container that restarts settle before Check
                    _took, status = lab_check(kind.socket(i), self.lab)
                    passes[kind.name] += status == "passed"
                    if status != "passed":  # the learner starts it again by hand
                        kind.exec(i, "docker start myweb")
                except Exception as exc:  # noqa: BLE001
                    self.notes.append(f"{kind.name} resume {i} failed: {exc}"[:400])
                    log(f"  {kind.name} {i}: FAILED {exc}"[:400])
        for kind in self.kinds:
            values = samples[kind.name]
            self.results[kind.name].update(resume_n=len(values), resume_p50=median(values),
                                           resume_p95=pct(values, 95),
                                           resume_pass=f"{passes[kind.name]}/{count}")
            log(f"  {kind.name}: resume p50 {fmt_s(median(values))} p95 "
                f"{fmt_s(pct(values, 95))}; nginx-port still passes in {passes[kind.name]}/"
                f"{count}")

    # -- CPU share between sandboxes -----------------------------------------------------------
    def cpu_share(self) -> None:
        """What a CPU-bound neighbour does to a learner's shell. A fixed piece of shell work runs
        in sandbox B's terminal container: alone; while sandbox A runs HOG busy loops (another
        sandbox: its own cpu group, same cpu.shares); and while the same busy loops run in B
        itself, which is what every learner would get with no group per sandbox (the scheduler
        then shares the cores process by process, so the busiest learner takes the most)."""
        for kind in self.kinds:
            running = self.running[kind.name]
            if len(running) < 2:
                continue
            a, b = running[0], running[1]

            def timed(kind=kind, b=b) -> float:
                samples = []
                for _ in range(self.args.cpu_samples):
                    started = time.perf_counter()
                    kind.exec(b, CPU_WORK)
                    samples.append(time.perf_counter() - started)
                return statistics.median(samples)

            quiet = timed()
            kind.exec(a, HOG_START)
            try:
                neighbour = timed()
            finally:
                kind.exec(a, HOG_STOP)
            kind.exec(b, HOG_START)
            try:
                own = timed()
            finally:
                kind.exec(b, HOG_STOP)
            self.results[kind.name].update(cpu_quiet=quiet, cpu_neighbour=neighbour / quiet,
                                           cpu_own=own / quiet)
            log(f"  {kind.name}: shell work alone {quiet:.2f} s; x{neighbour / quiet:.2f} with "
                f"{HOGS} busy loops in another sandbox, x{own / quiet:.2f} with them in its own")

    def _lab_in(self, kind, i: int) -> float | None:
        if i in self.lab_done[kind.name]:
            return None
        took, ok, output = run_lab(kind, i)
        if not ok:
            # A resumed DinD keeps the container but not running: start it (a learner would).
            code, out2 = kind.exec(i, "docker start myweb")
            ok = code == 0
            if not ok:
                raise RuntimeError(f"{LAB_COMMAND} failed in {kind.name} {i}: {output} {out2}")
        self.lab_done[kind.name].add(i)
        return took

    # -- terminal echo -------------------------------------------------------------------------
    def echo(self) -> None:
        from tests.support.webapp import _migrate, create_user
        from tests.web.terminal.terminal_helpers import live_terminal_app
        log(f"terminal echo: {self.args.keystrokes} single keystrokes over /sandbox/terminal")
        database = self.work / "bench.sqlite3"
        _migrate(database)
        server, targets = live_terminal_app(f"sqlite:///{database}", self.work / "app")
        users = {}
        for kind in self.kinds:
            users[kind.name] = f"bench-{kind.name.lower()}"
            user_id = create_user(server.app, users[kind.name])
            targets.by_user[user_id] = kind.terminal_target(1)
        with server:
            for kind in self.kinds:
                try:
                    times = measure_echo(server.url, users[kind.name], self.args.keystrokes)
                    self.results[kind.name].update(
                        echo_n=len(times), echo_p50=median(times) * 1000,
                        echo_p95=pct(times, 95) * 1000, echo_max=max(times) * 1000)
                    log(f"  {kind.name}: p50 {median(times) * 1000:.1f} ms, p95 "
                        f"{pct(times, 95) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms")
                except Exception as exc:  # noqa: BLE001
                    self.notes.append(f"{kind.name} echo failed: {exc}"[:400])
                    log(f"  {kind.name}: FAILED {exc}"[:400])

    # -- capacity ramp -------------------------------------------------------------------------
    def ramp(self, kind) -> None:
        args = self.args
        steps = [n for n in args.steps if n <= args.max_sandboxes] or [args.max_sandboxes]
        cap = time.monotonic() + args.ramp_minutes * 60
        floor = args.memory_floor_gb * 2**30
        running = self.running[kind.name]
        rows, held, stop_reason = [], 0, f"reached --max-sandboxes {args.max_sandboxes}"
        log(f"{kind.name} ramp: steps {steps}, {args.lab_sandboxes} run nginx-port, "
            f"{args.check_rounds} check rounds x {args.check_concurrency} at a time, "
            f"cap {args.ramp_minutes:g} min")
        for target in steps:
            if time.monotonic() > cap or time.monotonic() > self.deadline:
                stop_reason = "time cap"
                break
            failures, start_times, floor_hit = [], [], False
            new = [running[-1] + 1 + n if running else n + 1
                   for n in range(max(0, target - len(running)))]

            def start_one(i):
                if mem_available() < floor or time.monotonic() > cap:
                    return i, None, "skipped"
                try:
                    return i, kind.start(i), None
                except Exception as exc:  # noqa: BLE001
                    return i, None, str(exc)[:300]
            with ThreadPoolExecutor(2) as pool:  # docklab starts on a pool of 2 as well
                for i, took, error in pool.map(start_one, new):
                    if took is not None:
                        running.append(i)
                        start_times.append(took[1])
                    elif error == "skipped":
                        floor_hit = True
                    else:
                        failures.append(f"{i}: {error}")
            if floor_hit and mem_available() < floor:
                stop_reason = (f"free memory under the {args.memory_floor_gb:g} GiB floor "
                               f"at {len(running)}")
            elif floor_hit:
                stop_reason = "time cap while starting"
            labs = running[:args.lab_sandboxes]
            exec_times = []
            with ThreadPoolExecutor(args.check_concurrency) as pool:
                for i, outcome in zip(labs, pool.map(lambda i: _try(self._lab_in, kind, i),
                                                     labs), strict=True):
                    if isinstance(outcome, Exception):
                        failures.append(f"lab in {i}: {outcome}"[:300])
                    elif outcome is not None:
                        exec_times.append(outcome)
            checks, statuses = [], {}
            work = [i for _ in range(args.check_rounds) for i in labs]
            with ThreadPoolExecutor(args.check_concurrency) as pool:
                for took, status in pool.map(lambda i: lab_check(kind.socket(i), self.lab),
                                             work):
                    checks.append(took)
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
            row = {"n": len(running), "target": target, "fail": len(failures),
                   "start_p95": pct(start_times, 95), "exec_p95": pct(exec_times, 95),
                   "check_p50": median(checks), "check_p95": pct(checks, 95),
                   "statuses": statuses, "avail_gb": mem_available() / 2**30, "load": loadavg()}
            rows.append(row)
            log(f"  N={row['n']:3d}: start p95 {fmt_s(row['start_p95'])}, exec p95 "
                f"{fmt_s(row['exec_p95'])}, check p50 {fmt_s(row['check_p50'])} p95 "
                f"{fmt_s(row['check_p95'])} {statuses}, failures {len(failures)}, "
                f"{row['avail_gb']:.1f} GiB free, load {row['load']}")
            for failure in failures[:3]:
                log(f"    {failure}")
            ok = (not failures and row["check_p95"] is not None
                  and row["check_p95"] < TARGETS["check_p95"]
                  and statuses.get("passed", 0) == len(work) and len(running) >= target)
            if ok:
                held = len(running)
            if failures:
                stop_reason = f"start or lab failed at N={len(running)}"
                break
            if row["check_p95"] is not None and row["check_p95"] >= TARGETS["check_p95"]:
                stop_reason = f"check p95 crossed 1 s at N={len(running)}"
                break
            if len(running) < target:
                break
        else:
            if rows and time.monotonic() > cap:
                stop_reason = "time cap"
        self.results[kind.name].update(ramp=rows, held=held, ramp_stop=stop_reason)
        log(f"  {kind.name}: held {held} sandboxes with check p95 < 1 s ({stop_reason})")

    def release(self, kind) -> None:
        """Free the machine before the other kind's ramp."""
        started = time.monotonic()
        kind.cleanup()
        log(f"{kind.name}: released in {time.monotonic() - started:.0f} s")

    # -- the report ----------------------------------------------------------------------------
    def report(self) -> None:
        a, b = self.results["docklab"], self.results["DinD"]
        print()
        print("=" * 104)
        print(f"sandbox_bench: docklab rootless sandboxes vs privileged DinD (Play-with-Docker), "
              f"one run, {time.strftime('%Y-%m-%d %H:%M')}")
        print(f"machine: {os.cpu_count()} cores, {_mem_total_gb():.0f} GB; load at end "
              f"{loadavg()}; the machine may be shared with other test runs")
        print("=" * 104)
        head = f"{'figure':<40}{'docklab':>14}{'DinD':>14}{'ratio d/D':>11}  {'target':<10}" \
               f"{'docklab':<8}{'DinD':<8}"
        print(head)
        print("-" * len(head))

        def line(label, key, unit, target=None, better="low", fmt="{:.2f}"):
            x, y = a.get(key), b.get(key)
            ratio = f"{x / y:.2f}x" if isinstance(x, (int, float)) and \
                isinstance(y, (int, float)) and y else "-"
            verdict = ["", ""]
            target_text = ""
            if target is not None:
                target_text = ("<= " if better == "low" else ">= ") + f"{target:g}{unit}"
                for n, v in enumerate((x, y)):
                    if isinstance(v, (int, float)):
                        met = v <= target if better == "low" else v >= target
                        verdict[n] = "met" if met else "MISSED"
                    else:
                        verdict[n] = "-"
            shown = [fmt.format(v) + unit if isinstance(v, (int, float)) else (v or "-")
                     for v in (x, y)]
            print(f"{label:<40}{shown[0]:>14}{shown[1]:>14}{ratio:>11}  {target_text:<10}"
                  f"{verdict[0]:<8}{verdict[1]:<8}")

        line(f"cold start p50 (to /_ping, n={a.get('cold_n')}/{b.get('cold_n')})", "cold_p50",
             " s")
        line("cold start p95 (to /_ping)", "cold_p95", " s", TARGETS["cold_p95"])
        line("cold start p50 (terminal ready)", "ready_p50", " s")
        line("cold start p95 (terminal ready)", "ready_p95", " s")
        line("terminal ready, seed copied in the start", "inline_p50", " s")
        line("  (the same, max)", "inline_max", " s")
        line("seed, once per workstation version", "seed_s", " s")
        line(f"resume p50 (stop, start, /_ping, n={a.get('resume_n')})", "resume_p50", " s")
        line("resume p95", "resume_p95", " s", TARGETS["resume_p95"])
        line("nginx-port still passes after resume", "resume_pass", "")
        line("idle memory: working set (median)", "mem_working", " MB", TARGETS["idle_mb"],
             fmt="{:.0f}")
        line("idle memory: working set (max)", "mem_working_max", " MB", fmt="{:.0f}")
        line("idle memory: cgroup usage incl. cache", "mem_usage", " MB", fmt="{:.0f}")
        line("idle memory: cgroup rss (median)", "mem_rss", " MB", fmt="{:.0f}")
        line("idle memory: process-tree PSS (median)", "mem_pss", " MB", fmt="{:.0f}")
        line("idle processes per sandbox", "mem_procs", "", fmt="{:.0f}")
        line("sandboxes held, check p95 < 1 s", "held", "", TARGETS["sandboxes"], "high",
             fmt="{:.0f}")
        line("CPU: shell work alone", "cpu_quiet", " s")
        line("  slowed by a busy neighbour sandbox", "cpu_neighbour", "x")
        line("  slowed by the same loops in its own", "cpu_own", "x")
        line("echo p50 over the WebSocket", "echo_p50", " ms", fmt="{:.1f}")
        line("echo p95 over the WebSocket", "echo_p95", " ms", TARGETS["echo_p95_ms"],
             fmt="{:.1f}")
        print()
        for name, result in self.results.items():
            print(f"{name} ramp (stopped: {result.get('ramp_stop', 'not run')}):")
            print(f"  {'N':>4} {'start p95':>10} {'exec p95':>9} {'check p50':>10} "
                  f"{'check p95':>10} {'verdicts':<22} {'fail':>4} {'free GiB':>9}  load")
            for row in result.get("ramp", []):
                print(f"  {row['n']:>4} {fmt_s(row['start_p95']):>10} {fmt_s(row['exec_p95']):>9}"
                      f" {fmt_s(row['check_p50']):>10} {fmt_s(row['check_p95']):>10} "
                      f"{str(row['statuses']):<22} {row['fail']:>4} {row['avail_gb']:>9.1f}  "
                      f"{row['load']}")
        print("\nnotes:")
        print("  echo for DinD is docklab's own terminal bridge exec'ing tmux in the DinD "
              "container (PWD's terminal differs);")
        print("  idle memory: cgroup v1 memory.usage_in_bytes minus total_inactive_file (the "
              "working set, as kubelet counts it); DinD's excludes the outer containerd-shim;")
        print("  DinD runs --privileged through a runc wrapper that drops CAP_SYS_RESOURCE, which "
              "this machine's root lacks;")
        print("  DinD's inner engine restarts nothing on resume (PWD keeps no data at all); "
              "docklab restarts what ran;")
        print(f"  checks: {self.args.check_rounds} rounds over the lab sandboxes, "
              f"{self.args.check_concurrency} at a time; a step holds when every start and "
              "check passed and check p95 < 1 s.")
        for note in self.notes:
            print(f"  ! {note}")

    def cleanup(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave leftovers
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        log("cleaning up")
        for name, action in reversed(self.cleanups):
            try:
                action()
            except Exception as exc:  # noqa: BLE001 - the rest still runs
                log(f"  cleanup of {name} failed: {exc}")
        log("clean")


def _try(function, *args):
    try:
        return function(*args)
    except Exception as exc:  # noqa: BLE001
        return exc


def _mem_total_gb() -> float:
    return int(Path("/proc/meminfo").read_text().split()[1]) / 2**20


def fmt_s(value) -> str:
    return "-" if value is None else f"{value:.2f}s"


def _raise_interrupt(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="few samples, one ramp step of 10 (about 3-4 minutes)")
    parser.add_argument("--cold", type=int, default=8, help="cold starts of each kind")
    parser.add_argument("--resume", type=int, default=5, help="resumes of each kind")
    parser.add_argument("--steps", default="10,30,45,60,75,90,105,120",
                        help="running sandboxes at each ramp step")
    parser.add_argument("--max-sandboxes", type=int, default=120)
    parser.add_argument("--lab-sandboxes", type=int, default=30,
                        help="how many of them run nginx-port and are checked")
    parser.add_argument("--check-rounds", type=int, default=3)
    parser.add_argument("--check-concurrency", type=int, default=4)
    parser.add_argument("--ramp-minutes", type=float, default=5.5, help="time cap per kind")
    parser.add_argument("--total-minutes", type=float, default=16.0,
                        help="no new ramp step after this (cleanup follows)")
    parser.add_argument("--keystrokes", type=int, default=200)
    parser.add_argument("--memory-floor-gb", type=float, default=4.0,
                        help="stop starting sandboxes when the machine's free memory is lower")
    parser.add_argument("--settle", type=float, default=5.0,
                        help="seconds between the cold starts and the memory reading")
    parser.add_argument("--cpu-samples", type=int, default=5,
                        help="runs of the shell work per CPU-share reading")
    parser.add_argument("--skip-ramp", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.cold, args.resume, args.steps = min(args.cold, 4), min(args.resume, 2), "10"
        args.max_sandboxes = min(args.max_sandboxes, 10)
        args.lab_sandboxes, args.check_rounds = min(args.lab_sandboxes, 10), 2
        args.ramp_minutes, args.total_minutes, args.settle = 1.5, 4.5, 3.0
    args.steps = sorted({int(n) for n in str(args.steps).split(",") if n.strip()})
    if os.geteuid() != 0:
        print("run as root: sudo .venv/bin/python benchmarks/sandbox_bench.py", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGHUP, _raise_interrupt)
    bench = Bench(args)
    began = time.monotonic()
    interrupted = False
    try:
        bench.setup()
        bench.cold_starts()
        bench.idle_memory()
        bench.echo()
        bench.resumes()
        log(f"CPU share: shell work in one sandbox, {HOGS} busy loops in another")
        bench.cpu_share()
        if not args.skip_ramp:
            bench.ramp(bench.docklab)
            bench.release(bench.docklab)
            bench.ramp(bench.dind)
    except KeyboardInterrupt:
        interrupted = True
        log("interrupted: reporting what was measured, then cleaning up")
    finally:
        try:
            if hasattr(bench, "kinds"):
                bench.report()
        finally:
            bench.cleanup()
    log(f"total {time.monotonic() - began:.0f} s")
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
