"""The built-in content (notes + question bank), loaded once per process and checked at start.

The app refuses to start on invalid content: `init_content` raises ContentError whose message
lists every problem as `file:line: message`, the same lines `flask content validate` prints.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from .. import settings
from ..content import ContentError, Notes, QuestionBank, load_bank, load_notes
from ..content.annotations import Callout, annotations_path, load_annotations

EXTENSION_KEY = "docklab.content"


@dataclass(frozen=True)
class Content:
    directory: Path
    notes: Notes
    bank: QuestionBank
    callouts: tuple[Callout, ...] = ()  # the notes page's 2026 boxes and answers

    @property
    def quizzes_dir(self) -> Path:
        return self.directory / "quizzes"


def content_paths(directory: str | Path) -> tuple[Path, Path]:
    """(quizzes dir, notes file) inside a content directory (the repository by default)."""
    directory = Path(directory)
    return directory / "quizzes", directory / "notes" / "docker-notes.ko.md"


_cache: dict[Path, tuple[tuple, Content]] = {}
_lock = threading.Lock()


def _signature(quizzes: Path, notes: Path) -> tuple:
    """Changes whenever a content file does, so an edited file is re-read on the next start."""
    files = sorted([*quizzes.glob("*.yaml"), *quizzes.glob("*.yml"), notes,
                    annotations_path(notes)]) if quizzes.is_dir() else [notes]
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.exists())


def load_content(directory: str | Path) -> Content:
    """Parse and validate the notes and every question file; raises ContentError with all
    problems. Parsed once per process per unchanged set of files (tests build many apps)."""
    directory = Path(directory).resolve()
    quizzes, notes_path = content_paths(directory)
    signature = _signature(quizzes, notes_path)
    with _lock:
        cached = _cache.get(directory)
        if cached is not None and cached[0] == signature:
            return cached[1]
        notes = load_notes(notes_path) if notes_path.exists() else None
        bank = load_bank([quizzes], notes=notes if notes is not None else notes_path)
        callouts, problems = load_annotations(annotations_path(notes_path), bank.notes)
        if problems:
            raise ContentError(problems)
        content = Content(directory, bank.notes, bank, tuple(callouts))
        _cache[directory] = (signature, content)
        return content


def init_content(app: Flask) -> None:
    """Load the built-in content into the app, or refuse to start (ContentError)."""
    try:
        content = load_content(settings.current(app).content_dir)
    except ContentError as error:
        app.logger.error("docklab refuses to start: invalid built-in content\n%s",
                         "\n".join(str(problem) for problem in error.problems))
        raise
    app.extensions[EXTENSION_KEY] = content


def current_content() -> Content:
    return current_app.extensions[EXTENSION_KEY]


__all__ = ["Content", "ContentError", "current_content", "init_content", "load_content"]
