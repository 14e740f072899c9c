"""Per-lab view: how the class moves through the lab's checks, and its most common mistake.

Only counted attempts (passed or failed) move a learner through the funnel; attempts that ended
in `error` (the host was unreachable) are listed apart and never count against anyone.
Self-reported attempts count only in a class that counts self-reports."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from statistics import median

from sqlalchemy import and_, select

from ..classes import attempts as A
from ..classes.catalog import LabInfo
from ..classes.models import ClassMembership, Classroom
from ..extensions import db


@dataclass
class CheckStep:
    check_id: str
    passed: int  # learners who passed this check in at least one counted attempt
    class_size: int
    median_minutes: float | None  # first counted attempt -> first attempt passing this check
    median_attempts: float | None  # counted attempts up to and including that one
    near_miss: str | None  # most common failure message of this check
    near_miss_count: int = 0  # attempts that failed with it
    near_miss_learners: int = 0

    @property
    def share(self) -> int:
        return round(100 * self.passed / self.class_size) if self.class_size else 0


@dataclass
class Funnel:
    lab: LabInfo
    class_size: int
    started: int  # learners with at least one counted attempt
    passed: int  # learners with a passed attempt
    counted_attempts: int
    error_attempts: list[A.AttemptView]
    steps: list[CheckStep]
    self_reports_count: bool = False  # the class's setting
    self_reported: int = 0  # learners with a self-reported pass and no server-checked one


def class_attempts(classroom: Classroom, lab_id: str | None = None) -> list[A.AttemptView]:
    """Every attempt of the class's learners (on one lab when given), oldest first."""
    c = A.cols()
    query = (select(c.model).join(ClassMembership, and_(
        ClassMembership.user_id == c.user_id, ClassMembership.class_id == classroom.id)))
    if lab_id is not None:
        query = query.where(c.lab_id == lab_id)
    return [A.view(row) for row in db.session.scalars(query.order_by(c.at, c.id))]


def _median(values: list[float]) -> float | None:
    return round(float(median(values)), 1) if values else None


def build_funnel(classroom: Classroom, lab: LabInfo, class_size: int) -> Funnel:
    rows = class_attempts(classroom, lab.item.ref)
    count_self = classroom.self_reports_count
    by_learner: dict[int, list[A.AttemptView]] = defaultdict(list)
    self_passed, server_passed = set(), set()
    for attempt in rows:
        if attempt.counted_in(count_self):
            by_learner[attempt.user_id].append(attempt)
        if attempt.status == A.PASSED:
            (self_passed if attempt.self_reported else server_passed).add(attempt.user_id)

    steps = []
    for check_id in lab.checks:
        minutes, tries = [], []
        messages: Counter[str] = Counter()
        learners_with: dict[str, set[int]] = defaultdict(set)
        for user_id, own in by_learner.items():
            first_at = own[0].at
            for index, attempt in enumerate(own, start=1):
                result = next((c for c in attempt.checks if c.id == check_id), None)
                if result is None:
                    continue
                if result.status == "pass":
                    minutes.append((attempt.at - first_at).total_seconds() / 60)
                    tries.append(index)
                    break
                if result.status == "fail" and result.message:
                    messages[result.message] += 1
                    learners_with[result.message].add(user_id)
        common = messages.most_common(1)
        message, count = common[0] if common else (None, 0)
        steps.append(CheckStep(
            check_id, passed=len(tries), class_size=class_size,
            median_minutes=_median(minutes), median_attempts=_median(tries),
            near_miss=message, near_miss_count=count,
            near_miss_learners=len(learners_with[message]) if message else 0))

    return Funnel(
        lab=lab, class_size=class_size, started=len(by_learner),
        passed=sum(1 for own in by_learner.values() if any(a.status == A.PASSED for a in own)),
        counted_attempts=sum(len(own) for own in by_learner.values()),
        error_attempts=[attempt for attempt in rows if not attempt.counted],
        steps=steps, self_reports_count=count_self, self_reported=len(self_passed - server_passed))
