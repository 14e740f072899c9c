"""The notes page as a learner sees it: the author's notes with 2026 boxes where they are dated
or wrong, the notes' two questions under their own heading with answers, and no local file paths
of the author. Real app, real SQLite."""
from __future__ import annotations

import re
from pathlib import Path

from docklab.config import REPO_ROOT


def _section(html: str, anchor: str) -> str:
    """The HTML of one note section, from its <section> to the next."""
    start = html.index(f'aria-labelledby="{anchor}"')
    end = html.find('<section class="note-section"', start)
    return html[start:end if end > 0 else None]


def test_notes_page_shows_2026_boxes_answers_and_no_local_paths(client):
    html = client.get("/notes").get_data(as_text=True)
    notes_text = (REPO_ROOT / "notes" / "docker-notes.ko.md").read_text(encoding="utf-8")
    assert "/Users/joseongeun" in notes_text  # the notes file keeps the author's lines...
    assert "/Users/" not in html  # ...but the page never shows the path
    practice = _section(html, "실습")
    for name in ("mysql-1.png", "nginx-1.png", "nginx-error.png", "nginx-2.png"):
        assert f"(스크린샷 실습: {name}, 작성자의 컴퓨터에만 있음)" in practice
    # a 2026 box right after the dated line, in the same section
    run = _section(html, "도커-실행하기")
    line = run.index("hello-world 컨테이너가 없으면 컨테이너를 다운 받아 온다.")
    box = run.index('class="note-box note-2026"', line)
    assert "받아 오는 것은 컨테이너가 아니라 이미지입니다" in run[box:]
    assert html.count('class="note-box note-2026"') >= 15
    assert "2026 정정" in html
    # the notes' own questions: their heading in the table of contents, each with its answer
    assert 'href="#노트의-질문"' in html
    questions = _section(html, "노트의-질문")
    assert questions.count('class="note-box note-answer"') == 2
    first_q = questions.index("Q. docker build 하면 어디에 올라가나?")
    first_answer = questions.index('class="note-box note-answer"')
    second_q = questions.index("Q. eb와 docker")
    assert first_q < first_answer < second_q
    assert "로컬 이미지 저장소" in questions[first_answer:second_q]
    assert "Q. docker build" not in _section(html, "vagrant")
    # today's Docker sections are there, after the author's last heading
    assert html.index('id="오늘의-docker-2026"') > html.index('id="복습"')


def test_notes_page_boxes_follow_the_reader_language(client):
    html = client.get("/notes?lang=en").get_data(as_text=True)
    assert "What is downloaded is the image, not the container" in html
    assert "(screenshot 실습: mysql-1.png, kept on the author&#39;s computer)" in html \
        or "(screenshot 실습: mysql-1.png, kept on the author's computer)" in html
    assert re.search(r'class="note-box note-answer" aria-label="Answer"', html)
    assert "2026 update" in html
    assert "/Users/" not in html


def test_notes_page_in_a_real_browser_on_a_phone(live_server, page):
    """The 2026 box and the answers are visible where they belong; the page keeps a copy of
    what it looked like in .test-artifacts/ (for a person to look at)."""
    page.goto(live_server.url + "/notes#실습")
    practice = page.locator('section[aria-labelledby="실습"]')
    box = practice.locator(".note-2026").first
    box.wait_for(state="visible")
    assert "2026 정정" in box.inner_text()
    assert "mysql:8.4" in box.inner_text()
    assert "/Users/" not in page.locator("article.notes").inner_text()
    box_top = box.bounding_box()["y"]
    line_top = practice.get_by_text("docker run -e MYSQL_ROOT_PASSWORD").first.bounding_box()["y"]
    assert box_top > line_top  # after the dated line, not at the end of the section
    answers = page.locator('section[aria-labelledby="노트의-질문"] .note-answer')
    assert answers.count() == 2 and answers.first.is_visible()
    # a phone-wide page: the boxes never overflow the screen
    assert box.bounding_box()["width"] <= 390
    out = Path(".test-artifacts")
    out.mkdir(exist_ok=True)
    practice.screenshot(path=str(out / "notes-page-practice.png"))
    page.locator('section[aria-labelledby="노트의-질문"]').screenshot(
        path=str(out / "notes-page-questions.png"))
