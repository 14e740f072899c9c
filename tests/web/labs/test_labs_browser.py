"""A learner in real Chromium (phone-sized, Korean): log in, register the local engine, check
`nginx-port` to a failure, fix the container, check again to a pass, and see both attempts on the
progress page. The checks go through labs.js (fetch + aria-live status), on the real test engine."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.webapp import PASSWORD, create_user
from tests.web.labs.labs_helpers import use_local_engine

pytestmark = pytest.mark.browser


def test_fail_fix_and_pass_nginx_port_in_the_browser(live_server, page, docker_engine,
                                                      make_container):
    use_local_engine(live_server.app, docker_engine)
    create_user(live_server.app, "브라우저실습")
    page.goto(live_server.url + "/login")
    page.get_by_label("사용자 이름").fill("브라우저실습")
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")

    page.goto(live_server.url + "/hosts")
    page.get_by_text("로컬 엔진", exact=True).first.click()  # opens the <details>
    page.get_by_role("button", name="로컬 엔진 등록").click()
    expect(page.locator(".flash-success")).to_contain_text("등록했습니다")
    expect(page.locator(".host")).to_contain_text("기본")

    wrong = make_container("nginx:latest", name="myweb", ports={"80/tcp": 8080})
    page.goto(live_server.url + "/labs/nginx-port")
    expect(page.get_by_label("Docker 호스트")).to_contain_text("local")
    check = page.get_by_role("button", name="채점하기")
    check.click()
    status = page.locator("#check-status")
    expect(status).to_have_class("check-status failed", timeout=30_000)
    expect(status).to_contain_text("아직")
    expect(page.locator("#check-result .check-fail")).not_to_have_count(0)
    expect(page.locator("#check-result")).to_contain_text("8080")
    expect(page.locator("#check-result .hint").first).to_be_visible()
    assert page.url.endswith("/labs/nginx-port")  # stayed on the page: fetch, not a form post

    wrong.remove(force=True)
    make_container("nginx:latest", name="myweb", ports={"80/tcp": 80})
    check.click()
    expect(status).to_have_class("check-status passed", timeout=30_000)
    expect(status).to_contain_text("통과")
    expect(page.locator("#check-result .check-fail")).to_have_count(0)
    expect(page.locator("#check-history li")).to_have_count(2)

    page.get_by_role("link", name="실습 기록").first.click()
    timeline = page.get_by_test_id("timeline").locator("li")
    expect(timeline).to_have_count(2)
    expect(timeline.nth(0)).to_have_attribute("data-status", "passed")  # newest first
    expect(timeline.nth(1)).to_have_attribute("data-status", "failed")
    row = page.locator('tr[data-lab="nginx-port"]')
    expect(row.locator(".best")).to_contain_text("통과")
    expect(row.locator(".latest")).to_contain_text("통과")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
