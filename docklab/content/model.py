"""Plain data for quiz content: questions, their parts, problems found in files, answer results."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# One bilingual text and one problem for labs and questions alike (re-exported from here).
from grader.model import Text as Text
from grader.yamlsrc import Problem as Problem

LANGUAGES = ("ko", "en")
# Questions on retired products (Docker Machine, Toolbox, Kitematic, Docker Cloud, Datacenter)
# keep teaching the idea, but the review queue leaves them out unless the learner asks for them.
RETIRED_TAG = "retired"


class ContentError(Exception):
    """Raised by ``load_bank`` (and by docklab/library.py for the whole content, labs included)
    when the content has problems; carries all of them."""

    def __init__(self, problems: list[Problem], what: str = "quiz content"):
        self.problems = list(problems)
        lines = "\n".join(str(problem) for problem in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in {what}:\n{lines}")


class AnswerFormatError(ValueError):
    """The submitted answer does not have the shape the question type expects (an API 400)."""

    def __init__(self, reason: str, reason_ko: str | None = None):
        self.reason = reason
        self.reason_ko = reason_ko or reason
        super().__init__(reason)

    def as_dict(self) -> dict[str, str]:
        return {"ko": self.reason_ko, "en": self.reason}


@dataclass(frozen=True)
class Option:
    """A choice, an ordering item, or one side of a matching pair."""

    id: str
    text: Text


@dataclass(frozen=True)
class Question:
    id: str
    section: str  # heading text (or anchor) as written in the file
    type: str
    difficulty: int
    tags: tuple[str, ...]
    prompt: Text
    explanation: Text
    file: str
    line: int
    anchor: str | None = None  # the note section's anchor, resolved when notes are known
    section_title: str | None = None  # the note section's heading text
    # type-specific parts (unused ones stay empty)
    choices: tuple[Option, ...] = ()
    answer: Any = None  # single: id; multi: tuple of ids; truefalse: bool
    shuffle: bool = True
    match: str = "text"  # short: "command" or "text"
    accepted: tuple[str, ...] = ()  # short: command alternatives, or every text alternative
    accepted_display: Text | None = None  # short: what to show as "the" answer
    items: tuple[Option, ...] = ()  # ordering, in the correct order
    pairs: tuple[tuple[Option, Option], ...] = ()  # matching: left -> right
    distractors: tuple[Option, ...] = ()  # matching: extra right-hand options
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def retired(self) -> bool:
        """About a retired tool (tag `retired`): out of the review queue by default."""
        return RETIRED_TAG in self.tags

    def public_dict(self, lang: str = "ko") -> dict[str, Any]:
        """What a learner may see before answering (never the answer)."""
        from .kinds import KINDS

        return KINDS[self.type].public(self, _checked_lang(lang))


@dataclass(frozen=True)
class AnswerResult:
    correct: bool
    correct_answer: Any  # display form in the requested language: str or list[str]
    normalized_answer: Any  # the learner's answer after normalisation (JSON-able)
    expected: Any  # the correct answer in the same JSON shape the learner submits

    def as_dict(self) -> dict[str, Any]:
        return {"correct": self.correct, "correct_answer": self.correct_answer,
                "normalized_answer": self.normalized_answer, "expected": self.expected}


def _checked_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    return lang
