"""The content docklab serves, in one store: the notes, the question bank and the labs.

`init(app)` loads and validates all of it once, when the app starts, and the app refuses to start
on invalid content: ContentError lists every problem as `file:line: field: message`, the lines
`flask content validate` prints. A lab's `section` is checked against the same notes, the same way
(`Notes.find`: heading text or anchor), as a question's. Everything else reads the store through
`current()` (or `of(app)`); `sync()` reloads it from disk (`flask setup`).

Where things are: `DOCKLAB_CONTENT_DIR` holds quizzes/, notes/docker-notes.ko.md and labs/ (a
content without labs/ serves the built-in labs). `DOCKLAB_LABS_DIR` (tests only) is a folder of
lab files alone, judged by the notes beside it (DIR/../notes) or, without any, not at all.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

import grader
from grader.loader import LABS_DIR, lab_files

from . import settings
from .content import ContentError, Notes, Problem, QuestionBank, load_bank, load_notes
from .content.annotations import Callout, annotations_path, load_annotations
from .content.notes import notes_in, notes_path

EXTENSION_KEY = "docklab.library"


@dataclass(frozen=True)
class Library:
    directory: Path  # the content directory
    notes: Notes
    bank: QuestionBank
    labs: dict[str, grader.Lab]  # by id, in learning order
    labs_dir: Path
    callouts: tuple[Callout, ...] = ()  # the notes page's 2026 boxes and answers

    @property
    def quizzes_dir(self) -> Path:
        return self.directory / "quizzes"

    def lab(self, lab_id: str) -> grader.Lab | None:
        return self.labs.get(lab_id)

    def summary(self) -> str:
        sections = sum(1 for _section, count in self.bank.section_counts() if count)
        return (f"content: {len(self.bank)} questions in {sections} note sections, "
                f"{len(self.labs)} lab(s) ({self.notes.path.name}) ok")


def content_paths(directory: str | Path) -> tuple[Path, Path]:
    """(quizzes dir, notes file) inside a content directory (the repository by default)."""
    return Path(directory) / "quizzes", notes_path(directory)


def labs_source(directory: Path, notes: Notes | None,
                labs_dir: str | Path | None = None) -> tuple[Path, Notes | None]:
    """The labs a content serves and the notes their sections are checked against: its own
    labs/ with its own notes; else the built-in labs; a folder given on its own (`labs_dir`) with
    the notes of the content it sits in, if any."""
    labs = Path(labs_dir) if labs_dir else directory / "labs"
    if not labs_dir and not labs.is_dir():
        labs = LABS_DIR
    owner = labs.resolve().parent
    if owner == directory.resolve():
        return labs, notes
    found = notes_in(owner)
    return labs, load_notes(found) if found is not None else None


_cache: dict[tuple[Path, Path | None], tuple[tuple[object, ...], Library]] = {}
_lock = threading.Lock()


def _signature(directory: Path, labs_dir: Path | None) -> tuple[object, ...]:
    """Changes whenever a content file does, so an edited file is re-read on the next start."""
    quizzes, notes = content_paths(directory)
    files = [notes, annotations_path(notes)]
    if quizzes.is_dir():
        files += [*quizzes.glob("*.yaml"), *quizzes.glob("*.yml")]
    for labs in {labs_dir or directory / "labs", LABS_DIR}:
        if labs.is_dir():
            files += [*lab_files([labs]), notes_path(labs.parent)]
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size)
                 for p in sorted(set(files)) if p.exists())


def load(directory: str | Path, labs_dir: str | Path | None = None) -> Library:
    """Parse and validate the notes, every question file, the notes' annotations and the labs;
    raises ContentError with every problem of all of them. Parsed once per process per unchanged
    set of files (tests build many apps)."""
    directory = Path(directory).resolve()
    labs_path = Path(labs_dir).resolve() if labs_dir else None
    signature = _signature(directory, labs_path)
    with _lock:
        cached = _cache.get((directory, labs_path))
        if cached is not None and cached[0] == signature:
            return cached[1]
        library = _load(directory, labs_path)
        _cache[(directory, labs_path)] = (signature, library)
        return library


def _load(directory: Path, labs_dir: Path | None) -> Library:
    quizzes, notes_file = content_paths(directory)
    try:
        notes = load_notes(notes_file)
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError([Problem(str(notes_file), 1, "", f"cannot read the notes: {error}")],
                           what="the content") from error
    problems: list[Problem] = []
    bank = None
    try:
        bank = load_bank([quizzes], notes=notes)
    except ContentError as error:
        problems.extend(error.problems)
    callouts, found = load_annotations(annotations_path(notes_file), notes)
    problems.extend(found)
    labs_path, lab_notes = labs_source(directory, notes, labs_dir)
    labs: dict[str, grader.Lab] = {}
    try:
        labs = grader.load_labs(labs_path, sections=lab_notes)
    except grader.LabFileError as error:
        problems.extend(error.problems)
    if problems or bank is None:
        raise ContentError(problems, what="the content")
    return Library(directory, notes, bank, labs, labs_path, tuple(callouts))


def _load_for(app: Flask) -> Library:
    return load(settings.current(app).content_dir, app.config.get("DOCKLAB_LABS_DIR") or None)


def init(app: Flask) -> None:
    """Load the content into the app, or refuse to start (ContentError)."""
    try:
        library = _load_for(app)
    except ContentError as error:
        app.logger.error("docklab refuses to start: invalid content\n%s",
                         "\n".join(str(problem) for problem in error.problems))
        raise
    app.extensions[EXTENSION_KEY] = library


def sync(app: Flask | None = None) -> str:
    """Read the content again from disk, validate it (ContentError on any problem) and serve it;
    returns a one-line summary."""
    app = app or current_app._get_current_object()
    library = _load_for(app)
    app.extensions[EXTENSION_KEY] = library
    return library.summary()


def of(app: Flask) -> Library:
    return app.extensions[EXTENSION_KEY]


def current() -> Library:
    """The content of the current app."""
    return current_app.extensions[EXTENSION_KEY]


__all__ = ["ContentError", "Library", "content_paths", "current", "init", "labs_source", "load",
           "of", "sync"]
