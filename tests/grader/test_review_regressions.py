"""Regressions found in review (helper A2): each test failed on the code as it was."""
from __future__ import annotations

import io
import json
import socketserver
import tarfile
import threading
from http.server import BaseHTTPRequestHandler

import pytest

from grader import HostSpec, grade, load_labs, validate_paths
from grader.model import CheckSpec, Lab, Solution, Text
from tests.support.images import copy_images

LABS = load_labs()


def _lab(*checks: CheckSpec) -> Lab:
    return Lab("t", "실습", Text("t", "t"), Text("i", "i"), checks, Solution(), ())


def _check(check_id: str, kind: str, **params) -> CheckSpec:
    return CheckSpec(check_id, kind, 1, Text("힌트", "hint"), params)


def test_linked_container_is_found_by_its_own_name(docker_engine, clean_containers,
                                                     make_container):
    # `--link zdb:db` lists the alias `/aweb/db` before `/zdb` in the container list.
    make_container("nginx:latest", name="zdb")
    make_container("nginx:latest", name="aweb", links={"zdb": "db"})
    result = grade(_lab(_check("zdb", "container_exists", container={"name": "zdb"}),
                        _check("alias", "container_exists", container={"name": "aweb/db"})),
                   HostSpec(docker_engine.base_url), lang="en")
    assert result.check("zdb").status == "pass", result.to_dict()
    assert result.check("alias").status == "fail"


def test_container_run_by_image_id_names_the_tag(docker_engine, clean_containers, make_container,
                                                 lab_images):
    # the id as it is now: a lab case that removed the image had it rebuilt (a new id)
    make_container(_short_id(docker_engine, "nginx:latest"), name="myweb")
    result = grade(_lab(_check("img", "container_image", container={"name": "myweb"},
                               ref="nginx")), HostSpec(docker_engine.base_url), lang="en")
    assert result.check("img").message == "container `myweb` runs image `nginx:latest`."


def test_unknown_yaml_tag_is_a_problem_with_its_line(tmp_path):
    source = LABS["mysql-env"].source
    with open(source, encoding="utf-8") as handle:
        text = handle.read().replace("value: Passw0rd", "value: !secret Passw0rd")
    path = tmp_path / "mysql-env.yaml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("      value: !secret Passw0rd") + 1
    problems = validate_paths([path])
    assert [(p.file, p.line) for p in problems] == [(str(path), line)]
    assert "!secret" in problems[0].message


def _short_id(docker_engine, tag: str) -> str:
    return docker_engine.client.images.get(tag).id.removeprefix("sha256:")[:12]


class _FakeEngine:
    """Answers /version, then a container list whose rows are malformed."""

    def __init__(self, path: str, containers) -> None:
        body = {"version": json.dumps({"Version": "20.10.24", "ApiVersion": "1.41"}).encode(),
                "containers": json.dumps(containers).encode()}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def address_string(self):
                return "unix"

            def do_GET(self):  # noqa: N802 - http.server's naming
                route = self.path.split("?")[0]
                data = body["version"] if route.endswith("/version") else (
                    body["containers"] if route.endswith("/containers/json") else b'"odd"')
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
            daemon_threads = True

        self.server = Server(path, Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("containers", [
    [{"Names": ["/mydb"], "State": "running", "Image": "mysql:5.6"}],          # no Id
    [{"Id": "a" * 64, "Names": None, "State": "exited", "Image": "mysql:5.6"}],  # null names
    {"not": "a list"},
    [{"Id": "d" * 64, "Names": ["/mydb"], "State": "running", "Image": "mysql:5.6"}],  # odd inspect
])
@pytest.mark.parametrize("lab_id", ["mysql-env", "cleanup"])
def test_malformed_engine_answers_are_errors_not_crashes(tmp_path, containers, lab_id):
    engine = _FakeEngine(str(tmp_path / "fake.sock"), containers)
    try:
        result = grade(LABS[lab_id], HostSpec(f"unix://{tmp_path}/fake.sock"), lang="en")
    finally:
        engine.close()
    # grade() returned instead of raising; a list that is not a list is the host's fault
    if not isinstance(containers, list):
        assert result.status == "error", result.to_dict()
    assert result.status in ("error", "failed", "passed")


def _build(client, dockerfile: str, tag: str) -> None:
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        data = dockerfile.encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    context.seek(0)
    client.images.build(fileobj=context, custom_context=True, tag=tag, rm=True, forcerm=True)


@pytest.mark.parametrize(("run", "passes"), [
    ("apt-get update -y && apt-get install -y fortunes", True),
    ("apt-get -y update && apt-get install -y --no-install-recommends fortune-mod", True),
    ("apt-get -qq update && apt-get -qq install -y fortunes", True),
    ("apt-get -y update; apt-get install -y fortunes", False),
])
def test_one_run_accepts_usual_spellings_of_a_chained_install(docker_engine, lab_images, run,
                                                               passes):
    tag = "docker-whale:latest"
    _build(docker_engine.client, f"FROM docker/whalesay:latest\nRUN {run}\n"
                                 "CMD /usr/games/fortune -a | cowsay\n", tag)
    try:
        result = grade(LABS["fortune-image"], HostSpec(docker_engine.base_url), lang="en")
    finally:
        docker_engine.client.images.remove(tag, force=True)
    assert (result.check("one-run").status == "pass") is passes, result.to_dict()


def test_grade_takes_one_lab_or_a_list(docker_engine, clean_containers):
    spec = HostSpec(docker_engine.base_url)
    one = grade(LABS["cleanup"], spec)
    several = grade([LABS["cleanup"], LABS["engine-ready"]], spec)
    assert one.lab == "cleanup" and one.status == "passed"
    assert [r.lab for r in several] == ["cleanup", "engine-ready"]
    assert [r.status for r in several] == ["passed", "passed"]


def test_count_by_image_sees_a_container_run_by_image_id(docker_engine, clean_containers,
                                                         make_container, lab_images):
    make_container(_short_id(docker_engine, "hello-world:latest"),
                   state="created")
    result = grade(_lab(_check("n", "containers_count", states=["created"],
                               image="hello-world", min=1)),
                   HostSpec(docker_engine.base_url), lang="en")
    assert result.check("n").status == "pass", result.to_dict()


def test_cli_checklist_shows_control_characters_instead_of_obeying_them():
    from grader.cli import render
    from grader.result import CheckResult, LabResult

    result = LabResult("t", "failed", 0, 1, 1, 1, [CheckResult(
        "c", "fail", "container `x\x1b[31mred` (exited)", "", 1)], title="t")
    text = render(result, "en")
    assert "\x1b" not in text
    assert "x\\x1b[31mred" in text


def test_validate_an_empty_directory_is_not_ok(tmp_path, capsys):
    from grader.cli import main

    assert main(["validate", str(tmp_path)]) == 1
    assert "no lab files" in capsys.readouterr().err


def test_cleanup_and_engine_ready_do_not_pass_on_an_untouched_engine(extra_engine,
                                                                      docker_engine):
    """Issue 15, vacuous passes: a fresh engine has nothing stopped and nothing pulled, so
    "no stopped containers" and "the engine answers" held before the learner did anything.
    Before the fix both labs passed here."""
    engine = extra_engine(images=())
    spec = HostSpec(engine["socket_url"])
    cleanup, ready = grade([LABS["cleanup"], LABS["engine-ready"]], spec, lang="en")
    assert cleanup.status == ready.status == "failed"
    assert cleanup.check("did-labs").status == "fail"
    assert cleanup.check("did-labs").message.startswith("none of the images `hello-world:latest`")
    assert ready.check("reachable").status == "pass"  # the engine itself is fine
    assert ready.check("used").message == ("image `hello-world:latest` is not present "
                                           "(see `docker images`).")
    # One `docker pull hello-world` (here: a copy of it) is the evidence both look for.
    copy_images(docker_engine.client, engine["client"], ("hello-world:latest",))
    cleanup, ready = grade([LABS["cleanup"], LABS["engine-ready"]], spec, lang="en")
    assert cleanup.status == ready.status == "passed", (cleanup.to_dict(), ready.to_dict())
