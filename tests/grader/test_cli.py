"""`python -m grader` as a learner or CI runs it: exit codes, JSON, JUnit, checklists."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


def run_cli(*args, host: str | None = None, **extra_env) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    for name in ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
        env.pop(name, None)
    if host:
        env["DOCKER_HOST"] = host
    env.update(extra_env)
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)


def test_passing_lab_exits_0_with_json(docker_engine, clean_containers, make_container):
    make_container("mysql:5.6", name="mydb", environment={"MYSQL_ROOT_PASSWORD": "Passw0rd"})
    done = run_cli("check", "mysql-env", "--json", host=docker_engine.base_url)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["lab"] == "mysql-env" and data["status"] == "passed"
    assert data["score"] == data["max_score"] == 6
    assert [c["status"] for c in data["checks"]] == ["pass"] * 5


def test_failing_lab_exits_1_with_checklist_and_junit(docker_engine, clean_containers,
                                                      make_container, tmp_path):
    make_container("mysql:5.6", name="mydb", environment={"MYSQL_ROOT_PASSWORD": "wrong"})
    junit = tmp_path / "report.xml"
    done = run_cli("check", "mysql-env", "cleanup", "--lang", "en", "--junit", str(junit),
                   host=docker_engine.base_url)
    assert done.returncode == 1, done.stderr
    assert "✘ FAIL root-password: `MYSQL_ROOT_PASSWORD` is set but has a different value." \
        in done.stdout
    assert "✔ pass exists" in done.stdout
    assert "hint: Pass `-e MYSQL_ROOT_PASSWORD='Passw0rd'`" in done.stdout
    suites = ElementTree.parse(junit).getroot()  # noqa: S314 - our own output
    assert [s.get("name") for s in suites] == ["mysql-env", "cleanup"]
    assert suites[0].get("failures") == "1" and suites[1].get("failures") == "0"
    failed = suites[0].find("testcase[@name='root-password']/failure")
    assert failed is not None and "different value" in failed.get("message")


def test_several_labs_print_a_json_list(docker_engine, clean_containers):
    done = run_cli("check", "cleanup", "engine-ready", "--json", host=docker_engine.base_url)
    assert done.returncode == 0, done.stderr
    assert [item["lab"] for item in json.loads(done.stdout)] == ["cleanup", "engine-ready"]


def test_korean_is_the_default(docker_engine, clean_containers):
    done = run_cli("check", "mysql-env", host=docker_engine.base_url)
    assert done.returncode == 1
    assert "✘ 실패 exists: `mydb` 이름의 컨테이너가 없습니다" in done.stdout
    assert "- 건너뜀 running" in done.stdout


def test_unreachable_host_exits_2(tmp_path):
    done = run_cli("check", "engine-ready", "--json", "--host", f"unix://{tmp_path}/no.sock",
                   "--lang", "en")
    assert done.returncode == 2
    data = json.loads(done.stdout)
    assert data["status"] == "error" and data["checks"][0]["status"] == "error"
    assert "refused" in data["checks"][0]["message"]


def test_plain_tcp_needs_consent():
    done = run_cli("check", "engine-ready", "--host", "tcp://127.0.0.1:9", "--lang", "en")
    assert done.returncode == 2
    assert "Unencrypted tcp://" in done.stdout


def test_unknown_lab_exits_2(docker_engine):
    done = run_cli("check", "no-such-lab", host=docker_engine.base_url)
    assert done.returncode == 2
    assert "unknown lab: no-such-lab" in done.stderr


def test_bad_lab_file_exits_2(tmp_path, docker_engine):
    (tmp_path / "unknown-kind.yaml").write_text((FIXTURES / "unknown-kind.yaml").read_text())
    done = run_cli("check", "unknown-kind", "--labs-dir", str(tmp_path),
                   host=docker_engine.base_url)
    assert done.returncode == 2
    assert "unknown-kind.yaml:18: checks[1].kind: unknown check kind" in done.stderr


def test_validate_and_list():
    good = run_cli("validate")
    assert good.returncode == 0 and good.stdout.strip() == "ok"
    bad = run_cli("validate", str(FIXTURES))
    assert bad.returncode == 1
    assert f"{FIXTURES}/bad-points.yaml:12: checks[0].points: expected a whole number" \
        in bad.stdout
    listing = run_cli("list", "--lang", "en")
    assert listing.returncode == 0
    assert "nginx-publish-all" in listing.stdout and "Publish all exposed ports" in listing.stdout


def test_validate_judges_sections_by_the_configured_content(tmp_path):
    """`validate` with --labs-dir or DOCKLAB_CONTENT_DIR checks sections against that content's
    notes (or, without notes, not at all), never against the built-in notes."""
    (tmp_path / "labs").mkdir()
    lab = (FIXTURES / "valid.yaml").read_text().replace("section: 실습", "section: Week 3")
    (tmp_path / "labs" / "valid.yaml").write_text(lab)
    for args, env in ((("--labs-dir", str(tmp_path / "labs")), {}),
                      ((), {"DOCKLAB_CONTENT_DIR": str(tmp_path)})):
        done = run_cli("validate", *args, **env)
        assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr
    # That content's own notes are the judge once it has them.
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "docker-notes.ko.md").write_text("# Week 1\n")
    for args, env in ((("--labs-dir", str(tmp_path / "labs")), {}),
                      ((), {"DOCKLAB_CONTENT_DIR": str(tmp_path)})):
        done = run_cli("validate", *args, **env)
        assert done.returncode == 1
        assert "valid.yaml:2: section: no heading `Week 3` in docker-notes.ko.md" in done.stdout
    # The built-in labs still validate against the built-in notes.
    assert run_cli("validate").stdout.strip() == "ok"


def test_docker_machine_environment_reaches_a_tls_engine(extra_engine):
    """`eval $(docker-machine env)` sets DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH."""
    # engine-ready passes only on an engine that was used (an image pulled): hello-world.
    engine = extra_engine(tls=True, images=("hello-world:latest",))
    folder = str(Path(engine["certs"]["paths"]["ca"]).parent)
    done = run_cli("check", "engine-ready", "--json", "--lang", "en", host=engine["tcp_url"],
                   DOCKER_TLS_VERIFY="1", DOCKER_CERT_PATH=folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["status"] == "passed"
    # Without the variables it is plain tcp://, which needs explicit consent.
    plain = run_cli("check", "engine-ready", "--lang", "en", host=engine["tcp_url"])
    assert plain.returncode == 2 and "Unencrypted tcp://" in plain.stdout


def test_text_report_counts_one_api_call_in_the_singular():
    """`1 API calls` read wrong in English (issue 15)."""
    from grader.cli import render
    from grader.result import CheckResult, LabResult

    result = LabResult(lab="hello-world", status="passed", score=1, max_score=1, duration_ms=3,
                       api_calls=1, title="Hello", checks=[CheckResult("ran", "pass", "ok", "", 1)])
    assert "1 API call," in render(result, "en")
    assert "1 API 호출" in render(result, "ko")
    result.api_calls = 2
    assert "2 API calls," in render(result, "en")
