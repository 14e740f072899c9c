"""A student's to-do list per class: each assignment with done / not done, the best score, the
due date and whether it is late. Read from the same aggregates as the instructor's board
(docklab.classes.board), so the student and the teacher always see the same state."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..dates import local_day
from . import board as B
from .catalog import Item
from .models import LAB, Classroom


@dataclass
class Task:
    item: Item
    due_at: datetime | None
    due_day: str  # YYYY-MM-DD in the site's zone, "" without a due date
    state: str  # a board state: passed, failing, mastered, learning, not_started...
    done: bool
    score: str  # "5/5" for a lab, "60% (3/5)" for a quiz section, "" before any try
    late: bool  # done after the due date
    overdue: bool  # not done and the due date is gone

    @property
    def kind(self) -> str:
        return self.item.kind


@dataclass
class ClassTodo:
    classroom: Classroom
    tasks: list[Task]

    @property
    def done(self) -> int:
        return sum(1 for task in self.tasks if task.done)

    @property
    def overdue(self) -> int:
        return sum(1 for task in self.tasks if task.overdue)


def _task(item: Item, cell, due_at: datetime | None) -> Task:
    if item.kind == LAB:
        done = cell.state == B.PASSED
        score = f"{cell.best_score}/{cell.max_score}" if cell.best_score is not None else ""
        late = bool(cell.late)
    else:
        done = cell.state == B.MASTERED
        score = f"{cell.mastery}% ({cell.known}/{cell.total})" if cell.answered else ""
        late = False  # quiz mastery has no moment of completion to compare with the due date
    return Task(item, due_at, local_day(due_at), cell.state, done, score, late, cell.overdue)


def class_todo(classroom: Classroom, user_id: int) -> ClassTodo:
    """The student's tasks in the instructor's order (labs first, then quiz sections)."""
    items, due = B.assigned_items(classroom)
    row = next((row for row in B.build_rows(classroom, items, due) if row.user_id == user_id),
               None)
    tasks = [] if row is None else [_task(item, row.cells[item.key], due.get(item.key))
                                    for item in items]
    return ClassTodo(classroom, tasks)
