"""What lets `make test` run the suite on several pytest-xdist workers: the serial list names real
tests, the workers of one run get sandbox addresses of their own, and the machine-wide lock
really keeps a second process out."""
from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests.conftest import SERIAL, is_serial
from tests.sandboxes.conftest import ADDRESS_BLOCKS, DRIVER_KINDS, _driver
from tests.support import workers

REPO = Path(__file__).resolve().parents[1]


def _test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")}


def test_every_serial_entry_names_an_existing_test():
    for entry in SERIAL:
        path, _, name = entry.partition("::")
        assert (REPO / path).is_file(), f"{entry}: no such file (moved? update SERIAL)"
        functions = _test_functions(REPO / path)
        assert functions, f"{path} has no test"
        if name:
            assert name in functions, f"{entry}: no such test in {path}"


def test_serial_matches_files_and_tests_with_all_their_parameters():
    assert is_serial("tests/grader/test_deadline.py::test_trickling_host_is_an_error_within_the_"
                     "total_timeout")
    assert is_serial("tests/grader/test_hosts.py::test_a_host_that_never_answers_times_out_in_"
                     "time[ssh]")
    assert not is_serial("tests/grader/test_hosts.py::test_bad_urls[x]")
    assert not is_serial("tests/grader/test_hosts_more.py::test_closed_tcp_port_is_refused")


def test_the_workers_of_one_run_never_share_a_sandbox_address(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", "ffffffff0123456789abcdef01234567")
    bases = set()
    for worker in range(8):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", f"gw{worker}")
        assert workers.worker_index() == worker
        for kind, offset in (("t", 0), ("a", 1), ("e", 2), ("l", 3)):
            base = _driver(kind, 5055, offset).address_base
            first, second = base.split(".")
            assert first == "127" and 80 <= int(second) < 80 + ADDRESS_BLOCKS * DRIVER_KINDS
            bases.add(base)
    assert len(bases) == 8 * DRIVER_KINDS


def test_a_plain_run_picks_a_block_from_its_pid(monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_TESTRUNUID", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert workers.worker_index() == 0
    assert 0 <= workers.address_block(ADDRESS_BLOCKS) < ADDRESS_BLOCKS


def test_the_machine_lock_keeps_another_process_out_until_released(tmp_path):
    name = f"selftest-{tmp_path.name}"
    holder = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from tests.support.workers import machine_lock
        with machine_lock({name!r}):
            print("held", flush=True)
            time.sleep(1.5)
    """)
    process = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "held"
        started = time.monotonic()
        with workers.machine_lock(name):
            waited = time.monotonic() - started
        assert waited > 0.5, waited  # it waited for the other process to let go
    finally:
        process.wait(timeout=10)
    (workers.LOCK_DIR / f"{name}.lock").unlink(missing_ok=True)
