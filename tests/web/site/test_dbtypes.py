"""One datetime column type (`docklab.dbtypes.UTCDateTime`): whatever zone a time is written in,
it is stored as UTC and read back aware in UTC, on SQLite as on PostgreSQL
(DOCKLAB_TEST_DATABASE=postgresql runs this file there)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import func, select, text

from docklab.extensions import db
from docklab.models import RateLimitHit

SEOUL = timezone(timedelta(hours=9))


def test_a_time_reads_back_aware_in_utc_whatever_zone_it_was_written_in(app):
    written = datetime(2026, 12, 6, 18, 30, tzinfo=SEOUL)
    with app.app_context():
        db.session.add_all([RateLimitHit(key="seoul", at=written),
                            RateLimitHit(key="naive", at=datetime(2026, 12, 6, 9, 45))])
        db.session.commit()
        db.session.expunge_all()  # read from the database, not the objects just written
        read = {row.key: row.at for row in db.session.scalars(select(RateLimitHit))}
        latest = db.session.scalar(select(func.max(RateLimitHit.at)))
    assert read["seoul"] == written
    assert (read["seoul"].tzinfo, read["seoul"].hour) == (UTC, 9)
    assert read["naive"] == datetime(2026, 12, 6, 9, 45, tzinfo=UTC)  # naive is taken as UTC
    assert latest == datetime(2026, 12, 6, 9, 45, tzinfo=UTC) and latest.tzinfo == UTC


def test_a_comparison_in_sql_uses_the_instant_not_the_wall_clock(app):
    """On SQLite times are text: a bound value in another zone must be converted to UTC first,
    or 18:00+09:00 would sort after 09:30 UTC."""
    with app.app_context():
        db.session.add(RateLimitHit(key="k", at=datetime(2026, 12, 6, 9, 30, tzinfo=UTC)))
        db.session.commit()
        since = datetime(2026, 12, 6, 18, 0, tzinfo=SEOUL)  # 09:00 UTC
        later = datetime(2026, 12, 6, 18, 31, tzinfo=SEOUL)  # 09:31 UTC
        assert db.session.scalar(select(func.count()).where(RateLimitHit.at >= since)) == 1
        assert db.session.scalar(select(func.count()).where(RateLimitHit.at >= later)) == 0


def test_sqlite_keeps_storing_the_naive_utc_text_it_always_stored(app):
    """So no migration or data rewrite comes with the type."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            assert db.engine.dialect.name == "postgresql"
            stored = db.session.execute(text("SELECT data_type FROM information_schema.columns "
                                             "WHERE table_name = 'rate_limit_hits' "
                                             "AND column_name = 'at'")).scalar()
            assert stored == "timestamp with time zone"
            return
        db.session.add(RateLimitHit(key="k", at=datetime(2026, 12, 6, 18, 30, tzinfo=SEOUL)))
        db.session.commit()
        stored = db.session.execute(text("SELECT at FROM rate_limit_hits")).scalar()
    assert stored == "2026-12-06 09:30:00.000000"


def test_a_generated_migration_writes_the_plain_column_type():
    """`flask db migrate` renders a new UTCDateTime column as sa.DateTime(timezone=True), so a
    migration never imports docklab (migrations/env.py installs the hook)."""
    from alembic.autogenerate import render_python_code
    from alembic.operations import ops
    from sqlalchemy import Column

    from docklab.dbtypes import UTCDateTime, render_item

    upgrade = ops.UpgradeOps(ops=[ops.AddColumnOp("rate_limit_hits",
                                                  Column("seen_at", UTCDateTime()))])
    code = render_python_code(upgrade, render_item=render_item)
    assert "sa.DateTime(timezone=True)" in code and "UTCDateTime" not in code
