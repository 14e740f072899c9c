"""Issue 17: the labs past the notes (order 100 and up) in a learner's sandbox, done as a learner
does them: the solution's set-up files made and its commands typed in the real workstation
(through the exec API, the terminal's twin, with the real docker CLI), every image pulled through a
real course registry, then Check grades the sandbox and passes."""
from __future__ import annotations

import shlex
import time

import pytest

from grader import load_labs
from tests.sandboxes.conftest import _driver, _session_driver, sandbox_app_for
from tests.support.webapp import bearer, create_user

LABS = load_labs()
PAST_THE_NOTES = [lab_id for lab_id, lab in LABS.items()
                  if lab.order is not None and 100 <= lab.order < 900]


@pytest.fixture(scope="module")
def labs_driver(course_registry):
    yield from _session_driver(_driver("l", course_registry.port, 3))


@pytest.fixture
def sandbox_app(database_url, tmp_path, labs_driver, course_registry):
    app = sandbox_app_for(database_url, tmp_path, labs_driver, course_registry, (1,),
                          DOCKLAB_SANDBOX_EXEC_TIMEOUT=120, DOCKLAB_REQUEST_WAIT=130)
    yield app
    labs_driver.wipe(1)


def typed(lab, case) -> list[str]:
    """What the learner types for `case`: the set-up files, the Dockerfile and its build, then
    the commands, in the workstation's working folder (`{workdir}` is that folder)."""
    lines = []
    for item in lab.setup_for(case):
        if item.content is None:
            lines.append(f"mkdir -p {shlex.quote(item.path)}")
        else:
            lines.append(f"mkdir -p \"$(dirname {shlex.quote(item.path)})\" && "
                         f"printf %s {shlex.quote(item.content)} > {shlex.quote(item.path)}")
    if case.dockerfile:
        lines.append(f"printf %s {shlex.quote(case.dockerfile)} > Dockerfile")
        lines.append(f"docker build -t {shlex.quote(case.build_tag)} .")
    lines += [command.replace("{workdir}", '"$PWD"') for command in case.commands]
    return lines


@pytest.mark.parametrize("lab_id", PAST_THE_NOTES)
def test_a_lab_past_the_notes_passes_in_a_sandbox(sandbox_app, lab_id):
    lab = LABS[lab_id]
    client = sandbox_app.test_client()
    learner = bearer(sandbox_app, create_user(sandbox_app, "kim"))
    assert client.put("/api/v1/me/sandbox", headers=learner).status_code in (200, 202)
    deadline = time.monotonic() + 120
    while (state := client.get("/api/v1/me/sandbox", headers=learner).get_json())["state"] \
            != "ready":
        assert state["state"] in ("starting", "queued") and time.monotonic() < deadline, state
        time.sleep(0.2)
    transcript = []
    for line in typed(lab, lab.solution):
        ran = client.post("/api/v1/me/sandbox/exec", headers=learner,
                          json={"command": line}).get_json()
        transcript.append(f"$ {line}\n[{ran['exit_code']}] {ran['output'][-400:]}")
    time.sleep(1)  # containers that print and exit have done so
    result = client.post(f"/api/v1/labs/{lab_id}/check", headers=learner,
                         json={"target": "sandbox"}).get_json()
    shown = "\n".join(f"{c['id']}: {c['status']}: {c['message']}" for c in result["checks"])
    assert result["status"] == "passed", f"{shown}\n--- typed ---\n" + "\n".join(transcript)
    assert result["host"] == "sandbox"
