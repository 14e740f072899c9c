"""A newcomer registers, logs in and sees the home page: real Chromium, phone-sized screen."""
import pytest

pytestmark = pytest.mark.browser


def test_register_log_out_and_log_in(live_server, page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="회원가입").first.click()
    page.get_by_label("사용자 이름").fill("브라우저학생")
    page.get_by_label("비밀번호", exact=True).fill("browser-pass-1")
    page.get_by_label("비밀번호 확인").fill("browser-pass-1")
    page.get_by_role("button", name="계정 만들기").click()
    assert page.get_by_text("브라우저학생").first.is_visible()

    page.get_by_role("button", name="로그아웃").click()
    page.get_by_role("link", name="로그인").first.click()
    page.get_by_label("사용자 이름").fill("브라우저학생")
    page.get_by_label("비밀번호").fill("browser-pass-1")
    page.keyboard.press("Enter")  # keyboard-only submit
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_text("Docker로 직접 해 보며 배우기").is_visible()
    # Nothing overflows sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
