"""Small labs built in code, for tests that exercise one check kind at a time."""
from __future__ import annotations

from grader.model import CheckSpec, Lab, Solution, Text


def check(check_id: str, kind: str, needs=(), points: int = 1, **params) -> CheckSpec:
    return CheckSpec(check_id, kind, points, Text(f"힌트 {check_id}", f"hint {check_id}"), params,
                     tuple(needs))


def lab(*checks: CheckSpec, lab_id: str = "probe", exec_checks: bool = False) -> Lab:
    return Lab(lab_id, "실습", Text("시험", "Probe"), Text("설명", "Instructions"), tuple(checks),
               Solution(), (), exec_checks=exec_checks)
