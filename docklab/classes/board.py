"""The progress board: roster x (assigned labs, assigned quiz sections). The instructor's board
page (docklab.instructor.board_view), the API and the students' to-do lists all read it.

Built from three aggregate queries (members; lab attempts grouped by learner x lab; latest quiz
answers grouped by learner x section), never a query per cell, so 500 learners x 20 items stay
well under the 300 ms budget on SQLite (benchmarks/board_bench.py measures it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import String, and_, case, func, select, true, type_coerce

from ..extensions import db
from ..models import User, utcnow
from ..quiz.models import QuizAnswer
from . import attempts as A
from . import catalog
from .catalog import Item
from .models import LAB, SECTION, ClassMembership, Classroom

# Lab states, in board order (worst first, for sorting "who needs help").
NOT_STARTED = "not_started"
HOST_ERROR = "host_error"  # only `error` attempts: the host was unreachable, not the learner
FAILING = "failing"
# A pass reported from the learner's terminal in a class that does not count self-reports:
# shown, never counted as passed.
SELF_REPORTED = "self_reported"
PASSED = "passed"
LAB_STATES = (NOT_STARTED, HOST_ERROR, FAILING, SELF_REPORTED, PASSED)
# Quiz mastery bands for the filter.
MASTERED = "mastered"  # >= 80 %
LEARNING = "learning"
SECTION_STATES = (NOT_STARTED, LEARNING, MASTERED)
MASTERED_AT = 80


@dataclass
class LabCell:
    state: str = NOT_STARTED
    best_score: int | None = None
    max_score: int | None = None
    attempts: int = 0  # counted attempts (passed or failed)
    errors: int = 0  # attempts that ended in `error`, shown but not counted
    self_reports: int = 0  # attempts reported from a terminal (counted only if the class says so)
    self_reported: bool = False  # the cell's pass rests on self-reports alone
    first_passed_at: datetime | None = None  # filled only when the column has a due date
    late: bool = False  # passed after the due date
    overdue: bool = False  # not passed and the due date is gone

    @property
    def sort_key(self) -> tuple:
        return (LAB_STATES.index(self.state), self.best_score or 0, -self.attempts)

    def as_dict(self) -> dict:
        return {"state": self.state, "best_score": self.best_score, "max_score": self.max_score,
                "attempts": self.attempts, "errors": self.errors,
                "self_reports": self.self_reports, "self_reported": self.self_reported,
                "late": self.late, "overdue": self.overdue}


@dataclass
class SectionCell:
    total: int  # questions in the section
    answered: int = 0
    known: int = 0  # questions whose latest answer is right
    overdue: bool = False  # due date gone and not mastered

    @cached_property  # read only once the counts are filled in; many times after that
    def mastery(self) -> int:
        return round(100 * self.known / self.total) if self.total else 0

    @property
    def state(self) -> str:
        if not self.answered:
            return NOT_STARTED
        return MASTERED if self.mastery >= MASTERED_AT else LEARNING

    @property
    def sort_key(self) -> tuple:
        return (self.mastery, self.answered)

    def as_dict(self) -> dict:
        return {"state": self.state, "mastery": self.mastery, "known": self.known,
                "answered": self.answered, "questions": self.total, "overdue": self.overdue}


@dataclass
class Row:
    user_id: int
    username: str
    joined_at: datetime | None
    cells: dict[str, LabCell | SectionCell] = field(default_factory=dict)

    # Read after the cells are filled, many times (sorting, template): computed once.
    @cached_property
    def labs_passed(self) -> int:
        return sum(1 for cell in self.cells.values()
                   if isinstance(cell, LabCell) and cell.state == PASSED)

    @cached_property
    def labs_self_reported(self) -> int:
        """Labs whose pass (counted or not) rests on self-reports alone."""
        return sum(1 for cell in self.cells.values()
                   if isinstance(cell, LabCell) and cell.self_reported)

    @cached_property
    def mean_mastery(self) -> int:
        values = [cell.mastery for cell in self.cells.values() if isinstance(cell, SectionCell)]
        return round(sum(values) / len(values)) if values else 0

    @cached_property
    def overdue(self) -> int:
        return sum(1 for cell in self.cells.values() if cell.overdue)


@dataclass
class ItemSummary:
    item: Item
    due_at: datetime | None
    counts: dict[str, int]  # state -> learners
    mean_mastery: int | None = None  # sections only
    self_reported: int = 0  # labs only: learners whose pass rests on self-reports alone


@dataclass
class Board:
    classroom: Classroom
    items: list[Item]
    rows: list[Row]  # after filtering and sorting
    total_students: int
    summaries: list[ItemSummary]
    sort: str
    direction: str


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def assigned_items(classroom: Classroom) -> tuple[list[Item], dict[str, datetime | None]]:
    """The class's columns in the instructor's order (labs first), skipping anything that has
    left the content since it was assigned; with each column's due date."""
    items, due = [], {}
    for assignment in classroom.assigned(LAB):
        info = catalog.lab(assignment.ref)
        if info is not None:
            items.append(info.item)
            due[info.item.key] = assignment.due_at
    for assignment in classroom.assigned(SECTION):
        info = catalog.section(assignment.ref)
        if info is not None:
            items.append(info.item)
            due[info.item.key] = assignment.due_at
    return items, due


def _members(class_id: int) -> list:
    return db.session.execute(
        select(User.id, User.username, ClassMembership.joined_at)
        .join(ClassMembership, ClassMembership.user_id == User.id)
        .where(ClassMembership.class_id == class_id)).all()


def lab_aggregates(class_id: int, lab_ids: list[str], self_reports_count: bool = False) -> list:
    """One row per learner x lab: counted passes, counted attempts, errors, best counted score,
    max, first counted pass, then server-checked passes, self-reported attempts and
    self-reported passes. Self-reported attempts are counted only when `self_reports_count`."""
    if not lab_ids:
        return []
    c = A.cols()
    self_reported = c.source == A.SELF_REPORTED
    trusted = true() if self_reports_count else c.source != A.SELF_REPORTED
    counted = and_(trusted, c.status != A.ERROR)
    passed = and_(trusted, c.status == A.PASSED)
    return db.session.execute(
        select(c.user_id, c.lab_id,
               func.sum(case((passed, 1), else_=0)),
               func.sum(case((counted, 1), else_=0)),
               func.sum(case((and_(trusted, c.status == A.ERROR), 1), else_=0)),
               func.max(case((counted, c.score))),
               func.max(case((counted, c.max_score))),
               # raw text, parsed only where a due date needs it (DateTime result
               # processing of thousands of rows is a third of the page's time on SQLite)
               type_coerce(func.min(case((passed, c.at))), String),
               func.sum(case((and_(~self_reported, c.status == A.PASSED), 1), else_=0)),
               func.sum(case((self_reported, 1), else_=0)),
               func.sum(case((and_(self_reported, c.status == A.PASSED), 1), else_=0)))
        .join(ClassMembership, and_(ClassMembership.user_id == c.user_id,
                                    ClassMembership.class_id == class_id))
        .where(c.lab_id.in_(lab_ids))
        .group_by(c.user_id, c.lab_id)).all()


def section_aggregates(class_id: int, section_of: dict[str, str]) -> list:
    """One row per learner x section: questions answered, questions whose latest answer is right
    (the latest right answer is the latest answer). `section_of` maps question
    id -> section anchor; the mapping becomes a CASE so the grouping stays in SQL."""
    if not section_of:
        return []
    # The section is computed next to the grouped question id (an expression of a grouped
    # column), so the outer query groups by a plain column on every database.
    per_question = (
        select(QuizAnswer.user_id.label("user_id"),
               case(section_of, value=QuizAnswer.question_id).label("section"),
               func.max(QuizAnswer.answered_at).label("last"),
               func.max(case((QuizAnswer.correct.is_(True), QuizAnswer.answered_at)))
               .label("last_ok"))
        .join(ClassMembership, and_(ClassMembership.user_id == QuizAnswer.user_id,
                                    ClassMembership.class_id == class_id))
        .where(QuizAnswer.question_id.in_(list(section_of)))
        .group_by(QuizAnswer.user_id, QuizAnswer.question_id)).subquery()
    return db.session.execute(
        select(per_question.c.user_id, per_question.c.section, func.count(),
               func.sum(case((per_question.c.last_ok == per_question.c.last, 1), else_=0)))
        .group_by(per_question.c.user_id, per_question.c.section)).all()


def _parse_time(value) -> datetime:
    """A time as the database returned it untyped: on SQLite the naive UTC text
    `dbtypes.UTCDateTime` stores, elsewhere an aware datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value


def build_rows(classroom: Classroom, items: list[Item],
               due: dict[str, datetime | None], now: datetime | None = None) -> list[Row]:
    now = now or utcnow()
    section_sizes = {}
    section_of: dict[str, str] = {}
    for item in items:
        if item.kind == SECTION:
            info = catalog.section(item.ref)
            section_sizes[item.ref] = len(info.question_ids)
            section_of.update({qid: item.ref for qid in info.question_ids})

    rows = {}
    for user_id, username, joined_at in _members(classroom.id):
        row = Row(user_id, username, joined_at)
        for item in items:
            row.cells[item.key] = (LabCell() if item.kind == LAB
                                   else SectionCell(total=section_sizes[item.ref]))
        rows[user_id] = row

    lab_ids = [item.ref for item in items if item.kind == LAB]
    for (user_id, lab_id, passes, counted, errors, best, maximum, first_pass, server_passes,
         self_reports, self_passes) in lab_aggregates(classroom.id, lab_ids,
                                                      classroom.self_reports_count):
        key = f"{LAB}:{lab_id}"
        cell = rows[user_id].cells[key]
        cell.attempts, cell.errors = int(counted or 0), int(errors or 0)
        cell.self_reports = int(self_reports or 0)
        cell.best_score, cell.max_score = best, maximum
        if first_pass is not None and due.get(key) is not None:
            cell.first_passed_at = _parse_time(first_pass)
        cell.self_reported = bool(self_passes) and not server_passes
        cell.state = (PASSED if passes else SELF_REPORTED if self_passes
                      else FAILING if counted else HOST_ERROR if errors else NOT_STARTED)

    for user_id, anchor, answered, known in section_aggregates(classroom.id, section_of):
        cell = rows[user_id].cells[f"{SECTION}:{anchor}"]
        cell.answered, cell.known = int(answered), int(known or 0)

    for row in rows.values():
        for item in items:
            deadline = due.get(item.key)
            if deadline is None:
                continue
            cell = row.cells[item.key]
            if isinstance(cell, LabCell):
                if cell.state == PASSED:
                    cell.late = cell.first_passed_at is not None and cell.first_passed_at > deadline
                else:
                    cell.overdue = now > deadline
            else:
                cell.overdue = now > deadline and cell.state != MASTERED
    return list(rows.values())


def summarize(items: list[Item], due: dict, rows: list[Row]) -> list[ItemSummary]:
    summaries = []
    for item in items:
        states = LAB_STATES if item.kind == LAB else SECTION_STATES
        counts = dict.fromkeys(states, 0)
        for row in rows:
            counts[row.cells[item.key].state] += 1
        mean = None
        if item.kind == SECTION and rows:
            mean = round(sum(row.cells[item.key].mastery for row in rows) / len(rows))
        self_reported = sum(1 for row in rows if getattr(row.cells[item.key], "self_reported",
                                                         False))
        summaries.append(ItemSummary(item, due.get(item.key), counts, mean, self_reported))
    return summaries


SORTS = ("name", "progress", "joined", "overdue")


def _sort_key(sort: str):
    if sort == "progress":
        return lambda row: (row.labs_passed, row.mean_mastery, row.username)
    if sort == "joined":
        return lambda row: (row.joined_at or utcnow(), row.username)
    if sort == "overdue":
        return lambda row: (row.overdue, row.username)
    if ":" in sort:
        return lambda row: (row.cells[sort].sort_key, row.username)
    return lambda row: row.username.lower()


def filter_and_sort(rows: list[Row], items: list[Item], query: str = "", item_key: str = "",
                    state: str = "", sort: str = "name",
                    direction: str = "asc") -> tuple[list[Row], str, str]:
    """Server-side filter (name contains `query`; learners whose `item_key` cell is in `state`)
    and sort (name, progress, joined, overdue, or any column key). Unknown values fall back to
    the defaults instead of failing."""
    keys = {item.key for item in items}
    if query:
        needle = query.strip().lower()
        rows = [row for row in rows if needle in row.username.lower()]
    if item_key in keys and state:
        rows = [row for row in rows if row.cells[item_key].state == state]
    if sort not in SORTS and sort not in keys:
        sort = "name"
    direction = "desc" if direction == "desc" else "asc"
    rows = sorted(rows, key=_sort_key(sort), reverse=direction == "desc")
    return rows, sort, direction


def build_board(classroom: Classroom, query: str = "", item_key: str = "", state: str = "",
                sort: str = "name", direction: str = "asc") -> Board:
    items, due = assigned_items(classroom)
    rows = build_rows(classroom, items, due)
    summaries = summarize(items, due, rows)
    shown, sort, direction = filter_and_sort(rows, items, query, item_key, state, sort, direction)
    return Board(classroom, items, shown, len(rows), summaries, sort, direction)


def board_json(board: Board) -> dict:
    """The board as the JSON API returns it."""
    return {
        "class": {"id": board.classroom.id, "name": board.classroom.name,
                  "self_reports_count": board.classroom.self_reports_count},
        "items": [{"key": s.item.key, "kind": s.item.kind, "ref": s.item.ref,
                   "title": {"ko": s.item.title_ko, "en": s.item.title_en},
                   "due_at": _iso(s.due_at), "counts": s.counts,
                   "self_reported": s.self_reported,
                   "mean_mastery": s.mean_mastery} for s in board.summaries],
        "students": [{"id": row.user_id, "username": row.username,
                      "labs_passed": row.labs_passed,
                      "labs_self_reported": row.labs_self_reported,
                      "mean_mastery": row.mean_mastery,
                      "cells": {key: cell.as_dict() for key, cell in row.cells.items()}}
                     for row in board.rows],
    }
