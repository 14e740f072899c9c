"""Times: everything is stored in UTC; pages show the site's time zone."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything stored is UTC.
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def site_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")


def local_day(moment: datetime | None) -> str:
    """YYYY-MM-DD in the site's time zone ("" for none)."""
    if moment is None:
        return ""
    return aware(moment).astimezone(site_zone()).strftime("%Y-%m-%d")
