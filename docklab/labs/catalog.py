"""The labs the app serves: loaded and validated once when the app starts (an invalid lab file
stops the start with the grader's file:line: field messages), plus their note sections."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, url_for

import grader
from grader.loader import LABS_DIR

from .. import settings
from ..content.notes import Notes, load_notes

EXTENSION_KEY = "docklab.labs"


def labs_directory(app: Flask) -> Path:
    configured = app.config.get("DOCKLAB_LABS_DIR")  # tests only: a folder of lab files alone
    if configured:
        return Path(configured)
    content = settings.current(app).content_dir / "labs"
    return content if content.is_dir() else LABS_DIR


def init_labs(app: Flask) -> None:
    try:
        labs = grader.load_labs(labs_directory(app))
    except grader.LabFileError as exc:
        raise RuntimeError(f"invalid lab files:\n{exc}") from exc
    app.extensions[EXTENSION_KEY] = labs


def all_labs() -> dict[str, grader.Lab]:
    return current_app.extensions[EXTENSION_KEY]


def lab(lab_id: str) -> grader.Lab | None:
    return all_labs().get(lab_id)


def _notes() -> Notes:
    """The quiz area's loaded notes when it is there, else the notes file."""
    try:
        from ..quiz.services import notes

        return notes()
    except (ImportError, KeyError, RuntimeError):
        return _notes_file()


@lru_cache(maxsize=1)
def _notes_file() -> Notes:
    return load_notes()


def note_section(lab: grader.Lab):
    return _notes().find(lab.section) if lab.section else None


def note_link(lab: grader.Lab) -> str | None:
    """`/notes#<anchor>` of the lab's note section (the quiz area renders the notes)."""
    section = note_section(lab)
    if section is None:
        return None
    base = url_for("quiz.notes") if "quiz.notes" in current_app.view_functions else "/notes"
    return f"{base}#{section.anchor}"
