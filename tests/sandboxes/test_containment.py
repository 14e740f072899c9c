"""Issue 13: escape and abuse attempts from inside a learner's sandbox (a real rootless engine),
each with what was tried and what held. The learner is root only inside their user namespace."""
from __future__ import annotations

import os
import pwd
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import docker

BUSYBOX = "local/busybox:latest"


def run(client, command: str, **options) -> tuple[int, str]:
    """Run a shell command in a fresh busybox container; (exit code, output)."""
    container = client.containers.run(BUSYBOX, ["sh", "-c", command], detach=True, **options)
    try:
        code = container.wait(timeout=60)["StatusCode"]
        return code, container.logs().decode(errors="replace")
    finally:
        container.remove(force=True)


def test_start_stop_resume_and_wipe(sandbox_driver, start_sandbox):
    started = time.monotonic()
    endpoint, client = start_sandbox(1)
    assert time.monotonic() - started < 10
    client.containers.run(BUSYBOX, ["sleep", "600"], name="keep", detach=True)
    sandbox_driver.stop(1)
    assert not sandbox_driver.running(1)
    resumed = time.monotonic()
    endpoint, client = start_sandbox(1)
    assert time.monotonic() - resumed < 2  # resume target ≤ 2 s
    assert client.containers.get("keep").name == "keep"  # the work is still there
    sandbox_driver.wipe(1)
    endpoint, client = start_sandbox(1)
    with pytest.raises(docker.errors.NotFound):
        client.containers.get("keep")


def test_ports_publish_on_the_sandboxes_own_address(sandbox_driver, start_sandbox):
    endpoint, client = start_sandbox(2)
    web = client.containers.run(BUSYBOX, ["httpd", "-f", "-p", "80", "-h", "/"], name="web",
                                ports={"80/tcp": 80}, detach=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection((endpoint.address, 80), timeout=2) as probe:
                    probe.sendall(b"GET / HTTP/1.0\r\n\r\n")
                    assert probe.recv(100).startswith(b"HTTP/1.")
                break
            except OSError:
                assert time.monotonic() < deadline, "port 80 did not answer"
                time.sleep(0.2)
    finally:
        web.remove(force=True)


def test_a_second_sandbox_sees_nothing_of_the_first(sandbox_driver, start_sandbox):
    first_endpoint, first = start_sandbox(3)
    _, second = start_sandbox(4)
    first.containers.run(BUSYBOX, ["sleep", "600"], name="mine", detach=True)
    assert "mine" not in [c.name for c in second.containers.list(all=True)]
    # Bind-mounting the other sandbox's socket or home: the engine itself may not open them.
    other_socket = first_endpoint.socket_url.removeprefix("unix://")
    other_home = sandbox_driver.home_dir / sandbox_driver.user(3)
    for source in (other_socket, str(other_home)):
        try:
            code, output = run(second, "cat /x/.local/share/docker/engine-id /x 2>&1; ls /x",
                               volumes={source: {"bind": "/x", "mode": "ro"}})
        except docker.errors.APIError as refused:  # refused at create or start: held
            assert "permission denied" in str(refused).lower()
            continue
        assert code != 0 and "ermission denied" in output, output


def test_privileged_root_with_the_host_mounted_reads_and_writes_nothing(start_sandbox):
    _, client = start_sandbox(5)
    marker = Path("/root/docklab-escape-test")
    marker.unlink(missing_ok=True)
    code, output = run(client, "cat /host/etc/shadow; echo pwned > /host/root/docklab-escape-test;"
                               " echo x > /host/etc/docklab-escape-test; id",
                       privileged=True, volumes={"/": {"bind": "/host", "mode": "rw"}})
    assert "root:" not in output  # no line of /etc/shadow
    assert output.count("ermission denied") >= 2, output  # shadow unreadable, /root unwritable
    assert "uid=0" in output  # root inside its own user namespace only
    # /etc inside is the sandbox's own copy (rootlesskit --copy-up): the server's is untouched.
    assert not marker.exists() and not Path("/etc/docklab-escape-test").exists()


def test_the_hosts_processes_network_and_sockets_stay_out_of_reach(
        docker_engine, sandbox_driver, start_sandbox, registry_stand_in):
    _, client = start_sandbox(6)
    # --pid=host: the sandbox's own process namespace, not the server's.
    marker = subprocess.Popen(["sleep", "301.5"])  # a server process with a recognisable line
    try:
        code, output = run(client, "ps", pid_mode="host")
        assert code == 0 and "rootlesskit" in output  # it sees its own sandbox's processes...
        assert "301.5" not in output and "pytest" not in output, output  # ...and no others
    finally:
        marker.kill()
    # --net=host: the sandbox's network namespace; the server's loopback is reachable only as
    # 10.0.2.2 and only on the registry's port.
    other = socket.socket()
    other.bind(("127.0.0.1", 0))
    other.listen(4)
    allowed, forbidden = registry_stand_in.getsockname()[1], other.getsockname()[1]
    try:
        code, output = run(client, f"timeout 5 nc 10.0.2.2 {allowed}; "
                                   f"timeout 5 nc 10.0.2.2 {forbidden} && echo LEAKED",
                           network_mode="host")
        assert "ok" in output.splitlines() and "LEAKED" not in output, output
        code, output = run(client, f"timeout 5 nc 10.0.2.2 {forbidden} && echo LEAKED")
        assert "LEAKED" not in output, output  # the default bridge has no way out at all
    finally:
        other.close()
    # The server's own Docker socket: the sandbox's root is its unprivileged user outside,
    # which may not connect to it (bind-mounted or not).
    server_socket = docker_engine.base_url.removeprefix("unix://")
    account = pwd.getpwnam(sandbox_driver.user(6))
    probe = subprocess.run(
        ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--clear-groups",
         sys.executable, "-c", "import socket, sys; s = socket.socket(socket.AF_UNIX); "
                               "s.connect(sys.argv[1]); print('CONNECTED')", server_socket],
        capture_output=True, text=True)
    assert "CONNECTED" not in probe.stdout and "PermissionError" in probe.stderr, probe.stderr
    try:
        code, output = run(client, "ls -l /s && cat /s",
                           volumes={server_socket: {"bind": "/s", "mode": "rw"}})
        assert code != 0, output
    except docker.errors.APIError as refused:
        assert "permission denied" in str(refused).lower()


def test_the_apps_secret_key_and_database_are_unreadable(start_sandbox, tmp_path):
    _, client = start_sandbox(7)
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o700)
    (instance / "secret_key").write_text("s3cret")
    (instance / "docklab.sqlite3").write_text("database")
    os.chmod(instance / "secret_key", 0o600)
    try:
        code, output = run(client, "cat /i/secret_key /i/docklab.sqlite3",
                           volumes={str(instance): {"bind": "/i", "mode": "ro"}})
    except docker.errors.APIError as refused:
        assert "permission denied" in str(refused).lower()
        return
    assert "s3cret" not in output and "database" not in output, output


def test_a_fork_bomb_stops_at_the_pids_limit(sandbox_driver, start_sandbox):
    _, client = start_sandbox(8)
    events = sandbox_driver._cgroups(8)[1] / "pids.events"
    hits_before = int(events.read_text().split()[1])
    bomb = client.containers.run(BUSYBOX, ["sh", "-c", "while :; do sleep 60 & done"],
                                 detach=True)
    try:
        bomb.wait(timeout=30)  # the shell gives up when it cannot fork any more
        assert "can't fork" in bomb.logs().decode()
        assert int(events.read_text().split()[1]) > hits_before  # the pids limit stopped it
        assert sandbox_driver.usage(8).processes <= sandbox_driver.limits.pids
        assert subprocess.run(["true"]).returncode == 0  # the server forks as usual
    finally:
        bomb.remove(force=True)
    assert client.ping()


def test_a_memory_hog_is_killed_inside_and_the_engine_lives(sandbox_driver, start_sandbox):
    _, client = start_sandbox(9)
    code, _output = run(client, "a=0123456789; while :; do a=$a$a; done")
    assert code != 0  # killed (137) inside the sandbox's memory limit
    assert client.ping()
    assert sandbox_driver.usage(9).memory_bytes <= sandbox_driver.limits.memory_mb << 20


def test_disk_use_is_measured(sandbox_driver, start_sandbox):
    _, client = start_sandbox(10)
    before = sandbox_driver.usage(10).disk_bytes
    filler = client.containers.run(BUSYBOX, ["sh", "-c",
                                             "dd if=/dev/zero of=/data/fill bs=1M count=80; "
                                             "sleep 600"], detach=True)
    try:
        time.sleep(3)
        after = sandbox_driver.usage(10).disk_bytes
        assert after - before >= 70 << 20, (before, after)
        assert after > sandbox_driver.limits.disk_mb << 20  # over this test's 64 MB budget
    finally:
        filler.remove(force=True)


def test_links_a_learner_leaves_in_the_sandboxs_folders_are_never_followed(
        sandbox_driver, start_sandbox, tmp_path):
    """Tried: the learner's engine is their Unix user outside, so their containers can reach the
    sandbox's home and runtime folder (their own), and they put symlinks where root writes and
    reads: the list of running containers (root writes it on stop, reads it on start) and
    engine.log (root opens it on start) point at a root-only file; `work` (root gives it to the
    sandbox's user on start) and `.local` (root deletes it on reset) point at a root-owned folder.
    Done here as that user directly (setpriv), which is what such a container is outside.
    Held: root removed the links and made its own files; the targets kept content and owner."""
    slot = 11
    _, client = start_sandbox(slot)
    user = sandbox_driver.user(slot)
    home, runtime = sandbox_driver.home_dir / user, sandbox_driver.run_dir / user
    precious = tmp_path / "precious"
    precious.write_text("root only\n")
    precious.chmod(0o600)
    folder = tmp_path / "root-folder"
    folder.mkdir(mode=0o755)
    client.containers.run(BUSYBOX, ["sleep", "600"], name="sleeper", detach=True)
    account = pwd.getpwnam(user)

    def as_learner(code: str) -> None:
        done = subprocess.run(
            ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}",
             "--clear-groups", sys.executable, "-c", "import os, sys\n" + code],
            capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr

    as_learner(f"os.symlink({str(precious)!r}, {str(home / '.docklab-running')!r})\n"
               f"os.symlink({str(precious)!r}, {str(runtime / 'link')!r})\n"
               f"os.replace({str(runtime / 'link')!r}, {str(runtime / 'engine.log')!r})\n"
               f"os.rmdir({str(home / 'work')!r})\n"
               f"os.symlink({str(folder)!r}, {str(home / 'work')!r})\n")
    sandbox_driver.stop(slot)  # writes the running list
    _, client = start_sandbox(slot)  # opens engine.log, makes `work`, reads the list
    assert client.containers.get("sleeper").status == "running"  # the list was made anew
    assert (home / "work").is_dir() and not (home / "work").is_symlink()
    sandbox_driver.stop(slot)
    as_learner(f"os.rename({str(home / '.local')!r}, {str(home / 'old')!r})\n"
               f"os.symlink({str(folder)!r}, {str(home / '.local')!r})\n")
    sandbox_driver.wipe(slot)
    assert not (home / ".local").exists()
    assert precious.read_text() == "root only\n" and precious.stat().st_uid == 0
    assert stat.S_IMODE(precious.stat().st_mode) == 0o600
    assert folder.is_dir() and folder.stat().st_uid == 0 and folder.stat().st_gid == 0
