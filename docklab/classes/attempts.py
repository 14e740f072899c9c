"""The labs area's stored attempts, as class progress reads them. The column names of the labs
model are mapped here once, so the board, the to-do lists and the instructor's funnel, timeline
and exports never spell them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from types import SimpleNamespace

from ..labs.models import LabAttempt as Attempt

PASSED = "passed"
FAILED = "failed"
ERROR = "error"
SELF_REPORTED = "self_reported"  # a source: graded in the learner's terminal, not by the server


@cache
def cols() -> SimpleNamespace:
    """The labs model and its columns under the names the progress queries use."""
    return SimpleNamespace(
        model=Attempt, id=Attempt.id, user_id=Attempt.user_id, lab_id=Attempt.lab_id,
        status=Attempt.status, score=Attempt.score, max_score=Attempt.max_score,
        at=Attempt.created_at, checks=Attempt.checks, duration_ms=Attempt.duration_ms,
        source=Attempt.source)


@dataclass(frozen=True)
class CheckResult:
    id: str
    status: str  # pass, fail, error, skip
    message: str
    points: int | None = None


@dataclass(frozen=True)
class AttemptView:
    id: int
    user_id: int
    lab_id: str
    status: str
    score: int
    max_score: int
    at: datetime
    duration_ms: int | None
    source: str
    checks: tuple[CheckResult, ...]

    @property
    def counted(self) -> bool:
        """An `error` (host unreachable) never counts against a learner."""
        return self.status != ERROR

    @property
    def self_reported(self) -> bool:
        return self.source == SELF_REPORTED

    def counted_in(self, self_reports_count: bool) -> bool:
        """Counted in a class: not an error, and not self-reported unless the class counts
        self-reports."""
        return self.counted and (self_reports_count or not self.self_reported)


def parse_checks(raw) -> tuple[CheckResult, ...]:
    if isinstance(raw, dict):
        raw = raw.get("checks", [])
    found = []
    for entry in raw or []:
        if isinstance(entry, dict) and entry.get("id") is not None:
            found.append(CheckResult(str(entry["id"]), str(entry.get("status", "")),
                                     str(entry.get("message") or ""), entry.get("points")))
    return tuple(found)


def view(row) -> AttemptView:
    return AttemptView(id=row.id, user_id=row.user_id, lab_id=row.lab_id, status=row.status,
                       score=row.score or 0, max_score=row.max_score or 0, at=row.created_at,
                       duration_ms=row.duration_ms, source=row.source or "server",
                       checks=parse_checks(row.checks))


def row_values(c: SimpleNamespace, *, user_id: int, lab_id: str, status: str, score: int,
               max_score: int, checks: list[dict], at: datetime, duration_ms: int | None = None,
               source: str = "server") -> dict:
    """Column values for a stored attempt, keyed the labs model's way (seeding in the benchmark
    and the tests goes through this, so they never spell the labs model's names either)."""
    return {c.user_id.key: user_id, c.lab_id.key: lab_id, c.status.key: status,
            c.score.key: score, c.max_score.key: max_score, c.checks.key: checks,
            c.at.key: at, c.duration_ms.key: duration_ms, c.source.key: source}
