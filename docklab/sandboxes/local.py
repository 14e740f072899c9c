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
- A seed: a new (or reset) sandbox's data root starts as a copy of a template's, which holds only
  the pulled workstation image, with the owners shifted to the sandbox's ids (`make_seed`,
  `_plant_seed`): the terminal is ready in about a second instead of a 190 MB pull.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import docker

from .driver import Endpoint, Limits, SandboxError, Usage

ROOTLESS_SCRIPT = "/usr/share/docker.io/contrib/dockerd-rootless.sh"
CGROUP_ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("memory", "pids", "cpu")
CHAIN = "DOCKLAB-SANDBOX"
RUNNING_LIST = ".docklab-running"  # the containers that ran when the sandbox was stopped
# The template sandbox a seed is made in: docklab's own (user `<prefix>seed`), never a learner's.
TEMPLATE_SLOT = 0
# What a seed copies of the template's data root: image and layer state only (overlay2 holds
# nothing else while the template has no container); never containers, volumes or networks.
SEED_PARTS = ("image", "overlay2")
SEEDS = ".seeds"  # under home_dir, root's alone (0700)


@dataclass(frozen=True)
class Ids:
    """A sandbox's ids outside: its user and group (root inside) and the first of its subordinate
    ids (inside id k >= 1 is sub + k - 1 outside), as rootlesskit maps them."""
    uid: int
    gid: int
    subuid: int
    subgid: int
    count: int  # how many subordinate ids (the smaller of the two ranges)


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
        return f"{self.prefix}seed" if slot == TEMPLATE_SLOT else f"{self.prefix}{slot}"

    def address(self, slot: int) -> str:
        return f"{self.address_base}.{slot // 250}.{slot % 250 + 1}"

    def _runtime(self, slot: int) -> Path:
        return self.run_dir / self.user(slot)

    def _home(self, slot: int) -> Path:
        return self.home_dir / self.user(slot)

    def _work(self, slot: int) -> Path:
        return self._home(slot) / "work"

    def _data_root(self, slot: int) -> Path:
        return self._home(slot) / ".local" / "share" / "docker"

    @property
    def seeds_dir(self) -> Path:
        return self.home_dir / SEEDS

    def endpoint(self, slot: int) -> Endpoint:
        return Endpoint(f"unix://{self._runtime(slot)}/docker.sock", self.address(slot),
                        str(self._work(slot)))

    def _cgroups(self, slot: int) -> list[Path]:
        return [CGROUP_ROOT / controller / "docklab" / self.user(slot)
                for controller in CONTROLLERS]

    # -- lifecycle ------------------------------------------------------------------------------
    def fresh(self, slot: int) -> bool:
        """True when the sandbox has no data yet (new, or reset): its next start may be seeded."""
        return not self._data_root(slot).exists()

    def start(self, slot: int, seed: str | None = None) -> Endpoint:
        """Start the sandbox's engine (or find it running) and wait until it answers.

        `seed`: the key of the seed a fresh data root should start from (`make_seed`); when the
        current seed has another key, is missing or broken, the engine starts empty as before
        (and the workstation is pulled)."""
        endpoint = self.endpoint(slot)
        if self.running(slot) and self._answers(endpoint):
            return endpoint
        self.stop(slot)  # a half-started or crashed one leaves processes and a stale pid file
        with self._slot_lock(slot):  # not while `prepare` copies the seed in
            account = self._ensure_user(slot)
            runtime, home = self._runtime(slot), self._home(slot)
            runtime.mkdir(parents=True, exist_ok=True)
            os.chown(runtime, account.pw_uid, account.pw_gid)
            runtime.chmod(0o700)
            # Every process of the sandbox's user is gone now (stop), so what root finds in its
            # folders stays as found while root works there; still, nothing there is followed.
            log = _open_own_file(runtime / "engine.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            if seed and slot != TEMPLATE_SLOT and self.fresh(slot):
                os.write(log, f"docklab: {self._plant_seed(slot, seed)}\n".encode())
        work = self._work(slot)
        _own_directory(work, account.pw_uid, account.pw_gid)
        self._ensure_cgroups(slot)
        self._ensure_egress_rules(account.pw_uid)
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
            os.close(log)
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

    def prepare(self, slot: int, seed: str) -> str:
        """Make a fresh sandbox ready to start from the seed, without starting it: a server
        does this ahead of the learner (the next free slots, a slot just reset), so the copy is
        not part of their wait. Returns what was done."""
        if slot == TEMPLATE_SLOT or self.running(slot):
            return "running: nothing to prepare"
        with self._slot_lock(slot):
            self._ensure_user(slot)
            if not self.fresh(slot):
                return "has its data already"
            return self._plant_seed(slot, seed)

    @contextlib.contextmanager
    def _slot_lock(self, slot: int) -> Iterator[None]:
        """One of start and prepare at a time per sandbox (threads and processes); the lock file
        is root's, in the root-owned runtime parent folder."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with open(self.run_dir / f".{self.user(slot)}.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

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
        """Stop it and delete everything the learner made in it (its next start is fresh, and
        seeded again)."""
        self.stop(slot)
        with self._slot_lock(slot):
            _remove(self._home(slot) / ".local")
            _remove(self._work(slot))

    def remove(self, slot: int) -> None:
        """Wipe it and delete its Unix user, cgroups and firewall rules (tests, decommissioning).
        Removing the template also removes the seeds made in it."""
        self.wipe(slot)
        if slot == TEMPLATE_SLOT:
            shutil.rmtree(self.seeds_dir, ignore_errors=True)
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
        # The engine still runs: a learner's container could put a link here meanwhile, so the
        # list is only ever made new (O_EXCL), never written through what is found.
        listed = self._home(slot) / RUNNING_LIST
        _remove(listed)
        try:
            handle = _open_own_file(listed, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        except OSError:
            return
        try:
            os.write(handle, "\n".join(running).encode())
        finally:
            os.close(handle)

    def _restart_what_ran(self, slot: int, endpoint: Endpoint) -> None:
        listed = self._home(slot) / RUNNING_LIST
        ids = _read_own_file(listed).split()
        _remove(listed)
        if not ids:
            return
        client = docker.APIClient(base_url=endpoint.socket_url, version="1.41", timeout=10)
        try:
            for container_id in ids:
                try:
                    client.start(container_id)
                except Exception:  # noqa: BLE001,S112 - removed meanwhile, or its port is taken
                    continue
        finally:
            client.close()

    # -- the seed -------------------------------------------------------------------------------
    # A first start used to pull the 190 MB workstation image into the new engine (p95 14 s).
    # The seed is that pull done once per image version, in a template sandbox of docklab's own:
    # its data root's image and layer state (nothing else) is moved to a folder only root can
    # open, and a fresh sandbox's data root starts as a copy with every owner shifted from the
    # template's ids to the sandbox's (the template's user -> the sandbox's user, template
    # subordinate id + k -> the sandbox's subordinate id + k). Inside, the learner sees the same
    # owners as after a pull; outside, every file belongs to the sandbox's own ids, as if its
    # engine had pulled it.

    def seed_key(self) -> str | None:
        """The key of the current seed (what `fill` returned when it was made), or None when there
        is none or it is incomplete."""
        found = self._current_seed()
        return found[1]["key"] if found else None

    def make_seed(self, fill: Callable[[Endpoint], str], wanted: str | None = None) -> str:
        """Make a new seed: start the template sandbox empty, let `fill` pull into it (it returns
        the seed's key, e.g. the image's digest), and keep its image and layer state.

        One build at a time (also across processes); when `wanted` is given and the current seed
        has that key by the time this one may build (another process just made it), nothing is
        done. Returns the current seed's key."""
        self.seeds_dir.mkdir(parents=True, exist_ok=True)
        self.seeds_dir.chmod(0o700)
        with self._seed_lock(".build.lock", exclusive=True):
            if wanted is not None and self.seed_key() == wanted:
                return wanted
            self.wipe(TEMPLATE_SLOT)
            endpoint = self.start(TEMPLATE_SLOT)
            try:
                key = fill(endpoint)
                self._only_images_in(endpoint)
            finally:
                self.stop(TEMPLATE_SLOT)
            ids = self._ids(TEMPLATE_SLOT)
            name = hashlib.sha256(key.encode()).hexdigest()[:16]
            staging = self.seeds_dir / f".{name}.{os.getpid()}.partial"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(mode=0o700)
            root = staging / "docker"
            root.mkdir(mode=0o710)
            os.chown(root, ids.uid, ids.gid)
            try:
                for part in SEED_PARTS:
                    os.rename(self._data_root(TEMPLATE_SLOT) / part, root / part)
                files = _check_seed_files(root, ids)
            except (OSError, SandboxError):
                shutil.rmtree(staging, ignore_errors=True)
                raise
            meta = {"key": key, "ids": asdict(ids), "files": files, "made_at": time.time()}
            (staging / "seed.json").write_text(json.dumps(meta))
            with self._seed_lock(".lock", exclusive=True):  # no sandbox is copying from it
                shutil.rmtree(self.seeds_dir / name, ignore_errors=True)
                os.rename(staging, self.seeds_dir / name)
                current = self.seeds_dir / f".current.{os.getpid()}"
                current.write_text(name)
                os.rename(current, self.seeds_dir / "current")
                for old in self.seeds_dir.iterdir():
                    if old.is_dir() and old.name != name:
                        shutil.rmtree(old, ignore_errors=True)
            self.wipe(TEMPLATE_SLOT)  # the template keeps nothing
            return key

    def _current_seed(self) -> tuple[Path, dict] | None:
        try:
            name = (self.seeds_dir / "current").read_text().strip()
            folder = self.seeds_dir / name
            meta = json.loads((folder / "seed.json").read_text())
            Ids(**meta["ids"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        root = folder / "docker"
        if not name or not (root / "image" / "overlay2" / "repositories.json").is_file() \
                or not (root / "overlay2").is_dir():
            return None  # broken: a start goes without it (and pulls)
        return folder, meta

    def _plant_seed(self, slot: int, key: str) -> str:
        """Give a fresh sandbox the seed's data root, owned by its own ids. Returns what happened
        (for the engine log); any trouble leaves the data root absent (the engine starts empty)."""
        started = time.monotonic()
        target = self._data_root(slot)
        staging = target.with_name(".docker-seeding")
        try:
            with self._seed_lock(".lock", exclusive=False):
                found = self._current_seed()
                if found is None:
                    return "no seed (missing or broken): the engine starts empty"
                folder, meta = found
                if meta["key"] != key:
                    return f"the seed holds {meta['key']}, not {key}: the engine starts empty"
                ids = self._ids(slot)
                for parent in (target.parent.parent, target.parent):
                    _own_directory(parent, ids.uid, ids.gid, mode=0o711)
                _remove(staging)
                subprocess.run(["cp", "-a", "--", str(folder / "docker"), str(staging)],
                               check=True, capture_output=True)
            copied = time.monotonic()
            shifted = _shift_ids(staging, Ids(**meta["ids"]), ids)
            os.rename(staging, target)
        except (OSError, subprocess.CalledProcessError, SandboxError) as problem:
            shutil.rmtree(staging, ignore_errors=True)
            detail = getattr(problem, "stderr", b"") or b""
            return (f"the seed could not be copied ({problem} {detail.decode(errors='replace')})"
                    f": the engine starts empty").strip()
        done = time.monotonic()
        return (f"seeded from {key}: {shifted} files in {done - started:.2f} s (copy "
                f"{copied - started:.2f} s, owners {done - copied:.2f} s)")

    def _only_images_in(self, endpoint: Endpoint) -> None:
        """The template holds images and nothing else before its state becomes a seed."""
        client = docker.APIClient(base_url=endpoint.socket_url, version="1.41", timeout=30)
        try:
            if client.containers(all=True) or (client.volumes().get("Volumes") or []):
                raise SandboxError("the template sandbox holds containers or volumes: no seed")
        finally:
            client.close()

    @contextlib.contextmanager
    def _seed_lock(self, name: str, exclusive: bool) -> Iterator[None]:
        self.seeds_dir.mkdir(parents=True, exist_ok=True)
        self.seeds_dir.chmod(0o700)
        with open(self.seeds_dir / name, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _ids(self, slot: int) -> Ids:
        account = pwd.getpwnam(self.user(slot))
        uids = _subordinate(Path("/etc/subuid"), account.pw_name, account.pw_uid)
        gids = _subordinate(Path("/etc/subgid"), account.pw_name, account.pw_uid)
        return Ids(account.pw_uid, account.pw_gid, uids[0], gids[0], min(uids[1], gids[1]))

    # -- measuring ------------------------------------------------------------------------------
    def usage(self, slot: int) -> Usage:
        memory_group, pids_group, _cpu = self._cgroups(slot)
        return Usage(memory_bytes=_read_int(memory_group / "memory.usage_in_bytes"),
                     processes=_read_int(pids_group / "pids.current"),
                     disk_bytes=_disk_bytes(self._home(slot)))

    def log_tail(self, slot: int, lines: int = 8) -> str:
        text = _read_own_file(self._runtime(slot) / "engine.log")
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


# Root writes and reads a few files in folders the sandbox's user owns (its home and runtime
# folder), which the learner's containers can reach: the learner could put a symlink there (to
# /etc/passwd, say), a FIFO (to hang a read) or a hard link. Root never follows or uses any of it.
def _remove(path: Path) -> None:
    """Delete what is at `path` (a folder with what is in it, a file, a symlink itself)."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def _own_directory(path: Path, uid: int, gid: int, mode: int | None = None) -> None:
    """A real folder at `path` owned by uid:gid (whatever else was there is removed)."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    path.mkdir(exist_ok=True, **({"mode": mode} if mode is not None else {}))
    os.chown(path, uid, gid, follow_symlinks=False)


def _open_own_file(path: Path, flags: int, mode: int = 0o600) -> int:
    """Open the regular file at `path` without following a symlink, blocking on a FIFO or
    writing through a hard link; anything else found there is removed first. Returns the fd."""
    for _ in range(2):
        try:
            fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, mode)
        except OSError as problem:
            if not path.is_symlink() and \
                    problem.errno not in (errno.ENXIO, errno.ELOOP, errno.EISDIR):
                raise
            _remove(path)
            continue
        found = os.fstat(fd)
        if stat.S_ISREG(found.st_mode) and found.st_nlink == 1:
            os.set_blocking(fd, True)
            return fd
        os.close(fd)
        _remove(path)
    raise OSError(errno.EEXIST, f"{path} keeps being replaced")


def _read_own_file(path: Path) -> str:
    """The text of the regular file at `path` ("" when there is none), as `_open_own_file`."""
    try:
        fd = _open_own_file(path, os.O_RDONLY)
    except OSError:
        return ""
    with os.fdopen(fd, "rb") as handle:
        return handle.read().decode(errors="replace")


def _subordinate(path: Path, name: str, uid: int) -> tuple[int, int]:
    """The user's first range in /etc/subuid or /etc/subgid (useradd gives one): (start, count)."""
    for line in path.read_text().splitlines():
        parts = line.strip().split(":")
        if len(parts) == 3 and parts[0] in (name, str(uid)) and parts[1].isdigit() \
                and parts[2].isdigit():
            return int(parts[1]), int(parts[2])
    raise SandboxError(f"{path} has no range for {name}")


def _walk(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Every path under root (root too), each inode once (hard links share one)."""
    seen: set[tuple[int, int]] = set()
    yield str(root), os.lstat(root)
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:  # each folder once: as an entry of its parent
            path = os.path.join(folder, name)
            st = os.lstat(path)
            if st.st_nlink > 1 and not stat.S_ISDIR(st.st_mode):
                if (st.st_dev, st.st_ino) in seen:
                    continue
                seen.add((st.st_dev, st.st_ino))
            yield path, st


def _outside_to_inside(ids: Ids, uid: int, gid: int) -> tuple[int, int] | None:
    """The owner as the sandbox's engine sees it, or None when not one of the sandbox's ids."""
    def inside(n: int, own: int, sub: int) -> int | None:
        if n == own:
            return 0
        return n - sub + 1 if 0 <= n - sub < ids.count else None
    found = inside(uid, ids.uid, ids.subuid), inside(gid, ids.gid, ids.subgid)
    return None if None in found else found  # type: ignore[return-value]


def _check_seed_files(root: Path, ids: Ids) -> int:
    """Every file of a new seed belongs to the template's ids, and none carries file
    capabilities (a namespaced capability names the template's user as its root; only a process
    inside a sandbox's namespace could write it for another, so such a seed is refused)."""
    count = 0
    for path, st in _walk(root):
        count += 1
        if _outside_to_inside(ids, st.st_uid, st.st_gid) is None:
            raise SandboxError(f"{path} belongs to {st.st_uid}:{st.st_gid}, not to the template")
        if not stat.S_ISLNK(st.st_mode) and "security.capability" in os.listxattr(path):
            raise SandboxError(f"{path} has file capabilities: no seed")
    return count


def _shift_ids(root: Path, source: Ids, target: Ids) -> int:
    """Give every file under root the target's ids in place of the source's (same inside ids).
    Modes stay: the kernel clears set-user-ID and set-group-ID bits on a change of owner, so they
    are set again. Symlinks are changed themselves (lchown), never what they point to."""
    count = 0
    for path, st in _walk(root):
        inside = _outside_to_inside(source, st.st_uid, st.st_gid)
        if inside is None or max(inside) > target.count:
            raise SandboxError(f"{path} belongs to {st.st_uid}:{st.st_gid}, not to the seed's "
                               f"template")
        uid = target.uid if inside[0] == 0 else target.subuid + inside[0] - 1
        gid = target.gid if inside[1] == 0 else target.subgid + inside[1] - 1
        os.lchown(path, uid, gid)
        if st.st_mode & (stat.S_ISUID | stat.S_ISGID) and not stat.S_ISLNK(st.st_mode):
            os.chmod(path, stat.S_IMODE(st.st_mode))
        count += 1
    return count
