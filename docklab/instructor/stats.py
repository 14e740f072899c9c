"""Question statistics for a class, so weak questions and weak sections stand out.

- attempts: every answer the class gave to the question;
- first try: share of learners whose first answer was right;
- wrong picks: how often each wrong pick was made, over all answers; the question's kind says
  what a pick is (`Kind.wrong_pick_labels`): each wrong choice (choice questions), each wrong
  pair in words (matching, so a distractor shows as the text learners chose), the most frequent
  wrong texts (short answers) or arrangements (ordering);
- discrimination: point-biserial correlation between first-try correctness on the item and the
  learner's total score (share of their first tries that were right, over every question they
  answered). Near 0 or negative: the question does not separate strong from weak learners.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select

from ..classes import catalog
from ..classes.models import ClassMembership, Classroom
from ..content import kind_of
from ..extensions import db
from ..quiz.models import QuizAnswer

WEAK_DISCRIMINATION = 0.2
MIN_LEARNERS_FOR_FLAG = 5


@dataclass
class AnswerRow:
    id: int
    user_id: int
    question_id: str
    answer: object
    correct: bool
    at: datetime


def class_answers(classroom: Classroom, user_id: int | None = None) -> list[AnswerRow]:
    """Quiz answers of the class's learners (of one learner when given), oldest first."""
    query = (select(QuizAnswer.id, QuizAnswer.user_id, QuizAnswer.question_id, QuizAnswer.answer,
                    QuizAnswer.correct, QuizAnswer.answered_at)
             .join(ClassMembership, and_(ClassMembership.user_id == QuizAnswer.user_id,
                                         ClassMembership.class_id == classroom.id)))
    if user_id is not None:
        query = query.where(QuizAnswer.user_id == user_id)
    rows = db.session.execute(query.order_by(QuizAnswer.answered_at, QuizAnswer.id)).all()
    return [AnswerRow(r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in rows]


@dataclass
class Pick:
    label: str  # the choice's text or the wrong answer as typed
    count: int
    share: int  # percent of all answers to the question


@dataclass
class QuestionStat:
    question_id: str
    question: object  # content Question, or None when it left the content
    attempts: int
    learners: int
    first_try_correct: int  # learners right on the first try
    discrimination: float | None
    wrong_picks: list[Pick] = field(default_factory=list)

    @property
    def first_try_percent(self) -> int:
        return round(100 * self.first_try_correct / self.learners) if self.learners else 0

    @property
    def enough_learners(self) -> bool:
        """Discrimination from fewer learners is noise (n=2 gives ±1.00): not shown."""
        return self.learners >= MIN_LEARNERS_FOR_FLAG

    @property
    def shown_discrimination(self) -> float | None:
        return self.discrimination if self.enough_learners else None

    @property
    def flag(self) -> str | None:
        """Why this question deserves a look, or None."""
        if self.learners < MIN_LEARNERS_FOR_FLAG:
            return None
        if self.discrimination is not None and self.discrimination < 0:
            return "negative"
        if self.discrimination is not None and self.discrimination < WEAK_DISCRIMINATION:
            return "weak"
        return None


@dataclass
class SectionStat:
    anchor: str
    title: str
    questions: list[QuestionStat]

    @property
    def attempts(self) -> int:
        return sum(q.attempts for q in self.questions)

    @property
    def first_try_percent(self) -> int:
        learners = sum(q.learners for q in self.questions)
        right = sum(q.first_try_correct for q in self.questions)
        return round(100 * right / learners) if learners else 0

    @property
    def mean_discrimination(self) -> float | None:
        values = [q.shown_discrimination for q in self.questions
                  if q.shown_discrimination is not None]
        return round(sum(values) / len(values), 2) if values else None

    @property
    def flagged(self) -> int:
        return sum(1 for q in self.questions if q.flag)


def point_biserial(correct: list[bool], totals: list[float]) -> float | None:
    """r_pb = (M1 - M0) / s * sqrt(p q), s the population standard deviation of the totals."""
    n = len(correct)
    if n < 2:
        return None
    right = [t for c, t in zip(correct, totals, strict=True) if c]
    wrong = [t for c, t in zip(correct, totals, strict=True) if not c]
    if not right or not wrong:
        return None
    mean = sum(totals) / n
    spread = math.sqrt(sum((t - mean) ** 2 for t in totals) / n)
    if spread == 0:
        return None
    p = len(right) / n
    value = (sum(right) / len(right) - sum(wrong) / len(wrong)) / spread * math.sqrt(p * (1 - p))
    return round(value, 2)


def _wrong_picks(question, answers: list[AnswerRow], lang: str) -> list[Pick]:
    """The question's kind names the wrong picks; the most frequent come first."""
    if question is None or not answers:
        return []
    kind = kind_of(question)
    picks = Counter(kind.wrong_pick_labels(question, answers, lang))
    total = len(answers)
    return [Pick(label, count, round(100 * count / total))
            for label, count in picks.most_common(kind.wrong_picks_shown)]


def question_stats(answers: list[AnswerRow], lang: str = "ko") -> list[SectionStat]:
    """Per question and per note section (notes order), from the class's answers."""
    by_question: dict[str, list[AnswerRow]] = defaultdict(list)
    first: dict[tuple[int, str], bool] = {}
    for answer in answers:
        by_question[answer.question_id].append(answer)
        first.setdefault((answer.user_id, answer.question_id), answer.correct)

    firsts_of: dict[int, list[bool]] = defaultdict(list)
    for (user_id, _qid), correct in first.items():
        firsts_of[user_id].append(correct)
    total_score = {user: sum(values) / len(values) for user, values in firsts_of.items()}

    stats: dict[str, QuestionStat] = {}
    for qid, rows in by_question.items():
        learners = sorted({row.user_id for row in rows})
        outcomes = [first[(user, qid)] for user in learners]
        question = catalog.question(qid)
        stats[qid] = QuestionStat(
            qid, question, attempts=len(rows), learners=len(learners),
            first_try_correct=sum(outcomes),
            discrimination=point_biserial(outcomes, [total_score[u] for u in learners]),
            wrong_picks=_wrong_picks(question, rows, lang))

    sections = []
    for info in catalog.sections():
        own = [stats.pop(qid) for qid in info.question_ids if qid in stats]
        if own:
            sections.append(SectionStat(info.item.ref, info.item.title, own))
    if stats:  # answers to questions that left the content stay visible
        sections.append(SectionStat("", "?", list(stats.values())))
    return sections


# --- mastery over time -------------------------------------------------------------------------
MAX_POINTS = 60


@dataclass
class Series:
    anchor: str
    title: str
    points: list[tuple[datetime, int]]  # (end of bucket, class mean mastery in percent)


def mastery_over_time(answers: list[AnswerRow], anchors: list[str], class_size: int,
                      zone: str = "Asia/Seoul", now: datetime | None = None) -> list[Series]:
    """Class mean mastery per section (share of the section's questions whose latest answer is
    right, averaged over the whole roster) at the end of each day, or each week when the
    answers span more than MAX_POINTS days."""
    infos = [info for info in (catalog.section(anchor) for anchor in anchors) if info]
    section_of = {qid: info.item.ref for info in infos for qid in info.question_ids}
    relevant = [a for a in answers if a.question_id in section_of]
    if not relevant or not class_size:
        return []
    tz = ZoneInfo(zone)
    start = relevant[0].at.astimezone(tz).date()
    end = max((now or relevant[-1].at).astimezone(tz).date(), relevant[-1].at.astimezone(tz).date())
    days = (end - start).days + 1
    step = 1 if days <= MAX_POINTS else 7
    bucket_ends = []
    day = start
    while True:
        bucket_end = datetime(day.year, day.month, day.day, tzinfo=tz) + timedelta(days=step)
        bucket_ends.append(bucket_end)
        if bucket_end.date() > end:
            break
        day = bucket_end.date()

    latest: dict[tuple[int, str], bool] = {}
    known = Counter()  # anchor -> learner x question pairs currently right
    series = {info.item.ref: Series(info.item.ref, info.item.title, []) for info in infos}
    sizes = {info.item.ref: len(info.question_ids) for info in infos}
    index = 0
    for bucket_end in bucket_ends:
        while index < len(relevant) and relevant[index].at < bucket_end:
            answer = relevant[index]
            key = (answer.user_id, answer.question_id)
            anchor = section_of[answer.question_id]
            known[anchor] += int(answer.correct) - int(latest.get(key, False))
            latest[key] = answer.correct
            index += 1
        for anchor, item in series.items():
            item.points.append((bucket_end - timedelta(seconds=1),
                                round(100 * known[anchor] / (sizes[anchor] * class_size))))
    return list(series.values())
