"""A seeded class for the instructor tests: rows go through the real models into the test's
real SQLite database, and the expected board numbers are written out by hand below."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from docklab.classes import attempts as A
from docklab.classes import catalog, services
from docklab.extensions import db
from docklab.models import User
from docklab.quiz.models import QuizAnswer
from tests.support.webapp import create_user

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
LAB1, LAB2 = "nginx-port", "mysql-env"
S1, S2 = "docker는-무엇인가", "도커는-가볍다"
NEAR_MISS = "port 80/tcp is bound to host port 8080, not 80"
OTHER_MISS = "port 80/tcp is not published"
MYSQL_MISS = "no container named `mydb`; did you mean `mydb2`?"
STUDENTS = ("alice", "bora", "chan", "dami")


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


@dataclass
class Seeded:
    class_id: int
    other_class_id: int
    ids: dict[str, int] = field(default_factory=dict)
    checks1: tuple[str, ...] = ()
    wrong_choice: str = ""  # the wrong choice picked twice on docker-what-definition


def add_attempt(user_id: int, lab_id: str, status: str, score: int, at: datetime,
                checks: list[dict], max_score: int = 10) -> None:
    c = A.cols()
    db.session.add(c.model(**A.row_values(
        c, user_id=user_id, lab_id=lab_id, status=status, score=score, max_score=max_score,
        checks=checks, at=at, duration_ms=120)))


def add_answer(user_id: int, question_id: str, answer, correct: bool, at: datetime) -> None:
    db.session.add(QuizAnswer(user_id=user_id, question_id=question_id, answer=answer,
                              correct=correct, answered_at=at, mode="practice", source="web"))


def results(checks: tuple[str, ...], passing: int, miss: str | None = None) -> list[dict]:
    """The first `passing` checks pass, the next fails with `miss`, the rest are skipped."""
    found = []
    for index, check in enumerate(checks):
        if index < passing:
            found.append({"id": check, "status": "pass", "message": "ok", "points": 1})
        elif index == passing and miss:
            found.append({"id": check, "status": "fail", "message": miss, "points": 1})
        else:
            found.append({"id": check, "status": "skip", "message": "", "points": 1})
    return found


def error_checks(checks: tuple[str, ...]) -> list[dict]:
    return [{"id": checks[0], "status": "error", "message": "connection refused", "points": 1}]


def right_answer(question):
    """The right answer in the shape the learner submits, read from the content."""
    if question.type == "single":
        return question.parts.answer
    if question.type == "multi":
        return list(question.parts.answer)
    if question.type == "truefalse":
        return bool(question.parts.answer)
    if question.type == "short":
        return question.parts.accepted[0]
    raise AssertionError(question.type)


def seed_class(app, due: bool = False) -> Seeded:
    teacher = create_user(app, "teach", "instructor")
    other = create_user(app, "other-teacher", "instructor")
    ids = {name: create_user(app, name) for name in STUDENTS}
    ids["zed"] = create_user(app, "zed")
    ids["teach"], ids["other"] = teacher, other
    with app.app_context():
        classroom = services.create_class(db.session.get(User, teacher), "도커 101",
                                          labs=[LAB1, LAB2], sections=[S1, S2])
        other_class = services.create_class(db.session.get(User, other), "Other class",
                                            labs=[LAB1], sections=[S1])
        for name in STUDENTS:
            services.join(classroom, db.session.get(User, ids[name]))
        services.join(other_class, db.session.get(User, ids["zed"]))
        if due:
            services.set_assignments(classroom, "lab", [LAB1, LAB2], {LAB1: minutes(45)})
            services.set_assignments(classroom, "section", [S1, S2], {S1: minutes(24 * 60)})
            db.session.commit()

        checks1 = catalog.lab(LAB1).checks
        checks2 = catalog.lab(LAB2).checks
        alice, bora, chan = ids["alice"], ids["bora"], ids["chan"]
        # nginx-port: alice fails, hits a host error, then passes; bora fails twice;
        # chan only ever reaches an unreachable host; dami never starts.
        add_attempt(alice, LAB1, "failed", 4, minutes(0), results(checks1, 1, NEAR_MISS))
        add_attempt(alice, LAB1, "error", 0, minutes(30), error_checks(checks1))
        add_attempt(alice, LAB1, "passed", 10, minutes(60), results(checks1, len(checks1)))
        add_attempt(bora, LAB1, "failed", 4, minutes(10), results(checks1, 1, NEAR_MISS))
        add_attempt(bora, LAB1, "failed", 6, minutes(20), results(checks1, 1, OTHER_MISS))
        add_attempt(chan, LAB1, "error", 0, minutes(5), error_checks(checks1))
        add_attempt(chan, LAB1, "error", 0, minutes(7), error_checks(checks1))
        # mysql-env: bora passes at once, chan fails with 0 points.
        add_attempt(bora, LAB2, "passed", 10, minutes(120), results(checks2, len(checks2)))
        add_attempt(chan, LAB2, "failed", 0, minutes(180), results(checks2, 0, MYSQL_MISS))
        # another class's learner: must never show up here
        add_attempt(ids["zed"], LAB1, "passed", 10, minutes(1), results(checks1, len(checks1)))

        bank = catalog.question
        definition, own_kernel = bank("docker-what-definition"), bank("docker-what-own-kernel")
        jobs, technology = bank("docker-what-jobs"), bank("docker-what-technology")
        fast_start = bank("light-fast-start")
        wrong = next(c.id for c in definition.parts.choices if c.id != definition.parts.answer)
        add_answer(alice, definition.id, right_answer(definition), True, minutes(15))
        add_answer(alice, own_kernel.id, not own_kernel.parts.answer, False, minutes(45))
        add_answer(alice, own_kernel.id, right_answer(own_kernel), True, minutes(50))
        add_answer(alice, jobs.id, right_answer(jobs), True, minutes(90))
        add_answer(alice, fast_start.id, right_answer(fast_start), True, minutes(100))
        add_answer(bora, definition.id, wrong, False, minutes(11))
        add_answer(bora, definition.id, wrong, False, minutes(12))
        for offset, question in enumerate((definition, own_kernel, jobs, technology)):
            add_answer(chan, question.id, right_answer(question), True, minutes(200 + offset))
        add_answer(ids["zed"], definition.id, wrong, False, minutes(3))
        db.session.commit()
        return Seeded(classroom.id, other_class.id, ids, checks1, wrong)


# What the board must show, worked out by hand from the rows above.
# lab cells: (state, best score, counted attempts, error attempts)
EXPECTED_LABS = {
    ("alice", LAB1): ("passed", 10, 2, 1), ("bora", LAB1): ("failing", 6, 2, 0),
    ("chan", LAB1): ("host_error", None, 0, 2), ("dami", LAB1): ("not_started", None, 0, 0),
    ("alice", LAB2): ("not_started", None, 0, 0), ("bora", LAB2): ("passed", 10, 1, 0),
    ("chan", LAB2): ("failing", 0, 1, 0), ("dami", LAB2): ("not_started", None, 0, 0),
}
# section cells: (state, questions whose latest answer is right, questions answered);
# mastery % = right / questions in the section (4 each in today's content)
EXPECTED_SECTIONS = {
    ("alice", S1): ("learning", 3, 3), ("bora", S1): ("learning", 0, 1),
    ("chan", S1): ("mastered", 4, 4), ("dami", S1): ("not_started", 0, 0),
    ("alice", S2): ("learning", 1, 1), ("bora", S2): ("not_started", 0, 0),
    ("chan", S2): ("not_started", 0, 0), ("dami", S2): ("not_started", 0, 0),
}
EXPECTED_LABS_PASSED = {"alice": 1, "bora": 1, "chan": 0, "dami": 0}


def section_size(app, anchor: str) -> int:
    with app.app_context():
        return len(catalog.section(anchor).question_ids)


def mastery(app, name: str, anchor: str) -> int:
    return round(100 * EXPECTED_SECTIONS[name, anchor][1] / section_size(app, anchor))


def mean_mastery(app, name: str) -> int:
    return round((mastery(app, name, S1) + mastery(app, name, S2)) / 2)
