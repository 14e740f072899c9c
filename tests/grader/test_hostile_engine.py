"""Hostile or broken learner hosts end as a clean `error` or a correct result, in time, and
nothing they send reaches a terminal raw."""
import os
import subprocess
import sys
import time
import tracemalloc

import pytest

from grader import HostSpec, grade, load_labs
from tests.support.hostile_engine import SCENARIOS, HostileEngine

LABS = ("mysql-env", "nginx-port", "cleanup", "engine-ready", "fortune-image")


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_lab_ends_cleanly_on_a_hostile_host(scenario):
    labs = load_labs()
    with HostileEngine(scenario) as engine:
        spec = HostSpec(engine.url, connect_timeout=1, read_timeout=1, total_timeout=3)
        for lab_id in LABS:
            started = time.monotonic()
            result = grade(labs[lab_id], spec, lang="en")
            assert time.monotonic() - started < 5
            assert result.status in ("passed", "failed", "error")
            # These break the container list (or everything): labs that read containers can only
            # end as an error (engine-ready reads /version, fortune-image only images).
            reads_containers = lab_id in ("mysql-env", "nginx-port", "cleanup")
            if scenario in ("hang", "huge", "huge-announced") or (
                    reads_containers and scenario in ("not-json", "list-is-a-dict")):
                assert result.status == "error", (scenario, lab_id, result.to_dict())
                assert any(c.status == "error" and c.message for c in result.checks)
            if scenario.startswith("huge"):
                assert "too large" in result.checks[0].message, result.to_dict()


@pytest.mark.parametrize("scenario", ["huge", "huge-announced"])
def test_a_huge_answer_is_refused_with_memory_bounded(scenario):
    """64 MB streamed (or 50 GB announced) against a 1 MB cap: an `error` naming the size, and
    the grader never holds much more than the cap."""
    with HostileEngine(scenario) as engine:
        spec = HostSpec(engine.url, connect_timeout=2, read_timeout=2, total_timeout=10,
                        max_response_bytes=1024 * 1024)
        tracemalloc.start()
        try:
            result = grade(load_labs()["mysql-env"], spec, lang="en")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.status == "error"
    assert "too large" in result.checks[0].message
    assert "1,048,576" in result.checks[0].message
    assert peak < 8 * 1024 * 1024, f"peak {peak:,} bytes"


def test_thousands_of_containers_are_counted_right():
    with HostileEngine("many") as engine:
        result = grade(load_labs()["cleanup"], HostSpec(engine.url), lang="en")
    exited = sum(1 for c in SCENARIOS["many"] if c["State"] == "exited")
    assert result.status == "failed"
    assert str(exited) in " ".join(c.message for c in result.checks)
    assert result.api_calls <= 3


def test_hostile_names_never_reach_the_terminal_raw():
    with HostileEngine("hostile") as engine:
        output = subprocess.run(
            [sys.executable, "-m", "grader", "check", "mysql-env", "cleanup", "--host",
             engine.url, "--lang", "en"],
            capture_output=True, text=True, timeout=30,
            env=dict(os.environ, PYTHONPATH=os.getcwd())).stdout
    assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
    assert "mydb" in output
