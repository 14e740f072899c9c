"""CSV exports: the board's grid, every lab attempt, every quiz answer.

UTF-8 with a BOM so Excel opens Korean correctly; text cells that a spreadsheet would run as a
formula (= + - @, tab, carriage return first) get a leading apostrophe (CSV injection)."""
from __future__ import annotations

import csv
import io
import json

from ..models import User
from . import attempts as A
from .board import Board, LabCell
from .catalog import question as find_question
from .catalog import section as find_section
from .stats import AnswerRow

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def to_csv(header: list[str], rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return BOM + buffer.getvalue()


def _time(moment) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def lab_status_text(cell: LabCell) -> str:
    """The grid's status word. A pass that rests on self-reports alone never reads as a plain
    `passed`, so a spreadsheet filter or COUNTIF on "passed" finds server-checked passes only:
    `passed (self-reported)` where the class counts self-reports, `self-reported (not counted)`
    where it does not."""
    if cell.state == "passed" and cell.self_reported:
        return "passed (self-reported)"
    if cell.state == "self_reported":
        return "self-reported (not counted)"
    return cell.state


def grid_csv(board: Board) -> str:
    header = ["username", "labs_passed", "mean_mastery_percent", "overdue"]
    for item in board.items:
        if item.kind == "lab":
            header += [f"{item.ref} status", f"{item.ref} best_score", f"{item.ref} max_score",
                       f"{item.ref} attempts", f"{item.ref} errors",
                       f"{item.ref} self_reported_attempts"]
        else:
            header += [f"{item.title_ko} mastery_percent", f"{item.title_ko} answered"]
    rows = []
    for row in board.rows:
        line = [row.username, row.labs_passed, row.mean_mastery, row.overdue]
        for item in board.items:
            cell = row.cells[item.key]
            if isinstance(cell, LabCell):
                line += [lab_status_text(cell), cell.best_score, cell.max_score, cell.attempts,
                         cell.errors, cell.self_reports]
            else:
                line += [cell.mastery, cell.answered]
        rows.append(line)
    return to_csv(header, rows)


def attempts_csv(attempts: list[A.AttemptView], names: dict[int, str],
                 self_reports_count: bool = False) -> str:
    """`counted` follows the class: a self-reported attempt is counted only where the class
    counts self-reports; `source` says server or self_reported."""
    header = ["attempt_id", "username", "lab", "time", "status", "counted", "score",
              "max_score", "duration_ms", "source", "checks", "failed_messages"]
    rows = []
    for attempt in attempts:
        rows.append([
            attempt.id, names.get(attempt.user_id, ""), attempt.lab_id, _time(attempt.at),
            attempt.status, "yes" if attempt.counted_in(self_reports_count) else "no",
            attempt.score,
            attempt.max_score, attempt.duration_ms, attempt.source,
            "; ".join(f"{check.id}={check.status}" for check in attempt.checks),
            " | ".join(check.message for check in attempt.checks
                       if check.status in ("fail", "error") and check.message)])
    return to_csv(header, rows)


def answers_csv(answers: list[AnswerRow], names: dict[int, str]) -> str:
    header = ["answer_id", "username", "question_id", "section", "time", "correct", "answer"]
    rows = []
    for answer in answers:
        question = find_question(answer.question_id)
        section = find_section(question.anchor) if question is not None and question.anchor \
            else None
        rows.append([answer.id, names.get(answer.user_id, ""), answer.question_id,
                     section.item.title_ko if section else "", _time(answer.at),
                     "yes" if answer.correct else "no",
                     answer.answer if isinstance(answer.answer, str)
                     else json.dumps(answer.answer, ensure_ascii=False)])
    return to_csv(header, rows)


def usernames(users: list[User]) -> dict[int, str]:
    return {user.id: user.username for user in users}
