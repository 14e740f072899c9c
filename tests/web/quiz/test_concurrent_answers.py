"""Many answers of one learner to one question at the same moment (tabs, a script): every one is
stored and every one counts in the question's review card (no lost update)."""
import threading

from sqlalchemy import select

from docklab.extensions import db
from docklab.quiz.models import QuizAnswer, ReviewCard
from tests.support.webapp import bearer, create_user

ANSWERS = 12


def test_simultaneous_answers_all_count(app):
    user_id = create_user(app, "many-tabs")
    headers = bearer(app, user_id)
    start, statuses = threading.Barrier(ANSWERS), []

    def answer(correct: bool) -> None:
        client = app.test_client()
        start.wait()
        response = client.post("/api/v1/questions/client-what/answer", headers=headers,
                               json={"answer": "api-caller" if correct else "registry"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=answer, args=(n % 2 == 0,)) for n in range(ANSWERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * ANSWERS
    with app.app_context():
        stored = db.session.scalar(select(db.func.count()).select_from(QuizAnswer)
                                   .where(QuizAnswer.user_id == user_id))
        card = db.session.scalar(select(ReviewCard).where(ReviewCard.user_id == user_id))
    assert stored == ANSWERS
    assert card.reviews == ANSWERS
