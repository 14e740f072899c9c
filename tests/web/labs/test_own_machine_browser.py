"""The lab page's "check on my computer" in real Chromium, phone-sized and Korean: the button
fetches a fresh line in place, the copy button puts exactly that line on the clipboard, nothing
is wider than the phone; without JavaScript the same button posts and a page shows the line."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.webapp import PASSWORD, create_user

pytestmark = pytest.mark.browser

LINE = re.compile(r"curl -fsSL http://[^ ]+/c/[0-9a-f]{32} \| sh")


def _log_in(page, server, name: str) -> None:
    page.goto(server.url + "/login")
    page.get_by_label("사용자 이름").fill(name)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(server.url + "/")


def test_get_and_copy_the_line_on_a_phone(live_server, page):
    create_user(live_server.app, "내컴퓨터")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _log_in(page, live_server, "내컴퓨터")
    page.goto(live_server.url + "/labs/mysql-env")
    section = page.locator("#own-machine")
    expect(section).to_contain_text("내 컴퓨터에서 확인")
    line = page.get_by_test_id("own-machine-line")
    expect(line).to_be_hidden()
    page.get_by_test_id("own-machine-get").click()
    expect(line).to_be_visible()
    expect(line).to_have_text(LINE)
    assert page.url.endswith("/labs/mysql-env")  # fetched in place, not a form post
    expect(section.locator("[data-own-machine-expires]")).to_contain_text("한 번만")
    section.get_by_role("button", name="복사").click()  # (the instructions have their own)
    expect(section.get_by_role("button", name="복사됨 ✔")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == line.inner_text().strip()
    box = line.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # the whole line on screen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    first = line.inner_text()
    page.get_by_test_id("own-machine-get").click()  # a second line is a new single-use code
    expect(line).not_to_have_text(first)
    expect(section.get_by_role("button", name="복사", exact=True)).to_be_visible()


def test_without_javascript_the_button_posts_and_shows_the_line(live_server, browser):
    create_user(live_server.app, "스크립트없음")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR",
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        _log_in(page, live_server, "스크립트없음")
        page.goto(live_server.url + "/labs/mysql-env")
        page.get_by_test_id("own-machine-get").click()
        page.wait_for_url(live_server.url + "/labs/mysql-env/own-machine")
        expect(page.get_by_test_id("own-machine-line")).to_have_text(LINE)
        expect(page.locator("body")).to_contain_text("한 번만")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


def test_on_a_wide_screen_it_sits_under_check_beside_the_sandbox(live_server, page):
    create_user(live_server.app, "넓은화면")
    page.set_viewport_size({"width": 1280, "height": 900})
    _log_in(page, live_server, "넓은화면")
    page.goto(live_server.url + "/labs/mysql-env")
    check = page.locator("section.lab-check").bounding_box()
    own = page.locator("#own-machine").bounding_box()
    history = page.locator("section.lab-history").bounding_box()
    assert abs(own["x"] - check["x"]) < 1 and own["width"] < 1280 / 2  # the left column
    assert check["y"] < own["y"] < history["y"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
