"""In a real browser, at a laptop's and a phone's size: a new student arrives through an invite
link and ends up in the class; the sign-up form says its rules before anyone submits and ties its
errors to the inputs; staff give a student a new password (web and CLI) and a student changes
their own; the class to-do page shows what is done, scores, due dates and lateness."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from docklab.classes import services
from docklab.classes.models import ClassMembership
from docklab.extensions import db
from docklab.models import User
from tests.support.webapp import PASSWORD, create_user
from tests.web.instructor.instructor_data import LAB1, LAB2, S1, seed_class

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(SIZES))
def sized(browser, request):
    """A fresh browser context at the parametrised size; yields a function making pages."""
    contexts = []

    def new_page():
        context = browser.new_context(viewport=SIZES[request.param], locale="ko-KR")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield new_page
    for context in contexts:
        context.close()


def log_in(page, base: str, name: str, password: str = PASSWORD) -> None:
    page.goto(base + "/login")
    page.get_by_label("사용자 이름").fill(name)
    page.get_by_label("비밀번호", exact=True).fill(password)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_load_state()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def members(app, class_id: int) -> list[str]:
    with app.app_context():
        return sorted(db.session.get(User, m.user_id).username for m in db.session.scalars(
            db.select(ClassMembership).where(ClassMembership.class_id == class_id)))


def test_invite_link_through_sign_up_joins_the_class(live_server, sized):
    app, base = live_server.app, live_server.url
    teacher = create_user(app, "강사")
    with app.app_context():
        user = db.session.get(User, teacher)
        user.role = "instructor"
        classroom = services.create_class(user, "도커 입문 B반", labs=[LAB1], sections=[S1])
        code, class_id = classroom.join_code, classroom.id

    page = sized()
    page.goto(f"{base}/classes/join/{code}")
    # sent to log in, and told why
    assert "/login?next=" in page.url
    reason = page.get_by_test_id("invite-reason")
    assert "도커 입문 B반" in reason.inner_text() and "초대" in reason.inner_text()
    assert page.get_by_label("사용자 이름").get_attribute("autocomplete") == "username"
    assert page.get_by_label("비밀번호", exact=True).get_attribute("autocomplete") == \
        "current-password"
    # both sign-up links (the menu's and the page's) keep the invite
    links = page.get_by_role("link", name="회원가입")
    assert links.count() == 2
    assert all(quote(code) in links.nth(n).get_attribute("href") for n in range(2))
    page.locator("#main").get_by_role("link", name="회원가입").click()
    assert page.url.startswith(f"{base}/register?next=") and quote(code) in page.url
    assert "도커 입문 B반" in page.get_by_test_id("invite-reason").inner_text()

    name = page.get_by_label("사용자 이름")
    password = page.get_by_label("비밀번호", exact=True)
    confirm = page.get_by_label("비밀번호 확인")
    assert name.get_attribute("autocomplete") == "username"
    assert password.get_attribute("autocomplete") == "new-password"
    assert confirm.get_attribute("autocomplete") == "new-password"
    # the rules are on the page before anything is submitted, and read with the input
    rule = page.locator("#password-hint")
    assert rule.is_visible() and rule.inner_text() == "8자 이상."
    assert "password-hint" in password.get_attribute("aria-describedby").split()
    assert page.locator("#username-hint").is_visible()
    assert password.get_attribute("aria-invalid") is None

    # a too-short password: the error is marked on the input and tied to it
    name.fill("새학생")
    password.fill("short")
    confirm.fill("short")
    page.get_by_role("button", name="계정 만들기").click()
    password = page.get_by_label("비밀번호", exact=True)
    assert password.get_attribute("aria-invalid") == "true"
    described = password.get_attribute("aria-describedby").split()
    errors = [d for d in described if d.startswith("password-error-")]
    assert errors and page.locator(f"#{errors[0]}").is_visible()
    assert "password-hint" in described
    assert page.get_by_label("사용자 이름").get_attribute("aria-invalid") is None
    assert "도커 입문 B반" in page.get_by_test_id("invite-reason").inner_text()  # still invited

    password.fill("a-good-password")
    page.get_by_label("비밀번호 확인").fill("a-good-password")
    page.get_by_role("button", name="계정 만들기").click()
    # in the class, on its to-do page, told so
    page.wait_for_url(f"{base}/classes/todo")
    assert page.get_by_text("도커 입문 B반에 참여했습니다.").is_visible()
    assert page.get_by_test_id("todo-class").get_attribute("data-class") == "도커 입문 B반"
    assert members(app, class_id) == ["새학생"]
    assert no_sideways_scroll(page)


def test_invite_link_through_log_in_joins_the_class(live_server, sized):
    app, base = live_server.app, live_server.url
    seeded = seed_class(app)
    with app.app_context():
        from docklab.classes.models import Classroom

        code = db.session.get(Classroom, seeded.class_id).join_code
    page = sized()
    page.goto(f"{base}/classes/join/{code}")
    page.get_by_label("사용자 이름").fill("zed")
    page.get_by_label("비밀번호", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url(f"{base}/classes/todo")
    assert page.get_by_text("도커 101에 참여했습니다.").is_visible()
    assert "zed" in members(app, seeded.class_id)


def test_staff_set_a_password_and_a_student_changes_their_own(live_server, sized):
    app, base = live_server.app, live_server.url
    seeded = seed_class(app)
    teacher = sized()
    log_in(teacher, base, "teach")
    teacher.goto(f"{base}/instructor/classes/{seeded.class_id}/students/{seeded.ids['bora']}")
    teacher.get_by_test_id("set-password").click()
    assert teacher.get_by_role("heading", name="bora의 새 비밀번호").is_visible()
    new = teacher.get_by_label("새 비밀번호", exact=True)
    assert new.get_attribute("autocomplete") == "new-password"
    assert teacher.locator("#password-hint").inner_text() == "8자 이상."
    new.fill("teacher-set-1")
    teacher.get_by_label("새 비밀번호 확인").fill("teacher-set-1")
    teacher.get_by_role("button", name="새 비밀번호 설정").click()
    assert teacher.get_by_text("bora의 새 비밀번호를 설정했습니다.", exact=False).is_visible()
    assert teacher.url.endswith(f"/students/{seeded.ids['bora']}")
    assert no_sideways_scroll(teacher)
    # a teacher of another class cannot reach this student
    other = sized()
    log_in(other, base, "other-teacher")
    response = other.goto(f"{base}/instructor/users/{seeded.ids['bora']}/password")
    assert response.status == 404

    student = sized()
    log_in(student, base, "bora", PASSWORD)
    assert "/login" in student.url  # the old password no longer works
    log_in(student, base, "bora", "teacher-set-1")
    assert "/login" not in student.url
    # ...and bora picks her own on the account page
    student.goto(base + "/account")
    student.get_by_label("현재 비밀번호").fill("teacher-set-1")
    assert student.get_by_label("현재 비밀번호").get_attribute("autocomplete") == \
        "current-password"
    student.get_by_label("새 비밀번호", exact=True).fill("bora-own-pass")
    student.get_by_label("새 비밀번호 확인").fill("bora-own-pass")
    student.get_by_role("button", name="비밀번호 변경").click()
    student.locator(".flash-success").wait_for()
    student.context.clear_cookies()
    log_in(student, base, "bora", "bora-own-pass")
    assert "/login" not in student.url

    # the command line, for a lost password with nobody to ask (an instructor's own included)
    result = app.test_cli_runner().invoke(args=["users", "set-password", "teach", "--stdin"],
                                          input="from-the-cli-1\n")
    assert result.exit_code == 0, result.output
    assert "new password set for teach" in result.output
    short = app.test_cli_runner().invoke(args=["users", "set-password", "teach", "--stdin"],
                                         input="short\n")
    assert short.exit_code != 0 and "at least 8" in short.output
    cli_page = sized()
    log_in(cli_page, base, "teach", "from-the-cli-1")
    assert "/login" not in cli_page.url
    # the teacher's old session ended with the new password
    teacher.goto(f"{base}/instructor/")
    assert "/login" in teacher.url


def test_class_to_do_page_shows_state_score_due_and_late(live_server, sized):
    app, base = live_server.app, live_server.url
    seeded = seed_class(app, due=True)
    page = sized()
    log_in(page, base, "alice")
    page.get_by_role("link", name="내 할 일").first.click()
    page.wait_for_url(f"{base}/classes/todo")
    todo = page.get_by_test_id("todo-class")
    assert todo.get_attribute("data-class") == "도커 101"
    # nginx-port: passed 10/10, but an hour after a 45-minute deadline
    lab1 = page.get_by_test_id(f"task-lab:{LAB1}")
    assert lab1.get_attribute("data-done") == "yes"
    text = lab1.inner_text()
    assert "완료" in text and "최고 10/10" in text and "마감 2026-10-01" in text
    assert "마감 후 완료" in text
    # mysql-env: never tried, no due date
    lab2 = page.get_by_test_id(f"task-lab:{LAB2}")
    assert lab2.get_attribute("data-done") == "no" and "할 일" in lab2.inner_text()
    assert "마감" not in lab2.inner_text()
    # the first section: started, its mastery, and the deadline has passed
    section = page.get_by_test_id(f"task-section:{S1}")
    assert section.get_attribute("data-done") == "no"
    assert "진행 중" in section.inner_text() and "마감 지남" in section.inner_text()
    summary = page.get_by_test_id("todo-summary").inner_text()
    assert "4개 중 1개 완료" in summary and "마감 지난 항목 1개" in summary
    assert no_sideways_scroll(page)
    # labs come first, in a list a screen reader reads in order
    order = page.eval_on_selector_all("li.task", "items => items.map(i => i.dataset.testid)")
    assert order[:2] == [f"task-lab:{LAB1}", f"task-lab:{LAB2}"]
    # the lab it links to: its long `docker run` line scrolls in its box, never the page
    lab1.get_by_role("link").click()
    page.wait_for_url(f"{base}/labs/{LAB1}")
    assert no_sideways_scroll(page)

    # dami never started: the overdue lab says so
    other = sized()
    log_in(other, base, "dami")
    other.goto(f"{base}/classes/todo")
    lab1 = other.get_by_test_id(f"task-lab:{LAB1}")
    assert "할 일" in lab1.inner_text() and "마감 지남" in lab1.inner_text()
    assert seeded.class_id
