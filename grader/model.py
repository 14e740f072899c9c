"""What a lab is, once its YAML file has been validated."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

LANGS = ("ko", "en")


# Statuses are str enums: `status == "pass"`, JSON and the database see the plain text.
class CheckStatus(StrEnum):
    """What one check came to."""

    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    ERROR = "error"  # the host could not be read (or the check broke), so no verdict
    SKIP = "skip"  # a check it needs did not pass, or the host failed earlier


class LabStatus(StrEnum):
    """What a lab came to: passed only when every check passed."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"


@dataclass(frozen=True)
class Text:
    """A user-facing text in Korean and English (labs, check messages, and quiz content)."""

    ko: str
    en: str

    def get(self, lang: str = "ko") -> str:
        return self.en if lang == "en" else self.ko

    def format(self, **values: object) -> Text:
        return Text(self.ko.format(**values), self.en.format(**values))

    def as_dict(self) -> dict[str, str]:
        return {"ko": self.ko, "en": self.en}


@dataclass(frozen=True)
class CheckSpec:
    id: str
    kind: str
    points: int
    hint: Text
    params: dict[str, Any]
    needs: tuple[str, ...] = ()
    line: int = 0
    title: Text | None = None  # what the check looks for, in words ("`myweb` 컨테이너가 실행 중")


@dataclass(frozen=True)
class SetupItem:
    """A directory (`content` None) or a file to create, relative to the run's work directory,
    before the commands run (what the lab tells the learner to make by hand)."""

    path: str
    content: str | None = None


@dataclass(frozen=True)
class Solution:
    """Docker CLI commands (run in a directory holding `dockerfile`, when given). `{workdir}` in
    a command is that directory's absolute path. `setup` (None: the lab's) is made there first."""

    commands: tuple[str, ...] = ()
    dockerfile: str | None = None
    build_tag: str | None = None
    setup: tuple[SetupItem, ...] | None = None


@dataclass(frozen=True)
class AntiSolution(Solution):
    """A plausible mistake and the checks it must not pass (`expect`: fail, or error for hosts;
    `fails` names one check or several, each of which must come out that way).

    `says` holds a piece of that check's message in each language, so CI proves the learner is
    told the right thing, not only that something failed."""

    description: str = ""
    fails: tuple[str, ...] = ()
    expect: str = "fail"
    host: str | None = None
    says: Text | None = None


@dataclass(frozen=True)
class Lab:
    id: str
    section: str | None  # a heading of the notes; None for external labs without notes
    titles: Text
    instructions_text: Text
    checks: tuple[CheckSpec, ...]
    solution: Solution
    anti_solutions: tuple[AntiSolution, ...]
    exec_checks: bool = False
    source: str = ""
    order: int | None = None  # place in the learning order (lower first)
    setup: tuple[SetupItem, ...] = ()  # files/directories every case starts from

    def setup_for(self, case: Solution) -> tuple[SetupItem, ...]:
        return self.setup if case.setup is None else case.setup

    def title(self, lang: str = "ko") -> str:
        return self.titles.get(lang)

    def instructions(self, lang: str = "ko") -> str:
        return self.instructions_text.get(lang)

    @property
    def max_score(self) -> int:
        return sum(check.points for check in self.checks)

    def check(self, check_id: str) -> CheckSpec:
        return next(check for check in self.checks if check.id == check_id)
