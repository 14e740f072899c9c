"""What docklab needs from a sandbox driver, whatever runs the sandboxes (local processes here, or
Kubernetes pods with rootless docker-in-docker: docs/sandboxes.md).

A sandbox is one learner's own Docker engine, addressed by a small integer `slot`. The driver
starts it (or resumes it: images, containers and volumes stay on disk), stops it, wipes it, tells
where its Engine API socket is (the grader reads that socket like any learner host) and how much
it uses. Nothing here knows of Flask or of learners.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Limits:
    """Per sandbox: the whole process tree's memory, processes and CPU share, and its disk."""

    memory_mb: int = 1536
    pids: int = 512
    cpu_shares: int = 256  # relative weight (1024 = one ordinary process group)
    disk_mb: int = 4096


@dataclass(frozen=True)
class Endpoint:
    """Where a running sandbox answers: its Engine API and the address its ports publish on."""

    socket_url: str  # unix:///run/docklab-sandboxes/<user>/docker.sock
    address: str  # 127.77.x.y: `docker run -p 80:80` binds here, so sandboxes never clash
    # The learner's files: mounted into the workstation at this same path and its working
    # directory, so `-v "$PWD"/site:/usr/share/nginx/html` typed in the terminal names the same
    # folder for the engine (which resolves bind sources on its own side). "" when none.
    work_dir: str = ""


@dataclass(frozen=True)
class Usage:
    memory_bytes: int
    processes: int
    disk_bytes: int


class SandboxError(Exception):
    """A sandbox that could not be started, stopped or read, with the reason."""


class Driver(Protocol):
    def unavailable(self) -> str | None:
        """Why this machine cannot run sandboxes (None when it can)."""

    def start(self, slot: int, seed: str | None = None) -> Endpoint:
        """Start or resume; a fresh sandbox may start from the seed with key `seed` (a data
        root that already holds the workstation image), else it starts empty."""

    def fresh(self, slot: int) -> bool:
        """The sandbox has no data yet (new or reset)."""

    def stop(self, slot: int) -> None: ...

    def wipe(self, slot: int) -> None: ...

    def running(self, slot: int) -> bool: ...

    def endpoint(self, slot: int) -> Endpoint: ...

    def usage(self, slot: int) -> Usage: ...

    def running_slots(self) -> list[int]: ...
