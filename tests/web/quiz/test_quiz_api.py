"""JSON API for quizzes: contract, errors, and that answers are stored and scheduled."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from docklab.extensions import db
from docklab.models import ApiToken, User
from docklab.quiz.models import QuizAnswer, ReviewCard
from tests.support.webapp import create_user
from tests.web.quiz.quiz_answers import one_of_each_type, real_bank, right_answer, wrong_answer


@pytest.fixture
def token(app):
    create_user(app, "apilearner")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "apilearner"))
        _token, plain = ApiToken.issue(user)
        db.session.commit()
    return plain


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_every_quiz_endpoint_needs_a_token(client):
    question_id = real_bank().questions[0].id
    for response in (client.get("/api/v1/quizzes"),
                     client.get(f"/api/v1/questions/{question_id}"),
                     client.post(f"/api/v1/questions/{question_id}/answer", json={"answer": 1})):
        assert response.status_code == 401
        assert response.get_json()["error"] == "unauthorized"
    bad = client.get("/api/v1/quizzes", headers=bearer("dl_not-a-real-token"))
    assert bad.status_code == 401


def test_quizzes_lists_every_section_with_its_question_count(client, token):
    bank = real_bank()
    data = client.get("/api/v1/quizzes", headers=bearer(token)).get_json()
    assert data["total"] == len(bank)
    counts = {item["anchor"]: item["questions"] for item in data["sections"]}
    assert sum(counts.values()) == len(bank)
    for section, count in bank.section_counts():
        assert counts[section.anchor] == count >= 3
    assert data["due_today"] == 0


@pytest.mark.parametrize("kind", ["single", "multi", "truefalse", "short", "ordering",
                                  "matching"])
def test_question_is_served_without_its_answer(client, token, kind):
    question = one_of_each_type()[kind]
    response = client.get(f"/api/v1/questions/{question.id}", headers=bearer(token))
    assert response.status_code == 200
    data = response.get_json()
    assert data["id"] == question.id and data["type"] == kind
    assert data["prompt"] == question.prompt.ko
    for secret in ("answer", "accepted", "pairs", "explanation", "expected"):
        assert secret not in data
    english = client.get(f"/api/v1/questions/{question.id}?lang=en", headers=bearer(token))
    assert english.get_json()["prompt"] == question.prompt.en


def test_unknown_question_is_a_json_404(client, token):
    for response in (client.get("/api/v1/questions/no-such-id", headers=bearer(token)),
                     client.post("/api/v1/questions/no-such-id/answer", headers=bearer(token),
                                 json={"answer": "a"})):
        assert response.status_code == 404
        assert response.get_json()["error"] == "not_found"


@pytest.mark.parametrize("kind", ["single", "multi", "truefalse", "short", "ordering",
                                  "matching"])
def test_answering_right_and_wrong_is_graded_and_stored(app, client, token, kind):
    question = one_of_each_type()[kind]
    url = f"/api/v1/questions/{question.id}/answer"
    right = client.post(url, headers=bearer(token), json={"answer": right_answer(question)})
    assert right.status_code == 200
    body = right.get_json()
    assert body["correct"] is True
    assert body["explanation"] == question.explanation.ko
    assert body["correct_answer"]
    wrong = client.post(url + "?lang=en", headers=bearer(token),
                        json={"answer": wrong_answer(question)}).get_json()
    assert wrong["correct"] is False
    assert wrong["explanation"] == question.explanation.en
    with app.app_context():
        stored = db.session.scalars(select(QuizAnswer).order_by(QuizAnswer.id)).all()
        assert [(a.question_id, a.correct, a.source) for a in stored] == [
            (question.id, True, "api"), (question.id, False, "api")]
        assert stored[0].answer == right_answer(question)
        assert stored[1].answer == wrong_answer(question)
        assert db.session.scalar(select(ReviewCard)).reviews == 2


def test_accept_language_chooses_the_explanation_language(client, token):
    question = one_of_each_type()["truefalse"]
    body = client.post(f"/api/v1/questions/{question.id}/answer",
                       headers={**bearer(token), "Accept-Language": "en-US,en;q=0.9"},
                       json={"answer": question.parts.answer}).get_json()
    assert body["explanation"] == question.explanation.en


@pytest.mark.parametrize(("kind", "payload", "code", "field"), [
    ("single", {"answer": ["a", "b"]}, "bad_answer", "answer"),
    ("single", {"answer": "no-such-choice"}, "bad_answer", "answer"),
    ("multi", {"answer": "a"}, "bad_answer", "answer"),
    ("truefalse", {"answer": "yes"}, "bad_answer", "answer"),
    ("short", {"answer": 42}, "bad_answer", "answer"),
    ("ordering", {"answer": ["only-one"]}, "bad_answer", "answer"),
    ("matching", {"answer": ["not", "a", "mapping"]}, "bad_answer", "answer"),
    ("single", {"not_answer": 1}, "bad_request", "answer"),
    ("single", {"answer": "a", "mode": "exam"}, "bad_request", "mode"),
    ("single", None, "bad_request", "(body)"),
])
def test_malformed_answer_is_a_400_with_the_reason(app, client, token, kind, payload, code,
                                                    field):
    """The body does not fit AnswerRequest (bad_request), or the answer does not fit the
    question's type (bad_answer): either way the one error shape, naming the field."""
    question = one_of_each_type()[kind]
    url = f"/api/v1/questions/{question.id}/answer"
    if payload is None:
        response = client.post(url + "?lang=en", data="{not json",
                               headers={**bearer(token), "Content-Type": "application/json"})
    else:
        response = client.post(url + "?lang=en", headers=bearer(token), json=payload)
    assert response.status_code == 400
    body = response.get_json()
    assert set(body) == {"error", "message", "message_ko", "message_en", "details"}
    assert body["error"] == code and body["details"]["field"] == field, body
    assert body["message"] == body["message_en"] and body["message_ko"] != body["message_en"]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(QuizAnswer)) == 0
