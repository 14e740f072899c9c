"""The board's cells as HTML, built once per request from labels translated once.

10,000 cells through Jinja macros and per-cell gettext cost more than the whole database work,
so the cells are formatted here from pre-translated, pre-escaped pieces; only numbers and those
pieces go in (the user name and column key are escaped here, once per row and column)."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import pgettext
from markupsafe import Markup, escape

from ..classes import catalog
from ..classes.board import LAB_STATES, Board, LabCell, SectionCell

LAB_ICONS = {"passed": "✔", "self_reported": "✎", "failing": "✘", "host_error": "⚠",
             "not_started": "○"}
SECTION_ICONS = {"mastered": "●", "learning": "◐", "not_started": "○"}


@dataclass(frozen=True)
class Labels:
    """Every word a cell may carry, translated and HTML-escaped once per request."""

    lab_badges: dict[str, str]
    section_badges: dict[str, str]
    tries: str  # "%(n)s tries" with "{n}" left in
    late: str
    overdue: str
    self_passed: str  # after the "passed" badge when that pass was self-reported (and counts)
    self_reports: str  # "%(n)s self-reported" with "{n}" left in

    @classmethod
    def translated(cls) -> Labels:
        # "board" context: the same English words may read differently in other areas
        words = {"passed": pgettext("board", "passed"), "failing": pgettext("board", "failing"),
                 "self_reported": pgettext("board", "self-reported pass, not counted"),
                 "host_error": pgettext("board", "host error"),
                 "not_started": pgettext("board", "not started"),
                 "mastered": pgettext("board", "mastered"),
                 "learning": pgettext("board", "learning")}

        def badge(state: str, icon: str) -> str:
            # the word is always there for screen readers; the compact view hides it visually
            # (the icon and the legend carry it on screen)
            return (f'<span class="state state-{state}"><span aria-hidden="true">{icon}</span> '
                    f'<span class="word">{escape(words[state])}</span></span>')

        return cls(lab_badges={s: badge(s, icon) for s, icon in LAB_ICONS.items()},
                   section_badges={s: badge(s, icon) for s, icon in SECTION_ICONS.items()},
                   tries=str(escape(_("%(n)s tries", n="{n}"))),
                   late=f'<span class="overdue">◷ {escape(pgettext("board", "late"))}</span>',
                   overdue=f'<span class="overdue">◷ {escape(pgettext("board", "overdue"))}</span>',
                   self_passed=f'<span class="self-reported">'
                               f'({escape(pgettext("board", "self-reported"))})</span>',
                   self_reports=str(escape(_("%(n)s self-reported", n="{n}"))))


def lab_cell(cell: LabCell, testid: str, labels: Labels) -> str:
    sort = f"{LAB_STATES.index(cell.state)}{cell.best_score or 0:05d}{99999 - cell.attempts:05d}"
    html = labels.lab_badges[cell.state]
    if cell.state == "passed" and cell.self_reported:
        html += " " + labels.self_passed
    nums = []  # each piece after the first carries its own " · " (the compact view hides one)

    def add(piece: str, css: str = "") -> None:
        sep = " · " if nums else ""
        nums.append(f'<span class="{css}">{sep}{piece}</span>' if css else f"{sep}{piece}")

    if cell.best_score is not None:
        add(f"{cell.best_score}/{cell.max_score}")
    if cell.attempts or cell.state in ("passed", "failing", "host_error"):
        add(labels.tries.replace("{n}", str(cell.attempts)), "tries")
    if cell.errors:
        add(f"⚠{cell.errors}")
    if cell.self_reports:
        add(labels.self_reports.replace("{n}", str(cell.self_reports)), "self-reported")
    if nums:
        html += f' <span class="nums">{"".join(nums)}</span>'
    if cell.late:
        html += " " + labels.late
    elif cell.overdue:
        html += " " + labels.overdue
    marked = " self-reported" if cell.self_reported else ""
    return (f'<td class="cell cell-{cell.state}{marked}" data-testid="{testid}" '
            f'data-sort="{sort}">{html}</td>')


def section_cell(cell: SectionCell, testid: str, labels: Labels) -> str:
    state, mastery = cell.state, cell.mastery
    html = (f'{labels.section_badges[state]} '
            f'<span class="nums">{mastery}% ({cell.known}/{cell.total})</span>')
    if cell.overdue:
        html += " " + labels.overdue
    return (f'<td class="cell cell-{state}" data-testid="{testid}" '
            f'data-sort="{mastery:05d}{cell.answered:05d}">{html}</td>')


def row_cells(board: Board, labels: Labels, labs_only: bool = False) -> dict[int, Markup]:
    """user id -> the row's item cells (or its lab cells only), in column order, as one
    Markup."""
    columns = [(item.key, escape(item.key), item.kind == "lab") for item in board.items
               if item.kind == "lab" or not labs_only]
    rows = {}
    for row in board.rows:
        name = escape(row.username)
        cells = []
        for key, safe_key, is_lab in columns:
            testid = f"cell-{name}-{safe_key}"
            cell = row.cells[key]
            cells.append(lab_cell(cell, testid, labels) if is_lab
                         else section_cell(cell, testid, labels))
        rows[row.user_id] = Markup("".join(cells))  # noqa: S704 - built from escaped parts
    return rows


# --- chapters: the board's default view fits a laptop -------------------------------------------
@dataclass(frozen=True)
class Chapter:
    """Consecutive quiz-section columns under one top-level heading of the notes."""

    key: str  # "chapter:<n>", for test ids
    title: str
    section_keys: tuple[str, ...]


def chapters(board: Board) -> list[Chapter]:
    """The board's section columns grouped by their chapter, in column order."""
    found: list[tuple[str, list[str]]] = []
    for item in board.items:
        if item.kind != "section":
            continue
        info = catalog.section(item.ref)
        title = (info.chapter if info is not None and info.chapter else item.title)
        if found and found[-1][0] == title:
            found[-1][1].append(item.key)
        else:
            found.append((title, [item.key]))
    return [Chapter(f"chapter:{n}", title, tuple(keys)) for n, (title, keys) in enumerate(found)]


def chapter_cells(board: Board, groups: list[Chapter], labels: Labels) -> dict[int, Markup]:
    """user id -> one cell per chapter: the chapter's mastery over all its questions (the same
    80 % rule as a section), answered sections out of all."""
    rows = {}
    for row in board.rows:
        name = escape(row.username)
        cells = []
        for group in groups:
            parts = [row.cells[key] for key in group.section_keys]
            combined = SectionCell(total=sum(p.total for p in parts),
                                   answered=sum(p.answered for p in parts),
                                   known=sum(p.known for p in parts),
                                   overdue=any(p.overdue for p in parts))
            cells.append(section_cell(combined, f"cell-{name}-{escape(group.key)}", labels))
        rows[row.user_id] = Markup("".join(cells))  # noqa: S704 - built from escaped parts
    return rows


def chapter_means(board: Board, groups: list[Chapter]) -> dict[str, int | None]:
    """chapter key -> the class's mean mastery over the chapter, None before anyone joined."""
    means = {}
    for group in groups:
        values = []
        for row in board.rows:
            parts = [row.cells[key] for key in group.section_keys]
            total = sum(p.total for p in parts)
            values.append(round(100 * sum(p.known for p in parts) / total) if total else 0)
        means[group.key] = round(sum(values) / len(values)) if values else None
    return means
