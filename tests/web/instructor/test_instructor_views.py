"""Drill-down, per-lab funnel and question statistics against the hand-seeded class."""
from __future__ import annotations

import html as htmllib
import re
import statistics

from docklab.classes.models import Classroom
from docklab.extensions import db
from tests.web.instructor.instructor_data import LAB1, LAB2, MYSQL_MISS, NEAR_MISS, S1, seed_class


def text_of(html: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_drill_down_lists_attempts_and_answers_in_time_order(app, client, auth):
    seeded = seed_class(app)
    auth.login("teach")
    page = client.get(f"/instructor/classes/{seeded.class_id}/students/{seeded.ids['alice']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # alice: attempt 0', answer 15', error 30', answers 45' 50', pass 60', answers 90' 100'
    kinds = re.findall(r'data-kind="(attempt|answer)"', html)
    assert kinds == ["attempt", "answer", "attempt", "answer", "answer", "attempt", "answer",
                     "answer"]
    times = re.findall(r'<time datetime="([^"]+)"', html)
    assert times == sorted(times) and len(times) == 8
    text = text_of(html)
    assert NEAR_MISS in text  # the failed attempt's checklist
    # each check's outcome in words of the page's language, not the stored status codes
    checklist = re.search(r'<ul class="checklist">(.*?)</ul>', html, re.S).group(1)
    assert "✔ " in text and " 통과" in text_of(checklist) and " 실패" in text_of(checklist)
    assert not re.search(r"</code>\s*(pass|fail|skip|error)\b", checklist)
    assert "오류 (반영 안 함)" in text  # the error attempt is shown, marked as not counted
    assert text.count("✔ 맞음") == 4 and text.count("✘ 틀림") == 1
    # another student's drill-down is reachable, a non-member's is not
    assert client.get(f"/instructor/classes/{seeded.class_id}/students/"
                      f"{seeded.ids['zed']}").status_code == 404


def test_lab_funnel_shares_medians_and_common_mistake(app, client, auth):
    seeded = seed_class(app)
    auth.login("teach")
    html = client.get(f"/instructor/classes/{seeded.class_id}/labs/{LAB1}").get_data(
        as_text=True)
    checks = seeded.checks1
    assert len(checks) >= 2
    # 4 students; counted attempts: alice 2, bora 2 (chan's are all errors)
    assert "4명 중 2명 시작, 1명 통과, 반영된 시도 4회" in text_of(html)
    # first check: alice and bora passed it on their first attempt
    assert f'data-testid="share-{checks[0]}">50% (2/4)' in html
    # second check: only alice, 60 minutes and 2 counted attempts after her first one
    assert f'data-testid="share-{checks[1]}">25% (1/4)' in html
    rows = dict(re.findall(r'<tr data-check="([^"]+)">(.*?)</tr>', html, re.S))
    first, second = text_of(rows[checks[0]]), text_of(rows[checks[1]])
    assert " 0분 1 " in f" {first} "
    assert " 60분 2 " in f" {second} "
    # the common mistake: the 8080 message, 2 attempts by 2 students (beats the other by 1)
    assert f"“{NEAR_MISS}” (시도 2회, 학생 2명)" in second
    # the three error attempts are listed, and did not count
    errors = html.split("<h2>오류로 끝난 시도")[1]
    assert "(3)" in errors[:20] and errors.count("connection refused") == 3
    other = client.get(f"/instructor/classes/{seeded.class_id}/labs/{LAB2}").get_data(
        as_text=True)
    # the message's Markdown is rendered: `mydb` is code, not backticks
    assert "<code>mydb</code>" in other and "`mydb`" not in other
    assert MYSQL_MISS.replace("`", "").replace(" ", "") in text_of(other).replace(" ", "")


def test_question_statistics(app, client, auth):
    seeded = seed_class(app)
    auth.login("teach")
    html = client.get(f"/instructor/classes/{seeded.class_id}/questions").get_data(as_text=True)

    def cell(kind: str, qid: str) -> str:
        match = re.search(rf'data-testid="{kind}-{qid}">(.*?)</td>', html, re.S)
        assert match, (kind, qid)
        return text_of(match.group(1))

    # docker-what-definition: alice right, bora wrong twice, chan right
    assert cell("attempts", "docker-what-definition") == "4"
    assert cell("first", "docker-what-definition") == "67% (2/3)"
    # total score = share of first tries right: alice 3/4, bora 0/1, chan 4/4
    expected = statistics.correlation([1, 0, 1], [0.75, 0.0, 1.0])
    assert cell("attempts", "docker-what-own-kernel") == "3"
    assert cell("first", "docker-what-own-kernel") == "50% (1/2)"
    with app.test_request_context():
        from docklab.instructor import stats

        computed = {q.question_id: q for section in stats.question_stats(
            stats.class_answers(db.session.get(Classroom, seeded.class_id)), "ko")
            for q in section.questions}
    assert round(computed["docker-what-definition"].discrimination, 2) == round(expected, 2)
    assert round(computed["docker-what-own-kernel"].discrimination, 2) == \
        round(statistics.correlation([0, 1], [0.75, 1.0]), 2)
    assert computed["docker-what-jobs"].discrimination is None  # everyone right: undefined
    # ...but 3 or 2 learners are too few for a correlation to mean anything: the page says n
    # and shows no number (n=2 would read as a perfect ±1.00)
    assert cell("disc", "docker-what-definition") == "— (n=3; 5명부터 보여 줍니다)"
    assert cell("disc", "docker-what-own-kernel") == "— (n=2; 5명부터 보여 줍니다)"
    assert f"{expected:.2f}" not in cell("disc", "docker-what-definition")
    # the wrong choice bora picked twice, out of 4 answers
    row = re.search(r'<tr data-question="docker-what-definition">(.*?)</tr>', html, re.S).group(1)
    with app.app_context():
        from docklab.classes import catalog

        question = catalog.question("docker-what-definition")
        label = next(c.text.ko for c in question.parts.choices if c.id == seeded.wrong_choice)
    assert f"{' '.join(label.split())} — 2 (50%)" in text_of(row)
    # rolled up per section: 4 + 3 + 2 + 1 answers; first tries 2/3, 1/2, 2/2, 1/1 -> 6/8
    summary = text_of(re.search(rf'data-testid="section-summary-{S1}">(.*?)</p>', html,
                                re.S).group(1))
    assert summary.startswith("답 10개 · 첫 시도 정답 75%")
    # the mastery chart: server-rendered SVG with text labels, and its numbers as a table
    assert "<svg" in html and "<title id=\"chart-title\">" in html
    assert "<script" not in html.split("<svg")[1].split("</svg>")[0]
    assert 'class="series"' in html


def test_discrimination_appears_from_five_learners_with_its_n(app, client, auth):
    from docklab.classes import catalog, services
    from docklab.instructor.stats import MIN_LEARNERS_FOR_FLAG
    from docklab.models import User
    from tests.support.webapp import create_user
    from tests.web.instructor.instructor_data import add_answer, minutes

    teacher = create_user(app, "teach", "instructor")
    names = [f"s{n}" for n in range(MIN_LEARNERS_FOR_FLAG)]
    ids = [create_user(app, name) for name in names]
    with app.app_context():
        classroom = services.create_class(db.session.get(User, teacher), "반", sections=[S1])
        for uid in ids:
            services.join(classroom, db.session.get(User, uid))
        first, second = catalog.section(S1).question_ids[:2]
        # strong learners get both right, weak ones both wrong: the first question separates
        for n, uid in enumerate(ids):
            right = n < 3
            add_answer(uid, first, "x", right, minutes(n))
            add_answer(uid, second, "x", right, minutes(n + 10))
        db.session.commit()
        class_id = classroom.id
    auth.login("teach")
    html = client.get(f"/instructor/classes/{class_id}/questions").get_data(as_text=True)
    cell = text_of(re.search(rf'data-testid="disc-{first}">(.*?)</td>', html, re.S).group(1))
    assert cell == f"1.00 (n={MIN_LEARNERS_FOR_FLAG})"
def test_a_chosen_matching_distractor_shows_in_words(app, client, auth):
    """Statistics and the drill-down name the wrong pair by its texts, a distractor included,
    not as the stored JSON of ids."""
    seeded = seed_class(app)
    with app.app_context():
        from docklab.classes import catalog
        from docklab.extensions import db
        from tests.web.instructor.instructor_data import add_answer, minutes

        question = catalog.question("lab-run-flags")
        distractor = question.parts.distractors[0]
        right = {left.id: r.id for left, r in question.parts.pairs}
        left = question.parts.pairs[1][0]  # -d, which learners take for "delete"
        add_answer(seeded.ids["dami"], question.id, {**right, left.id: distractor.id}, False,
                   minutes(300))
        add_answer(seeded.ids["dami"], question.id, right, True, minutes(310))
        db.session.commit()
    pair = f"{left.text.ko} → {distractor.text.ko}"
    auth.login("teach")
    html = client.get(f"/instructor/classes/{seeded.class_id}/questions").get_data(as_text=True)
    row = re.search(r'<tr data-question="lab-run-flags">(.*?)</tr>', html, re.S).group(1)
    assert f"{pair} — 1 (50%)" in text_of(row)
    assert distractor.id not in text_of(row)
    page = client.get(f"/instructor/classes/{seeded.class_id}/students/{seeded.ids['dami']}")
    text = text_of(page.get_data(as_text=True))
    assert pair in text and f'"{distractor.id}"' not in text
    # the right answer shows every pair in words too
    assert f"{left.text.ko} → {question.parts.pairs[1][1].text.ko}" in text
