"""Home page, language switch, health check."""
from flask import jsonify, redirect, render_template, request, session, url_for
from sqlalchemy import text

from ..extensions import db
from ..i18n import LANGUAGES
from ..security import safe_next
from . import bp


@bp.get("/")
def index():
    return render_template("main/index.html")


@bp.get("/lang/<code>")
def set_language(code: str):
    if code in LANGUAGES:
        session["lang"] = code
    # Back to where the visitor was, but only within this site.
    return redirect(safe_next(request.args.get("next")) or url_for("main.index"))


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy", with its reason
        return jsonify(status="error", database=str(exc.__class__.__name__)), 503
    return jsonify(status="ok", database=database)
