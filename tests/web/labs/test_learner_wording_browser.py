"""Small wording slips a learner met in the first hour (issue 15, walkthrough bugs 11 and 13), in
real Chromium at desktop and phone sizes: the role named in the reader's language, "1 Docker API
call" in the singular, points as words, and the developer details (the engine's socket path, the
API call count) folded away on the lab page and on an attempt."""
from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect

from docklab.extensions import db
from docklab.labs.models import LabAttempt
from tests.support.webapp import PASSWORD, create_user
from tests.web.labs.labs_helpers import use_local_engine

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SOCKET = "unix:///var/run/docker-example.sock"
_names = itertools.count(1)


@pytest.fixture(params=list(SIZES))
def sized_page(browser, request):
    context = browser.new_context(viewport=SIZES[request.param], locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _log_in(page, server, role: str = "student") -> tuple[int, str]:
    name = f"표현학생{next(_names)}"
    user_id = create_user(server.app, name, role=role)
    page.goto(server.url + "/login")
    page.get_by_label("사용자 이름").fill(name)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(server.url + "/")
    return user_id, name


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("role, korean, english", [("student", "학생", "student"),
                                                   ("instructor", "강사", "instructor")])
def test_the_home_page_names_the_role_in_the_readers_language(live_server, sized_page, role,
                                                              korean, english):
    page = sized_page
    _user_id, name = _log_in(page, live_server, role)
    welcome = page.locator(".welcome")
    expect(welcome).to_have_text(f"{name} 님으로 로그인했습니다 ({korean}).")
    assert "(으)로" not in welcome.inner_text()
    page.goto(live_server.url + "/?lang=en")
    expect(page.locator(".welcome")).to_have_text(f"Logged in as {name} ({english}).")
    _fits(page)


def test_an_attempt_says_one_api_call_and_keeps_the_host_folded(live_server, sized_page):
    page = sized_page
    user_id, _name = _log_in(page, live_server)
    with live_server.app.app_context():
        attempt = LabAttempt(
            user_id=user_id, lab_id="hello-world", status="failed", score=0, max_score=3,
            lang="ko", api_calls=1, duration_ms=4, host_label=SOCKET,
            checks=[{"id": "ran", "status": "fail", "points": 1,
                     "message": "`hello-world` 컨테이너가 없습니다.", "hint": ""}])
        db.session.add(attempt)
        db.session.commit()
        attempt_id = attempt.id

    page.goto(f"{live_server.url}/labs/attempts/{attempt_id}?lang=en")
    details = page.locator(".dev-details")
    expect(details).not_to_have_attribute("open", "")
    expect(page.get_by_text(SOCKET)).to_be_hidden()
    expect(page.locator('[data-check="ran"]')).to_contain_text("(1 point)")
    expect(page.locator('[data-check="ran"]')).not_to_contain_text("pt)")
    details.locator("summary").click()
    expect(details).to_contain_text("1 Docker API call")
    expect(details).not_to_contain_text("1 Docker API calls")
    expect(page.get_by_text(SOCKET)).to_be_visible()
    _fits(page)


def test_the_lab_page_folds_the_local_engine_address(live_server, sized_page, docker_engine):
    page = sized_page
    use_local_engine(live_server.app, docker_engine)
    _log_in(page, live_server)
    page.goto(live_server.url + "/labs/hello-world")
    expect(page.get_by_text("이 서버의 Docker 엔진에서 채점합니다.")).to_be_visible()
    address = page.get_by_test_id("engine-details").locator("code")
    expect(address).to_have_text(docker_engine.base_url)
    expect(address).to_be_hidden()
    assert docker_engine.base_url not in page.locator(".lab-check form > p").all_inner_texts()[0]
    page.get_by_test_id("engine-details").locator("summary").click()
    expect(address).to_be_visible()
    _fits(page)


def test_the_users_page_names_roles_in_korean(live_server, sized_page):
    page = sized_page
    _admin_id, admin = _log_in(page, live_server, "admin")
    teacher = f"역할강사{next(_names)}"
    create_user(live_server.app, teacher, role="instructor")
    page.goto(live_server.url + "/admin/users")
    expect(page.locator(f'tr[data-user="{admin}"] td').first).to_have_text("관리자")
    expect(page.locator(f'tr[data-user="{teacher}"] td').first).to_have_text("강사")
    roles = page.locator("table.users tbody tr td:first-of-type").all_inner_texts()
    assert not {"student", "instructor", "admin"} & {text.strip() for text in roles}, roles
