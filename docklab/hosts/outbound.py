"""Every call docklab makes to a learner's host goes through here: checks, "Test connection" and
the SSH host-key fetch at registration.

- The work runs on a bounded pool of threads, never on a web request's thread: a request waits
  for it at most DOCKLAB_REQUEST_WAIT seconds, so no learner's host can hold the site's threads.
- It has one deadline (DOCKLAB_CHECK_DEADLINE), counted from when the work starts on the pool and
  enforced on the sockets themselves (`grader.deadline`): a trickling host is cut off on time and
  its thread is free again.
- A full pool answers `Busy` at once ("server busy, try again"): there is no queue to grow.
- One learner has at most DOCKLAB_CHECKS_PER_LEARNER calls in flight in this process, so one
  account cannot take the pool for itself. (Each gunicorn worker has its own pool.)
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar

from flask import Flask, current_app

from grader.deadline import Deadline
from grader.hosts import HostError, VersionCache

from .. import settings
from ..errors import DocklabError
from ..i18n import N_

T = TypeVar("T")


class Busy(DocklabError):
    """Every slot of the pool is taken: try again in a moment (503 with Retry-After)."""

    status = 503
    code = "busy"
    retry_after = 5
    MESSAGES = {"busy": N_("The server is busy checking other learners' hosts. Try again in a "
                           "few seconds.")}

    def __init__(self) -> None:
        super().__init__(details={"retry_after": self.retry_after})


class AlreadyRunning(DocklabError):
    """This learner already has as many calls in flight as allowed (429)."""

    status = 429
    code = "already_running"
    retry_after = 2
    MESSAGES = {"already_running": N_("Your previous check or connection test is still running. "
                                      "Wait for it first.")}

    def __init__(self) -> None:
        super().__init__(details={"retry_after": self.retry_after})


class Job:
    """Work on the pool: `wait(seconds)` for its result, `cancel()` to cut it off now."""

    def __init__(self) -> None:
        self.future: Future = Future()
        self._deadline: Deadline | None = None
        self._cancelled = False
        self._lock = threading.Lock()

    def _run(self, work: Callable[[Deadline], T], seconds: float) -> T:
        with Deadline(seconds) as deadline:  # counted from now, not from the submit
            with self._lock:
                self._deadline = deadline
                if self._cancelled:
                    deadline.expire()
            return work(deadline)

    def wait(self, seconds: float):
        """The result, or FutureTimeout when it takes longer (the work goes on)."""
        return self.future.result(timeout=seconds)

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            if self._deadline is not None:
                self._deadline.expire()


class Outbound:
    """The pool and its admission rules, one per app (see `for_app`)."""

    def __init__(self, workers: int, per_learner: int) -> None:
        self.workers, self.per_learner = workers, per_learner
        self.versions = VersionCache()  # negotiated API versions of the hosts checked here
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="docklab-host")
        self._in_flight: Counter[int] = Counter()
        self._lock = threading.Lock()

    @property
    def running(self) -> int:
        with self._lock:
            return sum(self._in_flight.values())

    def submit(self, user_id: int, work: Callable[[Deadline], T], seconds: float,
               app: Flask | None = None) -> Job:
        """Start `work(deadline)` on the pool (inside `app`'s context when given), or raise
        AlreadyRunning / Busy at once."""
        with self._lock:
            if self._in_flight[user_id] >= self.per_learner:
                raise AlreadyRunning()
            if sum(self._in_flight.values()) >= self.workers:
                raise Busy()
            self._in_flight[user_id] += 1
        job = Job()
        try:
            job.future = self._pool.submit(self._context(app, job, work, seconds))
        except RuntimeError:  # the pool is shutting down
            self._release(user_id)
            raise Busy() from None
        job.future.add_done_callback(lambda _done: self._release(user_id))
        return job

    @staticmethod
    def _context(app: Flask | None, job: Job, work: Callable[[Deadline], T], seconds: float):
        def run() -> T:
            if app is None:
                return job._run(work, seconds)
            with app.app_context():
                return job._run(work, seconds)
        return run

    def call(self, user_id: int, work: Callable[[Deadline], T], seconds: float,
             wait: float) -> T:
        """Run `work` and wait for it; past `wait` seconds it is cut off and ends as a
        `deadline` HostError (for what a page cannot finish later, like "Test connection")."""
        limit = min(seconds, wait)
        job = self.submit(user_id, work, limit)
        try:
            return job.wait(limit + 1.0)  # the deadline ends the work by itself; this is a net
        except FutureTimeout:
            job.cancel()
            raise HostError("deadline", f"{limit:g}") from None

    def _release(self, user_id: int) -> None:
        with self._lock:
            self._in_flight[user_id] -= 1
            if self._in_flight[user_id] <= 0:
                del self._in_flight[user_id]


def for_app(app: Flask | None = None) -> Outbound:
    """This app's pool, made on first use from its settings."""
    app = app or current_app._get_current_object()
    outbound = app.extensions.get("docklab_outbound")
    if outbound is None:
        with _creating:
            outbound = app.extensions.get("docklab_outbound")
            if outbound is None:
                site = settings.current(app)
                outbound = Outbound(site.check_workers, site.checks_per_learner)
                app.extensions["docklab_outbound"] = outbound
    return outbound


_creating = threading.Lock()
