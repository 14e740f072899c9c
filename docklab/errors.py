"""Errors: one JSON shape under /api/, a friendly bilingual page elsewhere.

Every API error answer, whatever raised it, is

    {"error": code, "message": <the reader's language>, "message_ko": ..., "message_en": ...,
     "details": {...}}

`error` is a stable code (clients and tests read it), `message` is `message_ko` or `message_en`
as the reader asked (`?lang=`, Accept-Language, else Korean), and `details` holds the
machine-readable extras (the field that was wrong, `retry_after`, a URL to go to), `{}` when
there are none. `details.retry_after` is also sent as the Retry-After header. The body is written
one key per line, so a POSIX shell (the pasted own-machine script) can read `message_ko` and
`message_en` with sed.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from flask import Flask, Response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .i18n import N_, current_lang, request_lang, translate

# What a person reads on an error page (werkzeug's names are English only).
REASONS = {
    400: _l("The request was not valid. Please go back and try again."),
    401: _l("Please log in first."),
    403: _l("You do not have permission to see this page."),
    404: _l("Not found"),
    405: _l("This action is not allowed here."),
    413: _l("The upload is too large."),
    429: _l("Too many requests. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Please try again."),
}

# What an API client reads for an HTTP error that no view worded (an unknown URL, a method the
# URL does not take, a body over the size limit, ...).
HTTP_TEXTS = {
    400: N_("The request is not valid."),
    401: N_("A valid API token is required (Authorization: Bearer <token>)."),
    403: N_("You may not do this."),
    404: N_("Not found."),
    405: N_("This URL does not take this HTTP method."),
    413: N_("The request body is too large."),
    415: N_("This kind of body is not accepted (send JSON)."),
    429: N_("Too many requests. Wait a moment and try again."),
    500: N_("Something went wrong on our side. Please try again."),
}


class DocklabError(Exception):
    """A failure the reader can act on, the same on a web page and in the API.

    `code` is stable (API clients and tests read it), `status` is the HTTP status the API answers
    with, `details` are extra machine-readable fields for the API body (retry_after, the field
    that was wrong, ...), and `message(lang)` is the sentence in the reader's language. Every
    domain error of the web package derives from this, so that one API error handler and one
    `flash` path format them all.
    """

    status: int = 400
    code: str = "error"
    # Each code's sentence: the English msgid, marked with `i18n.N_` so pybabel extracts it, with
    # `%(name)s` parameters; the Korean is in the area's catalog
    # (docklab/<area>/translations/ko/LC_MESSAGES/messages.po). A test fails when a code of any
    # subclass has no Korean translation.
    MESSAGES: ClassVar[Mapping[str, str]] = {}
    # A code's HTTP status, where it differs from the class's `status`.
    STATUSES: ClassVar[Mapping[str, int]] = {}

    def __init__(self, code: str | None = None, *, status: int | None = None,
                 details: dict | None = None, **params: object) -> None:
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        elif self.code in self.STATUSES:
            self.status = self.STATUSES[self.code]
        self.details: dict = dict(details or {})
        self.params: dict[str, object] = params  # what the sentence names (a URL, a limit...)
        super().__init__(self.code)

    def message(self, lang: str = "ko") -> str:
        """The code's sentence in `lang`, from the catalogs (the same inside a request, on the
        outbound pool's threads and in a script)."""
        template = self.MESSAGES.get(self.code)
        if template is None:
            raise NotImplementedError(f"{type(self).__name__} has no sentence for {self.code!r}")
        return translate(template, lang, **self.params)


class DetailError(DocklabError):
    """A DocklabError whose sentence names one thing the reader gave (`detail`): an address, a
    file, a limit."""

    def __init__(self, code: str, detail: object = "") -> None:
        super().__init__(code, detail=detail)
        self.detail = detail


class ApiError(DocklabError):
    """A failure of the API's own rules (a token, an id that is not there, a retired path):
    `code` is what clients read (`not_found`, `unauthorized`...), and `sentence` picks one of
    MESSAGES, since one code has several sentences (no such lab, no such attempt...).
    `params` fill the sentence; `details` become the body's `details`."""

    MESSAGES = {
        "unauthorized": N_("A valid API token is required (Authorization: Bearer <token>)."),
        "forbidden": N_("Your role may not use this endpoint."),
        "join_limited": N_("Too many wrong codes. Try again later."),
        "no_class_with_code": N_("No class has this join code."),
        "no_class": N_("No such class."),
        "no_question": N_("No question with id '%(question_id)s'."),
        "no_lab": N_("No lab with id '%(lab_id)s'."),
        "no_host": N_("No host with id %(host_id)s."),
        "no_attempt": N_("No attempt with id %(attempt_id)s."),
        "no_sandbox": N_("You have no sandbox yet: PUT /api/v1/me/sandbox starts one."),
        "sandbox_not_running": N_("Your sandbox is not running: PUT /api/v1/me/sandbox first."),
        "self_report_retired": N_(
            "This path (/self-report) is retired. Instead of sending a verdict, get a code and "
            "its plan with POST /api/v1/labs/%(lab)s/own-machine and upload the docker reads the "
            "plan names to /api/v1/own-machine/<code>/upload (the line pasted from the lab page "
            "and `python -m grader check --submit` do this)."),
        "too_deep": N_("The JSON is nested too deeply (more than %(depth)d levels)."),
        "nul": N_("Text may not contain NUL characters."),
    }

    def __init__(self, status: int, code: str, sentence: str, *,
                 details: dict | None = None, **params: object) -> None:
        super().__init__(code, status=status, details=details, **params)
        self.sentence = sentence

    def message(self, lang: str = "ko") -> str:
        return translate(self.MESSAGES[self.sentence], lang, **self.params)


def not_found(sentence: str, **params: object) -> ApiError:
    return ApiError(404, "not_found", sentence, **params)


def error_body(code: str, ko: str, en: str, lang: str,
               details: dict | None = None) -> dict[str, Any]:
    """The one API error body (see the module docstring)."""
    return {"error": code, "message": en if lang == "en" else ko, "message_ko": ko,
            "message_en": en, "details": dict(details or {})}


def error_response(status: int, body: dict[str, Any]) -> Response:
    # One key per line: the own-machine script reads message_ko/message_en without a JSON parser.
    text = json.dumps(body, ensure_ascii=False, indent=1, default=str) + "\n"
    response = Response(text, status, mimetype="application/json")
    retry_after = body["details"].get("retry_after")
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def docklab_error_body(error: DocklabError, lang: str) -> dict[str, Any]:
    return error_body(error.code, error.message("ko"), error.message("en"), lang, error.details)


def http_error_body(error: HTTPException, lang: str) -> dict[str, Any]:
    """An HTTP error in the one shape: a description given to abort() is the English message
    (werkzeug's stock descriptions are replaced by ours, in both languages)."""
    status = error.code or 500
    text = HTTP_TEXTS.get(status)
    ko, en = (translate(text, "ko"), translate(text, "en")) if text else (error.name, error.name)
    if error.description and error.description != type(error).description:
        en = error.description
    code = error.name.lower().replace(" ", "_")
    return error_body(code, ko, en, lang)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if wants_json():
            return error_response(400, error_body(
                "csrf", "보안 토큰(CSRF)이 없거나 맞지 않습니다. 페이지를 새로 고친 뒤 "
                "다시 하세요.", error.description, request_lang()))
        return render_template("errors/error.html", code=400, reason=error.description), 400

    @app.errorhandler(DocklabError)
    def docklab_error(error: DocklabError):
        """Raised outside the API's own handler: in a before_request hook, or by a page that
        did not catch it (pages flash `message()` themselves; this is the fallback)."""
        if wants_json():
            return error_response(error.status, docklab_error_body(error, request_lang()))
        reason = error.message(current_lang())
        return render_template("errors/error.html", code=error.status,
                               reason=reason), error.status

    @app.errorhandler(500)
    @app.errorhandler(HTTPException)
    def http_error(error):
        if wants_json():
            return error_response(error.code, http_error_body(error, request_lang()))
        reason = REASONS.get(error.code, error.name)
        return render_template("errors/error.html", code=error.code, reason=reason), error.code
