"""In a real browser: an instructor creates a class, a student joins it with the code and
passes a lab on a real Docker engine (the labs area's own Check button, graded against the test
engine as the local engine), the instructor sees it on the board and downloads the CSV."""
from __future__ import annotations

import csv
import io

import pytest

from tests.support.webapp import PASSWORD, create_user
from tests.web.instructor.instructor_data import seed_class

# Passes on the test engine as soon as its stand-in images exist (lab_images builds them).
PASSING_LAB = "whalesay-pull"

pytestmark = pytest.mark.browser


def log_in(page, base: str, name: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("사용자 이름").fill(name)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")


def test_class_from_creation_to_csv(live_server, page, browser, docker_engine, lab_images):
    base = live_server.url
    live_server.app.config.update(DOCKLAB_LOCAL_ENGINE=True,
                                  DOCKLAB_LOCAL_ENGINE_URL=docker_engine.base_url)
    create_user(live_server.app, "강사", "instructor")
    create_user(live_server.app, "학생민아")

    log_in(page, base, "강사")
    page.get_by_role("link", name="강의 관리").first.click()
    page.get_by_label("수업 이름").fill("도커 입문 A반")
    page.get_by_role("button", name="만들기").click()
    page.get_by_role("heading", name="도커 입문 A반").wait_for()
    code = page.get_by_test_id("join-code").inner_text().strip()
    assert len(code) == 8

    student = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR")
    try:
        other = student.new_page()
        log_in(other, base, "학생민아")
        other.get_by_role("link", name="수업 참여").first.click()
        other.get_by_label("참여 코드").fill(code.lower())  # typed loosely
        other.get_by_role("button", name="참여", exact=True).click()
        assert other.get_by_text("도커 입문 A반에 참여했습니다.").is_visible()
        # joining lands on the to-do page, which lists the class's labs; the student opens one
        # and presses Check
        other.locator(f'a[href="/labs/{PASSING_LAB}"]').first.click()
        with other.expect_response(lambda r: r.url.endswith(f"/labs/{PASSING_LAB}/check")):
            other.locator("button.check-button").click()
        other.locator('#check-result [data-status="passed"]').wait_for()
    finally:
        student.close()

    page.reload()
    cell = page.get_by_test_id(f"cell-학생민아-lab:{PASSING_LAB}")
    # the compact board shows the icon and the score; the word is there for screen readers
    words = " ".join(cell.text_content().split())
    assert "✔ 통과" in words and "1회" in words
    assert page.get_by_test_id(f"summary-lab:{PASSING_LAB}").inner_text().startswith("✔ 1")
    # the page itself never scrolls sideways on a phone: the wide grid scrolls in its box
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    with page.expect_download() as download_info:
        page.get_by_test_id("export-grid").click()
    download = download_info.value
    raw = open(download.path(), "rb").read()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    with live_server.app.app_context():
        from docklab.classes import catalog

        title = catalog.lab(PASSING_LAB).item.title_ko
    column = rows[0].index(f"실습 {title} · 상태")  # column names in the page's language
    assert [row[0] for row in rows[1:]] == ["학생민아"]
    status, best, maximum, attempts = rows[1][column:column + 4]
    assert (status, best == maximum, attempts) == ("통과", True, "1")


def test_board_sorts_and_filters_in_place_with_its_script(live_server, page):
    seeded = seed_class(live_server.app)
    log_in(page, live_server.url, "teach")
    page.goto(f"{live_server.url}/instructor/classes/{seeded.class_id}")
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    def names() -> list[str]:
        return page.eval_on_selector_all(
            "#board tbody tr[data-student]:not([hidden])",
            "rows => rows.map(row => row.dataset.student)")

    assert names() == ["alice", "bora", "chan", "dami"]
    page.get_by_role("link", name="학생").first.click()  # sorted by name: now descending
    assert names() == ["dami", "chan", "bora", "alice"]
    assert page.url.endswith("sort=name&dir=desc")  # same view the server would render
    page.get_by_text("거르기와 정렬").click()  # the filters are folded below the table
    page.get_by_label("학생 이름 포함").fill("bo")
    assert names() == ["bora"]
    assert errors == []  # CSP allows the script: no inline code
