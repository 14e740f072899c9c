"""Hostile or broken learner hosts end as a clean `error` or a correct result, in time, and
nothing they send reaches a terminal raw."""
import os
import subprocess
import sys
import time
import tracemalloc

import pytest

from grader import HostSpec, grade, load_labs
from grader.snapshot import LOG_BYTES_LIMIT
from tests.support.hostile_engine import SCENARIOS, HostileEngine

from .helpers import check, lab

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


@pytest.mark.parametrize("scenario", ["endless-logs", "dripping-logs"])
def test_a_log_that_never_ends_is_read_within_its_bounds(scenario):
    """container_logs reads at most 64 KiB, and never past the run's deadline: a fast endless log
    is cut at the cap (a `fail` saying what was seen), a dripping one by time: an `error` naming
    the slow host, never a verdict on half a log."""
    logs = check("logs", "container_logs", container={"name": "talker"}, contains="goodbye")
    with HostileEngine(scenario) as engine:
        spec = HostSpec(engine.url, connect_timeout=1, read_timeout=1, total_timeout=3)
        started = time.monotonic()
        result = grade(lab(logs), spec, lang="en")
        elapsed = time.monotonic() - started
    assert elapsed < 5, elapsed
    message = result.checks[0].message
    if scenario == "endless-logs":
        assert result.status == "failed", result.to_dict()
        assert message.startswith("the log of container `talker` lacks `goodbye` (last ")
        lines = int(message.split("(last ")[1].split(" ")[0])
        assert lines * 20 <= LOG_BYTES_LIMIT
        assert "\x1b" not in message and "\u202e" not in message
    else:
        assert result.status == "error", result.to_dict()
        assert message.startswith("The host did not"), message  # time limit or deadline


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
