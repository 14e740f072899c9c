"""Every lab check a learner ran (on the server) or reported (from `python -m grader --submit`)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime
from ..extensions import db
from ..models import utcnow
from .display import public_check

SERVER, SELF_REPORTED = "server", "self_reported"
PASSED, FAILED, ERROR = "passed", "failed", "error"
PENDING = "pending"  # still being checked on the outbound pool


class LabAttempt(db.Model):
    __tablename__ = "lab_attempts"
    __table_args__ = (Index("ix_lab_attempts_user_lab", "user_id", "lab_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lab_id: Mapped[str] = mapped_column(String(64), index=True)
    # The host may be deleted later; the attempt keeps what it was graded on as text.
    host_id: Mapped[int | None] = mapped_column(
        ForeignKey("learner_hosts.id", ondelete="SET NULL"))
    host_label: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow,
                                                 index=True)
    status: Mapped[str] = mapped_column(String(16))  # passed | failed | error | pending
    score: Mapped[int] = mapped_column(Integer, default=0)
    max_score: Mapped[int] = mapped_column(Integer, default=0)
    checks: Mapped[list] = mapped_column(JSON, default=list)  # the grader's per-check dicts
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    api_calls: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16), default=SERVER)
    lang: Mapped[str] = mapped_column(String(2), default="ko")
    # What this attempt did to the learner's review queue: {"added": [...]} after a failure
    # (quiz.services.queue_for_failed_lab), {"removed": [question ids]} after a pass.
    review_queue: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))

    @property
    def self_reported(self) -> bool:
        return self.source == SELF_REPORTED

    def to_dict(self, lang: str | None = None) -> dict:
        """The grader's JSON shape plus what docklab knows about the attempt: each check's
        message and hint in `lang` when given and stored in it, else as graded."""
        return {"attempt_id": self.id, "lab": self.lab_id, "status": self.status,
                "score": self.score, "max_score": self.max_score,
                "duration_ms": self.duration_ms, "api_calls": self.api_calls,
                "checks": [public_check(item, lang) for item in self.checks or []],
                "source": self.source,
                "self_reported": self.self_reported,
                "host": self.host_label, "host_id": self.host_id,
                "created_at": self.created_at.isoformat()}
