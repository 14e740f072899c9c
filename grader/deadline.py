"""One wall-clock limit for everything a grading run does on a host.

A per-read socket timeout cannot bound a host that trickles one byte every few seconds: each read
succeeds just in time. A `Deadline` can: every socket opened under it is registered, each request
gets at most the time that is left, and when the time is up one watchdog thread shuts the sockets
down, so whatever thread is blocked reading them wakes at once with an error and ends. No thread
stays stuck on a hostile host after its deadline.
"""
from __future__ import annotations

import heapq
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable


class Deadline:
    """`with Deadline(20) as limit:` arms the watchdog for the block; `limit.watch(sock)` puts a
    socket under it; `limit.clamp(timeout)` is the timeout a single operation may still use."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self.finished = False
        self._sockets: list[socket.socket] = []
        self._on_expiry: list[Callable[[], object]] = []
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    def clamp(self, timeout: float) -> float:
        """`timeout`, or less when less time is left (0.0 when none is)."""
        return min(timeout, self.remaining())

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if not self.expired:
                self._sockets.append(sock)
                return
        _shut(sock)  # opened after the deadline: closed at once

    def on_expiry(self, callback: Callable[[], object]) -> None:
        """Also call `callback()` when the time is up (e.g. to close an SSH transport)."""
        with self._lock:
            self._on_expiry.append(callback)

    def expire(self) -> None:
        with self._lock:
            if self.expired or self.finished:
                return
            self.expired = True
            sockets, callbacks = self._sockets, self._on_expiry
            self._sockets, self._on_expiry = [], []
        for sock in sockets:
            _shut(sock)
        for callback in callbacks:
            try:
                callback()
            except Exception:  # noqa: BLE001,S110 - ending a transport must not raise in the watchdog
                pass

    def __enter__(self) -> Deadline:
        _WATCHDOG.add(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self.finished = True
            self._sockets, self._on_expiry = [], []


def _shut(sock: socket.socket) -> None:
    """Shut the connection down under any thread reading it. Through a duplicate descriptor, so
    an SSL socket's own state is left to the thread that owns it."""
    try:
        duplicate = socket.socket(fileno=os.dup(sock.fileno()))
    except OSError:
        return  # already closed
    try:
        duplicate.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        duplicate.close()


class _Watchdog:
    """One thread for every deadline of the process, sleeping until the nearest one."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._wakeup = threading.Condition()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def add(self, deadline: Deadline) -> None:
        with self._wakeup:
            heapq.heappush(self._heap, (deadline.ends, next(self._order), deadline))
            if self._thread is None or self._pid != os.getpid():  # new, or inherited by a fork
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="docklab-deadlines",
                                                daemon=True)
                self._thread.start()
            self._wakeup.notify()

    def _run(self) -> None:
        while True:
            with self._wakeup:
                while self._heap and self._heap[0][2].finished:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wakeup.wait()
                    continue
                delay = self._heap[0][0] - time.monotonic()
                if delay > 0:
                    self._wakeup.wait(delay)
                    continue
                due = heapq.heappop(self._heap)[2]
            due.expire()


_WATCHDOG = _Watchdog()
