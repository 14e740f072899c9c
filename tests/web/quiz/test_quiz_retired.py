"""Questions on retired tools (tag `retired`): out of the review queue and mixed quizzes by
default, back in when the learner says so on the quiz page. Real app, real SQLite."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from docklab.extensions import db
from docklab.models import User, utcnow
from docklab.quiz import services
from docklab.quiz.models import QuizSettings, ReviewCard
from tests.support.webapp import create_user, csrf_token
from tests.web.quiz.quiz_answers import real_bank, wrong_answer


def _uid(app, name):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == name))


def _due_ids(app, uid):
    with app.app_context():
        return [q.id for _card, q in services.due_queue(uid)]


def test_the_bank_tags_retired_tools_but_not_their_replacements():
    bank = real_bank()
    retired = {q.id for q in bank if q.retired}
    assert {"vm-machine-create", "vm-machine-env", "datacenter-components", "cloud-what",
            "client-kitematic", "machine-product-what"} <= retired
    # docker context over SSH is what replaced Docker Machine: it stays in the queue
    assert "machine-product-context" not in retired
    assert 10 <= len(retired) <= 20


def test_due_queue_leaves_retired_out_until_the_learner_includes_them(app, client, auth):
    create_user(app, "archivist")
    auth.login("archivist")
    uid = _uid(app, "archivist")
    bank = real_bank()
    old = bank["vm-machine-env"]
    current = bank["lab-remove-all-containers"]
    assert old.retired and not current.retired
    with app.app_context():
        for question in (old, current):  # both answered wrong: both due within minutes
            services.answer_question(uid, question, wrong_answer(question))
        # ... and due now: "within minutes" is tomorrow when the test runs just before midnight
        # in the site's time zone (the queue lists what is due today)
        for card in db.session.scalars(select(ReviewCard).where(ReviewCard.user_id == uid)):
            card.due = utcnow() - timedelta(minutes=1)
        db.session.commit()
    # default: the retired question is left out of the queue, the due page and the progress
    assert _due_ids(app, uid) == [current.id]
    with app.app_context():
        due_by_section = {p.section.anchor: p.due for p in services.section_progress(uid)}
        assert due_by_section[old.anchor] == 0 and due_by_section[current.anchor] == 1
        assert services.progress_summary(uid)["due_today"] == 1
    page = client.get("/quiz/due").get_data(as_text=True)
    assert f'data-question="{current.id}"' in page
    assert f'data-question="{old.id}"' not in page
    assert 'name="include_retired"' in page and "checked" not in _checkbox(page)

    # the setting needs the CSRF token
    assert client.post("/quiz/settings", data={"include_retired": "y",
                                               "back": "due"}).status_code == 400
    assert _due_ids(app, uid) == [current.id]

    response = client.post("/quiz/settings", data={
        "csrf_token": csrf_token(client, "/quiz"), "include_retired": "y", "back": "due"})
    assert response.status_code == 302 and response.location.endswith("/quiz/due")
    assert set(_due_ids(app, uid)) == {old.id, current.id}
    page = client.get("/quiz/due").get_data(as_text=True)
    assert f'data-question="{old.id}"' in page
    assert "checked" in _checkbox(page)
    assert "지원이 끝난 도구에 관한 문제도 복습과 섞어 풀기에 나옵니다" in page  # flash, Korean

    # unticking (a browser sends no field for an unticked box) leaves them out again
    client.post("/quiz/settings", data={"csrf_token": csrf_token(client, "/quiz"),
                                        "back": "index"})
    assert _due_ids(app, uid) == [current.id]
    with app.app_context():
        assert db.session.get(QuizSettings, uid).include_retired is False


def test_setting_is_for_logged_in_learners_and_in_english_too(app, client, auth):
    token = csrf_token(client, "/quiz")
    response = client.post("/quiz/settings", data={"csrf_token": token, "include_retired": "y"})
    assert response.status_code == 302 and "/login" in response.location
    assert 'name="include_retired"' not in client.get("/quiz").get_data(as_text=True)
    create_user(app, "reader")
    auth.login("reader")
    english = client.get("/quiz?lang=en").get_data(as_text=True)
    assert "Include questions on retired tools" in english
    korean = client.get("/quiz?lang=ko").get_data(as_text=True)
    assert "지원이 끝난 도구에 관한 문제도 포함" in korean


def test_mixed_quiz_leaves_retired_out_by_default(app):
    create_user(app, "mixer")
    uid = _uid(app, "mixer")
    bank = real_bank()
    retired = {q.id for q in bank if q.retired}
    with app.app_context():
        run = services.start_mixed_run(uid, "practice", size=len(bank))
        assert not retired & set(run.question_ids)
        assert len(run.question_ids) == len(bank) - len(retired)
        services.set_includes_retired(uid, True)
        run = services.start_mixed_run(uid, "practice", size=len(bank))
        assert retired <= set(run.question_ids)


def _checkbox(page: str) -> str:
    return re.search(r'<input type="checkbox" name="include_retired"[^>]*>', page).group(0)


def test_a_retired_question_says_so_on_its_page(app, client, auth):
    create_user(app, "historian")
    auth.login("historian")
    uid = _uid(app, "historian")
    with app.app_context():
        run_id = services.start_run(uid, "section", "practice",
                                    ["vm-machine-env", "lab-remove-all-containers"]).id
    first = client.get(f"/quiz/runs/{run_id}").get_data(as_text=True)
    assert 'value="vm-machine-env"' in first
    assert "지원이 끝난 도구에 관한 문제: 그 개념은 지금도 쓸모 있음" in first
    client.post(f"/quiz/runs/{run_id}/answer", data={
        "csrf_token": csrf_token(client, f"/quiz/runs/{run_id}"),
        "question_id": "vm-machine-env", "answer": "sets-env"})
    second = client.get(f"/quiz/runs/{run_id}").get_data(as_text=True)
    assert 'value="lab-remove-all-containers"' in second
    assert "지원이 끝난 도구" not in second


def test_a_failed_lab_queues_no_retired_question_the_learner_left_out(app):
    """A lab of a section with retired-tool questions adds only questions the queue would show,
    so "N questions were added" never counts invisible ones (issue 15 with the retired tag)."""
    uid = create_user(app, "lab-retired")
    with app.app_context():
        section = "Docker Machine"
        in_section = services.bank().by_section(section)
        assert any(q.retired for q in in_section) and any(not q.retired for q in in_section)
        added = [entry["q"] for entry in services.queue_for_failed_lab(uid, section, cap=50)]
        assert added and not any(services.question(qid).retired for qid in added)
        assert sorted(added) == sorted(q.id for _card, q in services.due_queue(uid))
        db.session.add(QuizSettings(user_id=uid, include_retired=True))
        db.session.commit()
        more = [entry["q"] for entry in services.queue_for_failed_lab(uid, section, cap=50)]
        assert more and all(services.question(qid).retired for qid in more)
