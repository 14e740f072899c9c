"""Quiz data: every answer given, quiz runs (one sitting, practice or test), and the FSRS
review state of each learner x question."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime
from ..extensions import db
from ..models import utcnow

PRACTICE = "practice"
TEST = "test"
MODES = (PRACTICE, TEST)


class QuizRun(db.Model):
    """One sitting: a fixed list of questions answered one at a time. Anonymous visitors' runs
    have no user (the session remembers which runs are theirs); a finished test run is the
    learner's recorded test result."""

    __tablename__ = "quiz_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(16), default=PRACTICE)
    kind: Mapped[str] = mapped_column(String(16))  # section, mixed, due, retry
    section_anchor: Mapped[str | None] = mapped_column(String(200))
    retry_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_runs.id", ondelete="SET NULL"))
    question_ids: Mapped[list] = mapped_column(JSON)
    # Aligned with question_ids; None until answered. Kept on the run so a sitting is
    # self-contained for anonymous visitors too.
    given: Mapped[list] = mapped_column(JSON)
    results: Mapped[list] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer, default=0)
    correct_count: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def total(self) -> int:
        return len(self.question_ids)

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def score_percent(self) -> int:
        return round(100 * self.correct_count / self.total) if self.total else 0


class QuizAnswer(db.Model):
    """Every answer a learner gave, as given (JSON), so nothing a learner did is lost."""

    __tablename__ = "quiz_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(120), index=True)
    answer: Mapped[object] = mapped_column(JSON)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow,
                                                  index=True)
    mode: Mapped[str] = mapped_column(String(16), default=PRACTICE)
    source: Mapped[str] = mapped_column(String(16), default="web")  # web, api, anonymous
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_runs.id", ondelete="SET NULL"), index=True)


class ReviewCard(db.Model):
    """FSRS memory state of one question for one learner. The full fsrs.Card is kept as JSON;
    `due` and `stability` are columns so the due queue and mastery are plain queries."""

    __tablename__ = "review_cards"
    __table_args__ = (UniqueConstraint("user_id", "question_id",
                                       name="uq_review_cards_user_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(120))
    card: Mapped[dict] = mapped_column(JSON)
    due: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    stability: Mapped[float | None] = mapped_column(Float)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QuizSettings(db.Model):
    """A learner's quiz preferences. No row = the defaults (questions on retired tools such as
    Docker Machine or Docker Cloud stay out of the review queue and mixed quizzes)."""

    __tablename__ = "quiz_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    include_retired: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow,
                                                 onupdate=utcnow)
