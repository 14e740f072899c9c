"""A sliding-window rate limit kept in the database, shared by every worker process."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from .extensions import db
from .models import RateLimitHit, utcnow


def too_many(key: str, limit: int, window_seconds: int) -> bool:
    """True when `key` already has `limit` hits within the window (the caller then refuses)."""
    since = utcnow() - timedelta(seconds=window_seconds)
    count = db.session.scalar(
        select(func.count()).select_from(RateLimitHit).where(
            RateLimitHit.key == key, RateLimitHit.at >= since
        )
    )
    return (count or 0) >= limit


def recent(key: str, window_seconds: int) -> tuple[int, datetime | None]:
    """How many hits `key` has within the window, and when the latest was (None: no hit)."""
    since = utcnow() - timedelta(seconds=window_seconds)
    count, latest = db.session.execute(
        select(func.count(), func.max(RateLimitHit.at)).where(
            RateLimitHit.key == key, RateLimitHit.at >= since)
    ).one()
    return count or 0, latest


def record(key: str, window_seconds: int) -> None:
    """Count one hit for `key`, dropping this key's hits that left the window."""
    since = utcnow() - timedelta(seconds=window_seconds)
    db.session.execute(delete(RateLimitHit).where(RateLimitHit.key == key, RateLimitHit.at < since))
    db.session.add(RateLimitHit(key=key))
    db.session.commit()


def reset(key: str) -> None:
    db.session.execute(delete(RateLimitHit).where(RateLimitHit.key == key))
    db.session.commit()
