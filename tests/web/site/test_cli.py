from sqlalchemy import select

from docklab.extensions import db
from docklab.models import User


def test_users_create_with_password_option(app, runner):
    result = runner.invoke(args=["users", "create", "teacher", "--role", "instructor",
                                 "--password", "s3cret-pass"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "teacher"))
        assert user.role == "instructor" and user.check_password("s3cret-pass")


def test_users_create_reads_password_from_stdin(app, runner):
    result = runner.invoke(args=["users", "create", "piped"], input="from-stdin-pw\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "piped"))
        assert user.check_password("from-stdin-pw")


def test_users_create_refuses_duplicates_and_short_passwords(app, runner):
    create = ["users", "create", "dup", "--password", "long-enough"]
    assert runner.invoke(args=create).exit_code == 0
    assert runner.invoke(args=create).exit_code != 0
    assert runner.invoke(args=["users", "create", "short", "--password", "abc"]).exit_code != 0


def test_setup_creates_first_instructor_once(app, runner):
    first = runner.invoke(args=["setup"])
    assert first.exit_code == 0, first.output
    assert "password:" in first.output
    second = runner.invoke(args=["setup"])
    assert second.exit_code == 0 and "password:" not in second.output
    with app.app_context():
        staff = db.session.scalars(select(User).where(User.role == "admin")).all()
        assert len(staff) == 1
