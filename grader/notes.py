"""The study notes as sections: heading, level, anchor, markdown body, and whether it says anything.

Questions and labs point at a section by its heading text (or, for repeated headings, by its
anchor): both are checked with `Notes.find`, so a section means the same to the quiz validator,
the lab loader and the grader's CLI. The web app renders each section with its anchor so feedback
can link back to the exact place. (Here and not in docklab/content, because the grader needs it
and never imports docklab.)
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

NOTES_FILE = "docker-notes.ko.md"  # CONTENT/notes/<this>, beside CONTENT/quizzes and CONTENT/labs

_HEADING = re.compile(r"^(#{1,3})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Section:
    title: str  # exact heading text
    level: int  # 1 for '#', 2 for '##', 3 for '###'
    anchor: str  # unique, stable slug used in URLs
    body: str  # markdown between this heading and the next one
    line: int  # 1-based line of the heading in the notes file
    parent: str | None = None  # anchor of the enclosing heading, if any

    @property
    def has_content(self) -> bool:
        """Empty trailing headings ('## 복습') need no questions."""
        return bool(self.body.strip())


@dataclass
class Notes:
    path: Path
    markdown: str
    sections: list[Section] = field(default_factory=list)

    def find(self, ref: str) -> Section | None:
        """A section by anchor, or by heading text (the first one with content wins)."""
        ref = unicodedata.normalize("NFC", ref.strip())
        for section in self.sections:
            if section.anchor == ref:
                return section
        same_title = [s for s in self.sections if s.title == ref]
        with_content = [s for s in same_title if s.has_content]
        if with_content:
            return with_content[0]
        return same_title[0] if same_title else None

    def by_anchor(self, anchor: str) -> Section | None:
        return next((s for s in self.sections if s.anchor == anchor), None)

    @property
    def content_sections(self) -> list[Section]:
        return [s for s in self.sections if s.has_content]

    def titles(self) -> list[str]:
        return [s.title for s in self.sections]


def slugify(title: str) -> str:
    """GitHub-style anchor that keeps Hangul: lower-case, punctuation dropped, spaces to '-'."""
    text = unicodedata.normalize("NFC", title).strip().lower()
    kept = []
    for char in text:
        if char in " \t":
            kept.append("-")
        elif char == "-" or char == "_" or char.isalnum():
            kept.append(char)
        # anything else (punctuation, brackets, '?') is dropped
    return "".join(kept) or "section"


def parse_notes(markdown: str, path: Path | None = None) -> Notes:
    markdown = unicodedata.normalize("NFC", markdown)
    lines = markdown.splitlines()
    headings: list[tuple[int, int, str]] = []  # (line index, level, title)
    in_fence = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            # a fence opened and closed on the same line (```cmd```) does not change state
            if line.strip().count("```") == 1 or line.strip().count("~~~") == 1:
                in_fence = not in_fence
            continue
        if in_fence:
            continue
        match = _HEADING.match(line)
        if match:
            headings.append((index, len(match.group(1)), match.group(2).strip()))

    sections: list[Section] = []
    used: dict[str, int] = {}
    stack: list[tuple[int, str]] = []  # (level, anchor) of open headings
    for position, (index, level, title) in enumerate(headings):
        end = headings[position + 1][0] if position + 1 < len(headings) else len(lines)
        body = "\n".join(lines[index + 1:end]).strip("\n")
        anchor = _unique(slugify(title), used)
        while stack and stack[-1][0] >= level:
            stack.pop()
        parent = stack[-1][1] if stack else None
        stack.append((level, anchor))
        sections.append(Section(title, level, anchor, body, index + 1, parent))
    return Notes(path=path or Path("<notes>"), markdown=markdown, sections=sections)


def _unique(slug: str, used: dict[str, int]) -> str:
    if slug not in used:
        used[slug] = 0
        return slug
    while True:
        used[slug] += 1
        candidate = f"{slug}-{used[slug]}"
        if candidate not in used:
            used[candidate] = 0
            return candidate


def notes_path(content_dir: str | Path) -> Path:
    """Where a content directory keeps its notes (the file may not exist)."""
    return Path(content_dir) / "notes" / NOTES_FILE


def notes_in(content_dir: str | Path) -> Path | None:
    """The notes file of a content directory, or None when that content has no notes."""
    path = notes_path(content_dir)
    return path if path.is_file() else None


def load_notes(path: str | Path) -> Notes:
    notes_file = Path(path)
    return parse_notes(notes_file.read_text(encoding="utf-8"), notes_file)
