"""Statuses are str enums: typed inside the grader, plain text to JSON, JUnit, the web app's
database and every `status == "pass"` comparison."""
from __future__ import annotations

import json

from grader import CheckResult, CheckStatus, HostSpec, LabStatus, grade, load_labs, to_junit
from grader.checks import Outcome
from grader.result import lab_status


def test_an_unreadable_host_gives_enum_statuses_that_read_as_plain_text(tmp_path):
    lab = next(lab for lab in load_labs().values() if len(lab.checks) >= 2)
    result = grade(lab, HostSpec(url=f"unix://{tmp_path}/no-engine.sock"), lang="en")

    assert type(result.status) is LabStatus and result.status == "error"
    assert [type(check.status) for check in result.checks] == [CheckStatus] * len(lab.checks)
    assert [check.status for check in result.checks] == ["error"] + ["skip"] * (len(lab.checks) - 1)
    text = json.dumps(result.to_dict())
    assert '"status": "error"' in text and '"status": "skip"' in text
    assert "CheckStatus" not in text and "LabStatus" not in text
    assert "CheckStatus" not in to_junit([result])


def test_lab_status_is_an_enum_also_over_results_read_back_as_text():
    passed = CheckResult("a", "pass", "", "", 1)
    failed = CheckResult("b", "fail", "", "", 1)
    errored = CheckResult("c", "error", "", "", 1)
    assert lab_status([passed]) is LabStatus.PASSED
    assert lab_status([passed, failed]) is LabStatus.FAILED
    assert lab_status([passed, failed, errored]) is LabStatus.ERROR
    assert {LabStatus.PASSED: 1}["passed"] == 1  # hashed like its text: usable as a dict key


def test_check_outcomes_carry_check_statuses():
    assert Outcome.passed("좋습니다", "good").status is CheckStatus.PASS
    assert Outcome.failed("아닙니다", "no").status is CheckStatus.FAIL
    assert f"{CheckStatus.SKIP}" == str(CheckStatus.SKIP) == "skip"
