"""Equivalence on real engines: every lab's solution and every anti-solution, graded once directly
(Engine API) and once through the pasted line (`curl ... | sh` run for real with sh, curl and
/usr/bin/docker against the private engine), gives the same status and the same per-check
results; the attempt is stored as self-reported.

One stated difference: the client runs no `docker images`, so for a missing image it cannot
suggest another tag ("did you mean ..."); it says "see `docker images`" instead, same status."""
from __future__ import annotations

import re

import pytest

from grader import HostSpec, grade, load_labs
from tests.grader.labrunner import LabRunner

from .own_machine_helpers import (  # noqa: F401
    attempts,
    learner,  # noqa: F401
    new_command,
    own_server,
    paste,
)

LABS = load_labs()
CASES = [pytest.param(lab_id, None, id=f"{lab_id}-solution") for lab_id in LABS] + [
    pytest.param(lab_id, index, id=f"{lab_id}-anti{index}-{anti.fails}")
    for lab_id, lab in LABS.items() for index, anti in enumerate(lab.anti_solutions)]


IMAGE_SUGGESTION = re.compile(r"^(image `[^`]*` is not present); did you mean `[^`]*`\?$")


def _as_the_client_can_say(message: str) -> str:
    return IMAGE_SUGGESTION.sub(r"\1 (see `docker images`).", message)


@pytest.fixture
def lab_runner(docker_engine, lab_images, clean_containers):
    runner = LabRunner(docker_engine)
    yield runner
    runner.restore()


@pytest.mark.parametrize(("lab_id", "anti_index"), CASES)
def test_pasted_line_grades_like_the_engine_api(lab_id, anti_index, lab_runner, docker_engine,
                                                own_server, learner):  # noqa: F811
    user_id, headers = learner
    lab = LABS[lab_id]
    case = lab.solution if anti_index is None else lab.anti_solutions[anti_index]
    lab_runner.play(case)
    host = getattr(case, "host", None) or docker_engine.base_url
    direct = grade(lab, HostSpec(host, connect_timeout=2, read_timeout=2), lang="en")
    issued = new_command(own_server, headers, lab_id)
    pasted = paste(issued["command"], host)
    stored = attempts(own_server, user_id)
    where = f"{direct.to_dict()}\n--- terminal ---\n{pasted.stdout}\n{pasted.stderr}"
    if direct.status == "error":
        # The engine cannot be read: the terminal says why, and no attempt is stored.
        assert pasted.returncode != 0, where
        assert "docklab:" in pasted.stderr and stored == [], where
        return
    assert pasted.returncode == 0, where
    [attempt] = stored
    assert attempt.source == "self_reported" and attempt.self_reported
    assert attempt.status == direct.status, where
    assert [(c["id"], c["status"], c["message"]) for c in attempt.checks] == \
        [(c.id, c.status, _as_the_client_can_say(c.message)) for c in direct.checks], where
    assert attempt.score == direct.score
    assert f"{lab_id} — {direct.status}" in pasted.stdout
