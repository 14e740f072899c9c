"""A check's grading as it runs on the outbound pool (`docklab.hosts.outbound`): the grader within
the pool's deadline, and every way of failing turned into an `error` attempt, never a 500."""
from __future__ import annotations

import grader
from grader.deadline import Deadline
from grader.model import Text
from grader.result import CheckResult, LabResult

from ..errors import DocklabError
from ..i18n import N_


class NotChecked(DocklabError):
    """Why a lab's checks did not run: the first check of an `error` attempt carries the
    reason, the others are `host_skipped`. Never raised to a page: it is stored, in both
    languages, on the attempt."""

    status = 500
    STATUSES = {"no_sandbox": 409, "host_skipped": 502}
    MESSAGES = {
        "no_sandbox": N_("Your sandbox is not running. Start it on the lab page, then check "
                         "again."),
        "interrupted": N_("The check was interrupted by a server restart. Check again."),
        "grader_failed": N_("The grader failed internally: %(detail)s"),
        "host_skipped": N_("skipped: the host could not be reached."),
    }


def both_languages(reason: DocklabError) -> Text:
    """The reason as the grader's bilingual Text, for an attempt read later in either language."""
    return Text(reason.message("ko"), reason.message("en"))


def error_result(lab: grader.Lab, message: str | Text | DocklabError, lang: str,
                 duration_ms: int = 0) -> LabResult:
    """An `error` attempt: the first check carries the reason (in both languages when given as
    a Text or a DocklabError), the others are skipped (the grader's own shape for an unreachable
    host)."""
    if isinstance(message, DocklabError):
        message = both_languages(message)
    skipped = both_languages(NotChecked("host_skipped")) if len(lab.checks) > 1 else None
    checks = []
    for index, spec in enumerate(lab.checks):
        text = message if index == 0 else skipped
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
        return error_result(lab, NotChecked("grader_failed", detail=detail), lang)
