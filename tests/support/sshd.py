"""A real sshd on a loopback port with key-only users, in front of a test engine, as a learner's
`ssh://user@host` Docker host. `docker system dial-stdio` runs on the "remote" side."""
from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from .workers import machine_lock

SOCKET_GROUP = "dldocker"
USER_WITH_ACCESS = "dllearner"
USER_WITHOUT_ACCESS = "dlnoaccess"
ALREADY_EXISTS = 9  # useradd/groupadd exit status


def new_keypair() -> tuple[bytes, str]:
    """An ed25519 key: (OpenSSH private key PEM, "ssh-ed25519 AAAA..." public line)."""
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    return private, public


def _ensure_group(name: str) -> None:
    try:
        grp.getgrnam(name)
    except KeyError:
        done = subprocess.run(["groupadd", "--system", name], capture_output=True, text=True)
        if done.returncode not in (0, ALREADY_EXISTS):  # another session may have just made it
            raise RuntimeError(f"groupadd {name}: {done.stderr}") from None


def _ensure_user(name: str, groups: list[str]) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        done = subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", name],
                              capture_output=True, text=True)
        if done.returncode not in (0, ALREADY_EXISTS):
            raise RuntimeError(f"useradd {name}: {done.stderr}") from None
    _usermod("-p", "*", name)  # unlocked, but no password
    if groups:
        _usermod("-a", "-G", ",".join(groups), name)


def _usermod(*args: str) -> None:
    """usermod, retried: a concurrent test session may hold the lock on /etc/passwd."""
    for _ in range(50):
        done = subprocess.run(["usermod", *args], capture_output=True, text=True)
        if done.returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError(f"usermod {' '.join(args)}: {done.stderr}")


@dataclass
class SSHHost:
    host: str
    port: int
    user: str
    private_key: bytes
    host_key_line: str
    user_without_access: str
    private_key_without_access: bytes
    process: subprocess.Popen
    root: Path

    @property
    def url(self) -> str:
        return f"ssh://{self.user}@{self.host}:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)


def start_sshd(engine_socket_url: str) -> SSHHost:
    sshd = shutil.which("sshd") or "/usr/sbin/sshd"
    socket_path = Path(engine_socket_url.removeprefix("unix://"))
    # One process at a time edits /etc/passwd and /etc/group (xdist workers start at once).
    with machine_lock("unix-users"):
        _ensure_group(SOCKET_GROUP)
        _ensure_user(USER_WITH_ACCESS, [SOCKET_GROUP])
        _ensure_user(USER_WITHOUT_ACCESS, [])
    # The learner user reaches the engine's socket through its group; the other one cannot.
    os.chown(socket_path, 0, grp.getgrnam(SOCKET_GROUP).gr_gid)
    os.chmod(socket_path, 0o660)
    for parent in socket_path.parents:
        if str(parent) in ("/", "/tmp"):
            break
        os.chmod(parent, os.stat(parent).st_mode | 0o001)  # traversable, not listable

    # Under /run, not /tmp: StrictModes refuses key files below a world-writable directory.
    root = Path(tempfile.mkdtemp(prefix="dl-sshd-", dir="/run"))
    os.chmod(root, 0o755)  # noqa: S103 - sshd (StrictModes) must read the keys as each user
    Path("/run/sshd").mkdir(parents=True, exist_ok=True)
    host_key = root / "ssh_host_ed25519_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)], check=True)
    keys_dir = root / "authorized_keys"
    keys_dir.mkdir(mode=0o755)
    private, public = new_keypair()
    private_other, public_other = new_keypair()
    (keys_dir / USER_WITH_ACCESS).write_text(public + "\n")
    (keys_dir / USER_WITHOUT_ACCESS).write_text(public_other + "\n")
    for path in keys_dir.iterdir():
        path.chmod(0o644)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = root / "sshd_config"
    config.write_text(f"""Port {port}
ListenAddress 127.0.0.1
HostKey {host_key}
PidFile {root}/sshd.pid
AuthorizedKeysFile {keys_dir}/%u
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
UsePAM no
StrictModes yes
AllowUsers {USER_WITH_ACCESS} {USER_WITHOUT_ACCESS}
SetEnv DOCKER_HOST={engine_socket_url} PATH=/usr/bin:/bin
""")
    process = subprocess.Popen([sshd, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL,
                               stderr=open(root / "sshd.log", "wb"))  # noqa: SIM115
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError((root / "sshd.log").read_text()) from None
            time.sleep(0.1)
    host_key_line = " ".join(Path(f"{host_key}.pub").read_text().split()[:2])
    return SSHHost("127.0.0.1", port, USER_WITH_ACCESS, private, host_key_line,
                   USER_WITHOUT_ACCESS, private_other, process, root)
