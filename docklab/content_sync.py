"""Check the built-in content (notes and question bank) when the app is set up or started."""
from __future__ import annotations

from . import settings


def sync_content() -> str:
    """Load and validate the notes and the question bank (raises ContentError listing every
    problem as `file:line: message`); returns a one-line summary."""
    from .quiz.content import load_content

    content = load_content(settings.current().content_dir)
    sections = sum(1 for _section, count in content.bank.section_counts() if count)
    return (f"content: {len(content.bank)} questions in {sections} note sections "
            f"({content.notes.path.name}) ok")
