"""Checking labs and keeping every attempt.

Other areas call:
- `run_check(user_id, lab, host_id, lang)` -> (LabAttempt, LabResult | None): grade and store
  (None: still running on the outbound pool; the attempt is `pending` until it finishes);
- `store_self_reported(user_id, lab, result, label)` -> LabAttempt: store what an own-machine
  upload was graded as (docklab never saw that engine);
- `progress(user_id)` -> list[LabProgress]; `attempts_of(user_id, lab_id=None)`;
- `attempt_of(user_id, attempt_id)` (None when not theirs).
"""
from __future__ import annotations

import threading
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

import grader

from .. import ratelimit, settings
from ..crypto import SecretUnreadable
from ..errors import DocklabError
from ..extensions import db
from ..hosts import outbound
from ..hosts import services as hosts
from ..hosts.policy import HostRefused
from ..i18n import N_
from ..models import utcnow
from ..quiz import services as quiz
from ..sandboxes import services as sandboxes
from . import catalog, runner
from .models import ERROR, FAILED, PASSED, PENDING, SELF_REPORTED, SERVER, LabAttempt

MAX_MESSAGE = 2000

SANDBOX = "sandbox"


class RateLimited(DocklabError):
    """Too many checks by one learner within DOCKLAB_CHECK_WINDOW seconds (429)."""

    status = 429
    code = "rate_limited"
    MESSAGES = {"rate_limited": N_("Too many checks in a short time. You can check again in "
                                   "%(window)s s at the latest.")}

    def __init__(self, window: int) -> None:
        super().__init__(details={"retry_after": window}, window=window)
        self.window = window


class UnknownHost(DocklabError, LookupError):
    """A host id that is not this learner's (404, the same as one that does not exist)."""

    status = 404
    code = "not_found"
    MESSAGES = {"not_found": N_("No host with id %(host_id)s.")}

    def __init__(self, host_id: int) -> None:
        super().__init__(host_id=host_id)


def _limit(key: str) -> None:
    site = settings.current()
    limit, window = site.check_limit, site.check_window
    if ratelimit.too_many(key, limit, window):
        raise RateLimited(window)
    ratelimit.record(key, window)


def run_check(user_id: int, lab: grader.Lab, host_id: int | None, lang: str = "ko",
              target: str | None = None) -> tuple[LabAttempt, grader.LabResult | None]:
    """Grade `lab` on the learner's chosen host (else their default, else the local engine) and
    store the attempt. A host that cannot be used is an `error` attempt, never an exception.

    The grading runs on the outbound pool (`hosts.outbound`). When it takes longer than
    DOCKLAB_REQUEST_WAIT seconds the attempt comes back `pending` with no result, and the pool
    completes it: the caller answers 202 and the page polls the attempt. Raises RateLimited,
    outbound.Busy or outbound.AlreadyRunning before anything is stored."""
    # The sandbox when asked for, or when the learner names no host and has one running.
    if target == SANDBOX or (target is None and host_id is None):
        _limit(f"lab-check:{user_id}")
        connection = sandboxes.connection_for(user_id)
        if connection is not None:
            return _grade_on_pool(user_id, lab, connection, lang)
        if target == SANDBOX:
            result = runner.error_result(lab, runner.NotChecked("no_sandbox"), lang)
            return _store(user_id, lab, result, SERVER, None, "sandbox", lang), result
        return _check_host(user_id, lab, hosts.default_host(user_id), lang)
    host = hosts.host_of(user_id, host_id) if host_id is not None else hosts.default_host(user_id)
    if host_id is not None and host is None:
        raise UnknownHost(host_id)
    _limit(f"lab-check:{user_id}")
    return _check_host(user_id, lab, host, lang)


def _check_host(user_id: int, lab: grader.Lab, host, lang: str):
    """A registered host, or the local engine when `host` is None."""
    label, stored_host_id = (host.label, host.id) if host else ("", None)
    try:
        connection = hosts.connection_for(user_id, host)
    except (HostRefused, hosts.NoHost, hosts.RegistrationError, SecretUnreadable) as problem:
        result = runner.error_result(lab, problem, lang)
    else:
        return _grade_on_pool(user_id, lab, connection, lang)
    attempt = _store(user_id, lab, result, SERVER, stored_host_id, label, lang)
    return attempt, result


def _grade_on_pool(user_id: int, lab: grader.Lab, connection: hosts.Connection,
                   lang: str) -> tuple[LabAttempt, grader.LabResult | None]:
    pool = outbound.for_app()
    handoff = _Handoff()
    hosts.release_session()  # no transaction is open while the host is read

    def work(deadline):
        result = runner.grade(lab, connection.spec, lang, pool.versions, deadline)
        pending_id = handoff.finish(result)
        if pending_id is not None:  # the request stopped waiting: complete its pending row
            _complete(pending_id, lab, result)
        return result

    # A whole check never takes longer than DOCKLAB_CHECK_DEADLINE, counted from when it starts
    # on the outbound pool; this request waits DOCKLAB_REQUEST_WAIT for it, then answers `pending`.
    site = settings.current()
    job = pool.submit(user_id, work, site.check_deadline, current_app._get_current_object())
    try:
        result = job.wait(site.request_wait)
    except FutureTimeout:
        attempt = LabAttempt(user_id=user_id, lab_id=lab.id, host_id=connection.host_id,
                             host_label=connection.label[:400], status=PENDING, score=0,
                             max_score=lab.max_score, checks=[], source=SERVER, lang=lang)
        db.session.add(attempt)
        db.session.commit()
        result = handoff.claim(attempt.id)
        if result is None:
            return attempt, None  # the pool fills it in; the caller answers 202
        _complete(attempt.id, lab, result)  # it finished while the row was being written
        return db.session.get(LabAttempt, attempt.id), result
    attempt = _store(user_id, lab, result, SERVER, connection.host_id, connection.label, lang)
    return attempt, result


class _Handoff:
    """Who stores a check's result: the request, when the result comes while it still waits
    (one insert, the usual case); else the pool's thread, into the pending row the request
    wrote. Whichever of the two comes second writes it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._result: grader.LabResult | None = None
        self._pending_id: int | None = None

    def finish(self, result: grader.LabResult) -> int | None:
        """The pool's side: the pending row to complete, if the request already left one."""
        with self._lock:
            self._result = result
            return self._pending_id

    def claim(self, pending_id: int) -> grader.LabResult | None:
        """The request's side, after writing a pending row: the result if it is already here
        (then the request completes the row), else None (the pool will)."""
        with self._lock:
            if self._result is None:
                self._pending_id = pending_id
            return self._result


def _complete(attempt_id: int, lab: grader.Lab, result: grader.LabResult) -> None:
    """Fill in a pending attempt (on the pool's thread, in the app's context)."""
    attempt = db.session.get(LabAttempt, attempt_id)
    if attempt is None:  # the learner's account was deleted meanwhile
        return
    _fill(attempt, result)
    db.session.commit()
    _update_review_queue(attempt, lab)


def _fill(attempt: LabAttempt, result: grader.LabResult) -> None:
    attempt.status, attempt.score = result.status, result.score
    attempt.max_score, attempt.duration_ms = result.max_score, result.duration_ms
    attempt.api_calls = result.api_calls
    attempt.checks = [stored_check(check) for check in result.checks]


def stored_check(check: grader.CheckResult) -> dict:
    """The grader's dict plus the message and hint in both languages when the grader made them,
    so the attempt reads in each reader's language (`display.check_message`)."""
    item = check.to_dict()
    if check.texts is not None:
        item["messages"] = {"ko": check.texts.ko[:MAX_MESSAGE], "en": check.texts.en[:MAX_MESSAGE]}
    if check.hints is not None:
        item["hints"] = {"ko": check.hints.ko, "en": check.hints.en}
    return item


def _store(user_id: int, lab: grader.Lab, result: grader.LabResult, source: str,
           host_id: int | None, label: str, lang: str) -> LabAttempt:
    attempt = LabAttempt(user_id=user_id, lab_id=lab.id, host_id=host_id, host_label=label[:400],
                         source=source, lang=lang)
    _fill(attempt, result)
    db.session.add(attempt)
    db.session.commit()
    _update_review_queue(attempt, lab)
    return attempt


def review_cap() -> int:
    """How many questions of its section one failed lab may have in the review queue at once."""
    return settings.current().lab_review_cap


def _update_review_queue(attempt: LabAttempt, lab: grader.Lab) -> None:
    """A failed lab brings a few questions of its note section back for review (capped, and
    recorded on the attempt so its page says which); passing it takes back those not answered
    since. The quiz area does the work; the attempt is already stored, so a problem there
    never loses it."""
    if attempt.status not in (FAILED, PASSED) or not lab.section:
        return
    try:
        if attempt.status == FAILED:
            added = quiz.queue_for_failed_lab(attempt.user_id, lab.section, review_cap())
            attempt.review_queue = {"added": added} if added else None
        else:
            attempt.review_queue = _take_back(attempt)
        db.session.commit()
    except Exception:  # noqa: BLE001 - logged; the attempt itself is safe
        db.session.rollback()
        current_app.logger.exception("review queue update failed for lab %r", lab.id)


def _take_back(passed: LabAttempt) -> dict | None:
    """Undo what this learner's earlier failed attempts of the lab added to the queue (each
    once: they are marked `undone`)."""
    earlier = [attempt for attempt in db.session.scalars(select(LabAttempt).where(
        LabAttempt.user_id == passed.user_id, LabAttempt.lab_id == passed.lab_id,
        LabAttempt.id != passed.id, LabAttempt.review_queue.is_not(None)))
        if (attempt.review_queue or {}).get("added") and not attempt.review_queue.get("undone")]
    if not earlier:
        return None
    removed = quiz.unqueue_after_pass(
        passed.user_id, [entry for attempt in earlier for entry in attempt.review_queue["added"]])
    for attempt in earlier:
        attempt.review_queue = {**attempt.review_queue, "undone": True}
    return {"removed": removed} if removed else None


# --- self-reported results (the own-machine upload, own_machine.py) -------------------------
def store_self_reported(user_id: int, lab: grader.Lab, result: grader.LabResult, label: str,
                        lang: str = "ko") -> LabAttempt:
    """Store a result graded from what the learner's machine reported (the own-machine path)."""
    _limit(f"lab-report:{user_id}")
    return _store(user_id, lab, result, SELF_REPORTED, None, label, lang)


# --- reading attempts ----------------------------------------------------------------------------
def attempt_of(user_id: int, attempt_id: int) -> LabAttempt | None:
    attempt = db.session.get(LabAttempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        return None
    if attempt.status == PENDING and _stale(attempt):
        # Its process ended (a restart, a crash) before the check finished: say so.
        lab = catalog.lab(attempt.lab_id)
        if lab is not None:
            _fill(attempt, runner.error_result(lab, runner.NotChecked("interrupted"),
                                               attempt.lang))
            db.session.commit()
    return attempt


def _stale(attempt: LabAttempt) -> bool:
    age = (utcnow() - attempt.created_at).total_seconds()
    site = settings.current()
    return age > site.check_deadline + site.request_wait + 60


def attempts_of(user_id: int, lab_id: str | None = None, limit: int = 500) -> list[LabAttempt]:
    """Newest first."""
    query = select(LabAttempt).where(LabAttempt.user_id == user_id)
    if lab_id is not None:
        query = query.where(LabAttempt.lab_id == lab_id)
    return list(db.session.scalars(query.order_by(LabAttempt.created_at.desc(),
                                                  LabAttempt.id.desc()).limit(limit)))


@dataclass
class LabProgress:
    lab: grader.Lab
    best: LabAttempt | None = None  # errors never count: best of passed/failed attempts
    latest: LabAttempt | None = None
    attempts: int = 0

    @property
    def passed(self) -> bool:
        return self.best is not None and self.best.status == PASSED

    @property
    def self_reported(self) -> bool:
        """The best result was reported from a terminal, not checked by the server (a class
        counts it as passed only when its instructor allows self-reports)."""
        return self.best is not None and self.best.self_reported

    def to_dict(self, lang: str = "ko") -> dict:
        return {"lab": self.lab.id, "title": self.lab.title(lang), "section": self.lab.section,
                "max_score": self.lab.max_score, "attempts": self.attempts,
                "passed": self.passed, "self_reported": self.self_reported,
                "best": self.best.to_dict() if self.best else None,
                "latest": self.latest.to_dict() if self.latest else None}


def _better(candidate: LabAttempt, best: LabAttempt | None) -> bool:
    """Higher score wins; at equal score a pass, then a server-side check wins; then the later."""
    if best is None:
        return True
    rank = (candidate.score, candidate.status == PASSED, candidate.source == SERVER)
    return rank >= (best.score, best.status == PASSED, best.source == SERVER)


def progress(user_id: int, labs: dict[str, grader.Lab]) -> list[LabProgress]:
    """Best and latest attempt per lab, in the labs' order, from one query."""
    found = {lab_id: LabProgress(lab) for lab_id, lab in labs.items()}
    rows = db.session.scalars(select(LabAttempt).where(LabAttempt.user_id == user_id)
                              .order_by(LabAttempt.created_at, LabAttempt.id))
    for attempt in rows:
        item = found.get(attempt.lab_id)
        if item is None:  # a lab no longer served
            continue
        item.attempts += 1
        item.latest = attempt
        if attempt.status != ERROR and _better(attempt, item.best):
            item.best = attempt
    return list(found.values())


__all__ = ["ERROR", "FAILED", "PASSED", "SELF_REPORTED", "SERVER", "LabProgress", "RateLimited",
           "UnknownHost", "attempt_of", "attempts_of", "progress", "run_check",
           "store_self_reported"]
