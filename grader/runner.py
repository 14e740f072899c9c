"""Grade labs against a host: one connection, one snapshot, every check in order."""
from __future__ import annotations

import time
from collections.abc import Callable

from .checks import ERROR, PASS, REGISTRY, SKIP
from .deadline import Deadline
from .hosts import HostError, HostSpec, VersionCache, connect
from .model import CheckSpec, CheckStatus, Lab, Text
from .result import ERRORED, CheckResult, LabResult, lab_status, printable
from .snapshot import Snapshot

SKIPPED = Text("앞선 확인이 통과하지 않아 건너뛰었습니다: {needs}.",
               "skipped: {needs} did not pass.")
HOST_SKIPPED = Text("호스트에 접속하지 못해 건너뛰었습니다.",
                    "skipped: the host could not be reached.")


def grade(lab_or_labs: Lab | list[Lab], spec: HostSpec, lang: str = "ko",
          versions: VersionCache | None = None,
          deadline: float | Deadline | None = None) -> LabResult | list[LabResult]:
    """One lab → its result; a list of labs → a list, over one connection and one snapshot.
    A long-running service passes one `VersionCache` to skip re-negotiating with known hosts."""
    if isinstance(lab_or_labs, Lab):
        return grade_many([lab_or_labs], spec, lang, versions, deadline)[0]
    return grade_many(list(lab_or_labs), spec, lang, versions, deadline)


def grade_many(labs: list[Lab], spec: HostSpec, lang: str = "ko",
               versions: VersionCache | None = None,
               deadline: float | Deadline | None = None) -> list[LabResult]:
    """Grade several labs over one connection and one snapshot of the host, within `deadline`
    seconds from now (default `spec.total_timeout`; or a `Deadline` the caller armed): a host
    that answers too slowly ends as an `error`, and its sockets are cut then, so the calling
    thread is free again on time."""
    if isinstance(deadline, Deadline):
        return _grade_many(labs, spec, lang, versions, deadline)
    with Deadline(spec.total_timeout if deadline is None else deadline) as limit:
        return _grade_many(labs, spec, lang, versions, limit)


def _grade_many(labs: list[Lab], spec: HostSpec, lang: str, versions: VersionCache | None,
                limit: Deadline) -> list[LabResult]:
    started = time.monotonic()
    try:
        with connect(spec, versions, limit) as connection:
            snapshot = Snapshot(connection)
            results, calls_before = [], 0
            for lab in labs:
                result = _grade_lab(lab, snapshot, lang, started)
                result.api_calls = connection.api_calls - calls_before
                calls_before = connection.api_calls
                results.append(result)
                started = time.monotonic()
            if snapshot.failure is not None and versions is not None:
                versions.forget(spec.url)  # negotiate afresh next time
            return results
    except HostError as error:
        elapsed = int((time.monotonic() - started) * 1000)
        return [_host_error(lab, error, lang, elapsed) for lab in labs]


def grade_snapshot(lab: Lab, snapshot: Snapshot, lang: str = "ko") -> LabResult:
    """Grade one lab on a snapshot already made (e.g. of results uploaded by the own-machine
    client, `grader.sources`): the same checks, in the same order, as on a live engine."""
    return _grade_lab(lab, snapshot, lang, time.monotonic())


def _grade_lab(lab: Lab, snapshot: Snapshot, lang: str, started: float) -> LabResult:
    statuses: dict[str, CheckStatus] = {}
    checks = []
    for spec in lab.checks:
        blocked = [need for need in spec.needs if statuses.get(need) != PASS]
        if blocked:
            status, text = SKIP, _skipped(lab, blocked)
        else:
            try:
                outcome = REGISTRY[spec.kind](spec.params).run(snapshot)
                status, text = outcome.status, outcome.message
            except HostError as error:
                status, text = ERROR, both(error.message)
            except Exception as exc:  # noqa: BLE001 - a hostile or broken engine must not crash us
                status, text = ERROR, both(snapshot.connection.classify(exc).message)
        statuses[spec.id] = status
        checks.append(_result(spec, status, text, lang))
    return LabResult(
        lab=lab.id, status=lab_status(checks),
        score=sum(c.points for c in checks if c.status == PASS), max_score=lab.max_score,
        duration_ms=int((time.monotonic() - started) * 1000), api_calls=0, checks=checks,
        title=lab.title(lang))


def both(message: Callable[[str], str]) -> Text:
    """A message method taking a language (`HostError.message`) as a Text in both languages."""
    return Text(message("ko"), message("en"))


def _skipped(lab: Lab, blocked: list[str]) -> Text:
    """Name the checks that must pass first by their titles when they have them."""
    def names(lang: str) -> str:
        titles = [lab.check(need).title for need in blocked]
        return ", ".join(f"“{title.get(lang)}”" if title else f"`{need}`"
                         for need, title in zip(blocked, titles, strict=True))
    return Text(SKIPPED.ko.format(needs=names("ko")), SKIPPED.en.format(needs=names("en")))


def _result(spec: CheckSpec, status: CheckStatus, text: Text, lang: str) -> CheckResult:
    """One check's result in the grading language, carrying the message and hint in both
    (a page can show an attempt in its reader's language)."""
    text = Text(printable(text.ko), printable(text.en))
    return CheckResult(spec.id, status, text.get(lang), spec.hint.get(lang), spec.points,
                       texts=text, hints=spec.hint)


def _host_error(lab: Lab, error: HostError, lang: str, elapsed: int) -> LabResult:
    """The host could not be read: the first check carries the reason, the rest are skipped."""
    checks = []
    for index, spec in enumerate(lab.checks):
        status, text = (ERROR, both(error.message)) if index == 0 else (SKIP, HOST_SKIPPED)
        checks.append(_result(spec, status, text, lang))
    return LabResult(lab=lab.id, status=ERRORED, score=0, max_score=lab.max_score,
                     duration_ms=elapsed, api_calls=0, checks=checks, title=lab.title(lang))
