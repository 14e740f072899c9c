import pytest

pytest_plugins = ["tests.support.webapp", "tests.support.browser", "tests.support.docker_engine"]

DOCKER_FIXTURES = {"docker_engine", "lab_images", "make_container", "clean_containers",
                   "extra_engine", "ssh_host", "recording_proxy"}
BROWSER_FIXTURES = {"browser", "page"}

# `make test` runs the suite on pytest-xdist workers, then the tests marked `serial` alone: those
# whose assertions hold a clock (a deadline, "answers within 1 s") tight enough that a second worker
# busy on the same two cores could break them, and those that load the whole machine on purpose.
# A file, or file::test (all its parameters). tests/test_parallel_safety.py checks that each entry
# still names a test that exists, so a moved file cannot quietly run in parallel.
SERIAL = {
    # a burst of answers from 16 threads, then SIGKILL of every gunicorn process
    "tests/web/site/test_kill_during_burst.py",
    # three gunicorn workers
    "tests/web/site/test_many_workers.py",
    # /healthz within 1 s while 16 attack requests hold the server's threads
    "tests/web/hosts/test_healthz_under_attack.py",
    # refusals "at once" (< 0.1 s) and deadlines of 1.5-4.5 s
    "tests/web/hosts/test_outbound.py",
    # refused in < 0.5 s (the check it skips costs ~5 s of CPU)
    "tests/web/hosts/test_hosts_limits.py::"
    "test_an_oversized_rsa_key_is_refused_before_its_primes_are_checked",
    # cut off at a 1.5 s deadline: 1.4 < elapsed < 2.0
    "tests/grader/test_deadline.py",
    # refused in < 2 s; a silent host timed out in 0.9-4 s
    "tests/grader/test_hosts.py::test_closed_tcp_port_is_refused",
    "tests/grader/test_hosts.py::test_a_host_that_never_answers_times_out_in_time",
    # hostile hosts ended in < 5 s while they stream 64 MB answers
    "tests/grader/test_hostile_engine.py",
    # a silent host graded as an error in < 4 s
    "tests/grader/test_grading_real.py::test_silent_host_times_out_as_an_error",
    # a silent host cut off at the deadline in < 3 s
    "tests/web/labs/test_labs_web.py::test_a_silent_host_is_cut_off_at_the_deadline",
    # /healthz in < 2 s while terminals hold gunicorn's threads
    "tests/web/terminal/test_terminal_gunicorn.py",
    # looks at every /tmp/docklab-tls-* on the machine: another worker's TLS connection makes one
    "tests/grader/test_tls_ssh.py::test_tls_temp_files_are_removed_when_the_handshake_fails",
    # sandbox start < 10 s and resume < 2 s; a fork bomb and a memory hog at their limits
    "tests/sandboxes/test_containment.py",
    # check within 15 s, resume within 5 s, a full server's queue
    "tests/sandboxes/test_sandbox_api.py",
    # copies of the 190 MB seed and a background preparer: disk-bound, and it owns the spares
    "tests/sandboxes/test_seed.py",
    # the message before the close was seen lost once with a second worker busy (not explained)
    "tests/web/terminal/test_terminal_docker.py::"
    "test_an_engine_that_does_not_answer_is_a_clear_message",
}


def is_serial(nodeid: str) -> bool:
    path, _, rest = nodeid.partition("::")
    return path in SERIAL or f"{path}::{rest.split('[')[0]}" in SERIAL


def pytest_collection_modifyitems(items):
    """Mark tests by what they drive, so a run can select e.g. only the database tests."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & DOCKER_FIXTURES:
            item.add_marker(pytest.mark.docker)
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if is_serial(item.nodeid):
            item.add_marker(pytest.mark.serial)
