"""Everything a user can type is shown escaped: answers, token, host and class names."""
from sqlalchemy import select

from docklab.classes import services as classes
from docklab.extensions import db
from docklab.hosts.models import LearnerHost
from docklab.models import User
from tests.support.webapp import create_user, post_form
from tests.web.quiz.quiz_answers import csrf_from, form_fields, real_bank, right_answer
from tests.web.quiz.test_quiz_web import start

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
RAW_MARKERS = ("<script>alert(1)", "<img src=x onerror")


def assert_escaped(html: str) -> None:
    assert not any(marker in html for marker in RAW_MARKERS), "unescaped user text"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, "the text is not shown at all"


def test_a_hostile_short_answer_is_shown_escaped(app, client, auth):
    create_user(app, "typist")
    auth.login("typist")
    bank = real_bank()
    short = next(q for q in bank.questions if q.type == "short")
    run_id = start(client, section=bank.notes.find(short.section).anchor)
    while True:
        page = client.get(f"/quiz/runs/{run_id}")
        if page.status_code == 302:
            break
        html = page.get_data(as_text=True)
        question_id = html.split('name="question_id" value="')[1].split('"')[0]
        question = bank[question_id]
        answer = HOSTILE if question.type == "short" else right_answer(question)
        response = client.post(f"/quiz/runs/{run_id}/answer", data={
            "csrf_token": csrf_from(html), "question_id": question_id,
            **form_fields(question, answer)})
        if question.type == "short":
            assert_escaped(client.get(response.location).get_data(as_text=True))
    assert_escaped(client.get(f"/quiz/runs/{run_id}/result").get_data(as_text=True))


def test_hostile_token_host_and_class_names_are_escaped(app, client, auth):
    student_id = create_user(app, "student-x")
    create_user(app, "teacher-x", role="instructor")
    with app.app_context():
        db.session.add(LearnerHost(user_id=student_id, name=HOSTILE, kind="tcp",
                                   url="tcp://192.0.2.7:2376"))
        teacher = db.session.scalar(select(User).where(User.username == "teacher-x"))
        classroom = classes.create_class(teacher, HOSTILE)
        classes.join(classroom, db.session.get(User, student_id))
        class_id = classroom.id
    auth.login("student-x")
    post_form(client, "/account", {"name": HOSTILE[:60]}, action="/account/tokens")
    account = client.get("/account").get_data(as_text=True)
    assert not any(marker in account for marker in RAW_MARKERS)
    assert_escaped(client.get("/hosts").get_data(as_text=True))
    auth.logout()
    auth.login("teacher-x")
    for path in ("/instructor/", f"/instructor/classes/{class_id}"):
        assert_escaped(client.get(path, follow_redirects=True).get_data(as_text=True))


def test_what_a_hostile_host_sends_is_shown_escaped(app, client, auth):
    from tests.support.hostile_engine import HostileEngine

    create_user(app, "checker")
    auth.login("checker")
    with HostileEngine("hostile") as engine:
        app.config.update(DOCKLAB_LOCAL_ENGINE_URL=engine.url, DOCKLAB_LOCAL_ENGINE=True)
        response = post_form(client, "/labs/cleanup", {}, action="/labs/cleanup/check",
                             follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert_escaped(page)
    assert "\x1b" not in page
