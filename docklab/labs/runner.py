"""A check's grading as it runs on the outbound pool (`docklab.hosts.outbound`): the grader within
the pool's deadline, and every way of failing turned into an `error` attempt, never a 500."""
from __future__ import annotations

import grader
from grader.deadline import Deadline
from grader.model import Text
from grader.result import CheckResult, LabResult

GRADER_FAILED = Text("채점 중 내부 오류가 났습니다: {detail}",
                     "The grader failed internally: {detail}")
HOST_SKIPPED = Text("호스트에 접속하지 못해 건너뛰었습니다.",
                    "skipped: the host could not be reached.")


def error_result(lab: grader.Lab, message: str | Text, lang: str,
                 duration_ms: int = 0) -> LabResult:
    """An `error` attempt: the first check carries the reason (in both languages when given as
    a Text), the others are skipped (the grader's own shape for an unreachable host)."""
    checks = []
    for index, spec in enumerate(lab.checks):
        text = message if index == 0 else HOST_SKIPPED
        texts = text if isinstance(text, Text) else None
        checks.append(CheckResult(spec.id, "error" if index == 0 else "skip",
                                  texts.get(lang) if texts else text, spec.hint.get(lang),
                                  spec.points, texts=texts, hints=spec.hint))
    return LabResult(lab=lab.id, status="error", score=0, max_score=lab.max_score,
                     duration_ms=duration_ms, api_calls=0, checks=checks, title=lab.title(lang))


def grade(lab: grader.Lab, spec: grader.HostSpec, lang: str, versions: grader.VersionCache,
          deadline: Deadline) -> LabResult:
    try:
        return grader.grade(lab, spec, lang, versions, deadline)
    except Exception as exc:  # noqa: BLE001 - a grader bug is an error attempt, never a 500
        detail = f"{type(exc).__name__}: {exc}"[:300]
        return error_result(lab, GRADER_FAILED.format(detail=detail), lang)
