"""Times: everything is stored in UTC; pages show the site's time zone."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app


def site_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")


def local_day(moment: datetime | None) -> str:
    """YYYY-MM-DD in the site's time zone ("" for none)."""
    if moment is None:
        return ""
    return moment.astimezone(site_zone()).strftime("%Y-%m-%d")
