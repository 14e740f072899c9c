"""The learner's engine dies during grading: an `error` with the reason, and after the engine
comes back, the same check passes again. Real dockerd, killed by its PID."""
import threading
import time

from grader import HostSpec, grade, load_labs


def test_engine_killed_mid_check_is_an_error_and_recovers(extra_engine):
    engine = extra_engine(images=("mysql:5.6",))
    daemon, client = engine["daemon"], engine["client"]
    client.containers.run("mysql:5.6", name="mydb", detach=True,
                          environment={"MYSQL_ROOT_PASSWORD": "Passw0rd"})
    lab = load_labs()["mysql-env"]
    spec = HostSpec(daemon.socket_url, connect_timeout=2, read_timeout=2, total_timeout=6)
    assert grade(lab, spec).status == "passed"

    # Kill the engine while checks keep arriving: every result is passed (before the kill) or an
    # error with the reason (after it), never a failure blamed on the learner, never a crash.
    results, stop = [], threading.Event()

    def keep_checking():
        while not stop.is_set():
            results.append(grade(lab, spec, lang="en"))

    worker = threading.Thread(target=keep_checking)
    worker.start()
    time.sleep(0.3)
    daemon.kill()
    time.sleep(0.5)
    stop.set()
    worker.join(timeout=15)
    statuses = {result.status for result in results}
    assert "error" in statuses and statuses <= {"passed", "error"}, statuses
    for result in (r for r in results if r.status == "error"):
        # Died before the run (first check) or in the middle of it (a later one): the check that
        # met the dead engine says why; nothing is marked failed.
        errors = [c for c in result.checks if c.status == "error"]
        assert errors and errors[0].message
        assert all(c.status in ("pass", "error", "skip") for c in result.checks)

    # The engine comes back on the same data root (mydb is no longer running); the learner runs
    # mydb again, and the same check passes.
    daemon.restart()
    revived = daemon.client()
    assert grade(lab, spec).status == "failed"
    revived.containers.get("mydb").remove(force=True)
    revived.containers.run("mysql:5.6", name="mydb", detach=True,
                           environment={"MYSQL_ROOT_PASSWORD": "Passw0rd"})
    deadline = time.monotonic() + 10
    while revived.containers.get("mydb").status != "running" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert grade(lab, spec).status == "passed"
    revived.containers.get("mydb").remove(force=True)
