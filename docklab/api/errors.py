"""The API's one error handler: every failure of an API view becomes the one error body
(docklab.errors, the `Error` schema). Views raise; they never build an error answer by hand.

- a DocklabError carries its status, code, details and both sentences;
- a pydantic ValidationError (a body that does not fit its model) is 400 `bad_request` naming
  the field;
- a werkzeug HTTPException (abort(), a body over the size limit) keeps its status.

`LEGACY` maps the few exceptions that cannot derive from DocklabError: the grader's (HostError,
NotReadable) and content's AnswerFormatError, since `grader/` and `docklab/content` are pure
Python that knows nothing of the web package. Everything else is a DocklabError (a test keeps
it so).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from grader.hosts import HostError
from grader.plan import NotReadable

from ..content import AnswerFormatError
from ..errors import (
    DocklabError,
    docklab_error_body,
    error_body,
    error_response,
    http_error_body,
)
from ..i18n import request_lang
from . import bp
from .contract import contract_of

# exception -> (status, code, details); the sentences come from its message(lang).
LEGACY: dict[type[Exception], Callable[[Any], tuple[int, str, dict]]] = {
    AnswerFormatError: lambda e: (400, "bad_answer", {"field": "answer"}),
    # the grader's: a host that could not be used (a deadline or time-out is 504, else 502)
    HostError: lambda e: (504 if e.kind in ("deadline", "timeout") else 502, e.kind, {}),
    NotReadable: lambda e: (409, "not_checkable", {}),
}


def _sentences(error: Exception) -> tuple[str, str]:
    if isinstance(error, AnswerFormatError):
        return error.reason_ko, error.reason
    message = error.message  # type: ignore[attr-defined]
    return message("ko"), message("en")


# What a body that does not fit its model gets, by pydantic's error type: {field} is the field,
# the rest are pydantic's context values.
PROBLEMS_KO = {
    "missing": "`{field}` 이(가) 필요합니다",
    "model_type": "본문은 JSON 객체여야 합니다",
    "model_attributes_type": "본문은 JSON 객체여야 합니다",
    "dict_type": "`{field}` 은(는) JSON 객체여야 합니다",
    "string_type": "`{field}` 은(는) 문자열이어야 합니다",
    "int_type": "`{field}` 은(는) 정수여야 합니다",
    "bool_type": "`{field}` 은(는) true 나 false 여야 합니다",
    "list_type": "`{field}` 은(는) 목록이어야 합니다",
    "literal_error": "`{field}` 은(는) 다음 중 하나여야 합니다: {expected}",
    "string_too_short": "`{field}` 은(는) {min_length}자 이상이어야 합니다",
    "string_too_long": "`{field}` 은(는) {max_length}자 이하여야 합니다",
    "blank": "`{field}` 은(는) 비어 있을 수 없습니다",
}
BODY_NOT_OBJECT = ("model_type", "model_attributes_type")


def _validation_body(error: ValidationError, lang: str) -> dict[str, Any]:
    problems = []
    for problem in error.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in problem["loc"]) or "(body)"
        context = {key: str(value) for key, value in (problem.get("ctx") or {}).items()}
        ko = PROBLEMS_KO.get(problem["type"], "`{field}` 의 값이 올바르지 않습니다")
        en = ("The body must be a JSON object" if problem["type"] in BODY_NOT_OBJECT
              else f"`{field}`: {problem['msg']}")
        problems.append({"field": field, "type": problem["type"], "ko": ko.format(
            field=field, **context), "en": en})
    first = problems[0]
    ko, en = first["ko"] + ".", first["en"] + "."
    declaration = contract_of(current_app.view_functions[request.endpoint]) \
        if request.endpoint else None
    if declaration is not None and declaration.example is not None:
        example = json.dumps(declaration.example, ensure_ascii=False)
        ko, en = f"{ko} 예: {example}", f"{en} For example: {example}"
    return error_body("bad_request", ko, en, lang, {
        "field": first["field"],
        "problems": [{"field": p["field"], "type": p["type"], "message": p["en"]}
                     for p in problems]})


def _answers_text() -> bool:
    """The endpoint speaks text/plain too (the own-machine upload) and the client asked for it."""
    view = current_app.view_functions.get(request.endpoint or "")
    declaration = contract_of(view) if view else None
    return bool(declaration and declaration.text
                and request.accept_mimetypes.best == "text/plain")


def _answer(status: int, body: dict[str, Any]) -> Response:
    if _answers_text():
        response = Response(f"docklab: {body['message_ko']}\ndocklab: {body['message_en']}\n",
                            status, mimetype="text/plain")
        if "retry_after" in body["details"]:
            response.headers["Retry-After"] = str(body["details"]["retry_after"])
        return response
    return error_response(status, body)


@bp.errorhandler(DocklabError)
def docklab_error(error: DocklabError) -> Response:
    return _answer(error.status, docklab_error_body(error, request_lang()))


@bp.errorhandler(ValidationError)
def invalid_body(error: ValidationError) -> Response:
    return _answer(400, _validation_body(error, request_lang()))


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    return _answer(error.code or 500, http_error_body(error, request_lang()))


def _legacy(error: Exception) -> Response:
    for kind in type(error).__mro__:
        if kind in LEGACY:
            status, code, details = LEGACY[kind](error)
            ko, en = _sentences(error)
            return _answer(status, error_body(code, ko, en, request_lang(), details))
    raise error  # pragma: no cover - registered only for LEGACY's keys


for _kind in LEGACY:
    bp.register_error_handler(_kind, _legacy)
