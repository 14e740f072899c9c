"""Quizzes in a real Chromium: every question type right and wrong, keyboard-only answering,
feedback with the explanation, the score, the due queue; and ordering without JavaScript."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from docklab.content import public_dict
from docklab.extensions import db
from docklab.models import User
from docklab.quiz import services
from tests.support.webapp import PASSWORD, create_user
from tests.web.quiz.quiz_answers import TYPES, one_of_each_type, right_answer, wrong_answer

pytestmark = pytest.mark.browser


def log_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("사용자 이름").fill(username)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base_url + "/")


def make_run(app, username: str, question_ids: list[str], mode: str = "practice") -> int:
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == username))
        return services.start_run(uid, "mixed", mode, question_ids).id


def answer_in_browser(page, question, answer, keyboard: bool = False) -> None:
    """Answer the question on screen the way a person would; `keyboard` = no mouse at all."""
    kind = question.type
    if kind in ("single", "truefalse") and keyboard:
        if kind == "single":
            order = [c["id"] for c in public_dict(question, "ko")["choices"]]
            key = str(order.index(answer) + 1)
        else:
            key = "1" if answer else "2"
        page.keyboard.press(key)  # focus starts on the first choice (autofocus)
        page.keyboard.press("Enter")
        return
    if kind == "single":
        page.check(f'input[name=answer][value="{answer}"]')
    elif kind == "truefalse":
        page.check(f'input[name=answer][value="{"true" if answer else "false"}"]')
    elif kind == "multi":
        for choice_id in answer:
            page.check(f'input[name=answer][value="{choice_id}"]')
    elif kind == "short":
        page.fill("#short-answer", answer)
        page.keyboard.press("Enter")
        return
    elif kind == "ordering":
        for target, item_id in enumerate(answer):
            shown = page.locator(".order-item").evaluate_all("els => els.map(e => e.dataset.id)")
            item = page.locator(f'.order-item[data-id="{item_id}"]')
            item.focus()
            for _ in range(shown.index(item_id) - target):
                page.keyboard.press("ArrowUp")
        assert page.locator(".order-item").evaluate_all(
            "els => els.map(e => e.dataset.id)") == list(answer)
    elif kind == "matching":
        for left, right in answer.items():
            page.select_option(f"#match-{left}", right)
    page.get_by_role("button", name="채점하기").click()


def test_every_type_right_and_wrong_with_feedback_and_score(live_server, page):
    create_user(live_server.app, "brow")
    questions = one_of_each_type()
    plan = [(questions[kind], correct) for kind in TYPES for correct in (True, False)]
    run_id = make_run(live_server.app, "brow", [q.id for q, _ in plan])
    log_in(page, live_server.url, "brow")
    page.goto(f"{live_server.url}/quiz/runs/{run_id}")
    for number, (question, correct) in enumerate(plan, start=1):
        assert page.locator(".quiz-meta").first.inner_text().startswith(f"12문제 중 {number}번")
        answer = right_answer(question) if correct else wrong_answer(question)
        answer_in_browser(page, question, answer,
                          keyboard=question.type in ("single", "truefalse", "short"))
        verdict = page.locator(".verdict")
        assert verdict.inner_text().endswith("정답입니다!" if correct else "아쉽게도 틀렸습니다.")
        explanation = page.locator(".explanation").inner_text()
        assert " ".join(question.explanation.ko.split()[:3]).replace("`", "") in \
            " ".join(explanation.split())
        assert page.locator(f'a[href="/notes#{quote(question.anchor)}"]').count() >= 1
        if not correct:
            assert page.locator(".answers dt", has_text="정답").count() == 1
        with page.expect_navigation():
            page.keyboard.press("Enter")  # the "next" link has the focus
    page.wait_for_url(re.compile(r".*/result$"))
    assert page.locator(".score").inner_text().startswith("12문제 중 6개 정답 (50%)")
    page.get_by_role("button", name="틀린 6문제만 다시 풀기").click()
    assert page.locator(".quiz-meta").first.inner_text().startswith("6문제 중 1번")


def test_due_queue_changes_after_a_missed_answer(live_server, page):
    create_user(live_server.app, "duer")
    log_in(page, live_server.url, "duer")
    page.goto(live_server.url + "/quiz/due")
    assert page.locator(".empty-queue").is_visible()
    page.goto(live_server.url + "/notes")
    page.get_by_role("link", name=re.compile("이 부분 퀴즈 풀기")).first.click()
    page.get_by_role("button", name="이 퀴즈 시작").click()
    question_id = page.locator("input[name=question_id]").get_attribute("value")
    question = services_question(question_id)
    answer_in_browser(page, question, wrong_answer(question))
    assert page.locator(".verdict").inner_text().endswith("아쉽게도 틀렸습니다.")
    assert "다음 복습" in page.locator(".review").inner_text()
    page.goto(live_server.url + "/quiz")
    # Missed minutes ago, due in about ten: counted as later today, not as due now (issue 15).
    # (The queue's day ends at the site's midnight; after it the card is tomorrow's.)
    assert page.locator(".due-count").inner_text() == "복습할 문제 0개"
    with live_server.app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == "duer"))
        if not services.due_queue(uid):
            return  # the site's midnight fell in between: the card is tomorrow's
    assert page.locator(".later-count").inner_text() == "· 오늘 나중에 1개 더"
    page.get_by_role("link", name="오늘 복습할 문제 보기").click()
    assert page.locator(f'li[data-question="{question_id}"]').is_visible()
    page.get_by_role("button", name="지금 복습하기").click()
    assert page.locator("input[name=question_id]").get_attribute("value") == question_id


def services_question(question_id):
    from tests.web.quiz.quiz_answers import real_bank

    return real_bank()[question_id]


def test_ordering_works_without_javascript(live_server, browser):
    create_user(live_server.app, "nojs")
    question = one_of_each_type()["ordering"]
    run_id = make_run(live_server.app, "nojs", [question.id])
    context = browser.new_context(java_script_enabled=False, locale="ko-KR",
                                  viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server.url, "nojs")
        page.goto(f"{live_server.url}/quiz/runs/{run_id}")
        target = right_answer(question)
        for position, item_id in enumerate(target):
            shown = page.locator(".order-item").evaluate_all("els => els.map(e => e.dataset.id)")
            for _ in range(shown.index(item_id) - position):
                # Each press is a form post answered by the server with the new order.
                page.locator(f'.order-item[data-id="{item_id}"] .move-up').click()
                page.wait_for_load_state()
        assert page.locator(".order-item").evaluate_all(
            "els => els.map(e => e.dataset.id)") == target
        page.get_by_role("button", name="채점하기").click()
        assert page.locator(".verdict").inner_text().endswith("정답입니다!")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
