"""The OpenAPI description at /api/v1/openapi.json, built from the endpoints' declarations and
pydantic models (docklab/api/contract.py): it names every API route (a new endpoint without a
declaration fails here), and schemathesis, driving the app in-process with a student's token,
finds no 500 and no response outside the description (every error answer included: the Error
schema admits no other field)."""
from __future__ import annotations

import json
import re
import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks as st_checks
from schemathesis.generation.modes import GenerationMode

from docklab.api.contract import build_document
from docklab.classes import services as classes
from docklab.extensions import db
from docklab.hosts.models import LearnerHost
from docklab.labs.models import LabAttempt
from docklab.models import ApiToken, User
from grader.sources import UPLOAD_FIELDS
from tests.support.webapp import create_user

API_PREFIX = "/api/v1"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
MAX_EXAMPLES = 25


def openapi_path(rule: str) -> str:
    """/api/v1/attempts/<int:attempt_id> -> /api/v1/attempts/{attempt_id}"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def api_routes(app) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX + "/"):
            methods = {m.lower() for m in rule.methods} - {"head", "options"}
            routes.setdefault(openapi_path(rule.rule), set()).update(methods)
    return routes


@pytest.fixture
def api_app(app):
    """No local engine (checks need no Docker), short host timeouts; default rate limits."""
    app.config.update(DOCKLAB_LOCAL_ENGINE=False, DOCKLAB_HOST_TIMEOUT=1)
    return app


@pytest.fixture
def student_token(api_app) -> str:
    """A student with a class, an attempt and a host (so reads find something), and their token."""
    student_id = create_user(api_app, "fuzz-student")
    teacher_id = create_user(api_app, "fuzz-teacher", "instructor")
    with api_app.app_context():
        student = db.session.get(User, student_id)
        db.session.add_all([
            LabAttempt(user_id=student_id, lab_id="nginx-port", status="failed", score=1,
                       max_score=4, checks=[]),
            LearnerHost(user_id=student_id, name="mine", kind="tcp", url="tcp://192.0.2.1:2376",
                        is_default=True),
        ])
        classroom = classes.create_class(db.session.get(User, teacher_id), "도커 1반")
        classes.join(classroom, student)
        _token, plain = ApiToken.issue(student, "schemathesis")
        db.session.commit()
    return plain


def served_document(app) -> dict:
    return app.test_client().get("/api/v1/openapi.json").get_json()


def test_the_document_is_served_without_a_token(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == json.loads(json.dumps(build_document(app)))


def test_the_document_is_valid_openapi(api_app):
    document = api_app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "docklab API" and document["info"]["version"] == "1"
    assert document["components"]["securitySchemes"]["bearer"] == {
        **document["components"]["securitySchemes"]["bearer"], "type": "http",
        "scheme": "bearer"}
    # schemathesis validates against the OpenAPI meta-schema (jsonschema-rs) on load
    schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app).validate()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert method in METHODS, f"{path}: {method}"
            assert operation["responses"], f"{method} {path} has no responses"
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path":
                    assert "{" + parameter["name"] + "}" in path


def test_every_api_route_is_described_and_nothing_else(api_app):
    document = served_document(api_app)
    described = {path: {m for m in item if m in METHODS}
                 for path, item in document["paths"].items()}
    served = api_routes(api_app)
    assert set(served) == set(described), "paths differ between the app and openapi.json"
    for path, methods in served.items():
        assert described[path] == methods, f"methods of {path} differ"


def test_schemathesis_finds_no_server_error_and_no_undocumented_response(api_app,
                                                                          student_token):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)
    headers = {"Authorization": f"Bearer {student_token}"}
    response_checks = [st_checks.not_a_server_error, st_checks.status_code_conformance,
                       st_checks.content_type_conformance,
                       st_checks.response_schema_conformance]
    statuses: Counter = Counter()
    operations = 0
    started = time.monotonic()
    # DELETE last, so the other operations still find the student's host
    ordered = sorted((result.ok() for result in schema.get_all_operations()),
                     key=lambda operation: operation.method.upper() == "DELETE")
    for operation in ordered:
        operations += 1
        strategy = st.one_of(*schema.get_strategies_from_examples(operation),
                             operation.as_strategy())

        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case):
            response = case.call(headers=headers)
            statuses[(case.operation.label, response.status_code)] += 1
            case.validate_response(response, checks=response_checks, headers=headers)

        run()
    # schemathesis leaves out the operation that serves the schema it loaded
    expected = {f"{method.upper()} {path}" for path, methods in api_routes(api_app).items()
                for method in methods} - {f"GET {API_PREFIX}/openapi.json"}
    assert {label for label, _ in statuses} == expected, "operations not exercised"
    print(f"\n{operations} operations, {sum(statuses.values())} requests in "
          f"{time.monotonic() - started:.1f} s")
    for (label, status), count in sorted(statuses.items()):
        print(f"  {label}: {status} x{count}")
    # The student's token was used: no operation answered only 401.
    assert not [label for label in {label for label, _ in statuses}
                if {status for (other, status) in statuses if other == label} == {401}]


def test_requests_that_break_the_description_are_refused_without_a_500(api_app, student_token):
    """schemathesis's negative phase: bodies, parameters and types the description rules out.
    Whatever docklab answers, it is never a server error, and it is JSON."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)
    headers = {"Authorization": f"Bearer {student_token}"}
    statuses: Counter = Counter()
    ordered = sorted((result.ok() for result in schema.get_all_operations()),
                     key=lambda operation: operation.method.upper() == "DELETE")
    for operation in ordered:
        strategy = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)

        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case):
            response = case.call(headers=headers)
            statuses[response.status_code] += 1
            case.validate_response(response, checks=[st_checks.not_a_server_error],
                                   headers=headers)
            kind = str({k.lower(): v for k, v in response.headers.items()}.get("content-type"))
            assert "application/json" in kind or response.status_code == 204, (
                case.operation.label, response.status_code, kind)

        run()
    print(f"\nnegative phase: {sum(statuses.values())} requests, statuses {dict(statuses)}")
    assert sum(statuses.values()) >= 100
    assert not any(status >= 500 for status in statuses)


def test_there_is_one_self_reported_path(api_app, student_token):
    """The retired /self-report is described only as what it answers now (deprecated, 410, no
    body to send), and the upload, the one self-reported path, takes no verdict fields."""
    document = served_document(api_app)
    retired = document["paths"][f"{API_PREFIX}/labs/{{lab_id}}/self-report"]["post"]
    assert retired["deprecated"] is True and set(retired["responses"]) == {"410"}
    assert "requestBody" not in retired and "SelfReport" not in document["components"]["schemas"]
    assert f"{API_PREFIX}/labs/{{lab_id}}/own-machine" in retired["description"]
    answer = api_app.test_client().post(f"{API_PREFIX}/labs/nginx-port/self-report",
                                        headers={"Authorization": f"Bearer {student_token}"})
    gone = retired["responses"]["410"]["content"]["application/json"]
    assert gone["schema"] == {"$ref": "#/components/schemas/Error"}
    error = document["components"]["schemas"]["Error"]
    assert answer.status_code == 410 and set(error["required"]) == set(answer.get_json())
    assert answer.get_json()["details"]["own_machine"] == gone["example"]["details"]["own_machine"]
    upload = document["components"]["schemas"]["OwnMachineUpload"]
    assert upload["additionalProperties"] is False
    assert set(upload["properties"]) == set(UPLOAD_FIELDS)  # what the server takes
