"""`POST /api/v1/labs/<id>/self-report` (what `grader check --submit` sends): every field is checked
against the lab, status and score are computed from the checks, and the attempt is marked.
(Claimed points, score or status that disagree with the lab: test_selfreport_marking.py.)"""
from __future__ import annotations

import pytest

from docklab.labs import catalog
from tests.support.webapp import bearer, create_user

LAB = "hello-world"


@pytest.fixture
def headers(app):
    return bearer(app, create_user(app, "terminal"))


def lab_checks(app) -> list[str]:
    with app.app_context():
        return [check.id for check in catalog.lab(LAB).checks]


def report(ids: list[str], status: str = "pass", **extra) -> dict:
    return {"lab": LAB, "checks": [{"id": i, "status": status, "message": f"{i} ok", "hint": ""}
                                   for i in ids], **extra}


@pytest.mark.parametrize(("mutate", "named"), [
    (lambda r: r.update(checks="all good"), "`checks` must be a list"),
    (lambda r: r["checks"].pop(), "lacks"),
    (lambda r: r["checks"].append(dict(r["checks"][0])), "appears twice"),
    (lambda r: r["checks"][0].update(id="made-up"), "`checks[0].id`"),
    (lambda r: r["checks"][0].update(status="great"), "`checks[0].status`"),
    (lambda r: r["checks"][0].update(message=["x"]), "`checks[0].message`"),
    (lambda r: r.update(lab="nginx-port"), "`lab`"),
    (lambda r: r.pop("lab"), "`lab`"),
    (lambda r: r.update(duration_ms=-5), "`duration_ms`"),
])
def test_bad_reports_are_400_naming_the_field(app, client, headers, mutate, named):
    body = report(lab_checks(app))
    mutate(body)
    response = client.post(f"/api/v1/labs/{LAB}/self-report", headers=headers, json=body)
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_report" and named in response.get_json()["message"]


def test_status_and_score_come_from_the_lab_not_the_client(app, client, headers, auth):
    ids = lab_checks(app)
    body = report(ids)
    body["checks"][-1]["status"] = "fail"  # nothing is claimed about status or score
    stored = client.post(f"/api/v1/labs/{LAB}/self-report", headers=headers, json=body)
    assert stored.status_code == 201
    data = stored.get_json()
    assert data["status"] == "failed" and data["source"] == "self_reported"
    assert 0 < data["score"] < data["max_score"] and data["self_reported"] is True
    assert data["host"] == "terminal" and data["host_id"] is None
    again = client.get(f"/api/v1/attempts/{data['attempt_id']}", headers=headers).get_json()
    assert again == data
    auth.login("terminal")
    page = client.get(f"/labs/attempts/{data['attempt_id']}").get_data(as_text=True)
    assert "자가 보고" in page and f"{ids[-1]} ok" in page
    assert client.post("/api/v1/labs/no-such-lab/self-report", headers=headers,
                       json=body).status_code == 404
