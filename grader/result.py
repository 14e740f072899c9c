"""What a grading run says about a lab, as data (`to_dict`) and as JUnit XML."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from .model import CheckStatus, LabStatus, Text

PASSED, FAILED, ERRORED = LabStatus.PASSED, LabStatus.FAILED, LabStatus.ERROR


# Control characters, and the bidirectional overrides that make a terminal show text reversed.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Names and values come from the learner's host: show control characters, do not obey them
    (in a terminal, a web page or JSON alike)."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) > 0xff
                        else f"\\x{ord(m.group()):02x}", text)


@dataclass
class CheckResult:
    id: str
    status: str  # a CheckStatus (plain text when read back from a stored attempt)
    message: str
    hint: str
    points: int  # what the check is worth; earned only when status is pass
    # The message and hint in both languages, when the grader made them (a page shows an
    # attempt in its reader's language); `message`/`hint` are those of the grading language.
    texts: Text | None = None
    hints: Text | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "message": self.message, "hint": self.hint,
                "points": self.points}


@dataclass
class LabResult:
    lab: str
    status: str  # a LabStatus (plain text when read back from a stored attempt)
    score: int
    max_score: int
    duration_ms: int
    api_calls: int
    checks: list[CheckResult] = field(default_factory=list)
    title: str = ""

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab, "status": self.status, "score": self.score,
                "max_score": self.max_score, "duration_ms": self.duration_ms,
                "api_calls": self.api_calls, "checks": [c.to_dict() for c in self.checks]}

    def check(self, check_id: str) -> CheckResult:
        return next(c for c in self.checks if c.id == check_id)


def lab_status(checks: list[CheckResult]) -> LabStatus:
    if any(c.status == CheckStatus.ERROR for c in checks):
        return ERRORED
    if all(c.status == CheckStatus.PASS for c in checks):
        return PASSED
    return FAILED


def exit_code(results: list[LabResult]) -> int:
    """0 when every lab passed, 2 when any errored, else 1 (the CLI's contract)."""
    if any(r.status == ERRORED for r in results):
        return 2
    return 0 if all(r.passed for r in results) else 1


def to_junit(results: list[LabResult]) -> str:
    """One <testsuite> per lab, one <testcase> per check."""
    suites = ElementTree.Element("testsuites", name="docklab")
    for result in results:
        counts = {s: sum(c.status == s for c in result.checks) for s in ("fail", "error", "skip")}
        suite = ElementTree.SubElement(
            suites, "testsuite", name=result.lab, tests=str(len(result.checks)),
            failures=str(counts["fail"]), errors=str(counts["error"]),
            skipped=str(counts["skip"]), time=f"{result.duration_ms / 1000:.3f}")
        for check in result.checks:
            case = ElementTree.SubElement(suite, "testcase", classname=result.lab, name=check.id)
            text = check.message + (f"\n{check.hint}" if check.hint else "")
            if check.status == "fail":
                ElementTree.SubElement(case, "failure", message=check.message).text = text
            elif check.status == "error":
                ElementTree.SubElement(case, "error", message=check.message).text = text
            elif check.status == "skip":
                ElementTree.SubElement(case, "skipped", message=check.message)
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(
        suites, encoding="unicode") + "\n"
