"""`flask backup` / `flask restore` round trip on the real SQLite file."""
from sqlalchemy import select

from docklab.extensions import db
from docklab.models import User
from tests.support.webapp import create_user


def usernames(app):
    with app.app_context():
        return set(db.session.scalars(select(User.username)))


def test_backup_and_restore_round_trip(app, runner, tmp_path, database_file):
    create_user(app, "before-backup")
    target = tmp_path / "backups" / "docklab-backup.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0

    create_user(app, "after-backup")
    assert usernames(app) == {"before-backup", "after-backup"}
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert usernames(app) == {"before-backup"}


def test_backup_refuses_to_overwrite(app, runner, tmp_path, database_file):
    target = tmp_path / "exists.sqlite3"
    target.write_text("keep me")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code != 0 and "exists already" in result.output
    assert target.read_text() == "keep me"


def test_restore_refuses_a_file_that_is_not_a_backup(app, runner, tmp_path, database_file):
    create_user(app, "still-here")
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    result = runner.invoke(args=["restore", str(bogus), "--yes"])
    assert result.exit_code != 0
    assert usernames(app) == {"still-here"}
