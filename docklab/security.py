"""Response headers every page gets (no inline script, no framing, no referrer leaks), requests
no view should ever see, and where a `next` link may send the visitor."""
from typing import NoReturn
from urllib.parse import urlsplit

from flask import Flask, abort, request

from . import settings
from .errors import ApiError

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def register(app: Flask) -> None:
    app.before_request(refuse_nul_characters)

    @app.after_request
    def secure_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if settings.current(app).secure_cookies:  # served over HTTPS
            # Not includeSubDomains: other sites under the same domain are not ours to pin.
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


# No request body docklab takes nests deeper than a few levels.
MAX_JSON_DEPTH = 64


def _too_deep_or_has_nul(value) -> tuple[bool, bool]:
    """(nested deeper than MAX_JSON_DEPTH, carries a NUL), walked without recursion."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return False, True
            continue
        if isinstance(item, (dict, list)) and depth > MAX_JSON_DEPTH:
            return True, False
        if isinstance(item, dict):
            pending.extend((key, depth + 1) for key in item)
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)
    return False, False


def _has_nul(value) -> bool:
    return _too_deep_or_has_nul(value)[1]


def _refuse_deep_json() -> NoReturn:
    refused = ApiError(400, "bad_request", "too_deep", depth=MAX_JSON_DEPTH)
    if not request.path.startswith("/api/"):
        abort(400, refused.message("en"))
    raise refused


def _refuse_nul() -> NoReturn:
    if request.path.startswith("/api/"):
        raise ApiError(400, "bad_request", "nul")
    abort(400, ApiError(400, "bad_request", "nul").message("en"))


def refuse_nul_characters():
    """No person types a NUL character, and PostgreSQL cannot store one (a 500 there): a request
    carrying one anywhere is a 400 before any view or query sees it. So is JSON nested so deeply
    that parsing or walking it would exhaust Python's stack (a 500 and a traceback each time)."""
    if "\x00" in request.path or any(_has_nul(v) for v in request.args.values()):
        _refuse_nul()
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if any(_has_nul(v) for v in request.form.values()):
            _refuse_nul()
        if request.is_json:
            try:
                payload = request.get_json(silent=True)
            except RecursionError:
                _refuse_deep_json()
            too_deep, has_nul = _too_deep_or_has_nul(payload)
            if too_deep:
                _refuse_deep_json()
            if has_nul:
                _refuse_nul()
    return None


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no `//` or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
