"""Plain data for quiz content: questions, their parts, problems found in files, answer results."""
from __future__ import annotations

from dataclasses import dataclass
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


class NoAnswer(ValueError):  # noqa: N818 - a form state, not a failure
    """Nothing was picked or typed on the answer form: the question is shown again with
    `message`, in the learner's language."""

    def __init__(self, message: Text):
        self.message = message
        super().__init__(message.en)


@dataclass(frozen=True)
class Option:
    """A choice, an ordering item, or one side of a matching pair."""

    id: str
    text: Text


@dataclass(frozen=True)
class Question:
    """One question: the fields every type has, and `parts`, what its kind read from the rest.

    `parts` is the object the kind's `parse` returned (a frozen dataclass beside the kind in
    kinds.py, e.g. `ChoiceParts` with the choices and the answer); only the kind reads it.
    """

    id: str
    section: str  # heading text (or anchor) as written in the file
    type: str  # the kind's name (kinds.KINDS)
    difficulty: int
    tags: tuple[str, ...]
    prompt: Text
    explanation: Text
    file: str
    line: int
    anchor: str | None = None  # the note section's anchor, resolved when notes are known
    section_title: str | None = None  # the note section's heading text
    parts: Any = None

    @property
    def retired(self) -> bool:
        """About a retired tool (tag `retired`): out of the review queue by default."""
        return RETIRED_TAG in self.tags


@dataclass(frozen=True)
class AnswerResult:
    correct: bool
    correct_answer: Any  # display form in the requested language: str or list[str]
    normalized_answer: Any  # the learner's answer after normalisation (JSON-able)
    expected: Any  # the correct answer in the same JSON shape the learner submits

    def as_dict(self) -> dict[str, Any]:
        return {"correct": self.correct, "correct_answer": self.correct_answer,
                "normalized_answer": self.normalized_answer, "expected": self.expected}


def checked_lang(lang: str) -> str:
    """`lang` when it is one of LANGUAGES; a ValueError naming them otherwise."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    return lang
