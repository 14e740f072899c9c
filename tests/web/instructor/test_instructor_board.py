"""The progress board, its JSON and its CSV against a class seeded by hand (instructor_data)."""
from __future__ import annotations

import csv
import io
import re

from docklab.extensions import db
from docklab.models import ApiToken, User
from tests.web.instructor.instructor_data import (
    EXPECTED_LABS,
    EXPECTED_LABS_PASSED,
    EXPECTED_SECTIONS,
    LAB1,
    LAB2,
    S1,
    S2,
    STUDENTS,
    mastery,
    mean_mastery,
    seed_class,
)


def token_for(app, user_id: int) -> str:
    with app.app_context():
        _token, plain = ApiToken.issue(db.session.get(User, user_id))
        db.session.commit()
        return plain


def cell_text(page: str, name: str, key: str) -> str:
    match = re.search(rf'data-testid="cell-{re.escape(name)}-{re.escape(key)}"[^>]*>(.*?)</td>',
                      page, re.S)
    assert match, f"no cell for {name} / {key}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_board_json_has_every_seeded_number(app, client):
    seeded = seed_class(app)
    token = token_for(app, seeded.ids["teach"])
    response = client.get(f"/api/v1/classes/{seeded.class_id}/progress",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    data = response.get_json()
    assert [item["key"] for item in data["items"]] == [
        f"lab:{LAB1}", f"lab:{LAB2}", f"section:{S1}", f"section:{S2}"]
    students = {row["username"]: row for row in data["students"]}
    assert sorted(students) == sorted(STUDENTS)  # zed (another class) is not here
    for (name, lab), (state, best, attempts, errors) in EXPECTED_LABS.items():
        cell = students[name]["cells"][f"lab:{lab}"]
        assert (cell["state"], cell["best_score"], cell["attempts"], cell["errors"]) == \
            (state, best, attempts, errors), (name, lab)
    for (name, anchor), (state, known, answered) in EXPECTED_SECTIONS.items():
        cell = students[name]["cells"][f"section:{anchor}"]
        assert (cell["state"], cell["known"], cell["answered"], cell["mastery"]) == \
            (state, known, answered, mastery(app, name, anchor)), (name, anchor)
    for name in STUDENTS:
        assert students[name]["labs_passed"] == EXPECTED_LABS_PASSED[name]
        assert students[name]["mean_mastery"] == mean_mastery(app, name)
    counts = {item["key"]: item["counts"] for item in data["items"]}
    assert counts[f"lab:{LAB1}"] == {"not_started": 1, "host_error": 1, "failing": 1,
                                     "self_reported": 0, "passed": 1}
    assert counts[f"lab:{LAB2}"] == {"not_started": 2, "host_error": 0, "failing": 1,
                                     "self_reported": 0, "passed": 1}
    means = {item["key"]: item["mean_mastery"] for item in data["items"]}
    assert means[f"section:{S1}"] == round(sum(mastery(app, n, S1) for n in STUDENTS) / 4)
    assert means[f"section:{S2}"] == round(sum(mastery(app, n, S2) for n in STUDENTS) / 4)


def test_board_page_shows_each_cell_with_icon_and_words(app, client, auth):
    seeded = seed_class(app)
    auth.login("teach")
    page = client.get(f"/instructor/classes/{seeded.class_id}").get_data(as_text=True)
    assert "zed" not in page
    words = {"passed": "✔ 통과", "failing": "✘ 미통과", "host_error": "⚠ 호스트 오류",
             "not_started": "시작 안 함", "mastered": "● 숙달", "learning": "◐ 학습 중"}
    for (name, lab), (state, best, attempts, errors) in EXPECTED_LABS.items():
        text = cell_text(page, name, f"lab:{lab}")
        assert words[state] in text, (name, lab, text)
        if best is not None:
            assert f"{best}/10" in text
        if state != "not_started":
            assert f"{attempts}회" in text, text
        if errors:
            assert f"⚠{errors}" in text
    # the default view fits a laptop: one column per chapter of the notes, not per section
    assert f'data-testid="cell-alice-section:{S1}"' not in page
    with app.app_context():
        from docklab.classes import catalog

        chapter = catalog.section(S1).chapter
        sizes = {anchor: len(catalog.section(anchor).question_ids) for anchor in (S1, S2)}
        same_chapter = catalog.section(S2).chapter == chapter
    assert 'data-testid="head-chapter:0">' in page and chapter in page
    parts = (S1, S2) if same_chapter else (S1,)
    for name in STUDENTS:
        known = sum(EXPECTED_SECTIONS.get((name, anchor), ("", 0, 0))[1] for anchor in parts)
        total = sum(sizes[anchor] for anchor in parts)
        assert f"% ({known}/{total})" in cell_text(page, name, "chapter:0"), name
    # every section, grouped under its chapter, one click away
    page = client.get(f"/instructor/classes/{seeded.class_id}?view=all").get_data(as_text=True)
    assert f'data-testid="group-chapter:0">퀴즈: {chapter}</th>' in page
    for (name, anchor), (state, known, _answered) in EXPECTED_SECTIONS.items():
        text = cell_text(page, name, f"section:{anchor}")
        assert words[state] in text
        assert f"{mastery(app, name, anchor)}% ({known}/" in text
    assert 'data-testid="shown-count"' in page and "4명 중 4명" in page


def test_board_filters_and_sorts_on_the_server(app, client, auth):
    seeded = seed_class(app)
    auth.login("teach")
    url = f"/instructor/classes/{seeded.class_id}"

    def names(query: str) -> list[str]:
        page = client.get(url + query).get_data(as_text=True)
        return re.findall(r'<tr data-student="([^"]+)"', page)

    assert names("") == ["alice", "bora", "chan", "dami"]
    assert names("?dir=desc") == ["dami", "chan", "bora", "alice"]
    assert names(f"?item=lab:{LAB1}&state=failing") == ["bora"]
    assert names(f"?item=lab:{LAB1}&state=host_error") == ["chan"]
    assert names(f"?item=section:{S1}&state=mastered") == ["chan"]
    assert names("?q=AL") == ["alice"]
    # progress = (labs passed, mean mastery): alice (1, 50) > bora (1, 0) > chan (0, 50) > dami
    assert names("?sort=progress&dir=desc") == ["alice", "bora", "chan", "dami"]
    # by a lab column: not started < host error < failing < passed
    assert names(f"?sort=lab:{LAB1}") == ["dami", "chan", "bora", "alice"]
    assert names(f"?sort=section:{S1}&dir=desc") == ["chan", "alice", "bora", "dami"]
    assert names("?sort=nonsense&dir=sideways") == ["alice", "bora", "chan", "dami"]


def test_due_dates_mark_late_and_overdue(app, client, auth):
    seeded = seed_class(app, due=True)
    token = token_for(app, seeded.ids["teach"])
    data = client.get(f"/api/v1/classes/{seeded.class_id}/progress",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    cells = {row["username"]: row["cells"] for row in data["students"]}
    lab = f"lab:{LAB1}"
    # due 45 min after the start: alice passed at 60 min (late); the others never passed
    assert (cells["alice"][lab]["late"], cells["alice"][lab]["overdue"]) == (True, False)
    assert [cells[n][lab]["overdue"] for n in ("bora", "chan", "dami")] == [True, True, True]
    assert all(not cells[n][f"lab:{LAB2}"]["overdue"] for n in STUDENTS)  # no due date
    section = f"section:{S1}"
    assert [cells[n][section]["overdue"] for n in STUDENTS] == [True, True, False, True]
    # the page says it in Korean (these words are built in Python f-strings, which the
    # message extractor skips: the catalog has them by hand)
    auth.login("teach")
    page = client.get(f"/instructor/classes/{seeded.class_id}").get_data(as_text=True)
    assert "◷ 마감 후 통과" in cell_text(page, "alice", lab)
    assert "◷ 마감 지남" in cell_text(page, "bora", lab)
    assert "overdue" not in text_of_main(page) and "late" not in text_of_main(page)


def text_of_main(page: str) -> str:
    main = page.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def read_csv(response) -> list[list[str]]:
    raw = response.data
    assert raw.startswith("\ufeff".encode())  # BOM: Excel reads UTF-8 Korean
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


STATE_WORDS = {"passed": "통과", "failing": "미통과", "host_error": "호스트 오류",
               "not_started": "시작 안 함"}


def test_grid_csv_matches_the_seeded_class(app, client, auth):
    seeded = seed_class(app)
    auth.login("teach")
    response = client.get(f"/instructor/classes/{seeded.class_id}/export/grid.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    with app.app_context():
        from docklab.classes import catalog

        title1, title2 = catalog.section(S1).item.title_ko, catalog.section(S2).item.title_ko
        lab1, lab2 = catalog.lab(LAB1).item.title_ko, catalog.lab(LAB2).item.title_ko
    lab_columns = ["상태", "최고 점수", "만점", "시도 수", "오류 수(미반영)", "자가 보고 수"]
    assert rows[0] == [
        "학생", "통과한 실습 수", "퀴즈 평균 숙달도(%)", "기한 지난 항목 수",
        *[f"실습 {lab1} · {name}" for name in lab_columns],
        *[f"실습 {lab2} · {name}" for name in lab_columns],
        f"퀴즈 {title1} · 숙달도(%)", f"퀴즈 {title1} · 답한 문제 수",
        f"퀴즈 {title2} · 숙달도(%)", f"퀴즈 {title2} · 답한 문제 수"]
    assert "docker는 무엇인가" in rows[0][16].lower()  # Korean survives the round trip
    expected = []
    for name in STUDENTS:
        line = [name, str(EXPECTED_LABS_PASSED[name]), str(mean_mastery(app, name)), "0"]
        for lab in (LAB1, LAB2):
            state, best, attempts, errors = EXPECTED_LABS[name, lab]
            line += [STATE_WORDS[state], "" if best is None else str(best),
                     "" if state in ("not_started", "host_error") else "10",
                     str(attempts), str(errors), "0"]
        for anchor in (S1, S2):
            line += [str(mastery(app, name, anchor)), str(EXPECTED_SECTIONS[name, anchor][2])]
        expected.append(line)
    assert rows[1:] == expected


def test_attempts_and_answers_csv_list_every_row_of_the_class(app, client, auth):
    seeded = seed_class(app)
    auth.login("teach")
    rows = read_csv(client.get(f"/instructor/classes/{seeded.class_id}/export/attempts.csv"))
    header, body = rows[0], rows[1:]
    assert header[:10] == ["시도 번호", "학생", "실습", "실습 id", "시각 (Asia/Seoul)", "상태",
                           "반영", "점수", "만점", "채점 시간(ms)"]
    assert len(body) == 9  # zed's attempt belongs to another class
    failed, error, passed = "실패", "오류(미반영)", "통과"
    assert [(r[1], r[3], r[5], r[6], r[7]) for r in body] == [
        ("alice", LAB1, failed, "예", "4"), ("chan", LAB1, error, "아니오", "0"),
        ("chan", LAB1, error, "아니오", "0"), ("bora", LAB1, failed, "예", "4"),
        ("bora", LAB1, failed, "예", "6"), ("alice", LAB1, error, "아니오", "0"),
        ("alice", LAB1, passed, "예", "10"), ("bora", LAB2, passed, "예", "10"),
        ("chan", LAB2, failed, "예", "0")]
    assert body[0][4] == "2026-10-01 18:00:00"  # 09:00 UTC in Seoul, as Excel reads dates
    assert "port 80/tcp is bound to host port 8080, not 80" in body[0][12]
    # each check's outcome in words: "<check>: 통과", never "<check>=pass"
    first_check = seeded.checks1[0]
    assert body[0][11].startswith(f"{first_check}: 통과; ") and "실패" in body[0][11]
    assert "=" not in body[0][11]
    answers = read_csv(client.get(f"/instructor/classes/{seeded.class_id}/export/answers.csv"))
    assert answers[0] == ["답 번호", "학생", "문제 id", "문제", "노트 구간", "시각 (Asia/Seoul)",
                          "정답 여부", "고른 답"]
    assert len(answers) - 1 == 5 + 2 + 4  # alice, bora, chan; not zed
    assert {row[1] for row in answers[1:]} == {"alice", "bora", "chan"}
    assert all(row[3] and row[4] for row in answers[1:])  # its question and note section


def test_csv_cells_cannot_run_as_formulas(app, client, auth):
    seeded = seed_class(app)
    evil = "=HYPERLINK(\"http://x\")"
    from tests.support.webapp import create_user
    from tests.web.instructor.instructor_data import add_answer, minutes

    evil_id = create_user(app, evil)
    with app.app_context():
        from docklab.classes.models import Classroom
        from docklab.classes.services import join

        join(db.session.get(Classroom, seeded.class_id), db.session.get(User, evil_id))
        add_answer(evil_id, "docker-what-technology", "@SUM(A1:A9)", False, minutes(300))
        add_answer(evil_id, "docker-what-technology", "-2+3", False, minutes(301))
        db.session.commit()
    auth.login("teach")
    grid = read_csv(client.get(f"/instructor/classes/{seeded.class_id}/export/grid.csv"))
    assert ["'" + evil] == [row[0] for row in grid if "HYPERLINK" in row[0]]
    answers = read_csv(client.get(f"/instructor/classes/{seeded.class_id}/export/answers.csv"))
    evil_rows = [row for row in answers if "HYPERLINK" in row[1]]
    assert [row[7] for row in evil_rows] == ["'@SUM(A1:A9)", "'-2+3"]
    assert all(row[1] == "'" + evil for row in evil_rows)
