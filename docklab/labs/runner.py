"""Grading with a hard deadline on a bounded pool of threads.

Each call to a learner's host has its own timeout, but a run makes several; the deadline bounds
the whole run so a page or API call never waits longer than DOCKLAB_CHECK_DEADLINE seconds. A slow
host occupies one pool thread until its own timeouts end, never a web worker's request."""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import grader
from grader.model import Text
from grader.result import CheckResult, LabResult

# Negotiated Engine API versions of the hosts this process has checked (see grader.hosts).
_versions = grader.VersionCache()
_pool = ThreadPoolExecutor(max_workers=int(os.environ.get("DOCKLAB_CHECK_WORKERS", "8")),
                           thread_name_prefix="docklab-check")

OVER_DEADLINE = Text("{seconds}초 안에 채점을 마치지 못했습니다. 호스트가 너무 느리거나 응답하지 "
                     "않습니다. 잠시 뒤 다시 시도하세요.",
                     "The check did not finish within {seconds} s: the host is too slow or does "
                     "not answer. Try again in a moment.")
GRADER_FAILED = Text("채점 중 내부 오류가 났습니다: {detail}",
                     "The grader failed internally: {detail}")
HOST_SKIPPED = Text("호스트에 접속하지 못해 건너뛰었습니다.",
                    "skipped: the host could not be reached.")


def error_result(lab: grader.Lab, message: str, lang: str, duration_ms: int = 0) -> LabResult:
    """An `error` attempt: the first check carries the reason, the others are skipped (the
    grader's own shape for an unreachable host)."""
    checks = []
    for index, spec in enumerate(lab.checks):
        status, text = ("error", message) if index == 0 else ("skip", HOST_SKIPPED.get(lang))
        checks.append(CheckResult(spec.id, status, text, spec.hint.get(lang), spec.points))
    return LabResult(lab=lab.id, status="error", score=0, max_score=lab.max_score,
                     duration_ms=duration_ms, api_calls=0, checks=checks, title=lab.title(lang))


def grade_with_deadline(lab: grader.Lab, spec: grader.HostSpec, lang: str,
                        deadline: float) -> LabResult:
    started = time.monotonic()
    future = _pool.submit(grader.grade, lab, spec, lang, _versions)
    try:
        return future.result(timeout=deadline)
    except FutureTimeout:
        future.cancel()
        elapsed = int((time.monotonic() - started) * 1000)
        return error_result(lab, OVER_DEADLINE.format(seconds=f"{deadline:g}").get(lang), lang,
                            elapsed)
    except Exception as exc:  # noqa: BLE001 - a grader bug is an error attempt, never a 500
        elapsed = int((time.monotonic() - started) * 1000)
        detail = f"{type(exc).__name__}: {exc}"[:300]
        return error_result(lab, GRADER_FAILED.format(detail=detail).get(lang), lang, elapsed)
