"""What grading each lab of issue 17 costs: the API calls of one grading run of its reference
solution (`LabResult.api_calls`), pinned so a change in the snapshot's reads shows up here.
The read-only labs are also graded through a recording proxy: GET requests only."""
from __future__ import annotations

import pytest

from grader import HostSpec, grade, load_labs

from .labrunner import LabRunner

# lab -> API calls of one grading run (the solution played; every check runs). E.g.
# volume-keep-data: /_ping, the volume, the container list (who mounts it; also shows that
# `writer` is gone), `reader` by name, and the exec (create, start, inspect).
COST = {
    "volume-keep-data": 7,
    "bind-mount": 5,
    "user-network": 7,
    "cmd-entrypoint": 6,
    "env-build-vs-run": 6,
    "multi-stage-small": 4,
    "restart-policy": 3,
}


@pytest.mark.parametrize("lab_id", sorted(COST))
def test_grading_cost(lab_id, docker_engine, lab_images, clean_containers, recording_proxy):
    lab = load_labs()[lab_id]
    runner = LabRunner(docker_engine)
    try:
        runner.play(lab.solution, lab.setup_for(lab.solution))
        result = grade(lab, HostSpec(docker_engine.base_url), lang="en")
        assert result.status == "passed", result.to_dict()
        assert result.api_calls == COST[lab_id], result.to_dict()
        if not lab.exec_checks:  # an exec stream is hijacked: not through the proxy
            recording_proxy.clear()
            again = grade(lab, HostSpec(recording_proxy.url))
            assert again.status == "passed"
            assert {method for method, _ in recording_proxy.requests} == {"GET"}
            assert again.api_calls == len(recording_proxy.requests) == COST[lab_id]
    finally:
        runner.restore()
