"""What a learner reads on the lab pages (issue 15), in real Chromium at desktop and phone sizes,
graded on the real test engine in local-engine mode: the checks listed by title before the first
Check, Markdown in messages and hints, an attempt made in Korean read in the English UI, the review
queue a failed lab fills (capped, said, taken back on a pass) and the due count, the next lab after
a pass, and copy buttons on the instructions' commands."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from docklab.extensions import db
from docklab.labs.models import LabAttempt
from docklab.models import utcnow
from docklab.quiz.models import ReviewCard
from tests.support.webapp import PASSWORD, create_user
from tests.web.labs.labs_helpers import use_local_engine

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(params=list(SIZES))
def sized_page(browser, request):
    context = browser.new_context(viewport=SIZES[request.param], locale="ko-KR")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _log_in(page, server, name: str) -> int:
    user_id = create_user(server.app, name)
    page.goto(server.url + "/login")
    page.get_by_label("사용자 이름").fill(name)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(server.url + "/")
    return user_id


def _check(page, outcome: str) -> None:
    page.get_by_role("button", name="채점하기").click()
    expect(page.locator("#check-status")).to_have_class(f"check-status {outcome}",
                                                        timeout=30_000)


def _no_sideways_scroll(page) -> None:
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), wide


def test_checks_are_listed_by_title_and_messages_render_markdown(
        live_server, sized_page, docker_engine, clean_containers):
    page = sized_page
    use_local_engine(live_server.app, docker_engine)
    _log_in(page, live_server, "제목학생")
    page.goto(live_server.url + "/labs/nginx-port")

    # Before any Check: what will be checked, by title and points, with `code` rendered.
    planned = page.get_by_test_id("planned-checks").locator("li")
    expect(planned).to_have_count(4)
    expect(planned.nth(0)).to_have_text("myweb 컨테이너가 있음 (1점)")
    expect(planned.nth(0).locator("code")).to_have_text("myweb")
    expect(planned.nth(3)).to_contain_text("호스트 포트 80이 컨테이너 포트 80에 연결됨 (2점)")
    # The heading and the button no longer say the same thing.
    expect(page.get_by_role("heading", name="내 작업 확인")).to_be_visible()

    _check(page, "failed")
    result = page.locator("#check-result")
    first = result.locator('[data-check="exists"]')
    expect(first.locator(".check-title")).to_have_text("myweb 컨테이너가 있음")
    expect(first.locator(".message code").first).to_have_text("myweb")
    expect(first.locator(".hint code")).to_have_text("--name myweb")
    # Skipped checks name what must pass first by its title, not a slug.
    expect(result.locator('[data-check="running"] .message')).to_contain_text(
        "“myweb 컨테이너가 있음”")
    assert "`" not in result.inner_text()
    # Developer details are folded away; points read as words.
    expect(result.locator(".dev-details")).not_to_have_attribute("open", "")
    expect(result.get_by_text("Docker API 호출", exact=False)).to_be_hidden()
    expect(result).not_to_contain_text(" pt)")
    result.locator(".dev-details summary").click()
    expect(result.get_by_text("Docker API 호출", exact=False)).to_be_visible()
    _no_sideways_scroll(page)


def test_a_korean_attempt_reads_in_english_in_the_english_ui(
        live_server, sized_page, docker_engine, make_container, clean_containers):
    page = sized_page
    use_local_engine(live_server.app, docker_engine)
    user_id = _log_in(page, live_server, "영어학생")
    make_container("nginx:latest", name="myweb", ports={"80/tcp": 8080})
    page.goto(live_server.url + "/labs/nginx-port")
    _check(page, "failed")  # graded in Korean
    expect(page.locator('#check-result [data-check="port-80"] .message')).to_contain_text(
        "호스트 포트 8080")
    attempt_id = page.locator("#check-result .result").get_attribute("data-attempt-id")

    page.goto(f"{live_server.url}/labs/attempts/{attempt_id}?lang=en")
    port = page.locator('[data-check="port-80"]')
    expect(port.locator(".check-title")).to_have_text("Host port 80 is bound to container port 80")
    expect(port.locator(".message")).to_have_text(
        "port 80/tcp is bound to host port 8080, not 80.")
    expect(port.locator(".hint")).to_contain_text("the left side is the host port")
    expect(port.locator(".hint code")).to_have_text("-p 80:80")
    expect(port).to_contain_text("(2 points)")
    for message in page.locator(".check .message, .check .hint, .check-title").all_inner_texts():
        assert not HANGUL.search(message), message
    _no_sideways_scroll(page)

    # An attempt stored before messages were kept in both languages still shows its message.
    with live_server.app.app_context():
        old = LabAttempt(user_id=user_id, lab_id="nginx-port", status="failed", score=0,
                         max_score=5, lang="ko", checks=[{
                             "id": "exists", "status": "fail", "points": 1,
                             "message": "`myweb` 이름의 컨테이너가 없습니다.",
                             "hint": "`--name myweb` 로 이름을 정확히 지정하세요."}])
        db.session.add(old)
        db.session.commit()
        old_id = old.id
    page.goto(f"{live_server.url}/labs/attempts/{old_id}?lang=en")
    exists = page.locator('[data-check="exists"]')
    expect(exists.locator(".message")).to_have_text("myweb 이름의 컨테이너가 없습니다.")
    expect(exists.locator(".hint")).to_contain_text("Name the container exactly with")


def _due_count(page, server) -> str:
    page.goto(server.url + "/quiz")
    return page.locator(".due-count").inner_text()


def test_a_failed_lab_queues_a_few_questions_a_pass_takes_them_back_then_the_next_lab(
        live_server, sized_page, docker_engine, make_container, clean_containers):
    page = sized_page
    use_local_engine(live_server.app, docker_engine, DOCKLAB_LAB_REVIEW_CAP=3)
    user_id = _log_in(page, live_server, "복습학생")
    # One question of the lab's section the learner answered: due in ten minutes, not now.
    with live_server.app.app_context():
        from docklab.quiz import services as quiz

        # ("later today" ends at the site's midnight: stay before it)
        later_due = min(utcnow() + timedelta(minutes=10),
                        quiz.end_of_today() - timedelta(seconds=20))

        later_id = quiz.section_question_ids("실습")[0]
        db.session.add(ReviewCard(user_id=user_id, question_id=later_id, card={},
                                  due=later_due, reviews=1, lapses=0))
        db.session.commit()
    assert _due_count(page, live_server) == "복습할 문제 0개"
    page.goto(live_server.url + "/quiz/due")
    expect(page.locator(".due-count")).to_have_text("복습할 문제 0개")
    expect(page.locator(".later-count")).to_contain_text("오늘 나중에 1개 더")

    page.goto(live_server.url + "/labs/nginx-port")
    _check(page, "failed")
    note = page.get_by_test_id("review-note")
    expect(note).to_contain_text("문제 3개가 복습 목록에 들어갔습니다")
    expect(note.locator("li")).to_have_count(3)
    assert _due_count(page, live_server) == "복습할 문제 3개"

    page.goto(live_server.url + "/labs/nginx-port")
    _check(page, "failed")  # a second failure adds nothing past the cap
    expect(page.get_by_test_id("review-note")).to_have_count(0)
    assert _due_count(page, live_server) == "복습할 문제 3개"

    make_container("nginx:latest", name="myweb", ports={"80/tcp": 80})
    page.goto(live_server.url + "/labs/nginx-port")
    _check(page, "passed")
    expect(page.get_by_test_id("review-removed")).to_contain_text("문제 3개를 다시 뺐습니다")
    assert _due_count(page, live_server) == "복습할 문제 0개"
    with live_server.app.app_context():
        left = db.session.scalars(select(ReviewCard).where(ReviewCard.user_id == user_id)).all()
        # the learner's own card stays, due again when it was before the failed check
        assert [card.question_id for card in left] == [later_id]
        assert abs(left[0].due - later_due) < timedelta(seconds=1)

    page.goto(live_server.url + "/labs/nginx-port")
    _check(page, "passed")
    next_link = page.get_by_test_id("next-lab").get_by_role("link")
    expect(next_link).to_contain_text("다음 실습: 노출된 포트 자동 연결하기 (-P)")
    next_link.click()
    page.wait_for_url(live_server.url + "/labs/nginx-publish-all")
    _no_sideways_scroll(page)


@pytest.mark.parametrize("lang, copy, copied", [("ko", "복사", "복사됨"), ("en", "Copy", "Copied")])
def test_commands_have_a_keyboard_copy_button(live_server, sized_page, lang, copy, copied):
    page = sized_page
    page.goto(f"{live_server.url}/labs/nginx-port?lang={lang}")
    button = page.locator(".instructions .copy-button").first
    expect(button).to_have_text(copy)
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_text(copied)
    expect(page.locator(".instructions [role=status]").first).to_have_text(copied)
    assert page.evaluate("navigator.clipboard.readText()") == \
        "docker run --name myweb -d -p 80:80 nginx"
    expect(button).to_have_text(copy, timeout=5_000)  # back for the next copy
    _no_sideways_scroll(page)


def test_labs_in_learning_order_and_a_shared_engine_is_said_loudly(
        live_server, sized_page, docker_engine):
    page = sized_page
    use_local_engine(live_server.app, docker_engine, DOCKLAB_SANDBOXES=False)
    page.goto(live_server.url + "/labs")
    order = page.locator(".lab-item").evaluate_all("items => items.map(i => i.dataset.lab)")
    assert order == ["engine-ready", "hello-world", "whalesay-pull", "nginx-port",
                     "nginx-publish-all", "mysql-env", "fortune-image", "volume-keep-data",
                     "bind-mount", "user-network", "cmd-entrypoint", "env-build-vs-run",
                     "multi-stage-small", "restart-policy", "cleanup"]
    _log_in(page, live_server, "혼자학생")
    page.goto(live_server.url + "/labs/nginx-port")
    expect(page.get_by_test_id("shared-engine-warning")).to_have_count(0)  # one account
    create_user(live_server.app, "둘째학생")
    page.goto(live_server.url + "/labs/nginx-port")
    warning = page.get_by_test_id("shared-engine-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("같은 Docker 엔진으로 채점됩니다")
    page.goto(live_server.url + "/labs/nginx-port?lang=en")
    expect(page.get_by_test_id("shared-engine-warning")).to_contain_text(
        "graded on the same Docker engine")
