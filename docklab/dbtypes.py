"""Column types every area's models share.

`UTCDateTime` is the one datetime column type: every time docklab stores is UTC, and every time
it reads back is an aware UTC datetime, on SQLite as on PostgreSQL. Without it SQLite hands back
naive datetimes (it has no time zone type), and each reader had to patch them.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """`DateTime(timezone=True)` in the database (so the schema and the migrations are
    unchanged), aware UTC in Python.

    Written: an aware value is converted to UTC; a naive one is taken to be UTC already (what
    SQLite returned before this type, and what old code may still pass). PostgreSQL gets the
    aware value (`timestamp with time zone`, never read in the session's zone); SQLite gets the
    naive UTC value, the text it has always stored. Read: UTC, aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment if dialect.name == "postgresql" else moment.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def render_item(kind: str, item: Any, _context: Any) -> str | bool:
    """Alembic's `render_item` hook (migrations/env.py): a UTCDateTime column is written into a
    generated migration as the `sa.DateTime(timezone=True)` it is in the database, so migrations
    never import docklab. False: Alembic renders everything else itself."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
