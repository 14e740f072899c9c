"""Web side of the own-machine check: the script (in full, to read), the script with a code
(what `curl ... | sh` fetches) and, for the lab page, a fresh command (session + CSRF)."""
from __future__ import annotations

from flask import Response, abort, jsonify, render_template, request
from flask_login import current_user, login_required

from grader.plan import NotReadable, checkable

from ..i18n import current_lang
from . import bp, catalog
from . import own_machine as own

SCRIPT_TYPE = "text/plain"  # shown as text in a browser, so it can be read before it is run


def _server() -> str:
    return request.url_root.rstrip("/")


@bp.get("/own-machine/script.sh")
def own_machine_script():
    return Response(own.script_text(), mimetype=SCRIPT_TYPE)


@bp.get("/c/<code>")
def own_machine_code_script(code: str):
    if not own.CODE_FORMAT.fullmatch(code):
        abort(404)
    # Whether the code is still good is said by the plan request, in the learner's terminal.
    response = Response(own.script_for(code, _server()), mimetype=SCRIPT_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/labs/<lab_id>/own-machine")
@login_required
def own_machine_command(lab_id: str):
    lab = catalog.lab(lab_id)
    if lab is None:
        abort(404)
    try:
        issued = own.issue(current_user.id, lab, current_lang(), _server())
    except NotReadable as why:
        return jsonify(error="not_checkable", message=why.message(current_lang())), 409
    if request.accept_mimetypes.best != "application/json":  # a browser without JavaScript
        return render_template("labs/own_machine_command.html", lab=lab, issued=issued,
                               lang=current_lang()), 201
    return jsonify(issued.to_dict()), 201


@bp.app_template_global("own_machine_blocker")
def own_machine_blocker(lab, lang_code: str) -> str | None:
    """Why the lab cannot be checked on one's own computer (shown instead of the line)."""
    why = checkable(lab)
    return None if why is None else why.message(lang_code)
