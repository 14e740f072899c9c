"""Error pages: JSON under /api/, a friendly bilingual page elsewhere."""
from collections.abc import Mapping
from typing import ClassVar

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .i18n import translate

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


def wants_json() -> bool:
    return request.path.startswith("/api/")


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if wants_json():
            return jsonify(error="csrf", message=error.description), 400
        return render_template("errors/error.html", code=400, reason=error.description), 400

    @app.errorhandler(500)
    @app.errorhandler(HTTPException)
    def http_error(error):
        if wants_json():
            return jsonify(error=error.name.lower().replace(" ", "_"),
                           message=error.description), error.code
        reason = REASONS.get(error.code, error.name)
        return render_template("errors/error.html", code=error.code, reason=reason), error.code
