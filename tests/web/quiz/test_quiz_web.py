"""The quiz pages without JavaScript: runs, feedback, tests, retries, anonymous answers,
the due queue (FSRS), progress. Real app, real SQLite."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select

from docklab.extensions import db
from docklab.models import User, utcnow
from docklab.quiz import mark_section_due, scheduling, services
from docklab.quiz.models import QuizAnswer, QuizRun, ReviewCard
from docklab.quiz.rendering import markdown_html
from tests.support.webapp import create_user, post_form
from tests.web.quiz.quiz_answers import (
    csrf_from,
    form_fields,
    one_of_each_type,
    real_bank,
    right_answer,
    wrong_answer,
)


def start(client, kind="section", section="", mode="practice"):
    token = csrf_from(client.get("/quiz").get_data(as_text=True))
    response = client.post("/quiz/start", data={"csrf_token": token, "kind": kind,
                                                "section": section, "mode": mode})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/quiz/runs/(\d+)", response.location).group(1))


def current_question_id(client, run_id):
    page = client.get(f"/quiz/runs/{run_id}")
    if page.status_code == 302:
        return None
    return re.search(r'name="question_id" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def answer(client, run_id, answer_for):
    """Answer the run's current question with answer_for(question); returns the response."""
    question_id = current_question_id(client, run_id)
    question = real_bank()[question_id]
    page = client.get(f"/quiz/runs/{run_id}").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "question_id": question_id,
            **form_fields(question, answer_for(question))}
    return client.post(f"/quiz/runs/{run_id}/answer", data=data)


def run_row(app, run_id) -> QuizRun:
    with app.app_context():
        run = db.session.get(QuizRun, run_id)
        db.session.expunge(run)
        return run


def user_id(app, name):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == name))


def test_notes_page_has_anchored_sections_and_quiz_links(client):
    html = client.get("/notes").get_data(as_text=True)
    bank = real_bank()
    for section, count in bank.section_counts():
        assert f'id="{section.anchor}"' in html
        assert f'href="#{section.anchor}"' in html  # table of contents
        if count:
            assert f'href="/quiz/section/{quote(section.anchor)}"' in html
    assert "이 부분 퀴즈 풀기" in html
    english = client.get("/notes?lang=en").get_data(as_text=True)
    assert "Quiz me on this" in english


def test_markdown_never_passes_raw_html_through():
    html = str(markdown_html("<script>alert(1)</script> [x](javascript:alert(1)) `<b>`"))
    assert "<script>" not in html and "javascript:" not in html
    assert "&lt;script&gt;" in html and "<code>&lt;b&gt;</code>" in html


def test_practice_run_gives_feedback_after_each_answer_and_stores_it(app, client, auth):
    create_user(app, "learner")
    auth.login("learner")
    section = real_bank().section_counts()[0][0]
    run_id = start(client, section=section.anchor)
    response = answer(client, run_id, wrong_answer)
    assert response.status_code == 302 and "/feedback/0" in response.location
    feedback = client.get(response.location).get_data(as_text=True)
    first = real_bank()[run_row(app, run_id).question_ids[0]]
    assert "아쉽게도 틀렸습니다." in feedback
    assert first.explanation.ko.split()[0] in feedback
    assert f'href="/notes#{quote(first.anchor)}"' in feedback
    response = answer(client, run_id, right_answer)
    assert "정답입니다!" in client.get(response.location).get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalars(select(QuizAnswer).order_by(QuizAnswer.id)).all()
        assert [(a.correct, a.mode, a.run_id, a.source) for a in stored] == [
            (False, "practice", run_id, "web"), (True, "practice", run_id, "web")]
        assert stored[0].user_id == user_id(app, "learner")


def test_a_section_run_ends_with_a_score_and_retries_only_the_missed(app, client, auth):
    create_user(app, "learner")
    auth.login("learner")
    section = real_bank().section_counts()[1][0]
    run_id = start(client, section=section.anchor)
    ids = run_row(app, run_id).question_ids
    assert ids == [q.id for q in real_bank().by_section(section.anchor)]
    missed = ids[::2]
    for question_id in ids:
        answer(client, run_id, wrong_answer if question_id in missed else right_answer)
    result = client.get(f"/quiz/runs/{run_id}/result").get_data(as_text=True)
    right = len(ids) - len(missed)
    assert f'data-score="{right}" data-total="{len(ids)}"' in result
    assert f"{len(ids)}문제 중 {right}개 정답" in result
    retry = post_form(client, f"/quiz/runs/{run_id}/result", {},
                      action=f"/quiz/runs/{run_id}/retry")
    retry_id = int(re.search(r"/quiz/runs/(\d+)", retry.location).group(1))
    retried = run_row(app, retry_id)
    assert retried.question_ids == missed and retried.kind == "retry"
    assert retried.retry_of_id == run_id


def test_test_mode_hides_feedback_until_the_end_and_records_the_result(app, client, auth):
    create_user(app, "tester")
    auth.login("tester")
    section = real_bank().section_counts()[2][0]
    run_id = start(client, section=section.anchor, mode="test")
    first = answer(client, run_id, right_answer)
    assert first.location.endswith(f"/quiz/runs/{run_id}")  # straight to the next question
    assert client.get(f"/quiz/runs/{run_id}/feedback/0").status_code == 404
    while current_question_id(client, run_id):
        answer(client, run_id, wrong_answer)
    total = run_row(app, run_id).total
    result = client.get(f"/quiz/runs/{run_id}/result").get_data(as_text=True)
    assert f'data-score="1" data-total="{total}"' in result
    assert "시험 결과를 기록했습니다." in result
    assert client.get(f"/quiz/runs/{run_id}/feedback/0").status_code == 200
    with app.app_context():
        tests = services.test_results(user_id(app, "tester"))
        assert [(t.id, t.correct_count, t.total) for t in tests] == [(run_id, 1, total)]
        modes = set(db.session.scalars(select(QuizAnswer.mode)))
        assert modes == {"test"}
    progress = client.get("/quiz/progress").get_data(as_text=True)
    assert f"/quiz/runs/{run_id}/result" in progress and f"1/{total}" in progress


def test_missing_answer_and_ordering_moves_store_nothing(app, client, auth):
    create_user(app, "learner")
    auth.login("learner")
    ordering = one_of_each_type()["ordering"]
    with app.app_context():
        run = services.start_run(user_id(app, "learner"), "mixed", "practice", [ordering.id])
        run_id = run.id
    page = client.get(f"/quiz/runs/{run_id}").get_data(as_text=True)
    shown = re.findall(r'name="answer" value="([^"]+)"', page)
    token = csrf_from(page)
    moved = client.post(f"/quiz/runs/{run_id}/answer", data={
        "csrf_token": token, "question_id": ordering.id, "answer": shown, "move": "0:down"})
    assert moved.status_code == 200
    after = re.findall(r'name="answer" value="([^"]+)"', moved.get_data(as_text=True))
    assert after == [shown[1], shown[0], *shown[2:]]
    empty = client.post(f"/quiz/runs/{run_id}/answer", data={
        "csrf_token": token, "question_id": ordering.id})
    assert empty.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(QuizAnswer)) == 0
        assert db.session.get(QuizRun, run_id).position == 0


def test_answer_form_needs_csrf(app, client, auth):
    create_user(app, "learner")
    auth.login("learner")
    run_id = start(client, kind="mixed")
    question_id = current_question_id(client, run_id)
    response = client.post(f"/quiz/runs/{run_id}/answer", data={"question_id": question_id,
                                                                "answer": "x"})
    assert response.status_code == 400


def test_another_learners_run_is_not_found(app, client, auth):
    create_user(app, "owner")
    create_user(app, "intruder")
    auth.login("owner")
    run_id = start(client, kind="mixed")
    auth.logout()
    for path in (f"/quiz/runs/{run_id}", f"/quiz/runs/{run_id}/result"):
        assert client.get(path).status_code == 404  # anonymous
    auth.login("intruder")
    assert client.get(f"/quiz/runs/{run_id}").status_code == 404
    assert client.get("/quiz/progress").status_code == 200


def test_due_queue_follows_fsrs(app, client, auth):
    create_user(app, "spacer")
    auth.login("spacer")
    questions = [q for q in real_bank() if q.type == "truefalse"][:2]
    missed, known = questions
    with app.app_context():
        uid = user_id(app, "spacer")
        run = services.start_run(uid, "mixed", "practice", [missed.id, known.id])
        run_id = run.id
    assert "오늘 복습할 문제가 없습니다" in client.get("/quiz/due").get_data(as_text=True)
    answer(client, run_id, wrong_answer)
    answer(client, run_id, right_answer)
    now = utcnow()
    with app.app_context():
        cards = {c.question_id: c for c in db.session.scalars(select(ReviewCard))}
        assert cards[missed.id].due <= now + timedelta(minutes=11)
        assert cards[known.id].due >= now + timedelta(days=1)
        assert [q.id for _card, q in services.due_queue(uid)] == [missed.id]
    due_page = client.get("/quiz/due").get_data(as_text=True)
    assert f'data-question="{missed.id}"' in due_page
    assert f'data-question="{known.id}"' not in due_page
    # A failed lab check of the known question's section brings that section back.
    with app.app_context():
        count = mark_section_due(uid, known.section_title)
        assert count == len(real_bank().by_section(known.anchor))
        queued = {q.id for _card, q in services.due_queue(uid)}
        assert known.id in queued and missed.id in queued
    # Practising the due queue starts a run of exactly those questions.
    review_id = start(client, kind="due")
    assert set(run_row(app, review_id).question_ids) == queued


def test_known_questions_come_back_further_apart():
    """Answered right each time it comes due, a question's interval keeps growing; one miss
    brings it back within minutes."""
    row = ReviewCard(card=None, reviews=0, lapses=0)
    now = utcnow()
    gaps = []
    for _ in range(4):
        scheduling.review(row, True, now)
        gaps.append(row.due - now)
        now = row.due
    assert gaps[0] >= timedelta(days=1)
    assert gaps[0] < gaps[1] < gaps[2] < gaps[3]
    scheduling.review(row, False, now)
    assert row.due - now <= timedelta(minutes=10) and row.lapses == 1


def test_progress_shows_mastery_per_section(app, client, auth):
    create_user(app, "master")
    auth.login("master")
    section = real_bank().section_counts()[0][0]
    ids = [q.id for q in real_bank().by_section(section.anchor)]
    run_id = start(client, section=section.anchor)
    for index, _question_id in enumerate(ids):
        answer(client, run_id, wrong_answer if index == 0 else right_answer)
    with app.app_context():
        progress = {p.section.anchor: p for p in services.section_progress(user_id(app, "master"))}
        item = progress[section.anchor]
        assert (item.known, item.total, item.answered) == (len(ids) - 1, len(ids), len(ids))
        assert item.mastery == round(100 * (len(ids) - 1) / len(ids))
        assert item.due == 1
        other = next(p for a, p in progress.items() if a != section.anchor)
        assert (other.known, other.mastery) == (0, 0)
    html = client.get("/quiz/progress").get_data(as_text=True)
    assert f"{item.mastery}% · {len(ids)}문제 중 {len(ids) - 1}개 정답" in html
    assert 'href="/labs/progress" data-testid="lab-progress-link">실습 기록' in html


def test_progress_needs_a_login(client):
    assert client.get("/quiz/progress").status_code == 302
    assert client.get("/quiz/due").status_code == 302


def test_anonymous_answers_are_offered_and_saved_at_sign_up(app, client):
    section = real_bank().section_counts()[0][0]
    run_id = start(client, section=section.anchor)
    answer(client, run_id, right_answer)
    answer(client, run_id, wrong_answer)
    with client.session_transaction() as session:
        pending = session["anon_answers"]
    assert [entry["c"] for entry in pending] == [True, False]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(QuizAnswer)) == 0
    registered = post_form(client, "/register", {"username": "newbie", "password": "newbie-pass-1",
                                                 "confirm": "newbie-pass-1"})
    assert registered.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "로그인 전에 2개 문제를 풀었습니다" in home
    assert 'href="/quiz/save-answers"' in home
    page = client.get("/quiz/save-answers").get_data(as_text=True)
    assert "내 답 2개 저장" in page
    saved = post_form(client, "/quiz/save-answers", {"action": "save"})
    assert saved.status_code == 302
    with app.app_context():
        stored = db.session.scalars(select(QuizAnswer).order_by(QuizAnswer.id)).all()
        newbie = user_id(app, "newbie")
        assert [(a.correct, a.source, a.user_id) for a in stored] == [
            (True, "anonymous", newbie), (False, "anonymous", newbie)]
        assert len(services.due_queue(user_id(app, "newbie"))) == 1
    with client.session_transaction() as session:
        assert "anon_answers" not in session
    assert "저장할 답이 없습니다" in client.get("/quiz/save-answers").get_data(as_text=True)


def test_anonymous_session_stays_small(client):
    run_id = start(client, kind="mixed")
    for _ in range(10):
        if current_question_id(client, run_id) is None:
            break
        answer(client, run_id, lambda q: "x" * 1500 if q.type == "short" else wrong_answer(q))
    for _ in range(3):
        run_id = start(client, kind="mixed")
        while current_question_id(client, run_id):
            answer(client, run_id, wrong_answer)
    with client.session_transaction() as session:
        assert len(session["anon_answers"]) <= 30
    cookie = client.get_cookie("session")
    assert cookie is not None and len(cookie.value) < 4000


@pytest.mark.parametrize("path", ["/quiz", "/notes", "/quiz/section/no-such-section"])
def test_pages_render_for_visitors(client, path):
    response = client.get(path)
    assert response.status_code == (404 if "no-such" in path else 200)


def test_learner_pages_render_in_english(app, client, auth):
    create_user(app, "english")
    auth.login("english")
    client.get("/lang/en")
    run_id = start(client, kind="mixed", mode="test")
    while current_question_id(client, run_id):
        answer(client, run_id, wrong_answer)
    pages = {path: client.get(path) for path in (
        "/quiz", "/quiz/due", "/quiz/progress", "/quiz/save-answers",
        f"/quiz/runs/{run_id}/result", f"/quiz/runs/{run_id}/feedback/0")}
    assert {path: r.status_code for path, r in pages.items()} == dict.fromkeys(pages, 200)
    assert "Not quite." in pages[f"/quiz/runs/{run_id}/result"].get_data(as_text=True)
    assert "Mastery per section" in pages["/quiz/progress"].get_data(as_text=True)
    assert "questions to review" in pages["/quiz/due"].get_data(as_text=True)
