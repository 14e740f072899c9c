"""In a real browser, at a laptop's and a phone's size: the board of a full class fits a laptop
(labs first, quiz sections one column per chapter, the legend a list, the table before the
filters on a phone), says loudly when every student is graded on one shared engine, and never
shows `None%`; the student page and the CSV files say what the student chose in words."""
from __future__ import annotations

import csv
import io
import re

import pytest

from docklab.classes import catalog, services
from docklab.extensions import db
from docklab.models import User
from tests.support.webapp import PASSWORD, create_user
from tests.web.instructor.instructor_data import T0, add_answer, add_attempt, minutes, results

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(SIZES))
def sized_page(browser, request):
    context = browser.new_context(viewport=SIZES[request.param], locale="ko-KR",
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.size_name = request.param
    yield page
    context.close()


def log_in(page, base: str, name: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("사용자 이름").fill(name)
    page.get_by_label("비밀번호", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_load_state()


def full_class(app, students=("민아", "준호")) -> tuple[int, dict[str, int]]:
    """A class with every lab and every quiz section assigned (what a new class gets)."""
    teacher = create_user(app, "강사", "instructor")
    ids = {name: create_user(app, name) for name in students}
    with app.app_context():
        classroom = services.create_class(
            db.session.get(User, teacher), "도커 입문 A반",
            labs=[info.item.ref for info in catalog.labs()],
            sections=[info.item.ref for info in catalog.sections()])
        for name in students:
            services.join(classroom, db.session.get(User, ids[name]))
        return classroom.id, ids


def test_a_new_class_board_never_says_none(live_server, sized_page):
    app, base, page = live_server.app, live_server.url, sized_page
    teacher = create_user(app, "강사", "instructor")
    with app.app_context():
        classroom = services.create_class(
            db.session.get(User, teacher), "빈 반",
            labs=[info.item.ref for info in catalog.labs()],
            sections=[info.item.ref for info in catalog.sections()])
        class_id = classroom.id
    log_in(page, base, "강사")
    for path in ("", "?view=all", "/questions", "/settings"):
        page.goto(f"{base}/instructor/classes/{class_id}{path}")
        text = page.locator("main").inner_text()
        assert "None" not in text, path
    page.goto(f"{base}/instructor/classes/{class_id}")
    assert page.get_by_test_id("summary-chapter:0").inner_text().strip() == "아직 학생 없음"


def test_board_fits_a_laptop_and_warns_about_a_shared_engine(live_server, sized_page):
    app, base, page = live_server.app, live_server.url, sized_page
    app.config["DOCKLAB_LOCAL_ENGINE"] = True
    class_id, ids = full_class(app)
    with app.app_context():
        checks = catalog.lab("nginx-port").checks
        add_attempt(ids["민아"], "nginx-port", "passed", 10, T0, results(checks, len(checks)))
        add_attempt(ids["준호"], "nginx-port", "failed", 4, T0, results(checks, 1, "no `myweb`"))
        db.session.commit()
    log_in(page, base, "강사")
    page.goto(f"{base}/instructor/classes/{class_id}")

    warning = page.get_by_test_id("shared-engine-warning")
    assert warning.is_visible() and "같은 Docker 엔진" in warning.inner_text()
    assert "2" in warning.inner_text()
    # the legend is a list: "·" is never both a symbol and a separator
    legend = page.get_by_test_id("legend")
    items = legend.locator("li").all_inner_texts()
    assert "○ 시작 안 함" in [item.strip() for item in items]
    assert "·" not in legend.inner_text()

    labs, chapters = len(catalog_labs(app)), len(catalog_chapters(app))
    heads = page.eval_on_selector_all("#board tr.columns th", "cells => cells.length")
    assert heads == 2 + labs + chapters  # labs, then one column per chapter
    first_lab = page.eval_on_selector("#board tr.columns th:nth-child(3)",
                                      "cell => cell.className")
    assert first_lab == "item-lab"
    cell = page.get_by_test_id("cell-민아-lab:nginx-port")
    assert "10/10" in cell.inner_text()
    assert "통과" in cell.text_content()  # the word is there for screen readers
    if page.size_name == "desktop":
        fits = page.eval_on_selector(
            ".board-wrap", "box => [box.scrollWidth, box.clientWidth, window.innerWidth]")
        assert fits[0] <= fits[1] <= fits[2], fits  # no sideways scrolling on a laptop
    else:
        # a phone starts with the table, not with the filters (folded away below it)
        top = page.get_by_test_id("board").bounding_box()["y"]
        assert top < SIZES["phone"]["height"] * 0.6, top
        filters = page.locator("details.filters-box")
        assert filters.get_attribute("open") is None
        assert filters.bounding_box()["y"] > top
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
        page.evaluate("""Array.from(document.querySelectorAll('body *')).filter(
            e => e.getBoundingClientRect().right > window.innerWidth + 1
            && !e.closest('.table-wrap')).slice(0, 5).map(e => e.tagName + '.' + e.className
            + ' ' + Math.round(e.getBoundingClientRect().right))""")

    # every quiz section, grouped under its chapter
    page.get_by_test_id("view-toggle").click()
    assert page.locator("#board").get_attribute("data-view") == "all"
    groups = page.locator("#board tr.groups th").all_inner_texts()
    assert groups[0] == "실습" and all(g.startswith("퀴즈: ") for g in groups[1:])
    assert len(groups) == 1 + chapters

    # graded elsewhere (sandboxes, own hosts): no warning
    app.config["DOCKLAB_LOCAL_ENGINE"] = False
    page.reload()
    assert page.get_by_test_id("shared-engine-warning").count() == 0


def catalog_labs(app):
    with app.app_context():
        return catalog.labs()


def catalog_chapters(app):
    with app.app_context():
        return {info.chapter for info in catalog.sections()}


def download_csv(page, link_name: str) -> list[list[str]]:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    raw = open(info.value.path(), "rb").read()
    assert raw.startswith("\ufeff".encode())  # Excel reads the Korean
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_student_page_and_csv_say_the_choices_in_words(live_server, sized_page):
    app, base, page = live_server.app, live_server.url, sized_page
    class_id, ids = full_class(app, students=("민아",))
    with app.app_context():
        ordering, matching = catalog.question("hypervisor-vm-stack"), \
            catalog.question("hypervisor-house-apartment")
        multi = catalog.question("docker-what-jobs")
        order = [item.id for item in ordering.parts.items]
        pairs = {left.id: right.id for left, right in matching.parts.pairs}
        picked = [choice.id for choice in multi.parts.choices[:2]]
        add_answer(ids["민아"], ordering.id, order, True, minutes(1))
        add_answer(ids["민아"], matching.id, pairs, True, minutes(2))
        add_answer(ids["민아"], multi.id, picked, False, minutes(3))
        words = {"ordering": [item.text.ko for item in ordering.parts.items],
                 "matching": [f"{left.text.ko} → {right.text.ko}"
                              for left, right in matching.parts.pairs],
                 "multi": [choice.text.ko for choice in multi.parts.choices[:2]]}
        db.session.commit()
    ids_seen = order + list(pairs) + list(pairs.values()) + picked

    log_in(page, base, "강사")
    page.goto(f"{base}/instructor/classes/{class_id}/students/{ids['민아']}")
    given = page.get_by_test_id("given").all_inner_texts()
    assert len(given) == 3
    text = "\n".join(given)
    for line in words["ordering"] + words["matching"] + words["multi"]:
        assert " ".join(re.sub(r"`", "", line).split()) in " ".join(text.split()), line
    assert "{" not in text and "[" not in text and '"' not in text
    for raw_id in ("infrastructure", "guest-os", "house-foundation", "host-kernel"):
        assert raw_id not in text, raw_id
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.goto(f"{base}/instructor/classes/{class_id}")
    answers = download_csv(page, "모든 퀴즈 답")
    header = answers[0]
    assert header == ["답 번호", "학생", "문제 id", "문제", "노트 구간", "시각 (Asia/Seoul)",
                      "정답 여부", "고른 답"]
    rows = {row[2]: row for row in answers[1:]}
    assert rows[ordering.id][5] == "2026-10-01 18:01:00"  # 09:01 UTC in Seoul, Excel's format
    assert rows[ordering.id][7].startswith("1. ") and "2. " in rows[ordering.id][7]
    for cell in (rows[q][7] for q in rows):
        assert not cell.startswith(("[", "{")) and "`" not in cell
        assert not any(re.search(rf"\b{re.escape(i)}\b", cell) for i in ids_seen
                       if i.isascii() and "-" in i), cell
    assert rows[multi.id][6] == "아니오"

    grid = download_csv(page, "진도표")
    assert len(set(grid[0])) == len(grid[0]), "duplicate column names"
    # one language: no English column words in the Korean file
    english = [name for name in grid[0] if re.search(r"\b(status|best_score|answered)\b", name)]
    assert english == []
    attempts = download_csv(page, "모든 실습 시도")
    assert len(set(attempts[0])) == len(attempts[0])
