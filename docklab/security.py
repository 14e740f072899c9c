"""Response headers every page gets (no inline script, no framing, no referrer leaks), and
requests no view should ever see."""
from flask import Flask, abort, request

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
        return response


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def refuse_nul_characters() -> None:
    """No person types a NUL character, and PostgreSQL cannot store one (a 500 there): a request
    carrying one anywhere is a 400 before any view or query sees it."""
    if "\x00" in request.path or any(_has_nul(v) for v in request.args.values()):
        abort(400, "Text may not contain NUL characters.")
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if any(_has_nul(v) for v in request.form.values()) or (
                request.is_json and _has_nul(request.get_json(silent=True))):
            abort(400, "Text may not contain NUL characters.")
