"""Quiz feedback shows "your answer" and "correct answer" with their Markdown rendered (issue 15,
bug 2): a multi choice and an ordering item that hold `code` read as code, never as backticks,
in real Chromium at desktop and phone sizes."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from docklab.quiz import services
from tests.support.webapp import create_user
from tests.web.quiz.quiz_answers import wrong_answer
from tests.web.quiz.test_quiz_browser import answer_in_browser, log_in, make_run

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", list(SIZES))
def test_feedback_answers_render_code(live_server, browser, size):
    context = browser.new_context(viewport=SIZES[size], locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    create_user(live_server.app, "마크다운")
    with live_server.app.app_context():
        multi = services.question("run-socket-and-tcp")
        ordering = services.question("hub-share-order")
    run_id = make_run(live_server.app, "마크다운", [multi.id, ordering.id])
    log_in(page, live_server.url, "마크다운")
    page.goto(f"{live_server.url}/quiz/runs/{run_id}")

    answer_in_browser(page, multi, ["tcp-explicit", "open-2375"])
    answers = page.locator(".answers")
    given, expected = answers.locator("dd").nth(0), answers.locator("dd").nth(1)
    expect(given.locator("code")).to_have_text("-H tcp://...")
    expect(expected.locator("code")).to_have_text("-H tcp://...")
    assert "`" not in answers.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    with page.expect_navigation():
        page.get_by_role("link", name="다음 문제").click()
    page.wait_for_load_state("load")
    answer_in_browser(page, ordering, wrong_answer(ordering))
    answers = page.locator(".answers")
    expect(answers.locator("dd").nth(0).locator("code", has_text="docker build")).to_have_text(
        "docker build -t myid/myapp:1.0 .")
    expect(answers.locator("dd").nth(1).locator("code", has_text="docker build")).to_have_count(1)
    assert "`" not in answers.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
