"""The database is busy (another writer holds the SQLite lock): writes wait, none is lost."""
import sqlite3
import threading
import time

from sqlalchemy import func, select

from docklab.extensions import db
from docklab.models import ApiToken, User
from docklab.quiz.models import QuizAnswer
from tests.support.webapp import create_user
from tests.web.quiz.quiz_answers import real_bank, right_answer


def test_answers_wait_for_a_locked_database_and_are_all_stored(app, database_file):
    user_id = create_user(app, "busy-learner")
    with app.app_context():
        user = db.session.get(User, user_id)
        _token, plain = ApiToken.issue(user)
        db.session.commit()
    questions = real_bank().questions[:4]

    locked, release = threading.Event(), threading.Event()

    def hold_the_write_lock():
        other = sqlite3.connect(database_file, timeout=30)
        other.execute("BEGIN IMMEDIATE")  # a writer that keeps the lock for a while
        locked.set()
        release.wait(10)
        other.rollback()
        other.close()

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    locked.wait(5)
    timer = threading.Timer(1.5, release.set)
    timer.start()
    started = time.monotonic()
    client = app.test_client()
    statuses = [client.post(f"/api/v1/questions/{q.id}/answer",
                            json={"answer": right_answer(q)},
                            headers={"Authorization": f"Bearer {plain}"}).status_code
                for q in questions]
    waited = time.monotonic() - started
    holder.join()
    assert statuses == [200] * len(questions)
    assert waited >= 1.0  # the first write really waited for the lock
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(QuizAnswer).where(
            QuizAnswer.user_id == user_id))
    assert stored == len(questions)
