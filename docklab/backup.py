"""Backups of the database while the app runs. SQLite uses its online backup API, which copies a
consistent snapshot even with writers active; PostgreSQL is backed up with pg_dump (see README)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    pass


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(
            "backup/restore here is for SQLite files; for PostgreSQL use pg_dump / pg_restore"
        )
    return Path(url.database)


def _copy(source: Path, target: Path) -> int:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
    return pages


def backup(database_url: str, target: Path) -> int:
    """Write a consistent copy of the live database to `target`; returns its page count."""
    source = sqlite_path(database_url)
    if not source.exists():
        raise BackupError(f"no database at {source}")
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    return _copy(source, target)


def restore(database_url: str, source: Path) -> int:
    """Replace the live database's contents with the backup at `source` (checked first)."""
    target = sqlite_path(database_url)
    if not source.exists():
        raise BackupError(f"no backup at {source}")
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as check:
        verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master")}
    if verdict != "ok" or "alembic_version" not in tables:
        raise BackupError(f"{source} is not a docklab backup (integrity: {verdict})")
    return _copy(source, target)
