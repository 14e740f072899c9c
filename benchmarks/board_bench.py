"""Progress-board benchmark: 500 students x 20 items (labs + quiz sections) on SQLite.

Seeds a temporary, migrated SQLite database through the real tables (attempts with per-check
results, quiz answers), then measures in the same run:

  board   the instructor's board page, a full HTTP request through the app (query + render)
  bare    the board's three aggregate queries alone (the floor: what the database must do)
  naive   the same grid computed with one query per cell (how it is usually written)

and prints the board's server time with its ratios to both. Target: board < 300 ms.

    .venv/bin/python benchmarks/board_bench.py [--students 500] [--items 20] [--runs 15]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from docklab import create_app  # noqa: E402
from docklab.classes import attempts as A  # noqa: E402
from docklab.classes import board as board_module  # noqa: E402
from docklab.classes import catalog, services  # noqa: E402
from docklab.classes.models import ClassMembership  # noqa: E402
from docklab.extensions import db  # noqa: E402
from docklab.models import User  # noqa: E402
from docklab.quiz.models import QuizAnswer  # noqa: E402

PASSWORD = "bench-password-1"


def make_app(path: Path):
    return create_app({"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                       "DOCKLAB_LOGIN_LIMIT": 10_000})


def choose_items(total: int) -> tuple[list[str], list[str]]:
    """About half labs, half sections (as many labs as the content has, up to half)."""
    labs = [info.item.ref for info in catalog.labs()][: total // 2]
    sections = [info.item.ref for info in catalog.sections()][: total - len(labs)]
    return labs, sections


def seed(app, students: int, items: int, rng: random.Random) -> dict:
    with app.app_context():
        teacher = User(username="bench-teacher", role="instructor")
        teacher.set_password(PASSWORD)
        db.session.add(teacher)
        db.session.commit()
        hashed = teacher.password_hash  # one scrypt; the students never log in
        lab_ids, anchors = choose_items(items)
        classroom = services.create_class(teacher, "Bench class", labs=lab_ids, sections=anchors)
        start = datetime(2026, 9, 1, tzinfo=UTC)
        db.session.execute(insert(User), [
            {"username": f"student{n:04d}", "password_hash": hashed, "role": "student",
             "created_at": start, "session_epoch": 0} for n in range(students)])
        ids = db.session.scalars(select(User.id).where(User.role == "student")).all()
        db.session.execute(insert(ClassMembership), [
            {"class_id": classroom.id, "user_id": uid, "joined_at": start} for uid in ids])

        c = A.cols()
        attempt_rows = []
        for uid in ids:
            for lab_id in lab_ids:
                checks = catalog.lab(lab_id).checks
                for attempt in range(rng.choice((0, 1, 2, 3, 4, 6))):
                    status = rng.choices(("passed", "failed", "error"), (3, 5, 1))[0]
                    results = [{"id": check, "status": "pass" if status == "passed" or
                                rng.random() < .6 else "fail",
                                "message": f"{check}: not yet", "points": 1}
                               for check in checks]
                    score = sum(1 for r in results if r["status"] == "pass")
                    attempt_rows.append(A.row_values(
                        c, user_id=uid, lab_id=lab_id, status=status, score=score,
                        max_score=len(checks), checks=results,
                        at=start + timedelta(hours=attempt * 5 + rng.random()),
                        duration_ms=rng.randint(20, 400)))
        db.session.execute(insert(c.model), attempt_rows)

        answer_rows = []
        for uid in ids:
            for anchor in anchors:
                for qid in catalog.section(anchor).question_ids:
                    for attempt in range(rng.choice((0, 1, 1, 2, 3))):
                        answer_rows.append({
                            "user_id": uid, "question_id": qid, "answer": "a",
                            "correct": rng.random() < .6, "mode": "practice", "source": "web",
                            "answered_at": start + timedelta(days=attempt, minutes=rng.random())})
        db.session.execute(insert(QuizAnswer), answer_rows)
        db.session.commit()
        return {"class_id": classroom.id, "labs": lab_ids, "sections": anchors,
                "attempts": len(attempt_rows), "answers": len(answer_rows), "students": len(ids)}


def timed(function, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    return times


def naive_grid(classroom) -> dict:
    """One query per cell: what the board avoids."""
    c = A.cols()
    grid = {}
    items, _due = board_module.assigned_items(classroom)
    for student in services.roster(classroom):
        for item in items:
            if item.kind == "lab":
                statuses = db.session.execute(
                    select(c.status, c.score).where(c.user_id == student.id,
                                                    c.lab_id == item.ref)).all()
                grid[student.id, item.key] = statuses
            else:
                ids = catalog.section(item.ref).question_ids
                rows = db.session.execute(
                    select(QuizAnswer.question_id, QuizAnswer.correct)
                    .where(QuizAnswer.user_id == student.id, QuizAnswer.question_id.in_(ids))
                    .order_by(QuizAnswer.answered_at)).all()
                grid[student.id, item.key] = {qid: ok for qid, ok in rows}
    return grid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="board-bench-") as tmp:
        path = Path(tmp) / "bench.sqlite3"
        app = make_app(path)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
        began = time.perf_counter()
        facts = seed(app, options.students, options.items, random.Random(6))
        seeded = time.perf_counter() - began
        print(f"seeded {facts['students']} students x {len(facts['labs'])} labs + "
              f"{len(facts['sections'])} sections: {facts['attempts']} attempts, "
              f"{facts['answers']} answers ({seeded:.1f} s)")

        client = app.test_client()
        response = client.post("/login", data={"username": "bench-teacher",
                                               "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        url = f"/instructor/classes/{facts['class_id']}?sort=progress&dir=desc"

        def page():
            response = client.get(url)
            assert response.status_code == 200 and b"student0000" in response.data

        with app.app_context():
            from docklab.classes.models import Classroom

            classroom = db.session.get(Classroom, facts["class_id"])
            items, _due = board_module.assigned_items(classroom)
            section_of = {qid: anchor for anchor in facts["sections"]
                          for qid in catalog.section(anchor).question_ids}

            def bare():
                db.session.execute(select(func.count()).select_from(ClassMembership)
                                   .where(ClassMembership.class_id == classroom.id)).all()
                board_module.lab_aggregates(classroom.id, facts["labs"])
                board_module.section_aggregates(classroom.id, section_of)

            timed(bare, 2)
            bare_ms = timed(bare, options.runs)
            naive_ms = timed(lambda: naive_grid(classroom), 2)

        timed(page, 2)  # warm: content loaded, templates compiled, SQLite pages cached
        page_ms = timed(page, options.runs)

    board = statistics.median(page_ms)
    floor = statistics.median(bare_ms)
    naive = statistics.median(naive_ms)
    p95 = sorted(page_ms)[max(0, round(len(page_ms) * .95) - 1)]
    print(f"board page (HTTP, queries + render): median {board:.1f} ms, p95 {p95:.1f} ms "
          f"over {options.runs} runs (target < 300 ms: {'OK' if board < 300 else 'MISSED'})")
    print(f"bare aggregate queries:              median {floor:.1f} ms  -> board/bare "
          f"= {board / floor:.1f}x")
    print(f"naive one query per cell:            median {naive:.1f} ms  -> naive/board "
          f"= {naive / board:.1f}x")


if __name__ == "__main__":
    main()
