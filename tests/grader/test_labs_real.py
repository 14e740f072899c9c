"""Every lab's reference solution passes and every anti-solution fails exactly its named check,
graded on the real test engine after running the commands with the real docker CLI."""
from __future__ import annotations

import pytest

from grader import HostSpec, grade, load_labs

from .labrunner import LabRunner

LABS = load_labs()
CASES = [pytest.param(lab_id, None, id=f"{lab_id}-solution") for lab_id in LABS] + [
    pytest.param(lab_id, index, id=f"{lab_id}-anti{index}-{'+'.join(anti.fails)}")
    for lab_id, lab in LABS.items() for index, anti in enumerate(lab.anti_solutions)]


@pytest.fixture
def lab_runner(docker_engine, lab_images, clean_containers):
    runner = LabRunner(docker_engine)
    yield runner
    runner.restore()


def _explain(result, runner) -> str:
    checks = "\n".join(f"  {c.id}: {c.status}: {c.message}" for c in result.checks)
    return f"{result.lab} → {result.status}\n{checks}\n--- commands ---\n{runner.transcript()}"


@pytest.mark.parametrize(("lab_id", "anti_index"), CASES)
def test_lab_case(lab_id, anti_index, lab_runner, docker_engine):
    lab = LABS[lab_id]
    if anti_index is None:
        lab_runner.play(lab.solution, lab.setup_for(lab.solution))
        result = grade(lab, HostSpec(docker_engine.base_url), lang="en")
        assert result.status == "passed", _explain(result, lab_runner)
        assert result.score == result.max_score
        return
    anti = lab.anti_solutions[anti_index]
    lab_runner.play(anti, lab.setup_for(anti))
    spec = HostSpec(anti.host or docker_engine.base_url, connect_timeout=2, read_timeout=2)
    result = grade(lab, spec, lang="en")
    korean = grade(lab, spec, lang="ko")
    # The learner is told the right thing, in both languages, by one of the failing checks.
    assert anti.says is not None, f"{lab_id}: anti-solution {anti_index} has no `says`"
    assert any(anti.says.en in result.check(f).message for f in anti.fails), \
        _explain(result, lab_runner)
    assert any(anti.says.ko in korean.check(f).message for f in anti.fails), \
        _explain(korean, lab_runner)
    statuses = {c.id: c.status for c in result.checks}
    for failing in anti.fails:  # every check the mistake must fail does fail
        assert statuses[failing] == anti.expect, f"{failing}: " + _explain(result, lab_runner)
    # One root cause: no other check fails or errors; the rest pass or are skipped.
    others = {cid: s for cid, s in statuses.items() if cid not in anti.fails}
    assert set(others.values()) <= {"pass", "skip"}, _explain(result, lab_runner)
    assert result.status == ("error" if anti.expect == "error" else "failed")
    assert result.score < result.max_score
