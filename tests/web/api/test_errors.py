"""One error body from one error handler: whatever fails in the API (no token, a wrong role, an
unknown URL, a body that does not fit its model, a retired path, a rate limit, a NUL character),
the answer is {error, message, message_ko, message_en, details}, Korean unless asked otherwise."""
from __future__ import annotations

import json

import pytest

from docklab.api.contract import build_document
from docklab.api.errors import LEGACY
from docklab.errors import DocklabError, error_body, error_response
from docklab.labs import own_machine
from tests.support.webapp import bearer, create_user, make_app

SHAPE = {"error", "message", "message_ko", "message_en", "details"}


def one_shape(response, status: int, code: str, lang: str = "ko") -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == SHAPE, body
    assert body["error"] == code, body
    assert body["message"] == body[f"message_{lang}"] and body["message_ko"] != body["message_en"]
    assert isinstance(body["details"], dict)
    return body


@pytest.fixture
def student(app) -> dict:
    return bearer(app, create_user(app, "err-student"))


def test_an_invalid_body_is_a_400_that_names_the_field(app, client, student):
    teacher = bearer(app, create_user(app, "err-teacher", "instructor"))
    # a number where the join code (text) goes
    body = one_shape(client.post("/api/v1/classes/join", json={"code": 5}, headers=student),
                     400, "bad_request")
    assert body["details"]["field"] == "code"
    assert "`code`" in body["message_ko"] and "`code`" in body["message_en"]
    assert "문자열" in body["message_ko"]
    assert body["details"]["problems"][0]["type"] == "string_type"
    # the example of the declaration shows what to send
    assert '{"code": "K7Q2-9XMD"}' in body["message_en"]
    # a blank name, in English on request
    body = one_shape(client.post("/api/v1/classes?lang=en", json={"name": "  "},
                                 headers=teacher), 400, "bad_request", "en")
    assert body["details"]["field"] == "name" and "`name`" in body["message_en"]
    # a value outside the enum, and a field missing
    body = one_shape(client.post("/api/v1/hosts", json={"kind": "ftp"}, headers=student),
                     400, "bad_request")
    assert body["details"]["field"] == "kind" and "'tls'" in body["message_ko"]
    body = one_shape(client.post("/api/v1/me/sandbox/exec", json={}, headers=student),
                     400, "bad_request")
    assert body["details"]["field"] == "command"
    # not a JSON object at all
    body = one_shape(client.post("/api/v1/labs/nginx-port/check", data="[1]",
                                 content_type="application/json", headers=student),
                     400, "bad_request")
    assert body["details"]["field"] == "(body)" and "JSON" in body["message_ko"]
    # strict: a number as text, or true, is not a host id
    for host_id in ("3", True):
        body = one_shape(client.post("/api/v1/labs/nginx-port/check", json={"host_id": host_id},
                                     headers=student), 400, "bad_request")
        assert body["details"]["field"] == "host_id"


def test_every_failure_has_the_one_shape(app, client, student):
    teacher_only = client.post("/api/v1/classes", json={"name": "x"}, headers=student)
    one_shape(teacher_only, 403, "forbidden")
    one_shape(client.get("/api/v1/me"), 401, "unauthorized")
    one_shape(client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}), 401,
              "unauthorized")
    one_shape(client.get("/api/v1/no-such-endpoint", headers=student), 404, "not_found")
    one_shape(client.delete("/api/v1/me", headers=student), 405, "method_not_allowed")
    one_shape(client.get("/api/v1/questions/no-such-question", headers=student), 404,
              "not_found")
    one_shape(client.get("/api/v1/attempts/99", headers=student), 404, "not_found")
    one_shape(client.get("/api/v1/me/sandbox", headers=student), 404, "not_found")
    one_shape(client.get("/api/v1/own-machine/0123/plan"), 404, "unknown_code")
    one_shape(client.get("/api/v1/quizzes?q=a%00b", headers=student), 400, "bad_request")
    gone = one_shape(client.post("/api/v1/labs/nginx-port/self-report?lang=en"), 410, "gone",
                     "en")
    assert gone["details"] == {"own_machine": "/api/v1/labs/nginx-port/own-machine"}
    refused = client.post("/api/v1/hosts", json={"url": "tcp://127.0.0.1:2376", "kind": "tls"},
                          headers=student)
    one_shape(refused, 422, "loopback")
    # a class join code guessed too often: rate_limited, the one word for a rate limit
    for _ in range(20):
        one_shape(client.post("/api/v1/classes/join", json={"code": "NOPE2345"},
                              headers=student), 404, "not_found")
    one_shape(client.post("/api/v1/classes/join", json={"code": "NOPE2345"}, headers=student),
              429, "rate_limited")


def test_an_upload_asked_as_text_fails_as_text(client):
    """The own-machine upload speaks text/plain when asked (the pasted script does): its errors
    too, as the two `docklab:` lines the script shows."""
    answer = client.post("/api/v1/own-machine/0123/upload", data=b"{}",
                         headers={"Accept": "text/plain", "Content-Type": "application/json"})
    assert answer.status_code == 404 and answer.mimetype == "text/plain"
    unknown = own_machine.Refused("unknown_code")
    assert answer.get_data(as_text=True) == (f"docklab: {unknown.message('ko')}\n"
                                             f"docklab: {unknown.message('en')}\n")


def test_retry_after_in_details_is_also_the_header(app):
    with app.test_request_context("/api/v1/labs"):
        response = error_response(429, error_body("rate_limited", "잠시 뒤", "later", "ko",
                                                  {"retry_after": 7}))
    assert response.headers["Retry-After"] == "7"
    # one key a line: the pasted script reads message_ko and message_en with sed
    lines = response.get_data(as_text=True).splitlines()
    assert ' "message_ko": "잠시 뒤",' in lines and ' "message_en": "later",' in lines


def test_the_legacy_table_holds_only_what_is_not_a_docklab_error_yet():
    """When a domain exception derives from DocklabError, its row in LEGACY must go: the one
    handler then words it from its own code, status and details."""
    assert not [kind for kind in LEGACY if issubclass(kind, DocklabError)]


def test_a_route_without_a_declaration_fails_the_document(database_url):
    app = make_app(database_url)
    app.add_url_rule("/api/v1/undeclared", "undeclared", lambda: "")
    with pytest.raises(ValueError, match="/api/v1/undeclared .* has no @contract"):
        build_document(app)


def test_the_cli_prints_the_served_document(app, client):
    printed = app.test_cli_runner().invoke(args=["api", "openapi"])
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.output) == client.get("/api/v1/openapi.json").get_json()


def test_the_document_is_built_from_the_models(app):
    """The schemas are pydantic's: a request model's constraints are what the API checks."""
    from docklab.api.models import ClassRequest, ExecRequest

    schemas = build_document(app)["components"]["schemas"]
    assert schemas["ClassRequest"]["properties"]["name"]["maxLength"] == 120
    assert schemas["ExecRequest"]["properties"]["command"]["maxLength"] == 4000
    assert schemas["Error"]["additionalProperties"] is False
    assert set(schemas["Error"]["required"]) == SHAPE
    for model in (ClassRequest, ExecRequest):
        assert model.__name__ in schemas
