"""The study notes (parsed by grader/notes.py, which labs and questions share) and where the
repository's own notes are."""
from __future__ import annotations

from pathlib import Path

from grader.notes import NOTES_FILE, Notes, Section, notes_in, notes_path, parse_notes, slugify
from grader.notes import load_notes as _load_notes

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_NOTES_PATH = notes_path(REPO_ROOT)


def load_notes(path: str | Path | None = None) -> Notes:
    """The notes at `path` (default: the repository's own notes)."""
    return _load_notes(path if path is not None else DEFAULT_NOTES_PATH)


__all__ = ["DEFAULT_NOTES_PATH", "NOTES_FILE", "REPO_ROOT", "Notes", "Section", "load_notes",
           "notes_in", "notes_path", "parse_notes", "slugify"]
