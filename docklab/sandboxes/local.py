"""Sandboxes as local processes: one Unix user and one rootless Docker engine per sandbox.

The recipe is ENGINE.md's, verified on this machine kind:
- `rootlesskit` runs dockerd in a user namespace as the sandbox's own Unix user (`<prefix><slot>`,
  with its /etc/subuid range): root inside is that unprivileged user outside, so
  `docker run --privileged -v /:/host` reads and writes nothing the user could not.
- Our own rootlesskit flags, not dockerd-rootless.sh's: without `--disable-host-loopback` the
  engine reaches the host's 127.0.0.1 as 10.0.2.2, where the course registry is its mirror.
- Egress: slirp4netns connects out as the sandbox's user, so the host's iptables (owner match)
  let that user reach the registry port and nothing else; with `--iptables=false` inside, the
  learner's containers have no outbound NAT at all.
- Limits: the whole process tree starts inside cgroup v1 groups of its own (memory, pids, cpu);
  the disk is measured and a sandbox over its budget is stopped (services pause it).
- Ports: `--ip 127.77.x.y` per sandbox, so every learner can publish port 80; rootlesskit needs
  `cap_net_bind_service` for ports below 1024 (scripts/ensure-sandboxes.sh sets it).
- Stopping kills every process of the sandbox's user (all of them are the sandbox) and waits for
  them, so the next start never trips over a stale pid file.
"""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

import docker

from .driver import Endpoint, Limits, SandboxError, Usage

ROOTLESS_SCRIPT = "/usr/share/docker.io/contrib/dockerd-rootless.sh"
CGROUP_ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("memory", "pids", "cpu")
CHAIN = "DOCKLAB-SANDBOX"
RUNNING_LIST = ".docklab-running"  # the containers that ran when the sandbox was stopped


class LocalRootlessDriver:
    def __init__(self, *, prefix: str = "dlsb", run_dir: Path = Path("/run/docklab-sandboxes"),
                 home_dir: Path = Path("/var/lib/docklab-sandboxes"), address_base: str = "127.77",
                 registry_port: int = 5055, limits: Limits | None = None,
                 start_timeout: float = 30.0) -> None:
        self.prefix, self.run_dir, self.home_dir = prefix, run_dir, home_dir
        self.address_base, self.registry_port = address_base, registry_port
        self.limits = limits or Limits()
        self.start_timeout = start_timeout
        self._launched: dict[int, subprocess.Popen] = {}  # reaped when they end

    # -- what the machine offers ----------------------------------------------------------------
    def unavailable(self) -> str | None:
        if os.geteuid() != 0:
            return "the local sandbox driver needs root (it makes one Unix user per sandbox)"
        for tool in ("rootlesskit", "slirp4netns", "newuidmap", "dockerd", "iptables", "setpriv"):
            if shutil.which(tool) is None:
                return f"{tool} is not installed (make run installs it as root on Debian)"
        if not Path(ROOTLESS_SCRIPT).exists():
            return f"{ROOTLESS_SCRIPT} is missing (Debian's docker.io package ships it)"
        try:
            if int(Path("/proc/sys/user/max_user_namespaces").read_text()) < 1:
                return "user namespaces are turned off on this machine"
        except (OSError, ValueError):
            return "this kernel has no user namespaces"
        if not (CGROUP_ROOT / "memory").is_dir():
            return "cgroup v1 memory controller not found (needed for sandbox limits)"
        return None

    # -- names ----------------------------------------------------------------------------------
    def user(self, slot: int) -> str:
        return f"{self.prefix}{slot}"

    def address(self, slot: int) -> str:
        return f"{self.address_base}.{slot // 250}.{slot % 250 + 1}"

    def _runtime(self, slot: int) -> Path:
        return self.run_dir / self.user(slot)

    def _home(self, slot: int) -> Path:
        return self.home_dir / self.user(slot)

    def _work(self, slot: int) -> Path:
        return self._home(slot) / "work"

    def endpoint(self, slot: int) -> Endpoint:
        return Endpoint(f"unix://{self._runtime(slot)}/docker.sock", self.address(slot),
                        str(self._work(slot)))

    def _cgroups(self, slot: int) -> list[Path]:
        return [CGROUP_ROOT / controller / "docklab" / self.user(slot)
                for controller in CONTROLLERS]

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self, slot: int) -> Endpoint:
        """Start the sandbox's engine (or find it running) and wait until it answers."""
        endpoint = self.endpoint(slot)
        if self.running(slot) and self._answers(endpoint):
            return endpoint
        self.stop(slot)  # a half-started or crashed one leaves processes and a stale pid file
        account = self._ensure_user(slot)
        runtime, home = self._runtime(slot), self._home(slot)
        runtime.mkdir(parents=True, exist_ok=True)
        os.chown(runtime, account.pw_uid, account.pw_gid)
        runtime.chmod(0o700)
        work = self._work(slot)
        work.mkdir(exist_ok=True)
        os.chown(work, account.pw_uid, account.pw_gid)
        self._ensure_cgroups(slot)
        self._ensure_egress_rules(account.pw_uid)
        log = open(runtime / "engine.log", "ab")  # noqa: SIM115 - handed to the child
        joins = " ".join(f"echo $$ > {group}/cgroup.procs;" for group in self._cgroups(slot))
        command = ["sh", "-c", f'{joins} exec "$@"', "sandbox",
                   "setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}",
                   "--init-groups", "--", *self._rootlesskit_args(runtime),
                   ROOTLESS_SCRIPT, *self._dockerd_args(slot, runtime, home)]
        env = {"HOME": str(home), "USER": account.pw_name, "XDG_RUNTIME_DIR": str(runtime),
               "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               "_DOCKERD_ROOTLESS_CHILD": "1"}
        try:
            self._launched[slot] = subprocess.Popen(
                command, env=env, cwd=home, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True)
        finally:
            log.close()
        until = time.monotonic() + self.start_timeout
        while time.monotonic() < until:
            if self._answers(endpoint):
                self._restart_what_ran(slot, endpoint)
                return endpoint
            time.sleep(0.05)
        tail = self.log_tail(slot)
        self.stop(slot)
        raise SandboxError(f"the sandbox engine did not answer within {self.start_timeout:g} s: "
                           f"{tail}")

    def _rootlesskit_args(self, runtime: Path) -> list[str]:
        # --pidns: the sandbox sees only its own processes, even with `docker run --pid=host`.
        return ["rootlesskit", "--net=slirp4netns", "--mtu=65520", "--slirp4netns-sandbox=auto",
                "--slirp4netns-seccomp=auto", "--port-driver=builtin", "--copy-up=/etc",
                "--copy-up=/run", "--propagation=rslave", "--pidns",
                f"--state-dir={runtime}/rootlesskit"]

    def _dockerd_args(self, slot: int, runtime: Path, home: Path) -> list[str]:
        mirror = f"10.0.2.2:{self.registry_port}"  # the host's loopback, seen from the sandbox
        return [f"--host=unix://{runtime}/docker.sock", f"--data-root={home}/.local/share/docker",
                f"--exec-root={runtime}/docker", f"--pidfile={runtime}/docker.pid",
                "--iptables=false", "--ip6tables=false", f"--ip={self.address(slot)}",
                "--shutdown-timeout=2", f"--registry-mirror=http://{mirror}",
                f"--insecure-registry={mirror}", "--log-driver=json-file",
                "--log-opt=max-size=1m", "--log-opt=max-file=2"]

    def stop(self, slot: int, timeout: float = 10.0) -> None:
        """End every process of the sandbox's user; its images, containers and volumes stay, and
        the containers that were running start again with the sandbox."""
        try:
            uid = pwd.getpwnam(self.user(slot)).pw_uid
        except KeyError:
            return
        self._remember_what_runs(slot)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            self._signal_all(uid, sig)
            until = time.monotonic() + (timeout / 2)
            while self._pids_of(uid) and time.monotonic() < until:
                time.sleep(0.05)
            if not self._pids_of(uid):
                break
        launched = self._launched.pop(slot, None)
        if launched is not None:
            try:
                launched.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        runtime = self._runtime(slot)
        for stale in ("docker.pid", "docker.sock"):
            (runtime / stale).unlink(missing_ok=True)
        shutil.rmtree(runtime / "rootlesskit", ignore_errors=True)
        shutil.rmtree(runtime / "docker", ignore_errors=True)

    def wipe(self, slot: int) -> None:
        """Stop it and delete everything the learner made in it."""
        self.stop(slot)
        shutil.rmtree(self._home(slot) / ".local", ignore_errors=True)
        shutil.rmtree(self._work(slot), ignore_errors=True)

    def remove(self, slot: int) -> None:
        """Wipe it and delete its Unix user, cgroups and firewall rules (tests, decommissioning)."""
        self.wipe(slot)
        try:
            uid = pwd.getpwnam(self.user(slot)).pw_uid
        except KeyError:
            uid = None
        for group in self._cgroups(slot):
            try:
                group.rmdir()
            except OSError:
                pass
        if uid is not None:
            for tool in ("iptables", "ip6tables"):
                listed = subprocess.run([tool, "-S", CHAIN], capture_output=True, text=True)
                for line in listed.stdout.splitlines():
                    if f"--uid-owner {uid} " in line + " " and line.startswith("-A "):
                        subprocess.run([tool, "-D", *line.split()[1:]], capture_output=True)
            subprocess.run(["userdel", "--remove", self.user(slot)], capture_output=True)

    def running(self, slot: int) -> bool:
        try:
            return bool(self._pids_of(pwd.getpwnam(self.user(slot)).pw_uid))
        except KeyError:
            return False

    def running_slots(self) -> list[int]:
        found = []
        for entry in pwd.getpwall():
            suffix = entry.pw_name.removeprefix(self.prefix)
            if entry.pw_name.startswith(self.prefix) and suffix.isdigit() \
                    and self._pids_of(entry.pw_uid):
                found.append(int(suffix))
        return sorted(found)

    def _remember_what_runs(self, slot: int) -> None:
        endpoint = self.endpoint(slot)
        if not self._answers(endpoint):
            return
        try:
            client = docker.APIClient(base_url=endpoint.socket_url, version="1.41", timeout=5)
            try:
                running = [c["Id"] for c in client.containers(filters={"status": "running"})]
            finally:
                client.close()
        except Exception:  # noqa: BLE001 - a sandbox that cannot say simply resumes stopped
            return
        (self._home(slot) / RUNNING_LIST).write_text("\n".join(running))

    def _restart_what_ran(self, slot: int, endpoint: Endpoint) -> None:
        listed = self._home(slot) / RUNNING_LIST
        try:
            ids = listed.read_text().split()
        except OSError:
            return
        listed.unlink(missing_ok=True)
        client = docker.APIClient(base_url=endpoint.socket_url, version="1.41", timeout=10)
        try:
            for container_id in ids:
                try:
                    client.start(container_id)
                except Exception:  # noqa: BLE001,S112 - removed meanwhile, or its port is taken
                    continue
        finally:
            client.close()

    # -- measuring ------------------------------------------------------------------------------
    def usage(self, slot: int) -> Usage:
        memory_group, pids_group, _cpu = self._cgroups(slot)
        return Usage(memory_bytes=_read_int(memory_group / "memory.usage_in_bytes"),
                     processes=_read_int(pids_group / "pids.current"),
                     disk_bytes=_disk_bytes(self._home(slot)))

    def log_tail(self, slot: int, lines: int = 8) -> str:
        try:
            text = (self._runtime(slot) / "engine.log").read_text(errors="replace")
        except OSError:
            return ""
        return " | ".join(text.strip().splitlines()[-lines:])[-1500:]

    # -- the machine's side ---------------------------------------------------------------------
    def _ensure_user(self, slot: int) -> pwd.struct_passwd:
        name = self.user(slot)
        try:
            return pwd.getpwnam(name)
        except KeyError:
            pass
        self.home_dir.mkdir(parents=True, exist_ok=True)
        self.home_dir.chmod(0o711)  # others may not list the sandboxes' homes
        subprocess.run(["useradd", "--create-home", "--home-dir", str(self._home(slot)),
                        "--shell", "/usr/sbin/nologin", "--comment", "docklab sandbox", name],
                       check=True, capture_output=True)
        self._home(slot).chmod(0o700)
        return pwd.getpwnam(name)

    def _ensure_cgroups(self, slot: int) -> None:
        memory_group, pids_group, cpu_group = self._cgroups(slot)
        for group in (memory_group, pids_group, cpu_group):
            group.mkdir(parents=True, exist_ok=True)
        (memory_group / "memory.limit_in_bytes").write_text(str(self.limits.memory_mb << 20))
        (pids_group / "pids.max").write_text(str(self.limits.pids))
        (cpu_group / "cpu.shares").write_text(str(self.limits.cpu_shares))

    def _ensure_egress_rules(self, uid: int) -> None:
        """The sandbox's user may reach the registry on the host's loopback (its engine pulls
        through it), answer connections made to its published ports, and nothing else."""
        rules = [
            ["-m", "owner", "--uid-owner", str(uid), "-m", "conntrack", "--ctstate",
             "ESTABLISHED,RELATED", "-j", "ACCEPT"],
            ["-m", "owner", "--uid-owner", str(uid), "-o", "lo", "-p", "tcp", "-d", "127.0.0.1",
             "--dport", str(self.registry_port), "-j", "ACCEPT"],
            ["-m", "owner", "--uid-owner", str(uid), "-j", "REJECT"],
        ]
        for tool, chain_rules in (("iptables", rules), ("ip6tables", [rules[0], rules[2]])):
            if shutil.which(tool) is None:
                continue
            subprocess.run([tool, "-N", CHAIN], capture_output=True)
            if subprocess.run([tool, "-C", "OUTPUT", "-j", CHAIN], capture_output=True).returncode:
                subprocess.run([tool, "-I", "OUTPUT", "-j", CHAIN], check=True,
                               capture_output=True)
            for rule in chain_rules:
                if subprocess.run([tool, "-C", CHAIN, *rule], capture_output=True).returncode:
                    subprocess.run([tool, "-A", CHAIN, *rule], check=True, capture_output=True)

    @staticmethod
    def _pids_of(uid: int) -> list[int]:
        """The user's live processes (a zombie waiting for its parent to reap it is gone)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if entry.stat().st_uid == uid and \
                            (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                        found.append(int(entry.name))
                except (OSError, IndexError):
                    continue
        return found

    def _signal_all(self, uid: int, sig: signal.Signals) -> None:
        for pid in self._pids_of(uid):
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                continue

    @staticmethod
    def _answers(endpoint: Endpoint) -> bool:
        path = endpoint.socket_url.removeprefix("unix://")
        if not os.path.exists(path):
            return False
        try:
            client = docker.APIClient(base_url=endpoint.socket_url, version="1.41", timeout=2)
            try:
                return client.ping()
            finally:
                client.close()
        except Exception:  # noqa: BLE001 - not up yet
            return False


def _read_int(path: Path) -> int:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return 0


def _disk_bytes(home: Path) -> int:
    """What the sandbox keeps on disk: its engine's data root (images, containers, volumes)."""
    root = home / ".local" / "share" / "docker"
    if not root.exists():
        return 0
    done = subprocess.run(["du", "-s", "-B1", "-x", str(root)], capture_output=True, text=True,
                          timeout=60)
    try:
        return int(done.stdout.split()[0])
    except (IndexError, ValueError):
        return 0
