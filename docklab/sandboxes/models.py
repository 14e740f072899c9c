"""One sandbox per learner: which slot (Unix user, loopback address) it has and what state it is in.
The state lives in the database so every worker process sees the same."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime
from ..extensions import db
from ..models import utcnow

# stopped: on disk, not running (new, idle-stopped, or reset); starting / ready: running;
# queued: waiting for capacity; paused: stopped by docklab (over its disk budget) until reset.
STOPPED, STARTING, READY, QUEUED, PAUSED = "stopped", "starting", "ready", "queued", "paused"
RUNNING_STATES = (STARTING, READY)


class Sandbox(db.Model):
    __tablename__ = "sandboxes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    slot: Mapped[int] = mapped_column(Integer, unique=True)
    state: Mapped[str] = mapped_column(String(16), default=STOPPED)
    message: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the learner last asked for it (queue order) and last used it (idle stop).
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
