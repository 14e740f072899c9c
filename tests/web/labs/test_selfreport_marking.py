"""Security review 2026-12, finding 2: a self-reported lab result (the own-machine upload: the
pasted line, `grader check --submit`) is marked wherever results show, counts as passed in a
class only when its instructor says so (off by default), and is refused when it does not fit
the lab's plan.

The forge of the review, on today's one self-reported path: a student with no Docker engine at
all gets a real code per lab and uploads `docker` output typed by hand that passes every check
(tests/web/labs/forged_uploads.py)."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest

import grader
from docklab.classes.models import Classroom
from docklab.classes.services import join
from docklab.extensions import db
from docklab.labs import catalog
from docklab.labs.models import LabAttempt
from docklab.models import User
from tests.support.webapp import bearer, create_user, post_form
from tests.web.instructor.instructor_data import LAB1, LAB2, seed_class
from tests.web.labs.forged_uploads import Made, forged_upload, new_code, plan_of, upload

FORGER = "mallory"


def catalog_lab(app, lab_id: str) -> grader.Lab:
    with app.app_context():
        return catalog.lab(lab_id)


@pytest.fixture
def forge(app, client):
    """The seeded class plus mallory, who joins it and uploads a forged pass of both its labs."""
    seeded = seed_class(app)
    forger = create_user(app, FORGER)
    with app.app_context():
        join(db.session.get(Classroom, seeded.class_id), db.session.get(User, forger))
    headers = bearer(app, forger)
    for lab_id in (LAB1, LAB2):
        response = upload(client, headers, lab_id)
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["status"] == "passed"
    seeded.ids[FORGER] = forger
    return seeded


def teacher_headers(app, seeded) -> dict:
    return bearer(app, seeded.ids["teach"])


def progress_json(app, client, seeded) -> dict:
    response = client.get(f"/api/v1/classes/{seeded.class_id}/progress",
                          headers=teacher_headers(app, seeded))
    assert response.status_code == 200
    return response.get_json()


def board_row(client, seeded, name: str) -> str:
    page = client.get(f"/instructor/classes/{seeded.class_id}").get_data(as_text=True)
    match = re.search(rf'<tr data-student="{name}">(.*?)</tr>', page, re.S)
    assert match, f"no board row for {name}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def grid_row(client, seeded, name: str) -> dict[str, str]:
    """The learner's grid row, keyed "<lab id> <column>" (the English CSV, lab titles mapped
    back to ids so the checks below read short)."""
    rows = read_csv(client.get(f"/instructor/classes/{seeded.class_id}/export/grid.csv?lang=en"))
    with client.application.app_context():
        from docklab.classes import catalog

        titles = {f"lab {catalog.lab(lab).item.title_en} · ": f"{lab} " for lab in (LAB1, LAB2)}
    keys = []
    for column in rows[0]:
        for title, lab in titles.items():
            column = column.replace(title, lab)
        keys.append(column)
    return next(dict(zip(keys, row, strict=True)) for row in rows[1:] if row[0] == name)


def set_counting(client, seeded, on: bool):
    url = f"/instructor/classes/{seeded.class_id}/settings"
    data = {"action": "self_reports"} | ({"self-count": "y"} if on else {})
    response = post_form(client, url, data)
    assert response.status_code == 302
    return response


# --- marked everywhere, not counted by default ---------------------------------------------------
def test_forged_self_reports_are_marked_and_not_counted_by_default(app, client, auth, forge):
    auth.login("teach")
    row = board_row(client, forge, FORGER)
    assert "통과" in row and "자가 보고" in row  # the review's check: `"self" in row` was False
    assert "✔ 통과" not in row and row.count("✎ 자가 보고 통과 (인정 안 함)") == 2, row

    grid = grid_row(client, forge, FORGER)
    assert grid["labs passed"] == "0"
    for lab_id in (LAB1, LAB2):
        assert grid[f"{lab_id} status"] == "self-reported (not counted)"
        assert grid[f"{lab_id} self-reported attempts"] == "1"
        assert grid[f"{lab_id} attempts"] == "0"
    attempts = read_csv(client.get(
        f"/instructor/classes/{forge.class_id}/export/attempts.csv?lang=en"))
    header = attempts[0]
    mine = [dict(zip(header, row, strict=True)) for row in attempts[1:] if row[1] == FORGER]
    assert [(r["status"], r["counted"], r["graded by"]) for r in mine] == \
        [("passed", "no", "student's terminal (self-reported)")] * 2

    data = progress_json(app, client, forge)
    assert data["class"]["self_reports_count"] is False
    student = next(s for s in data["students"] if s["username"] == FORGER)
    assert student["labs_passed"] == 0 and student["labs_self_reported"] == 2
    for lab_id in (LAB1, LAB2):
        cell = student["cells"][f"lab:{lab_id}"]
        assert cell["state"] == "self_reported" and cell["self_reported"] is True
        assert cell["self_reports"] == 1 and cell["attempts"] == 0
    items = {item["key"]: item for item in data["items"]}
    # the seeded class had one server-checked pass per lab; the forge adds none
    assert items[f"lab:{LAB1}"]["counts"]["passed"] == 1
    assert items[f"lab:{LAB2}"]["counts"]["passed"] == 1
    assert items[f"lab:{LAB1}"]["counts"]["self_reported"] == 1
    assert items[f"lab:{LAB1}"]["self_reported"] == 1

    funnel = client.get(f"/instructor/classes/{forge.class_id}/labs/{LAB2}").get_data(
        as_text=True)
    assert "1명 통과" in funnel_summary(funnel)  # bora's server-checked pass only
    assert 'data-testid="lab-self-reported"' in funnel and "인정하지 않으므로" in funnel

    student_page = client.get(
        f"/instructor/classes/{forge.class_id}/students/{forge.ids[FORGER]}").get_data(
        as_text=True)
    assert student_page.count("자가 보고 (터미널)") == 2
    assert student_page.count("이 반에서는 인정 안 함") == 2


def funnel_summary(page: str) -> str:
    return re.search(r'data-testid="lab-summary">([^<]*)<', page).group(1)


def test_funnel_counts_a_self_reported_pass_only_when_the_class_does(app, client, auth, forge):
    auth.login("teach")
    url = f"/instructor/classes/{forge.class_id}/labs/{LAB2}"
    # bora passed mysql-env on the server, chan failed it; mallory only self-reported a pass
    assert funnel_summary(client.get(url).get_data(as_text=True)) == \
        "5명 중 2명 시작, 1명 통과, 반영된 시도 2회."
    set_counting(client, forge, True)
    on = client.get(url).get_data(as_text=True)
    assert funnel_summary(on) == "5명 중 3명 시작, 2명 통과, 반영된 시도 3회."
    assert "이 반은 자가 보고를 통과로 인정합니다" in on


def test_the_learner_sees_their_self_reports_marked(app, client, auth, forge):
    auth.login(FORGER)
    page = client.get("/labs/progress").get_data(as_text=True)
    for lab_id in (LAB1, LAB2):
        row = re.search(rf'<tr data-lab="{lab_id}">(.*?)</tr>', page, re.S).group(1)
        assert "자가 보고" in row
    assert 'data-testid="self-report-note"' in page
    index = client.get("/labs").get_data(as_text=True)
    item = re.search(rf'data-lab="{LAB1}">(.*?)</li>', index, re.S).group(1)
    assert "자가 보고" in item

    mine = client.get("/api/v1/me/progress", headers=bearer(app, forge.ids[FORGER])).get_json()
    assert mine["labs_self_reported"] == 2
    labs = {item["lab"]: item for item in mine["labs"]}
    assert labs[LAB1]["self_reported"] is True and labs[LAB1]["best"]["self_reported"] is True
    assert labs["hello-world"]["self_reported"] is False


# --- the class setting --------------------------------------------------------------------------
def test_class_setting_counts_self_reports_but_keeps_them_marked(app, client, auth, forge):
    with app.app_context():
        assert db.session.get(Classroom, forge.class_id).self_reports_count is False
    auth.login("teach")
    settings = client.get(f"/instructor/classes/{forge.class_id}/settings").get_data(
        as_text=True)
    assert 'id="self-reports"' in settings and 'name="self-count"' in settings
    assert 'name="self-count" type="checkbox" value="y">' in settings  # unchecked: off

    set_counting(client, forge, True)
    with app.app_context():
        assert db.session.get(Classroom, forge.class_id).self_reports_count is True
    row = board_row(client, forge, FORGER)
    assert row.count("✔ 통과 (자가 보고)") == 2, row
    grid = grid_row(client, forge, FORGER)
    assert grid["labs passed"] == "2"
    assert grid[f"{LAB1} status"] == grid[f"{LAB2} status"] == "passed (self-reported)"
    data = progress_json(app, client, forge)
    assert data["class"]["self_reports_count"] is True
    student = next(s for s in data["students"] if s["username"] == FORGER)
    assert student["labs_passed"] == 2 and student["labs_self_reported"] == 2
    cell = student["cells"][f"lab:{LAB1}"]
    assert (cell["state"], cell["self_reported"], cell["attempts"]) == ("passed", True, 1)
    items = {item["key"]: item for item in data["items"]}
    assert items[f"lab:{LAB1}"]["counts"]["passed"] == 2
    assert items[f"lab:{LAB1}"]["self_reported"] == 1
    # alice's server-checked pass is not marked
    alice = next(s for s in data["students"] if s["username"] == "alice")
    assert alice["cells"][f"lab:{LAB1}"]["self_reported"] is False
    attempts = read_csv(client.get(f"/instructor/classes/{forge.class_id}/export/attempts.csv"))
    assert {row[6] for row in attempts[1:] if row[1] == FORGER} == {"예"}

    set_counting(client, forge, False)
    assert grid_row(client, forge, FORGER)["labs passed"] == "0"


def test_a_server_checked_pass_wins_over_a_self_report(app, client, auth, forge):
    """alice passed nginx-port on the server; a forged upload on top changes nothing but the
    count of self-reports."""
    response = upload(client, bearer(app, forge.ids["alice"]), LAB1)
    assert response.status_code == 201 and response.get_json()["status"] == "passed"
    auth.login("teach")
    cell = next(s for s in progress_json(app, client, forge)["students"]
                if s["username"] == "alice")["cells"][f"lab:{LAB1}"]
    assert (cell["state"], cell["self_reported"], cell["self_reports"]) == ("passed", False, 1)
    assert grid_row(client, forge, "alice")[f"{LAB1} status"] == "passed"


def test_only_the_class_instructor_changes_the_setting(app, client, auth, forge):
    auth.login("other-teacher")
    url = f"/instructor/classes/{forge.class_id}/settings"
    assert client.get(url).status_code == 404
    with app.app_context():
        assert db.session.get(Classroom, forge.class_id).self_reports_count is False


# --- consistency with the lab ---------------------------------------------------------------------
@pytest.fixture
def post_report(app, client):
    """Upload `body` (made from the code's plan by `build`) with a fresh code for `lab_id`; the
    answer and the code (a refused upload does not spend it)."""
    headers = bearer(app, create_user(app, "reporter"))

    def post(build, lab_id: str = "hello-world", code: str | None = None):
        code = code or new_code(client, headers, lab_id)
        body = build(plan_of(client, code, headers))
        answer = client.post(f"/api/v1/own-machine/{code}/upload", headers=headers,
                             data=json.dumps(body), content_type="application/json")
        return answer, code
    return post


def stored_attempts(app) -> int:
    with app.app_context():
        return db.session.query(LabAttempt).count()


def test_an_engine_where_the_lab_failed_is_graded_failed(app, post_report):
    """No hello-world container at all: `ran` fails, and `exited-ok`, which needs `ran`, is
    skipped, not passed; docklab, not the client, decides both."""
    response, _code = post_report(lambda plan: forged_upload(plan, []))
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert (data["status"], data["score"]) == ("failed", 0)
    assert {check["id"]: check["status"] for check in data["checks"]} == \
        {"ran": "fail", "exited-ok": "skip"}


def test_the_graders_own_verdict_is_not_an_upload(app, post_report):
    """What `python -m grader check --json` prints (what the retired /self-report took) is a
    verdict: posted as an upload it is refused, naming the fields."""
    spec = catalog_lab(app, "hello-world")
    checks = [grader.CheckResult(c.id, "pass", "msg", "", c.points) for c in spec.checks]
    verdict = grader.LabResult(lab="hello-world", status="passed", score=spec.max_score,
                               max_score=spec.max_score, duration_ms=12, api_calls=3,
                               checks=checks).to_dict()
    response, _code = post_report(lambda plan: verdict)
    assert response.status_code == 400
    message = response.get_json()["message"]
    assert "are not fields of an upload" in message and "`checks`" in message, message
    assert stored_attempts(app) == 0


@pytest.mark.parametrize(("lab_id", "mutate", "named"), [
    # the code is for one lab
    ("hello-world", lambda u: u.update(lab=None), "`lab` is None, but this code is for"),
    ("hello-world", lambda u: u.update(lab="nginx-port"), "this code is for 'hello-world'"),
    # one result per read of the plan, each of the read's shape
    ("hello-world", lambda u: u["results"].pop(), "`results` has 1 entries"),
    ("hello-world", lambda u: u["results"][0].update(exit="0"), "`results[0].exit`"),
    ("hello-world", lambda u: u["results"][1]["lines"][0].pop("Id"),
     "`results[1].lines[0]` is not a container"),
    ("mysql-env", lambda u: u["results"][2]["lines"][0].update(Container="OTHER=x"),
     "`results[2].lines[0].Container` is not the variable MYSQL_ROOT_PASSWORD"),
    ("mysql-env", lambda u: u["results"][2]["lines"][0].update(Container=5),
     "`results[2].lines[0].Container` must be text"),
    # a verdict the client would claim: points, score, maximum, status, checks
    ("hello-world", lambda u: u.update(score=3), "`score` is not a field"),
    ("hello-world", lambda u: u.update(max_score=999), "`max_score` is not a field"),
    ("hello-world", lambda u: u.update(status="passed"), "`status` is not a field"),
    ("hello-world", lambda u: u.update(points={"ran": 100}), "`points` is not a field"),
    ("hello-world", lambda u: u.update(checks=[{"id": "ran", "status": "pass"}]),
     "`checks` is not a field"),
])
def test_uploads_that_disagree_with_the_plan_are_refused(app, post_report, lab_id, mutate,
                                                         named):
    def changed(plan):
        body = forged_upload(plan)
        mutate(body)
        return body

    response, code = post_report(changed, lab_id)
    assert response.status_code == 400
    data = response.get_json()
    assert data["error"] == "bad_upload" and named in data["message"], data["message"]
    assert stored_attempts(app) == 0
    # unchanged, the same code's upload is accepted (the refusal did not spend it)
    response, _code = post_report(forged_upload, lab_id, code)
    assert response.status_code == 201 and response.get_json()["status"] == "passed"


def test_an_upload_needs_no_lab_the_code_names_it(app, post_report):
    """The script sends no `lab`: the code is bound to one lab, and that lab is graded."""
    response, _code = post_report(forged_upload)
    assert response.status_code == 201 and response.get_json()["lab"] == "hello-world"


def test_a_claimed_passing_score_on_failing_checks_is_refused_not_recomputed(app, post_report):
    failing = [Made("happy_hopper", "hello-world", status="exited", exit_code=3)]

    def claimed(plan):
        return {**forged_upload(plan, failing), "status": "passed", "score": 3}

    response, code = post_report(claimed)
    assert response.status_code == 400
    assert "`status`, `score` are not fields" in response.get_json()["message"]
    assert stored_attempts(app) == 0
    # without the claim it is graded for what it is: failed
    response, _code = post_report(lambda plan: forged_upload(plan, failing), code=code)
    assert (response.get_json()["status"], response.get_json()["score"]) == ("failed", 1)
