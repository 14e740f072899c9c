"""Every check kind both passes and fails on real containers and images, with a message that
says what was seen against what was expected."""
from __future__ import annotations

import io

import pytest

from grader import HostSpec, grade
from grader.checks import REGISTRY

from .helpers import check, lab

WEB = {"name": "web"}
PROBE_TAG = "docklab-probe:latest"
PROBE_DOCKERFILE = """\
FROM nginx:latest
RUN echo one > /one
RUN echo two > /two && echo three > /three
ENV GREETING=hello
LABEL course=docker
EXPOSE 8080/tcp
WORKDIR /srv
USER nobody
ENTRYPOINT ["sh", "-c"]
CMD ["httpd -f -p 8080"]
"""


def _grade(engine, *checks, lang="en"):
    return grade(lab(*checks), HostSpec(engine.base_url), lang=lang)


def _statuses(result) -> list[str]:
    return [c.status for c in result.checks]


@pytest.fixture(scope="module")
def probe_image(docker_engine, lab_images):
    """An image with two RUN steps and a config in every field image_config knows."""
    image, _ = docker_engine.client.images.build(
        fileobj=io.BytesIO(PROBE_DOCKERFILE.encode()), tag=PROBE_TAG, rm=True, forcerm=True)
    yield image
    docker_engine.client.images.remove(PROBE_TAG, force=True)


def test_mounts_restart_networks_labels_command(docker_engine, clean_containers, make_container,
                                                tmp_path):
    make_container("nginx:latest", name="web", labels={"course": "docker"},
                   restart_policy={"Name": "on-failure", "MaximumRetryCount": 3},
                   volumes={str(tmp_path): {"bind": "/data", "mode": "ro"}},
                   command=["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"])
    result = _grade(
        docker_engine,
        check("mount", "container_mounts", container=WEB, destination="/data", type="bind",
              source=str(tmp_path), read_only=True),
        check("mount-rw", "container_mounts", container=WEB, destination="/data",
              read_only=False),
        check("mount-none", "container_mounts", container=WEB, destination="/var/lib/mysql"),
        check("restart", "container_restart_policy", container=WEB, policy="on-failure",
              max_retries=3),
        check("restart-always", "container_restart_policy", container=WEB, policy="always"),
        check("net", "container_networks", container=WEB, network="bridge"),
        check("net-other", "container_networks", container=WEB, network="backend"),
        check("label", "container_labels", container=WEB, labels={"course": "docker"}),
        check("label-other", "container_labels", container=WEB, labels={"course": "k8s"}),
        check("cmd", "container_command", container=WEB, contains="sleep 600", part="cmd"),
        check("cmd-other", "container_command", container=WEB, contains="httpd"),
    )
    assert _statuses(result) == ["pass", "fail", "fail", "pass", "fail", "pass", "fail", "pass",
                                 "fail", "pass", "fail"]
    messages = {c.id: c.message for c in result.checks}
    assert messages["mount-rw"] == ("mount at `/data`: read-only flag differs "
                                       "(it is read-only)")
    assert messages["mount-none"] == ("container `web` has no mount at `/var/lib/mysql` "
                                      "(mounts: `/data`).")
    assert messages["restart-always"] == ("container `web` has restart policy `on-failure`, "
                                          "not `always`.")
    assert messages["net-other"] == "container `web` is not on network `backend` (on: `bridge`)."
    assert messages["label-other"] == "label `course` is `docker`, expected `k8s`."
    assert "does not contain `httpd`" in messages["cmd-other"]


def test_detached_and_host_ip(docker_engine, clean_containers, make_container):
    make_container("nginx:latest", name="web", ports={"80/tcp": ("127.0.0.1", None)})
    # What `docker create` without -d records: stdout/stderr attached (foreground).
    attached = docker_engine.client.api.create_container(
        "nginx:latest", name="fg", detach=False, tty=True, labels={"org.docklab.test": "1"})
    try:
        result = _grade(
            docker_engine,
            check("detached", "container_detached", container=WEB, tty=False),
            check("foreground", "container_detached", container={"name": "fg"}),
            check("ip", "container_port", container=WEB, port="80/tcp", host_ip="127.0.0.1"),
            check("ip-other", "container_port", container=WEB, port="80/tcp",
                  host_ip="0.0.0.0"),  # noqa: S104 - an expectation, not a bind
        )
    finally:
        docker_engine.client.api.remove_container(attached["Id"], force=True)
    assert _statuses(result) == ["pass", "fail", "pass", "fail"]
    assert result.checks[1].message == "container `fg` was started in the foreground (no `-d`)."
    assert result.checks[3].message == ("port 80/tcp is bound on host address 127.0.0.1, "
                                        "not 0.0.0.0.")


def test_image_size_layers_runs_and_config(docker_engine, clean_containers, probe_image):
    ref = {"ref": PROBE_TAG}
    result = _grade(
        docker_engine,
        check("runs", "image_run_max", max=2, above="nginx:latest", **ref),
        check("runs-1", "image_run_max", max=1, above="nginx:latest", **ref),
        check("layers", "image_layers_max", max=20, **ref),
        check("layers-1", "image_layers_max", max=1, **ref),
        check("size", "image_size_max", mb=50, **ref),
        check("size-tiny", "image_size_max", mb=0.001, **ref),
        check("cmd", "image_config", field="cmd", contains="httpd", **ref),
        check("entrypoint", "image_config", field="entrypoint", equals="sh -c", **ref),
        check("env", "image_config", field="env", equals="GREETING=hello", **ref),
        check("ports", "image_config", field="exposed_ports", equals="8080/tcp", **ref),
        check("labels", "image_config", field="labels", contains="course=docker", **ref),
        check("workdir", "image_config", field="workdir", equals="/srv", **ref),
        check("user", "image_config", field="user", equals="root", **ref),
        check("history", "image_history", instruction="RUN", regex=r"echo two .*&&", **ref),
        check("history-env", "image_history", instruction="ENV", regex="GREETING", **ref),
        check("history-none", "image_history", instruction="RUN", regex="apt-get",
              looks_like="apt-get install", **ref),
        check("based", "image_based_on", base="nginx:latest", **ref),
        check("based-other", "image_based_on", base="mysql:5.6", **ref),
    )
    expected = {"runs": "pass", "runs-1": "fail", "layers": "pass", "layers-1": "fail",
                "size": "pass", "size-tiny": "fail", "cmd": "pass", "entrypoint": "pass",
                "env": "pass", "ports": "pass", "labels": "pass", "workdir": "pass",
                "user": "fail", "history": "pass", "history-env": "pass",
                "history-none": "fail", "based": "pass", "based-other": "fail"}
    assert {c.id: c.status for c in result.checks} == expected, result.to_dict()
    messages = {c.id: c.message for c in result.checks}
    assert messages["runs-1"] == (f"`{PROBE_TAG}` has 2 RUN instructions, more than 1 "
                                  "(chain them with &&).")
    assert messages["user"] == f"`{PROBE_TAG}` USER is `nobody`, expected `root`."
    assert messages["history-none"].startswith(
        f"`{PROBE_TAG}` has no RUN like `apt-get install` (seen: ")
    assert "apt-get" not in messages["history-none"].split("(seen:")[1]
    assert messages["based-other"].startswith(f"`{PROBE_TAG}` is not built on `mysql:5.6`: "
                                              "of its ")
    assert "Check FROM" in messages["based-other"]
    assert "MB, more than 0.001 MB" in messages["size-tiny"]


def test_missing_image_suggests_another_tag(docker_engine, lab_images):
    result = _grade(docker_engine, check("present", "image_present", ref="mysql:5.7"),
                    check("none", "image_present", ref="postgres"))
    assert result.checks[0].message == ("image `mysql:5.7` is not present; "
                                        "did you mean `mysql:5.6`?")
    assert result.checks[1].message == ("image `postgres:latest` is not present "
                                        "(see `docker images`).")


def test_engine_checks(docker_engine):
    result = _grade(docker_engine, check("up", "engine_reachable"),
                    check("api", "engine_min_api", version="1.24"),
                    check("api-future", "engine_min_api", version="9.99"))
    assert _statuses(result) == ["pass", "pass", "fail"]
    assert result.checks[0].message.startswith("the engine answers: Docker ")
    assert result.checks[2].message.endswith("is older than 9.99.")


def test_every_kind_is_exercised_here_or_in_the_labs():
    """A new kind without a real-engine test fails this list until one is written."""
    source = open(__file__, encoding="utf-8").read()  # noqa: PTH123
    others = "".join(
        open(__file__.replace("test_check_kinds_real", name), encoding="utf-8").read()  # noqa: PTH123
        for name in ("test_grading_real", "test_check_kinds_more_real"))
    untested = [kind for kind in REGISTRY if f'"{kind}"' not in source + others]
    assert untested == []


def test_ports_of_a_created_container_come_from_its_host_config(docker_engine, clean_containers,
                                                                make_container):
    """Before it starts, NetworkSettings.Ports is empty: what `-p` asked for is in PortBindings;
    `-P` asks for nothing concrete, so its exposed ports are not bound yet."""
    make_container("nginx:latest", name="web", state="created", ports={"80/tcp": 8080})
    make_container("nginx:latest", name="all", state="created", publish_all_ports=True)
    result = _grade(
        docker_engine,
        check("asked", "container_port", container=WEB, port="80/tcp", host_port=8080),
        check("all", "container_port", container={"name": "all"}, all_exposed=True),
    )
    assert _statuses(result) == ["pass", "fail"]
    assert result.checks[1].message == "exposed port 80/tcp is not bound to a host port."
