"""Drill-down: one learner's lab attempts and quiz answers, merged in time order."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..classes import attempts as A
from ..classes import catalog
from ..extensions import db
from .stats import AnswerRow


@dataclass
class Event:
    at: datetime
    kind: str  # "attempt" or "answer"
    attempt: A.AttemptView | None = None
    answer: AnswerRow | None = None
    title: str = ""

    @property
    def question(self):
        return catalog.question(self.answer.question_id) if self.answer else None


def learner_attempts(user_id: int) -> list[A.AttemptView]:
    c = A.cols()
    rows = db.session.scalars(select(c.model).where(c.user_id == user_id)
                              .order_by(c.at, c.id))
    return [A.view(row) for row in rows]


def timeline(user_id: int, answers: list[AnswerRow]) -> list[Event]:
    events = []
    for attempt in learner_attempts(user_id):
        info = catalog.lab(attempt.lab_id)
        events.append(Event(attempt.at, "attempt", attempt=attempt,
                            title=info.item.title if info else attempt.lab_id))
    for answer in answers:
        events.append(Event(answer.at, "answer", answer=answer, title=answer.question_id))
    # stable: equal times keep attempts before answers, each in stored order
    return sorted(events, key=lambda event: event.at)
