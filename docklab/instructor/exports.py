"""CSV exports: the board's grid, every lab attempt, every quiz answer.

For a teacher with a spreadsheet: column names are unique and in the reader's language (Korean
or English, like the page they clicked); times are in the site's time zone
(BABEL_DEFAULT_TIMEZONE, the zone the pages show) as `YYYY-MM-DD HH:MM:SS`, which Excel reads as
a date, with the zone named in the column name; answers are the words the learner chose, never
ids or JSON, and Markdown becomes plain text.

UTF-8 with a BOM so Excel opens Korean correctly; text cells that a spreadsheet would run as a
formula (= + - @, tab, carriage return first) get a leading apostrophe (CSV injection)."""
from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from ..classes import attempts as A
from ..classes import catalog
from ..classes.board import Board, LabCell
from ..models import User
from .answer_words import answer_text, plain_text
from .stats import AnswerRow

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# Column names and cell words, (ko, en).
WORDS = {
    "student": ("학생", "student"), "labs_passed": ("통과한 실습 수", "labs passed"),
    "mean_mastery": ("퀴즈 평균 숙달도(%)", "mean quiz mastery (%)"),
    "overdue": ("기한 지난 항목 수", "overdue items"),
    "lab": ("실습", "lab"), "quiz": ("퀴즈", "quiz"),
    "status": ("상태", "status"), "best": ("최고 점수", "best score"),
    "max": ("만점", "max score"), "attempts": ("시도 수", "attempts"),
    "errors": ("오류 수(미반영)", "errors (not counted)"),
    "self_reports": ("자가 보고 수", "self-reported attempts"),
    "mastery": ("숙달도(%)", "mastery (%)"), "answered": ("답한 문제 수", "questions answered"),
    "attempt_id": ("시도 번호", "attempt id"), "lab_id": ("실습 id", "lab id"),
    "time": ("시각", "time"), "counted": ("반영", "counted"), "score": ("점수", "score"),
    "duration": ("채점 시간(ms)", "grading time (ms)"), "source": ("채점한 곳", "graded by"),
    "checks": ("확인 결과", "checks"), "failures": ("실패 메시지", "failure messages"),
    "answer_id": ("답 번호", "answer id"), "question_id": ("문제 id", "question id"),
    "question": ("문제", "question"), "section": ("노트 구간", "note section"),
    "correct": ("정답 여부", "correct"), "answer": ("고른 답", "answer given"),
    "yes": ("예", "yes"), "no": ("아니오", "no"),
    "server": ("서버", "server"), "self_reported": ("학생 터미널(자가 보고)",
                                                   "student's terminal (self-reported)"),
}
STATUS_WORDS = {
    "passed": ("통과", "passed"), "failing": ("미통과", "failing"),
    "failed": ("실패", "failed"), "error": ("오류(미반영)", "error (not counted)"),
    "host_error": ("호스트 오류", "host error"), "not_started": ("시작 안 함", "not started"),
    "passed_self": ("통과 (자가 보고)", "passed (self-reported)"),
    "self_not_counted": ("자가 보고 (인정 안 함)", "self-reported (not counted)"),
}


# A check's outcome in the attempts file's "checks" column, e.g. "running: 실패".
CHECK_WORDS = {"pass": ("통과", "passed"), "fail": ("실패", "failed"), "error": ("오류", "error"),
               "skip": ("건너뜀", "skipped")}


def check_word(status: str, lang: str) -> str:
    pair = CHECK_WORDS.get(status)
    return status if pair is None else (pair[1] if lang == "en" else pair[0])


def word(key: str, lang: str) -> str:
    pair = WORDS.get(key) or STATUS_WORDS[key]
    return pair[1] if lang == "en" else pair[0]


def safe_cell(value) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def unique(header: list[str]) -> list[str]:
    """Column names a spreadsheet can tell apart: a repeated name gets " (2)", " (3)"..."""
    seen: dict[str, int] = {}
    result = []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        result.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return result


def to_csv(header: list[str], rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in unique(header)])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return BOM + buffer.getvalue()


def local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    """`YYYY-MM-DD HH:MM:SS` in `zone`, no offset suffix (Excel parses it as a date)."""
    return moment.astimezone(zone).strftime(TIME_FORMAT) if moment else ""


def time_column(lang: str, zone: ZoneInfo) -> str:
    return f"{word('time', lang)} ({zone.key})"


def lab_status_text(cell: LabCell, lang: str = "en") -> str:
    """The grid's status word. A pass that rests on self-reports alone never reads as a plain
    `passed`, so a spreadsheet filter or COUNTIF on "passed" finds server-checked passes only."""
    if cell.state == "passed" and cell.self_reported:
        return word("passed_self", lang)
    if cell.state == "self_reported":
        return word("self_not_counted", lang)
    return word(cell.state, lang)


def _section_label(ref: str, fallback: str) -> str:
    info = catalog.section(ref)
    return info.label if info is not None and info.label else fallback


def grid_csv(board: Board, lang: str = "ko") -> str:
    w = lambda key: word(key, lang)  # noqa: E731 - a local shorthand
    header = [w("student"), w("labs_passed"), w("mean_mastery"), w("overdue")]
    for item in board.items:
        title = item.title_en if lang == "en" else item.title_ko
        if item.kind == "lab":
            prefix = f"{w('lab')} {title}"
            header += [f"{prefix} · {w(key)}" for key in
                       ("status", "best", "max", "attempts", "errors", "self_reports")]
        else:
            prefix = f"{w('quiz')} {_section_label(item.ref, title)}"
            header += [f"{prefix} · {w('mastery')}", f"{prefix} · {w('answered')}"]
    rows = []
    for row in board.rows:
        line = [row.username, row.labs_passed, row.mean_mastery, row.overdue]
        for item in board.items:
            cell = row.cells[item.key]
            if isinstance(cell, LabCell):
                line += [lab_status_text(cell, lang), cell.best_score, cell.max_score,
                         cell.attempts, cell.errors, cell.self_reports]
            else:
                line += [cell.mastery, cell.answered]
        rows.append(line)
    return to_csv(header, rows)


def attempts_csv(attempts: list[A.AttemptView], names: dict[int, str],
                 self_reports_count: bool = False, lang: str = "ko",
                 zone: ZoneInfo | None = None) -> str:
    """`counted` follows the class: a self-reported attempt is counted only where the class
    counts self-reports; `graded by` says server or the student's terminal."""
    zone = zone or ZoneInfo("UTC")
    w = lambda key: word(key, lang)  # noqa: E731
    header = [w("attempt_id"), w("student"), w("lab"), w("lab_id"), time_column(lang, zone),
              w("status"), w("counted"), w("score"), w("max"), w("duration"), w("source"),
              w("checks"), w("failures")]
    rows = []
    for attempt in attempts:
        info = catalog.lab(attempt.lab_id)
        title = (info.item.title_en if lang == "en" else info.item.title_ko) if info \
            else attempt.lab_id
        rows.append([
            attempt.id, names.get(attempt.user_id, ""), title, attempt.lab_id,
            local_time(attempt.at, zone), w(attempt.status) if attempt.status in STATUS_WORDS
            else attempt.status,
            w("yes") if attempt.counted_in(self_reports_count) else w("no"),
            attempt.score, attempt.max_score, attempt.duration_ms,
            w("self_reported") if attempt.self_reported else w("server"),
            "; ".join(f"{check.id}: {check_word(check.status, lang)}" for check in attempt.checks),
            " | ".join(plain_text(check.message) for check in attempt.checks
                       if check.status in ("fail", "error") and check.message)])
    return to_csv(header, rows)


def answers_csv(answers: list[AnswerRow], names: dict[int, str], lang: str = "ko",
                zone: ZoneInfo | None = None) -> str:
    zone = zone or ZoneInfo("UTC")
    w = lambda key: word(key, lang)  # noqa: E731
    header = [w("answer_id"), w("student"), w("question_id"), w("question"), w("section"),
              time_column(lang, zone), w("correct"), w("answer")]
    rows = []
    for answer in answers:
        question = catalog.question(answer.question_id)
        section = catalog.section(question.anchor) if question is not None and question.anchor \
            else None
        rows.append([answer.id, names.get(answer.user_id, ""), answer.question_id,
                     plain_text(question.prompt.get(lang)) if question is not None else "",
                     (section.label or section.item.title_ko) if section else "",
                     local_time(answer.at, zone), w("yes") if answer.correct else w("no"),
                     answer_text(question, answer.answer, lang)])
    return to_csv(header, rows)


def usernames(users: list[User]) -> dict[int, str]:
    return {user.id: user.username for user in users}
