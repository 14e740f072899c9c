"""The lab catalog the pages and the API read: the labs of the content store (docklab/library.py,
loaded and validated once when the app starts), in learning order, and each lab's note section."""
from __future__ import annotations

from flask import url_for

import grader

from .. import library
from ..content import Section


def all_labs() -> dict[str, grader.Lab]:
    return library.current().labs


def lab(lab_id: str) -> grader.Lab | None:
    return library.current().lab(lab_id)


def note_section(lab: grader.Lab) -> Section | None:
    """The notes' section the lab belongs to (its `section`: heading text or anchor)."""
    return library.current().notes.find(lab.section) if lab.section else None


def note_link(lab: grader.Lab) -> str | None:
    """`/notes#<anchor>` of the lab's note section (the quiz area renders the notes)."""
    section = note_section(lab)
    if section is None:
        return None
    return f"{url_for('quiz.notes')}#{section.anchor}"
