"""Regenerate docs/screens/*.png: the lab page, the class to-do page and the progress board, at a
laptop's size (1280x800) and a phone's (390x844), in Korean, from a freshly seeded class.

    .venv/bin/python scripts/screenshots.py [--out docs/screens]

The app runs on a throw-away SQLite database (migrated like a real one), served on loopback;
Debian's chromium, driven by Playwright, takes the pictures. The class is seeded through the app's
own models and services: an instructor, six students, every lab and quiz section assigned, due
dates, lab attempts (passes, failures, a late pass) and quiz answers. Nothing is mocked: the
pages are what a teacher and a student would see with that data.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

from docklab import create_app  # noqa: E402

PASSWORD = "screens-password-1"  # noqa: S105 - throw-away accounts in a throw-away database
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
STUDENTS = ("김민아", "이준호", "박서연", "최도윤", "정하은", "한지우")
# The local engine is on (what `make run` does), so the board shows its shared-engine warning.
# The tallest picture kept, in CSS pixels: a page longer than this is cut (the top is what a
# reader sees first, and the PNG stays a few hundred KB).
MAX_HEIGHT = {"desktop": 1500, "phone": 2200}


def build_app(database: Path):
    from flask_migrate import upgrade

    app = create_app({
        "SECRET_KEY": "screenshots", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "DOCKLAB_SANDBOXES": False, "DOCKLAB_LOCAL_ENGINE": True, "DOCKLAB_LOGIN_LIMIT": 1000,
        "BABEL_DEFAULT_TIMEZONE": "Asia/Seoul",
    })
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    return app


def seed(app) -> dict:
    """The class the pictures show; returns the ids the pages need."""
    from docklab.classes import attempts as A
    from docklab.classes import catalog, services
    from docklab.extensions import db
    from docklab.models import User
    from docklab.quiz.models import QuizAnswer

    def user(name: str, role: str = "student") -> User:
        account = User(username=name, role=role)
        account.set_password(PASSWORD)
        db.session.add(account)
        db.session.flush()
        return account

    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        teacher = user("김선생", "instructor")
        learners = [user(name) for name in STUDENTS]
        labs = [info.item.ref for info in catalog.labs()]
        sections = [info.item.ref for info in catalog.sections()]
        classroom = services.create_class(teacher, "도커 입문 A반", labs=labs, sections=sections)
        # the first labs were due last week, the next ones next week
        due = {lab: now + timedelta(days=-7 if n < 3 else 7) for n, lab in enumerate(labs[:6])}
        services.set_assignments(classroom, "lab", labs, due)
        services.set_assignments(classroom, "section", sections,
                                 {sections[0]: now - timedelta(days=3)})
        for learner in learners:
            services.join(classroom, learner)

        c = A.cols()

        def attempt(learner: User, lab_id: str, passing: int, at: datetime) -> None:
            info = catalog.lab(lab_id)
            checks = []
            for index, check in enumerate(info.checks):
                status = "pass" if index < passing else ("fail" if index == passing else "skip")
                message = "ok" if status == "pass" else (
                    "`myweb` 이름의 컨테이너가 없습니다" if status == "fail" else "")
                checks.append({"id": check, "status": status, "message": message, "points": 1})
            total = len(info.checks)
            done = passing >= total
            db.session.add(c.model(**A.row_values(
                c, user_id=learner.id, lab_id=lab_id, status="passed" if done else "failed",
                score=min(passing, total), max_score=total, checks=checks, at=at,
                duration_ms=40)))

        # progress falls from the first student to the last; one passes the first lab late
        for rank, learner in enumerate(learners):
            for n, lab_id in enumerate(labs[:max(0, 7 - rank)]):
                at = now - timedelta(days=10 - n, hours=rank)
                total = len(catalog.lab(lab_id).checks)
                if (rank + n) % 4 == 3:
                    attempt(learner, lab_id, 1, at)  # still failing
                else:
                    attempt(learner, lab_id, 0, at - timedelta(minutes=20))
                    late = rank == 1 and n == 0
                    attempt(learner, lab_id, total, now - timedelta(days=2) if late else at)
        # quiz answers: the first section fully by the strongest, partly by the others
        for rank, learner in enumerate(learners[:5]):
            for anchor in sections[: 6 - rank]:
                info = catalog.section(anchor)
                for n, qid in enumerate(info.question_ids):
                    question = catalog.question(qid)
                    right = (n + rank) % 3 != 2
                    db.session.add(QuizAnswer(
                        user_id=learner.id, question_id=qid, answer=_answer(question, right),
                        correct=right, answered_at=now - timedelta(days=5, minutes=n),
                        mode="practice", source="web"))
        db.session.commit()
        return {"class_id": classroom.id, "lab": labs[3] if len(labs) > 3 else labs[0]}


def _answer(question, right: bool):
    """An answer in the shape the learner submits (right, or a plausible wrong one)."""
    kind = question.type
    parts = question.parts
    if kind == "single":
        wrong = next(c.id for c in parts.choices if c.id != parts.answer)
        return parts.answer if right else wrong
    if kind == "multi":
        return list(parts.answer) if right else [parts.choices[0].id]
    if kind == "truefalse":
        return bool(parts.answer) if right else not parts.answer
    if kind == "short":
        return parts.accepted[0] if right else "모르겠음"
    if kind == "ordering":
        order = [item.id for item in parts.items]
        return order if right else list(reversed(order))
    if kind == "matching":
        return {left.id: right_.id for left, right_ in parts.pairs}
    return ""


class Server:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


def log_in(page, base: str, name: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("사용자 이름").fill(name)
    page.get_by_label("비밀번호", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_load_state()


def shoot(page, path: Path, size: str) -> None:
    height = page.evaluate("document.documentElement.scrollHeight")
    clip = {"x": 0, "y": 0, "width": SIZES[size]["width"],
            "height": min(height, MAX_HEIGHT[size])}
    page.screenshot(path=str(path), clip=clip, full_page=True)
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
          f"  {path.stat().st_size // 1024} KB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screens")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print("chromium is not installed (Debian: apt-get install chromium fonts-noto-cjk)",
              file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        app = build_app(Path(scratch) / "screens.sqlite")
        app.instance_path = str(Path(scratch) / "instance")
        ids = seed(app)
        with Server(app) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"])
            for size, viewport in SIZES.items():
                suffix = "d" if size == "desktop" else "m"
                for who, path, name in (
                        (STUDENTS[1], f"/labs/{ids['lab']}", "lab"),
                        (STUDENTS[1], "/classes/todo", "todo"),
                        ("김선생", f"/instructor/classes/{ids['class_id']}", "board")):
                    context = browser.new_context(viewport=viewport, locale="ko-KR",
                                                  device_scale_factor=1)
                    page = context.new_page()
                    log_in(page, server.url, who)
                    page.goto(server.url + path)
                    page.wait_for_load_state("networkidle")
                    shoot(page, args.out / f"{name}-{suffix}.png", size)
                    context.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
