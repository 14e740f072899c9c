"""What lets several test processes share one machine: pytest-xdist workers of one run (`make test`
runs the suite with `-n 2`) and other people's test sessions beside them.

Most session resources are already private to a process (a private dockerd on a bridge it claims
atomically, a PostgreSQL cluster and registries in temp dirs on free ports, a Chromium, temp
paths from tmp_path_factory, which xdist gives each worker its own). What is left is shared by
name, and handled here: the loopback ranges of the sandbox drivers (`address_block`), the image
cache in ~/.cache that a cold run fills (`machine_lock`), and the package installs a bare machine
needs (`machine_lock` too: dpkg takes one install at a time).
"""
from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_DIR = Path("/tmp/docklab-test-locks")  # noqa: S108 - one folder the sessions agree on


def worker_index() -> int:
    """0 for a plain run, N for xdist's worker gwN."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name.removeprefix("gw")) if name.removeprefix("gw").isdigit() else 0


def address_block(blocks: int) -> int:
    """Which of `blocks` numbered ranges this process takes. A plain session picks by its pid
    (sessions rarely meet, as before); the workers of one xdist run take consecutive blocks from
    the run's shared id, so two of them never share one (worker pids are often consecutive, and
    pid-based picks with an offset per driver kind would collide)."""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")
    try:
        base = int(run_id[:8], 16)
    except ValueError:
        return os.getpid() % blocks
    return (base + worker_index()) % blocks


@contextmanager
def machine_lock(name: str) -> Iterator[None]:
    """Hold an exclusive lock named `name` across every test process on this machine (flock: the
    kernel drops it when the holder dies, so a killed session leaves nothing to clean up)."""
    LOCK_DIR.mkdir(mode=0o777, exist_ok=True)
    with open(LOCK_DIR / f"{name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
