"""Grading against the real test engine: messages, snapshot cost, read-only, errors."""
from __future__ import annotations

import socket
import threading

import pytest

from grader import HostSpec, grade, grade_many, load_labs
from grader.checks import REGISTRY

from .helpers import check, lab
from .labrunner import LabRunner

MYDB = {"name": "mydb"}


def _grade(engine, *checks, lang="en", **kwargs):
    return grade(lab(*checks, **kwargs), HostSpec(engine.base_url), lang=lang)


def test_exited_container_message_in_both_languages(docker_engine, clean_containers,
                                                    make_container):
    make_container("mysql:5.6", name="mydb", state="exited", exit_code=1)
    state = check("state", "container_state", container=MYDB, state="running")
    result = _grade(docker_engine, state)
    assert result.checks[0].status == "fail"
    assert result.checks[0].message == ("container `mydb` exists but is `exited` (code 1), "
                                        "not `running`.")
    korean = _grade(docker_engine, state, lang="ko").checks[0]
    assert "`mydb`" in korean.message and "`exited` (코드 1)" in korean.message
    assert korean.hint == "힌트 state"


def test_missing_name_suggests_the_close_one(docker_engine, clean_containers, make_container):
    make_container("mysql:5.6", name="mydb2", environment={"MYSQL_ROOT_PASSWORD": "x"})
    result = _grade(docker_engine, check("exists", "container_exists", container=MYDB))
    assert result.checks[0].message == "no container named `mydb`; did you mean `mydb2`?"
    # Names match exactly: `mydb2` never counts as `mydb`.
    assert result.status == "failed" and result.score == 0


def test_port_message_says_seen_and_expected(docker_engine, clean_containers, make_container):
    make_container("nginx:latest", name="myweb", ports={"80/tcp": 8080})
    port = check("port", "container_port", container={"name": "myweb"}, port="80/tcp",
                 host_port=80)
    some_port = check("some", "container_port", container={"name": "myweb"}, port=80)
    all_ports = check("all", "container_port", container={"name": "myweb"}, all_exposed=True)
    result = _grade(docker_engine, port, some_port, all_ports)
    assert [c.status for c in result.checks] == ["fail", "pass", "fail"]
    assert result.checks[0].message == "port 80/tcp is bound to host port 8080, not 80."
    assert "not started with `-P`" in result.checks[2].message


def test_secret_value_is_never_shown(docker_engine, clean_containers, make_container):
    make_container("mysql:5.6", name="mydb", environment={"MYSQL_ROOT_PASSWORD": "hunter2"})
    env = check("env", "container_env", container=MYDB, var="MYSQL_ROOT_PASSWORD",
                value="Passw0rd")
    for lang in ("en", "ko"):
        message = _grade(docker_engine, env, lang=lang).checks[0].message
        assert "Passw0rd" not in message and "hunter2" not in message
    assert _grade(docker_engine, env).checks[0].message == (
        "`MYSQL_ROOT_PASSWORD` is set but has a different value.")


def test_env_from_image_is_not_a_run_time_value(docker_engine, clean_containers,
                                                 make_container):
    make_container("mysql:5.6", name="mydb", environment={"MYSQL_ROOT_PASSWORD": "x"})
    make_container("mysql:5.6", name="mydb-run",
                   environment={"MYSQL_ROOT_PASSWORD": "x", "MYSQL_MAJOR": "5.7"})
    from_image = check("major", "container_env", container=MYDB, var="MYSQL_MAJOR",
                       source="run")
    result = _grade(docker_engine, from_image)
    assert result.checks[0].status == "fail"
    assert "comes from the image's ENV" in result.checks[0].message
    assert _grade(docker_engine, check("any", "container_env", container=MYDB, var="MYSQL_MAJOR",
                                       value="5.6")).checks[0].status == "pass"
    run_time = check("major", "container_env", container={"name": "mydb-run"},
                     var="MYSQL_MAJOR", source="run", value="5.7")
    assert _grade(docker_engine, run_time).checks[0].status == "pass"
    wrong = check("major", "container_env", container={"name": "mydb-run"}, var="MYSQL_MAJOR",
                  value="8.0")
    message = _grade(docker_engine, wrong).checks[0].message
    assert message == "`MYSQL_MAJOR` is `5.7`, expected `8.0`."


def test_image_reference_comparison(docker_engine, clean_containers, make_container):
    make_container("nginx:latest", name="myweb")
    same = [check(f"c{i}", "container_image", container={"name": "myweb"}, ref=ref)
            for i, ref in enumerate(["nginx", "nginx:latest", "docker.io/library/nginx:latest"])]
    other = check("other", "container_image", container={"name": "myweb"}, ref="nginx:1.25")
    result = _grade(docker_engine, *same, other)
    assert [c.status for c in result.checks] == ["pass", "pass", "pass", "fail"]
    assert result.checks[3].message == "container `myweb` runs image `nginx:latest`, expected " \
                                       "`nginx:1.25`."


def test_selection_by_image_and_labels_with_match_modes(docker_engine, clean_containers,
                                                        make_container):
    make_container("hello-world:latest", state="exited", labels={"course": "a"})
    make_container("hello-world:latest", state="exited", labels={"course": "b"})
    by_image = {"image": "hello-world"}
    result = _grade(
        docker_engine,
        check("one", "container_exit_code", container={**by_image, "match": "exactly",
                                                        "count": 1}),
        check("two", "container_exit_code", container={**by_image, "match": "exactly",
                                                        "count": 2}),
        check("label", "container_exists", container={**by_image, "labels": {"course": "b"}}),
        check("nolabel", "container_exists", container={"labels": {"course": "c"}}),
    )
    assert [c.status for c in result.checks] == ["fail", "pass", "pass", "fail"]
    assert result.checks[0].message.startswith(
        "2 container(s) with image `hello-world:latest` pass, expected exactly 1: `")
    assert result.checks[1].message.startswith(
        "exactly 2 container(s) with image `hello-world:latest` pass: `")
    assert result.checks[3].message == ("there is no container with label `course=c` "
                                        "(see `docker ps -a`).")


def test_needs_turn_failures_into_skips(docker_engine, clean_containers):
    result = _grade(docker_engine,
                    check("exists", "container_exists", container=MYDB),
                    check("state", "container_state", needs=["exists"], container=MYDB,
                          state="running"))
    assert [c.status for c in result.checks] == ["fail", "skip"]
    assert result.checks[1].message == "skipped: `exists` did not pass."


def test_containers_count(docker_engine, clean_containers, make_container):
    make_container("hello-world:latest", name="old", state="exited")
    make_container("nginx:latest", name="later", state="created")
    make_container("nginx:latest", name="web")
    result = _grade(docker_engine,
                    check("exited", "containers_count", states=["exited"], max=0),
                    check("running", "containers_count", states=["running"], min=1, max=1))
    assert [c.status for c in result.checks] == ["fail", "pass"]
    assert "`old` (exited)" in result.checks[0].message


def test_ten_checks_cost_the_same_calls_as_one(docker_engine, clean_containers, make_container):
    make_container("mysql:5.6", name="mydb", environment={"MYSQL_ROOT_PASSWORD": "Passw0rd"})
    one = [check("state", "container_state", container=MYDB, state="running")]
    ten = one + [
        check("exists", "container_exists", container=MYDB),
        check("image", "container_image", container=MYDB, ref="mysql:5.6"),
        check("env", "container_env", container=MYDB, var="MYSQL_ROOT_PASSWORD"),
        check("env2", "container_env", container=MYDB, var="MYSQL_MAJOR"),
        check("detached", "container_detached", container=MYDB),
        check("restart", "container_restart_policy", container=MYDB, policy="no"),
        check("cmd", "container_command", container=MYDB, contains="sh"),
        check("net", "container_networks", container=MYDB, network="bridge"),
        check("label", "container_labels", container=MYDB, labels={"org.docklab.test": "1"}),
    ]
    # env needs the image's config once; add it to the single-check run for a like-for-like count
    single = _grade(docker_engine, *one, ten[3])
    many = _grade(docker_engine, *ten)
    assert all(c.status == "pass" for c in many.checks), many.to_dict()
    assert many.api_calls == single.api_calls == 3  # /_ping, inspect by name, image


def test_every_lab_is_read_only_and_bounded(docker_engine, lab_images, clean_containers,
                                            recording_proxy):
    labs = load_labs()
    runner = LabRunner(docker_engine)
    try:
        for lab_id in ("mysql-env", "nginx-port", "hello-world", "fortune-image"):
            runner.play(labs[lab_id].solution)
        for one in labs.values():
            recording_proxy.clear()
            result = grade(one, HostSpec(recording_proxy.url))
            assert {method for method, _ in recording_proxy.requests} == {"GET"}, one.id
            assert result.api_calls == len(recording_proxy.requests) <= 8, one.id
            assert not any("size=" in path for _, path in recording_proxy.requests)
        recording_proxy.clear()
        results = grade_many(list(labs.values()), HostSpec(recording_proxy.url))
        assert sum(r.api_calls for r in results) == len(recording_proxy.requests)
        # One snapshot: the container list is fetched once for all labs together.
        assert [p for _, p in recording_proxy.requests].count("/v1.41/containers/json") == 1
        assert {method for method, _ in recording_proxy.requests} == {"GET"}
    finally:
        runner.restore()


def test_exec_check_is_opt_in_and_runs_for_real(docker_engine, clean_containers,
                                                make_container):
    # Not through recording_proxy: it keeps the connection open, so a hijacked exec stream
    # never ends there.
    make_container("nginx:latest", name="myweb")
    probe = check("page", "exec", container={"name": "myweb"},
                  command=["cat", "/usr/share/nginx/html/index.html"],
                  output_contains="Welcome to nginx")
    missing = check("missing", "exec", container={"name": "myweb"}, command="cat /nope",
                    exit_code=0)
    result = grade(lab(probe, missing, exec_checks=True), HostSpec(docker_engine.base_url),
                   lang="en")
    assert [c.status for c in result.checks] == ["pass", "fail"]
    assert "exited with code 1, expected 0" in result.checks[1].message
    assert not REGISTRY["exec"].read_only
    assert all(kind.read_only for name, kind in REGISTRY.items() if name != "exec")


def test_unreachable_host_is_an_error_not_a_failure(tmp_path):
    result = grade(load_labs()["mysql-env"], HostSpec(f"unix://{tmp_path}/none.sock"), "en")
    assert result.status == "error" and result.score == 0
    assert result.checks[0].status == "error"
    assert "refused" in result.checks[0].message
    assert {c.status for c in result.checks[1:]} == {"skip"}


def test_silent_host_times_out_as_an_error(tmp_path):
    path = str(tmp_path / "silent.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)
    held = []
    stop = threading.Event()

    def accept_and_hold():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_and_hold, daemon=True)
    thread.start()
    try:
        spec = HostSpec(f"unix://{path}", connect_timeout=1, read_timeout=1)
        result = grade(load_labs()["engine-ready"], spec, "en")
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        server.close()
    assert result.status == "error"
    assert "did not answer within the time limit" in result.checks[0].message
    assert result.duration_ms < 4000


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_result_dict_shape(docker_engine, clean_containers, lang):
    result = grade(load_labs()["cleanup"], HostSpec(docker_engine.base_url), lang)
    data = result.to_dict()
    assert list(data) == ["lab", "status", "score", "max_score", "duration_ms", "api_calls",
                          "checks"]
    # cleanup: did-labs (1) + no-exited (2) + no-created (1)
    assert data["status"] == "passed" and data["score"] == data["max_score"] == 4
    assert list(data["checks"][0]) == ["id", "status", "message", "hint", "points"]
